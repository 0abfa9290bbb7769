#pragma once

// The CA journal: what the server must remember across restarts about its two X.509 CA slots and
// two JWT key slots. Stored as one DataStore ca_journals row (data = the JSON text below,
// active_x509_authority_id = hex SKI of the active CA, active_jwt_authority_id = its kid).
//
// Format (version 1), JSON, our own encoding:
//   {"version":1,
//    "x509_cas":[{"slot":"A","status":"ACTIVE","issued_at":<unix s>,"not_after":<unix s>,
//                 "authority_id":"<hex SKI>","certificate":"<base64 DER>",
//                 "upstream_chain":["<base64 DER>",...]}],
//    "jwt_keys":[{"slot":"B","status":"PREPARED","issued_at":..,"not_after":..,
//                 "kid":"<key id>","public_key":"<base64 PKIX DER>"}]}
// status is "PREPARED", "ACTIVE" or "OLD"; at most one entry per slot and kind. The private keys
// are not in the journal: they live in the KeyManager under the slot's key ID.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spire::server::ca {

enum class SlotStatus { kPrepared, kActive, kOld };
std::string_view slotStatusName(SlotStatus status);

struct X509CaRecord {
  std::string slot; // "A" / "B"
  SlotStatus status = SlotStatus::kPrepared;
  std::int64_t issued_at = 0;
  std::int64_t not_after = 0;
  std::string authority_id;
  std::string certificate_der;
  std::vector<std::string> upstream_chain_der; // the minted chain (CA first), empty if self-signed
  bool operator==(const X509CaRecord&) const = default;
};

struct JwtKeyRecord {
  std::string slot;
  SlotStatus status = SlotStatus::kPrepared;
  std::int64_t issued_at = 0;
  std::int64_t not_after = 0;
  std::string kid;
  std::string public_key_der;
  bool operator==(const JwtKeyRecord&) const = default;
};

struct Journal {
  std::vector<X509CaRecord> x509_cas;
  std::vector<JwtKeyRecord> jwt_keys;
  bool operator==(const Journal&) const = default;
};

std::string encodeJournal(const Journal& journal);
// DataLoss "malformed CA journal: <detail>" for anything that is not version 1 of the format.
Result<Journal> decodeJournal(std::string_view text);

} // namespace spire::server::ca
