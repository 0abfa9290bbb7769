// The SPIFFE Workload API contract, typed from spiffe-standards.md §6.1.

#include <gtest/gtest.h>

#include "proto/descriptor_expectations.h"

namespace spire::proto::testing {
namespace {

constexpr FieldExpectation kWorkloadFields[] = {
    {"X509SVIDResponse", "svids", 1, "repeated X509SVID"},
    {"X509SVIDResponse", "crl", 2, "repeated bytes"},
    {"X509SVIDResponse", "federated_bundles", 3, "map<string, bytes>"},
    {"X509SVID", "spiffe_id", 1, "string"},
    {"X509SVID", "x509_svid", 2, "bytes"},
    {"X509SVID", "x509_svid_key", 3, "bytes"},
    {"X509SVID", "bundle", 4, "bytes"},
    {"X509SVID", "hint", 5, "string"},
    {"X509BundlesResponse", "crl", 1, "repeated bytes"},
    {"X509BundlesResponse", "bundles", 2, "map<string, bytes>"},
    {"JWTSVIDRequest", "audience", 1, "repeated string"},
    {"JWTSVIDRequest", "spiffe_id", 2, "string"},
    {"JWTSVIDResponse", "svids", 1, "repeated JWTSVID"},
    {"JWTSVID", "spiffe_id", 1, "string"},
    {"JWTSVID", "svid", 2, "string"},
    {"JWTSVID", "hint", 3, "string"},
    {"JWTBundlesResponse", "bundles", 1, "map<string, bytes>"},
    {"ValidateJWTSVIDRequest", "audience", 1, "string"},
    {"ValidateJWTSVIDRequest", "svid", 2, "string"},
    {"ValidateJWTSVIDResponse", "spiffe_id", 1, "string"},
    {"ValidateJWTSVIDResponse", "claims", 2, "google.protobuf.Struct"},
    {"WITSVIDRequest", "spiffe_id", 1, "string"},
    {"WITSVIDResponse", "svids", 1, "repeated WITSVID"},
    {"WITSVID", "spiffe_id", 1, "string"},
    {"WITSVID", "wit_svid", 2, "string"},
    {"WITSVID", "wit_svid_key", 3, "string"},
    {"WITSVID", "hint", 4, "string"},
    // The standard notes: string values here, not bytes.
    {"WITBundlesResponse", "bundles", 1, "map<string, string>"},
};

constexpr MethodExpectation kWorkloadMethods[] = {
    {"/SpiffeWorkloadAPI/FetchX509SVID", "X509SVIDRequest", "X509SVIDResponse", false, true},
    {"/SpiffeWorkloadAPI/FetchX509Bundles", "X509BundlesRequest", "X509BundlesResponse", false,
     true},
    {"/SpiffeWorkloadAPI/FetchJWTSVID", "JWTSVIDRequest", "JWTSVIDResponse", false, false},
    {"/SpiffeWorkloadAPI/FetchJWTBundles", "JWTBundlesRequest", "JWTBundlesResponse", false, true},
    {"/SpiffeWorkloadAPI/ValidateJWTSVID", "ValidateJWTSVIDRequest", "ValidateJWTSVIDResponse",
     false, false},
    {"/SpiffeWorkloadAPI/FetchWITSVID", "WITSVIDRequest", "WITSVIDResponse", false, true},
    {"/SpiffeWorkloadAPI/FetchWITBundles", "WITBundlesRequest", "WITBundlesResponse", false, true},
};

// Request messages the standard declares empty.
constexpr std::string_view kEmptyMessages[] = {"X509SVIDRequest", "X509BundlesRequest",
                                               "JWTBundlesRequest", "WITBundlesRequest"};

TEST(WorkloadApiProto, FileHasNoPackage) {
  EXPECT_EQ(checkFile({"spiffe/workload/workload.proto", ""}), "");
}

TEST(WorkloadApiProto, FileImportsOnlyStruct) {
  const auto* file = linkedPool().FindFileByName("spiffe/workload/workload.proto");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(file->dependency_count(), 1);
  EXPECT_EQ(file->dependency(0)->name(), "google/protobuf/struct.proto");
}

TEST(WorkloadApiProto, FieldsMatchTheStandard) {
  for (const auto& expected : kWorkloadFields) {
    EXPECT_EQ(checkField(expected), "");
  }
}

TEST(WorkloadApiProto, EmptyRequestsHaveNoFields) {
  for (const auto name : kEmptyMessages) {
    const auto* message = linkedPool().FindMessageTypeByName(std::string(name));
    ASSERT_NE(message, nullptr) << name;
    EXPECT_EQ(message->field_count(), 0) << name;
  }
}

TEST(WorkloadApiProto, MethodsMatchTheStandard) {
  std::vector<std::string> paths;
  for (const auto& expected : kWorkloadMethods) {
    EXPECT_EQ(checkMethod(expected), "");
    paths.emplace_back(expected.path);
  }
  EXPECT_EQ(checkServiceMethodSet("SpiffeWorkloadAPI", paths), "");
}

TEST(WorkloadApiProto, ServiceIsNotPackageQualified) {
  // A package would move every path away from /SpiffeWorkloadAPI/..., breaking go-spiffe.
  EXPECT_EQ(checkMethod({"/spiffe.workload.SpiffeWorkloadAPI/FetchX509SVID", "X509SVIDRequest",
                         "X509SVIDResponse", false, true}),
            "no service \"spiffe.workload.SpiffeWorkloadAPI\"");
}

TEST(WorkloadApiProto, WitBundlesAreNotBytes) {
  EXPECT_EQ(checkField({"WITBundlesResponse", "bundles", 1, "map<string, bytes>"}),
            "WITBundlesResponse.bundles: type \"map<string, string>\" != \"map<string, bytes>\";");
}

} // namespace
} // namespace spire::proto::testing
