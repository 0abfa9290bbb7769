#include "datastore/sql/mysql_dsn.h"

#include <cctype>
#include <set>

#include "datastore/sql/config.h"
#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {
namespace {

using spire::plugin::Error;

[[noreturn]] void invalid(const std::string& message) {
  throw Error(SPIRE_INVALID_ARGUMENT, message);
}

// url.QueryUnescape: %XX escapes and '+' as space.
std::string unescape(std::string_view text, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        invalid("invalid DSN: invalid URL escape \"" + std::string(text.substr(i)) + "\"");
      }
      auto hex = [&](char h) {
        if (std::isdigit(static_cast<unsigned char>(h))) {
          return h - '0';
        }
        h = static_cast<char>(std::tolower(static_cast<unsigned char>(h)));
        if (h >= 'a' && h <= 'f') {
          return h - 'a' + 10;
        }
        invalid("invalid DSN: invalid URL escape \"" + std::string(text.substr(i, 3)) + "\"");
      };
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool readBool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "True" || value == "TRUE" || value == "1") {
    return true;
  }
  if (value == "false" || value == "False" || value == "FALSE" || value == "0") {
    return false;
  }
  invalid("invalid DSN: invalid bool value for " + key + ": " + value);
}

std::int64_t readDuration(const std::string& key, const std::string& value) {
  try {
    return parseDurationMs(value);
  } catch (const Error&) {
    invalid("invalid DSN: invalid duration for " + key + ": " + value);
  }
}

// Parameters go-sql-driver understands whose effect this plugin either applies or does not need
// (parseTime: times are integers here; interpolateParams / multiStatements: always prepared, one
// statement at a time; clientFoundRows: always on so UPDATE counts matched rows).
const std::set<std::string, std::less<>> kAcceptedFlags = {
    "parseTime",           "loc",
    "collation",           "allowNativePasswords",
    "allowOldPasswords",   "allowCleartextPasswords",
    "allowAllFiles",       "allowFallbackToPlaintext",
    "clientFoundRows",     "columnsWithAlias",
    "interpolateParams",   "multiStatements",
    "maxAllowedPacket",    "rejectReadOnly",
    "checkConnLiveness",   "serverPubKey",
    "connectionAttributes"};

const std::set<std::string, std::less<>> kBoolFlags = {
    "parseTime",         "allowNativePasswords",     "allowOldPasswords", "allowCleartextPasswords",
    "allowAllFiles",     "allowFallbackToPlaintext", "clientFoundRows",   "columnsWithAlias",
    "interpolateParams", "multiStatements",          "rejectReadOnly",    "checkConnLiveness"};

void parseParam(MysqlDsn& out, std::string_view pair) {
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) {
    invalid("invalid DSN: invalid parameter \"" + std::string(pair) + "\"");
  }
  std::string key(pair.substr(0, eq));
  std::string value = unescape(pair.substr(eq + 1), true);
  if (key == "tls") {
    std::string lower;
    for (char c : value) {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lower == "1" || lower == "true") {
      out.tls = "true";
    } else if (lower == "0" || lower == "false") {
      out.tls = "false";
    } else if (lower == "skip-verify" || lower == "preferred") {
      out.tls = lower;
    } else {
      // Named configs come from mysql.RegisterTLSConfig in Go; here the TLS keys of plugin_data
      // (root_ca_path, ...) take that role.
      invalid("invalid DSN: tls=" + value +
              " is not supported (use true, false, skip-verify or preferred, and root_ca_path "
              "for a custom CA)");
    }
  } else if (key == "timeout") {
    out.connect_timeout_ms = readDuration(key, value);
  } else if (key == "readTimeout") {
    out.read_timeout_ms = readDuration(key, value);
  } else if (key == "writeTimeout") {
    out.write_timeout_ms = readDuration(key, value);
  } else if (key == "charset") {
    out.charset = value.substr(0, value.find(','));
  } else if (kAcceptedFlags.contains(key)) {
    if (kBoolFlags.contains(key)) {
      readBool(key, value);
    }
  } else {
    if (key.empty()) {
      invalid("invalid DSN: invalid parameter \"" + std::string(pair) + "\"");
    }
    for (char c : key) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        invalid("invalid DSN: invalid system variable name \"" + key + "\"");
      }
    }
    out.system_vars.emplace_back(key, value);
  }
}

void setAddress(MysqlDsn& out, const std::string& address) {
  if (out.net == "unix") {
    out.socket = address.empty() ? "/tmp/mysql.sock" : address;
    return;
  }
  if (out.net != "tcp") {
    invalid("invalid DSN: default addr for network '" + out.net + "' unknown");
  }
  std::string addr = address.empty() ? "127.0.0.1:3306" : address;
  std::string host = addr;
  std::string port;
  if (!addr.empty() && addr[0] == '[') { // [IPv6]:port
    auto close = addr.find(']');
    if (close == std::string::npos) {
      invalid("invalid DSN: missing ']' in address " + addr);
    }
    host = addr.substr(1, close - 1);
    if (close + 1 < addr.size()) {
      if (addr[close + 1] != ':') {
        invalid("invalid DSN: invalid address " + addr);
      }
      port = addr.substr(close + 2);
    }
  } else if (auto colon = addr.rfind(':'); colon != std::string::npos) {
    if (addr.find(':') != colon) {
      invalid("invalid DSN: invalid address " + addr + " (IPv6 needs brackets)");
    }
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  }
  out.host = host;
  if (!port.empty()) {
    int value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535) {
        invalid("invalid DSN: invalid port in address " + addr);
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) {
      invalid("invalid DSN: invalid port in address " + addr);
    }
    out.port = value;
  }
}

} // namespace

MysqlDsn parseMysqlDsn(std::string_view dsn) {
  MysqlDsn out;
  auto slash = dsn.rfind('/');
  if (slash == std::string_view::npos) {
    invalid("invalid DSN: missing the slash separating the database name");
  }
  std::string_view head = dsn.substr(0, slash);
  std::string_view tail = dsn.substr(slash + 1);

  // [user[:password]@][net[(addr)]]
  std::string address;
  auto at = head.rfind('@');
  std::string_view net_part = head;
  if (at != std::string_view::npos) {
    std::string_view credentials = head.substr(0, at);
    auto colon = credentials.find(':');
    out.user = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos) {
      out.password = std::string(credentials.substr(colon + 1));
    }
    net_part = head.substr(at + 1);
  }
  auto paren = net_part.find('(');
  if (paren != std::string_view::npos) {
    if (net_part.back() != ')') {
      if (net_part.substr(paren + 1).find(')') != std::string_view::npos) {
        invalid("invalid DSN: did you forget to escape a param value?");
      }
      invalid("invalid DSN: network address not terminated (missing closing brace)");
    }
    address = std::string(net_part.substr(paren + 1, net_part.size() - paren - 2));
    net_part = net_part.substr(0, paren);
  }
  out.net = net_part.empty() ? "tcp" : std::string(net_part);
  setAddress(out, address);

  // dbname[?params]
  auto question = tail.find('?');
  out.database = unescape(tail.substr(0, question), false);
  if (question != std::string_view::npos) {
    std::string_view params = tail.substr(question + 1);
    while (!params.empty()) {
      auto amp = params.find('&');
      std::string_view pair = params.substr(0, amp);
      if (!pair.empty()) {
        parseParam(out, pair);
      }
      if (amp == std::string_view::npos) {
        break;
      }
      params.remove_prefix(amp + 1);
    }
  }
  return out;
}

} // namespace spire::datastore::sql
