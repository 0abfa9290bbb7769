#include "datastore/sql/config.h"

#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "spire/plugin/cpp/error.hpp"

#if SPIRE_DS_HAVE_POSTGRES
#include "datastore/sql/pg_db.h"
#endif

namespace spire::datastore::sql {
namespace {

using spire::plugin::Error;

[[noreturn]] void invalid(const std::string& message) {
  throw Error(SPIRE_INVALID_ARGUMENT, message);
}

// Keys SPIRE accepts. The AWS blocks (IAM authentication to RDS) are recognised so the error says
// this build lacks them rather than "unknown key".
const std::set<std::string, std::less<>> kKnownKeys = {
    "database_type",  "connection_string", "ro_connection_string", "max_open_conns",
    "max_idle_conns", "conn_max_lifetime", "disable_migration",    "log_sql",
    "root_ca_path",   "client_cert_path",  "client_key_path"};

std::string getString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return {};
  }
  if (!it->is_string()) {
    invalid(std::string(key) + " must be a string");
  }
  return it->get<std::string>();
}

bool getBool(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return false;
  }
  if (!it->is_boolean()) {
    invalid(std::string(key) + " must be a boolean");
  }
  return it->get<bool>();
}

int getCount(const nlohmann::json& obj, const char* key, int fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return fallback;
  }
  if (!it->is_number_integer()) {
    invalid(std::string(key) + " must be an integer");
  }
  auto v = it->get<std::int64_t>();
  if (v < 0 || v > 100000) {
    invalid(std::string(key) + " must be between 0 and 100000");
  }
  return static_cast<int>(v);
}

} // namespace

std::int64_t parseDurationMs(std::string_view text) {
  if (text.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "empty duration");
  }
  if (text == "0") {
    return 0;
  }
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i) {
      throw Error(SPIRE_INVALID_ARGUMENT, "invalid duration \"" + std::string(text) + "\"");
    }
    double number = std::stod(std::string(text.substr(start, i - start)));
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h") {
      scale = 3600e3;
    } else if (unit == "m") {
      scale = 60e3;
    } else if (unit == "s") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s") {
      scale = 1e-3;
    } else if (unit == "ns") {
      scale = 1e-6;
    } else {
      throw Error(SPIRE_INVALID_ARGUMENT, "invalid duration \"" + std::string(text) + "\"");
    }
    total_ms += number * scale;
  }
  return static_cast<std::int64_t>(total_ms);
}

Config parseConfig(std::string_view json) {
  nlohmann::json obj;
  try {
    obj = json.empty() ? nlohmann::json::object() : nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    invalid(std::string("plugin_data is not valid JSON: ") + e.what());
  }
  if (!obj.is_object()) {
    invalid("plugin_data must be an object");
  }
  for (const auto& [key, value] : obj.items()) {
    if (key == "aws_postgres" || key == "aws_mysql") {
      invalid(key + " is not supported by this build");
    }
    if (!kKnownKeys.contains(key)) {
      invalid("unknown key \"" + key + "\" in plugin_data");
    }
  }
  Config cfg;
  cfg.database_type = getString(obj, "database_type");
  cfg.connection_string = getString(obj, "connection_string");
  cfg.ro_connection_string = getString(obj, "ro_connection_string");
  cfg.max_open_conns = getCount(obj, "max_open_conns", 100);
  cfg.max_idle_conns = getCount(obj, "max_idle_conns", 100);
  cfg.disable_migration = getBool(obj, "disable_migration");
  cfg.log_sql = getBool(obj, "log_sql");
  std::string lifetime = getString(obj, "conn_max_lifetime");
  if (!lifetime.empty()) {
    try {
      cfg.conn_max_lifetime_ms = parseDurationMs(lifetime);
    } catch (const Error&) {
      invalid("conn_max_lifetime: invalid duration \"" + lifetime + "\"");
    }
  }
  if (cfg.database_type.empty()) {
    invalid("database_type must be set");
  }
  const std::string& type = cfg.database_type;
  if (type != "sqlite3" && type != "postgres" && type != "mysql") {
    invalid("unsupported database_type: \"" + type + "\"");
  }
  if (!backendCompiled(type)) {
    invalid("database_type \"" + type + "\" is not supported by this build");
  }
  if (cfg.connection_string.empty()) {
    invalid("connection_string must be set");
  }
  cfg.root_ca_path = getString(obj, "root_ca_path");
  cfg.client_cert_path = getString(obj, "client_cert_path");
  cfg.client_key_path = getString(obj, "client_key_path");
  if (type != "mysql") {
    for (const char* key : {"root_ca_path", "client_cert_path", "client_key_path"}) {
      if (obj.contains(key)) {
        invalid(std::string(key) + " is only valid with database_type \"mysql\"");
      }
    }
  }
  if (type == "mysql") {
    try {
      cfg.mysql = parseMysqlDsn(cfg.connection_string);
    } catch (const Error& e) {
      invalid(std::string("connection_string: ") + e.what());
    }
    if (!cfg.ro_connection_string.empty()) {
      try {
        parseMysqlDsn(cfg.ro_connection_string);
      } catch (const Error& e) {
        invalid(std::string("ro_connection_string: ") + e.what());
      }
    }
    if (cfg.client_cert_path.empty() != cfg.client_key_path.empty()) {
      invalid("client_cert_path and client_key_path must be set together");
    }
    if (!cfg.client_cert_path.empty() && cfg.root_ca_path.empty()) {
      invalid("client_cert_path and client_key_path need root_ca_path");
    }
  }
#if SPIRE_DS_HAVE_POSTGRES
  if (type == "postgres") {
    if (std::string error = postgresConnStringError(cfg.connection_string); !error.empty()) {
      invalid("connection_string: " + error);
    }
    if (!cfg.ro_connection_string.empty()) {
      if (std::string error = postgresConnStringError(cfg.ro_connection_string); !error.empty()) {
        invalid("ro_connection_string: " + error);
      }
    }
  }
#endif
  if (cfg.max_open_conns == 0) {
    cfg.max_open_conns = 100; // as database/sql: 0 = unlimited; keep a sane cap
  }
  return cfg;
}

bool backendCompiled(const std::string& database_type) {
  if (database_type == "sqlite3") {
    return true;
  }
  if (database_type == "postgres") {
    return SPIRE_DS_HAVE_POSTGRES != 0;
  }
  if (database_type == "mysql") {
    return SPIRE_DS_HAVE_MYSQL != 0;
  }
  return false;
}

std::string sqliteUri(const std::string& cs, const std::string& memory_name) {
  if (cs == ":memory:") {
    return "file:" + memory_name + "?mode=memory&cache=shared";
  }
  if (cs.rfind("file:", 0) == 0) {
    return cs;
  }
  std::string uri = "file:";
  for (char c : cs) {
    if (c == '?' || c == '#' || c == '%') {
      static const char* kHex = "0123456789ABCDEF";
      auto u = static_cast<unsigned char>(c);
      uri += '%';
      uri += kHex[u >> 4];
      uri += kHex[u & 15];
    } else {
      uri += c;
    }
  }
  return uri;
}

bool sqliteIsMemory(const std::string& uri) {
  return uri.find("mode=memory") != std::string::npos || uri == "file::memory:";
}

} // namespace spire::datastore::sql
