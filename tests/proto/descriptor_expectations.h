#pragma once

// Table-driven checks of the generated descriptors against the wire contracts written in
// /work/shared/spec (SPIFFE Workload API, Envoy SDS, SPIRE APIs, gRPC health). The tables in
// the *_test.cpp files are typed from the spec text, never generated from our .proto files.

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>
#include <vector>

namespace spire::proto::testing {

// Touches one message of every generated file so that the static library's objects are linked
// in and their descriptors registered, then returns the generated pool.
const google::protobuf::DescriptorPool& linkedPool();

// A field as the spec states it: `type` reads like proto source, e.g. "string",
// "repeated bytes", "map<string, bytes>", "envoy.config.core.v3.Node",
// "repeated spire.api.types.Selector".
struct FieldExpectation {
  std::string_view message; // fully qualified message name
  std::string_view field;
  int number;
  std::string_view type;
};

struct OneofExpectation {
  std::string_view message;
  std::string_view field;
  std::string_view oneof;
};

// An RPC by its gRPC path ("/<service full name>/<method>").
struct MethodExpectation {
  std::string_view path;
  std::string_view input;  // fully qualified message name
  std::string_view output; // fully qualified message name
  bool client_streaming;
  bool server_streaming;
};

struct EnumValueExpectation {
  std::string_view enum_name; // fully qualified enum name
  std::string_view value;
  int number;
};

struct FileExpectation {
  std::string_view path; // import path, e.g. "spire/api/types/entry.proto"
  std::string_view package;
};

// Renders a field's declared type in the notation of FieldExpectation::type.
std::string describeFieldType(const google::protobuf::FieldDescriptor& field);

// Each returns an empty string when the expectation holds, otherwise what differs.
std::string checkField(const FieldExpectation& expected);
std::string checkOneof(const OneofExpectation& expected);
std::string checkMethod(const MethodExpectation& expected);
std::string checkEnumValue(const EnumValueExpectation& expected);
std::string checkFile(const FileExpectation& expected);

// Every method `service_name` declares must appear in `paths` (no undeclared extra RPCs) and
// every path of that service must be declared. Returns what differs, or "".
std::string checkServiceMethodSet(std::string_view service_name,
                                  const std::vector<std::string>& paths);

} // namespace spire::proto::testing
