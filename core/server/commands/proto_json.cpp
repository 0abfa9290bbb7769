#include "server/commands/proto_json.h"

#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include "cli/output.h"
#include "common/encoding.h"

namespace spire::server::commands {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Json = nlohmann::ordered_json;

bool isWrapper(const google::protobuf::Descriptor& d) {
  const std::string& name = d.full_name();
  return name.rfind("google.protobuf.", 0) == 0 && name.size() > 5 &&
         name.compare(name.size() - 5, 5, "Value") == 0 && name != "google.protobuf.Value";
}

Json scalar(const Message& m, const Reflection& r, const FieldDescriptor& f, int index) {
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
  case FieldDescriptor::CPPTYPE_INT32:
    return rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f);
  case FieldDescriptor::CPPTYPE_UINT32:
    return rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f);
  case FieldDescriptor::CPPTYPE_INT64:
    return std::to_string(rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f));
  case FieldDescriptor::CPPTYPE_UINT64:
    return std::to_string(rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f));
  case FieldDescriptor::CPPTYPE_DOUBLE:
    return rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f);
  case FieldDescriptor::CPPTYPE_FLOAT:
    return rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f);
  case FieldDescriptor::CPPTYPE_BOOL:
    return rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f);
  case FieldDescriptor::CPPTYPE_ENUM: {
    const int value = rep ? r.GetRepeatedEnumValue(m, &f, index) : r.GetEnumValue(m, &f);
    const auto* ev = f.enum_type()->FindValueByNumber(value);
    if (ev == nullptr) {
      return value;
    }
    return ev->name();
  }
  case FieldDescriptor::CPPTYPE_STRING: {
    const std::string value = rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
    if (f.type() == FieldDescriptor::TYPE_BYTES) {
      return base64Encode(value);
    }
    return value;
  }
  case FieldDescriptor::CPPTYPE_MESSAGE: {
    const Message& sub = rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f);
    return protoToJson(sub);
  }
  }
  return nullptr;
}

// Map keys are written as strings whatever their type.
std::string mapKey(const Message& entry) {
  const Reflection& r = *entry.GetReflection();
  const FieldDescriptor& key = *entry.GetDescriptor()->FindFieldByNumber(1);
  const Json value = scalar(entry, r, key, 0);
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.dump();
}

} // namespace

Json protoToJson(const Message& message) {
  const google::protobuf::Descriptor& d = *message.GetDescriptor();
  const Reflection& r = *message.GetReflection();
  if (isWrapper(d)) {
    return scalar(message, r, *d.FindFieldByNumber(1), 0);
  }
  Json out = Json::object();
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor& f = *d.field(i);
    if (f.is_map()) {
      Json map = Json::object();
      for (int k = 0; k < r.FieldSize(message, &f); ++k) {
        const Message& entry = r.GetRepeatedMessage(message, &f, k);
        const FieldDescriptor& value = *entry.GetDescriptor()->FindFieldByNumber(2);
        map[mapKey(entry)] = scalar(entry, *entry.GetReflection(), value, 0);
      }
      out[f.name()] = std::move(map);
      continue;
    }
    if (f.is_repeated()) {
      Json list = Json::array();
      for (int k = 0; k < r.FieldSize(message, &f); ++k) {
        list.push_back(scalar(message, r, f, k));
      }
      out[f.name()] = std::move(list);
      continue;
    }
    const bool has = f.has_presence() ? r.HasField(message, &f) : true;
    if (!has) {
      // protojson leaves out unset oneof members; other unset messages are written as null.
      if (f.containing_oneof() != nullptr) {
        continue;
      }
      out[f.name()] = nullptr;
      continue;
    }
    out[f.name()] = scalar(message, r, f, 0);
  }
  return out;
}

void printProtoJson(std::ostream& out, const Message& message) {
  cli::printJson(out, protoToJson(message));
}

} // namespace spire::server::commands
