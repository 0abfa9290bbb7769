#include "agent/commands/workload_json.h"

#include <cmath>
#include <map>
#include <string>

#include "common/encoding.h"

namespace spire::agent::commands {
namespace {

using Json = nlohmann::ordered_json;

template <class Map> Json bytesMapJson(const Map& map) {
  // protojson sorts map keys; the proto map iterates in no particular order.
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  Json out = Json::object();
  for (const auto& [key, value] : sorted) {
    out[key] = base64Encode(value);
  }
  return out;
}

Json valueJson(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
  case google::protobuf::Value::kNullValue:
    return nullptr;
  case google::protobuf::Value::kNumberValue: {
    const double number = value.number_value();
    // protojson writes 1.7e9 as 1700000000; nlohmann would add ".0" to a double.
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
      return static_cast<std::int64_t>(number);
    }
    return number;
  }
  case google::protobuf::Value::kStringValue:
    return value.string_value();
  case google::protobuf::Value::kBoolValue:
    return value.bool_value();
  case google::protobuf::Value::kStructValue:
    return structJson(value.struct_value());
  case google::protobuf::Value::kListValue: {
    Json list = Json::array();
    for (const auto& item : value.list_value().values()) {
      list.push_back(valueJson(item));
    }
    return list;
  }
  default:
    return nullptr;
  }
}

} // namespace

Json structJson(const google::protobuf::Struct& value) {
  std::map<std::string, const google::protobuf::Value*> sorted;
  for (const auto& [key, field] : value.fields()) {
    sorted[key] = &field;
  }
  Json out = Json::object();
  for (const auto& [key, field] : sorted) {
    out[key] = valueJson(*field);
  }
  return out;
}

Json x509SvidResponseJson(const X509SVIDResponse& resp) {
  Json svids = Json::array();
  for (const X509SVID& svid : resp.svids()) {
    Json entry = Json::object();
    entry["spiffe_id"] = svid.spiffe_id();
    entry["x509_svid"] = base64Encode(svid.x509_svid());
    entry["x509_svid_key"] = base64Encode(svid.x509_svid_key());
    entry["bundle"] = base64Encode(svid.bundle());
    entry["hint"] = svid.hint();
    svids.push_back(std::move(entry));
  }
  Json crl = Json::array();
  for (const std::string& item : resp.crl()) {
    crl.push_back(base64Encode(item));
  }
  Json out = Json::object();
  out["svids"] = std::move(svids);
  out["crl"] = std::move(crl);
  out["federated_bundles"] = bytesMapJson(resp.federated_bundles());
  return out;
}

Json jwtSvidResponseJson(const JWTSVIDResponse& resp) {
  Json svids = Json::array();
  for (const JWTSVID& svid : resp.svids()) {
    Json entry = Json::object();
    entry["spiffe_id"] = svid.spiffe_id();
    entry["svid"] = svid.svid();
    entry["hint"] = svid.hint();
    svids.push_back(std::move(entry));
  }
  Json out = Json::object();
  out["svids"] = std::move(svids);
  return out;
}

Json jwtBundlesResponseJson(const JWTBundlesResponse& resp) {
  Json out = Json::object();
  out["bundles"] = bytesMapJson(resp.bundles());
  return out;
}

Json validateJwtSvidResponseJson(const ValidateJWTSVIDResponse& resp) {
  Json out = Json::object();
  out["spiffe_id"] = resp.spiffe_id();
  out["claims"] = resp.has_claims() ? structJson(resp.claims()) : Json(nullptr);
  return out;
}

} // namespace spire::agent::commands
