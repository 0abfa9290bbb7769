#pragma once

// Workload API responses as SPIRE's `-output json` prints them (cliprinter's protojson: proto
// field names, fields in declaration order, unpopulated fields included, bytes as standard
// base64, map keys sorted), ready for cli::printJson / printJsonMessages.

#include <nlohmann/json.hpp>

#include "spiffe/workload/workload.pb.h"

namespace spire::agent::commands {

nlohmann::ordered_json x509SvidResponseJson(const X509SVIDResponse& resp);
nlohmann::ordered_json jwtSvidResponseJson(const JWTSVIDResponse& resp);
nlohmann::ordered_json jwtBundlesResponseJson(const JWTBundlesResponse& resp);
nlohmann::ordered_json validateJwtSvidResponseJson(const ValidateJWTSVIDResponse& resp);

// A google.protobuf.Struct as protojson writes it: object keys sorted, whole numbers without a
// fraction ("exp": 1700000000).
nlohmann::ordered_json structJson(const google::protobuf::Struct& value);

} // namespace spire::agent::commands
