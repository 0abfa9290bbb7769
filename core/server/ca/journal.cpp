#include "server/ca/journal.h"

#include <nlohmann/json.hpp>

#include "common/encoding.h"

namespace spire::server::ca {
namespace {

constexpr int kJournalVersion = 1;

Status malformed(const std::string& detail) {
  return {StatusCode::kDataLoss, "malformed CA journal: " + detail};
}

Result<SlotStatus> parseStatus(const std::string& name) {
  if (name == "PREPARED") {
    return SlotStatus::kPrepared;
  }
  if (name == "ACTIVE") {
    return SlotStatus::kActive;
  }
  if (name == "OLD") {
    return SlotStatus::kOld;
  }
  return malformed("unknown slot status \"" + name + "\"");
}

// Reads the fields both record kinds share; nlohmann throws on type mismatches, caught below.
template <class Record> Status readCommon(const nlohmann::json& item, Record& record) {
  record.slot = item.at("slot").get<std::string>();
  if (record.slot != "A" && record.slot != "B") {
    return malformed("unknown slot \"" + record.slot + "\"");
  }
  Result<SlotStatus> status = parseStatus(item.at("status").get<std::string>());
  if (!status) {
    return status.status();
  }
  record.status = *status;
  record.issued_at = item.at("issued_at").get<std::int64_t>();
  record.not_after = item.at("not_after").get<std::int64_t>();
  return Status::ok();
}

Result<std::string> decodeBase64(const nlohmann::json& value, const char* field) {
  std::optional<std::string> decoded = base64Decode(value.get<std::string>());
  if (!decoded) {
    return malformed(std::string("bad base64 in \"") + field + "\"");
  }
  return *decoded;
}

} // namespace

std::string_view slotStatusName(SlotStatus status) {
  switch (status) {
  case SlotStatus::kPrepared:
    return "PREPARED";
  case SlotStatus::kActive:
    return "ACTIVE";
  case SlotStatus::kOld:
    return "OLD";
  }
  return "OLD";
}

std::string encodeJournal(const Journal& journal) {
  nlohmann::json out = {{"version", kJournalVersion},
                        {"x509_cas", nlohmann::json::array()},
                        {"jwt_keys", nlohmann::json::array()}};
  for (const X509CaRecord& ca : journal.x509_cas) {
    nlohmann::json chain = nlohmann::json::array();
    for (const std::string& der : ca.upstream_chain_der) {
      chain.push_back(base64Encode(der));
    }
    out["x509_cas"].push_back({{"slot", ca.slot},
                               {"status", slotStatusName(ca.status)},
                               {"issued_at", ca.issued_at},
                               {"not_after", ca.not_after},
                               {"authority_id", ca.authority_id},
                               {"certificate", base64Encode(ca.certificate_der)},
                               {"upstream_chain", chain}});
  }
  for (const JwtKeyRecord& key : journal.jwt_keys) {
    out["jwt_keys"].push_back({{"slot", key.slot},
                               {"status", slotStatusName(key.status)},
                               {"issued_at", key.issued_at},
                               {"not_after", key.not_after},
                               {"kid", key.kid},
                               {"public_key", base64Encode(key.public_key_der)}});
  }
  return out.dump();
}

Result<Journal> decodeJournal(std::string_view text) {
  nlohmann::json in = nlohmann::json::parse(text, nullptr, false);
  if (in.is_discarded() || !in.is_object()) {
    return malformed("not a JSON object");
  }
  try {
    if (in.at("version").get<int>() != kJournalVersion) {
      return malformed("unsupported version " + in.at("version").dump());
    }
    Journal journal;
    for (const nlohmann::json& item : in.at("x509_cas")) {
      X509CaRecord ca;
      if (Status st = readCommon(item, ca); !st.isOk()) {
        return st;
      }
      ca.authority_id = item.at("authority_id").get<std::string>();
      Result<std::string> cert = decodeBase64(item.at("certificate"), "certificate");
      if (!cert) {
        return cert.status();
      }
      ca.certificate_der = std::move(*cert);
      for (const nlohmann::json& der : item.at("upstream_chain")) {
        Result<std::string> link = decodeBase64(der, "upstream_chain");
        if (!link) {
          return link.status();
        }
        ca.upstream_chain_der.push_back(std::move(*link));
      }
      journal.x509_cas.push_back(std::move(ca));
    }
    for (const nlohmann::json& item : in.at("jwt_keys")) {
      JwtKeyRecord key;
      if (Status st = readCommon(item, key); !st.isOk()) {
        return st;
      }
      key.kid = item.at("kid").get<std::string>();
      Result<std::string> pkix = decodeBase64(item.at("public_key"), "public_key");
      if (!pkix) {
        return pkix.status();
      }
      key.public_key_der = std::move(*pkix);
      journal.jwt_keys.push_back(std::move(key));
    }
    return journal;
  } catch (const nlohmann::json::exception& e) {
    // Missing members and wrong JSON types; the text after "]" is nlohmann's description.
    std::string what = e.what();
    std::size_t bracket = what.find("] ");
    return malformed(bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
}

} // namespace spire::server::ca
