// The pure snapshot -> message functions.

#include <gtest/gtest.h>

#include "agent/endpoints/workload_responses.h"
#include "support/test_ca.h"

namespace spire::agent::endpoints {
namespace {

TEST(WorkloadResponsesTest, ClaimsOfOwnTrustDomainAreKept) {
  nlohmann::json claims = {{"sub", "spiffe://example.org/a"},
                           {"aud", "one"},
                           {"x", {1, 2}},
                           {"nested", {{"k", true}}},
                           {"n", nullptr}};
  Result<google::protobuf::Struct> result = claimsToStruct(claims, /*foreign=*/false, {});
  ASSERT_TRUE(result.isOk());
  const auto& fields = result->fields();
  EXPECT_EQ(fields.size(), 5u);
  // A string audience becomes a one-element list.
  ASSERT_EQ(fields.at("aud").list_value().values_size(), 1);
  EXPECT_EQ(fields.at("aud").list_value().values(0).string_value(), "one");
  EXPECT_EQ(fields.at("x").list_value().values(1).number_value(), 2);
  EXPECT_TRUE(fields.at("nested").struct_value().fields().at("k").bool_value());
  EXPECT_EQ(fields.at("n").kind_case(), google::protobuf::Value::kNullValue);
}

TEST(WorkloadResponsesTest, ForeignClaimsAreFiltered) {
  nlohmann::json claims = {{"sub", "spiffe://other.org/a"},
                           {"aud", {"a"}},
                           {"exp", 5},
                           {"iat", 1},
                           {"iss", "x"},
                           {"keep", "k"}};
  Result<google::protobuf::Struct> result = claimsToStruct(claims, /*foreign=*/true, {"keep"});
  ASSERT_TRUE(result.isOk());
  const auto& fields = result->fields();
  EXPECT_EQ(fields.size(), 4u);
  EXPECT_TRUE(fields.contains("sub"));
  EXPECT_TRUE(fields.contains("aud"));
  EXPECT_TRUE(fields.contains("exp"));
  EXPECT_TRUE(fields.contains("keep"));
}

TEST(WorkloadResponsesTest, ClaimsMustBeAnObject) {
  Result<google::protobuf::Struct> result = claimsToStruct(nlohmann::json::array(), false, {});
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
  EXPECT_EQ(result.status().message(), "claims are not a JSON object");
}

TEST(WorkloadResponsesTest, HintFilterKeepsFirstOfEachHintAndAllUnhinted) {
  spire::testing::TestCa ca = spire::testing::TestCa::createRoot("example.org");
  std::vector<std::shared_ptr<const x509::X509Svid>> svids;
  for (auto [path, hint] : std::vector<std::pair<std::string, std::string>>{
           {"/1", "a"}, {"/2", ""}, {"/3", "a"}, {"/4", ""}, {"/5", "b"}}) {
    x509::X509Svid svid = ca.issueSvid(path);
    svid.hint = hint;
    svids.push_back(std::make_shared<const x509::X509Svid>(std::move(svid)));
  }
  auto kept = filterByHint(svids);
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept[0]->id.path(), "/1");
  EXPECT_EQ(kept[1]->id.path(), "/2");
  EXPECT_EQ(kept[2]->id.path(), "/4");
  EXPECT_EQ(kept[3]->id.path(), "/5");
}

TEST(WorkloadResponsesTest, KeyThatCannotBeMarshalledIsUnavailable) {
  spire::testing::TestCa ca = spire::testing::TestCa::createRoot("example.org");
  x509::X509Svid svid = ca.issueSvid("/a");
  svid.private_key.reset();
  IdentitySnapshot snapshot;
  snapshot.svids.push_back(std::make_shared<const x509::X509Svid>(std::move(svid)));
  snapshot.bundle = std::make_shared<const x509::X509Bundle>(ca.bundle());
  Result<X509SVIDResponse> response = composeX509SvidResponse(snapshot);
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(),
            "could not serialize response: marshal key for spiffe://example.org/a: "
            "x509svid: cannot encode private key: no private key");
}

} // namespace
} // namespace spire::agent::endpoints
