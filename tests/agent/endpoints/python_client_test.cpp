// An independent client: Debian's Python gRPC and protobuf, with messages compiled by protoc from
// a workload.proto written here from the spec (not from our proto/), calls FetchX509SVID over the
// socket and checks the SVID with python3-cryptography. Named CrossCheck so it can be filtered.

#include <fstream>

#include "agent/endpoints/endpoints_fixture.h"
#include "support/command.h"

namespace spire::agent::endpoints::testing {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

// The subset of the Workload API the client needs, field numbers per spiffe-standards.md §6.1.
constexpr char kWorkloadProto[] = R"(syntax = "proto3";
message X509SVIDRequest {}
message X509SVIDResponse {
  repeated X509SVID svids = 1;
  repeated bytes crl = 2;
  map<string, bytes> federated_bundles = 3;
}
message X509SVID {
  string spiffe_id = 1;
  bytes x509_svid = 2;
  bytes x509_svid_key = 3;
  bytes bundle = 4;
  string hint = 5;
}
)";

constexpr char kClient[] = R"(import os, sys
sys.path.insert(0, sys.argv[2])
import grpc
import workload_pb2
from cryptography import x509
from cryptography.hazmat.primitives import serialization

channel = grpc.insecure_channel("unix:" + sys.argv[1])
fetch = channel.unary_stream(
    "/SpiffeWorkloadAPI/FetchX509SVID",
    request_serializer=workload_pb2.X509SVIDRequest.SerializeToString,
    response_deserializer=workload_pb2.X509SVIDResponse.FromString)
stream = fetch(workload_pb2.X509SVIDRequest(), metadata=[("workload.spiffe.io", "true")],
               timeout=20)
response = next(stream)
stream.cancel()
svid = response.svids[0]
leaf = x509.load_der_x509_certificate(svid.x509_svid)
uris = leaf.extensions.get_extension_for_class(
    x509.SubjectAlternativeName).value.get_values_for_type(x509.UniformResourceIdentifier)
key = serialization.load_der_private_key(svid.x509_svid_key, password=None)
same_key = key.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
    leaf.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
root = x509.load_der_x509_certificate(svid.bundle)
print("pid=%d" % os.getpid())
print("id=%s" % svid.spiffe_id)
print("san=%s" % ",".join(uris))
print("hint=%s" % svid.hint)
print("key_matches=%s" % same_key)
print("issuer_is_root=%s" % (leaf.issuer == root.subject))
print("federated=%s" % ",".join(sorted(response.federated_bundles.keys())))

# Server reflection lists the services (request: list_services = 7, an empty string).
reflect = channel.stream_stream(
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    request_serializer=lambda b: b, response_deserializer=lambda b: b)
listing = next(reflect(iter([b"\x3a\x00"]), timeout=20))
print("reflection=%s" % ",".join(
    n for n in ("SpiffeWorkloadAPI", "grpc.health.v1.Health") if n.encode() in listing))

# Without the security header the agent refuses with InvalidArgument.
try:
    next(fetch(workload_pb2.X509SVIDRequest(), timeout=20))
except grpc.RpcError as e:
    print("no_header=%s:%s" % (e.code().name, e.details()))
)";

bool pythonHas(const std::string& module) {
  return spire::testing::runCommand(std::string(kPython) + " -c 'import " + module + "'")
             .exit_code == 0;
}

TEST_F(EndpointsTest, PythonGrpcClientCrossCheck) {
  if (::access(kPython, X_OK) != 0) {
    GTEST_SKIP() << kPython << " not installed";
  }
  for (const char* module : {"grpc", "google.protobuf", "cryptography"}) {
    if (!pythonHas(module)) {
      GTEST_SKIP() << "python module " << module << " not installed";
    }
  }
  if (spire::testing::runCommand("protoc --version").exit_code != 0) {
    GTEST_SKIP() << "protoc not installed";
  }
  const std::string gen = (dir_.path() / "py").string();
  std::filesystem::create_directories(gen);
  dir_.writeFile("py/workload.proto", kWorkloadProto);
  const std::string client = dir_.writeFile("py/client.py", kClient);
  auto protoc = spire::testing::runCommand("protoc -I" + gen + " --python_out=" + gen + " " + gen +
                                           "/workload.proto");
  ASSERT_EQ(protoc.exit_code, 0) << protoc.output;

  source_.publish(snapshot({{"/python", "py"}}, /*federated=*/true));
  auto run = spire::testing::runCommand(std::string(kPython) + " " + client + " " + socket_path_ +
                                        " " + gen);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("id=spiffe://example.org/python\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("san=spiffe://example.org/python\n"), std::string::npos);
  EXPECT_NE(run.output.find("hint=py\n"), std::string::npos);
  EXPECT_NE(run.output.find("key_matches=True\n"), std::string::npos);
  EXPECT_NE(run.output.find("issuer_is_root=True\n"), std::string::npos);
  EXPECT_NE(run.output.find("federated=spiffe://federated.test\n"), std::string::npos);
  EXPECT_NE(run.output.find("no_header=INVALID_ARGUMENT:security header missing from request\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("reflection=SpiffeWorkloadAPI,grpc.health.v1.Health\n"),
            std::string::npos);
  // The kernel named the Python process as the caller, not us.
  const auto at = run.output.find("pid=");
  ASSERT_NE(at, std::string::npos);
  const pid_t python_pid = std::stoi(run.output.substr(at + 4));
  std::optional<CallerCredentials> caller = source_.lastCaller();
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->pid, python_pid);
  EXPECT_NE(caller->pid, ::getpid());
  EXPECT_EQ(caller->uid, ::getuid());
}

} // namespace
} // namespace spire::agent::endpoints::testing
