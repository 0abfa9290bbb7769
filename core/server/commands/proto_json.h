#pragma once

#include <ostream>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

namespace spire::server::commands {

// Go protojson with SPIRE cliprinter's options (UseProtoNames, EmitUnpopulated): fields in
// declaration order under their proto names; unset singular messages as null; empty repeated
// fields as []; maps as {}; unset oneof members (proto3 `optional` included) left out; 64-bit
// integers as strings; bytes as padded base64; enums by name; google.protobuf wrappers as their
// bare value and Empty as {}.
nlohmann::ordered_json protoToJson(const google::protobuf::Message& message);

// cliprinter's PrintProto in json mode: the document, compact, on one line.
void printProtoJson(std::ostream& out, const google::protobuf::Message& message);

} // namespace spire::server::commands
