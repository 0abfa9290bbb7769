// Federation relationships.

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::FederationRelationship;
using plugin_host::Pagination;

class FederationTest : public DataStoreTest {};

FederationRelationship web(const std::string& td) {
  return FederationRelationship{td, "https://" + td + "/bundle", "https_web", "", std::nullopt};
}

TEST_P(FederationTest, CreateFetchWithAndWithoutBundle) {
  ASSERT_TRUE(ds().createFederationRelationship(web("a.org")).isOk());
  auto fetched = ds().fetchFederationRelationship("a.org");
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->bundle_endpoint_url, "https://a.org/bundle");
  EXPECT_EQ((*fetched)->bundle_endpoint_profile, "https_web");
  EXPECT_FALSE((*fetched)->trust_domain_bundle.has_value());

  FederationRelationship spiffe{"b.org", "https://b.org/bundle", "https_spiffe",
                                "spiffe://b.org/spire/server", makeBundle("b.org")};
  auto created = ds().createFederationRelationship(spiffe);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  EXPECT_EQ(created->endpoint_spiffe_id, "spiffe://b.org/spire/server");
  ASSERT_TRUE(created->trust_domain_bundle.has_value());
  EXPECT_EQ(created->trust_domain_bundle->trust_domain, "b.org");
  // The relationship's bundle is a real bundle row.
  EXPECT_TRUE((*ds().fetchBundle("b.org")).has_value());
  auto missing = ds().fetchFederationRelationship("c.org");
  ASSERT_TRUE(missing.isOk());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(FederationTest, CreateValidatesAndRefusesDuplicates) {
  ASSERT_TRUE(ds().createFederationRelationship(web("a.org")).isOk());
  expectError(ds().createFederationRelationship(web("a.org")).status(), StatusCode::kAlreadyExists,
              "federation relationship already exists");
  auto no_url = web("b.org");
  no_url.bundle_endpoint_url = "";
  expectError(ds().createFederationRelationship(no_url).status(), StatusCode::kInvalidArgument,
              "bundle endpoint URL is required");
  auto bad_profile = web("b.org");
  bad_profile.bundle_endpoint_profile = "ftp";
  expectError(ds().createFederationRelationship(bad_profile).status(), StatusCode::kInvalidArgument,
              "unknown bundle endpoint profile type: \"ftp\"");
  auto no_id = web("b.org");
  no_id.bundle_endpoint_profile = "https_spiffe";
  expectError(ds().createFederationRelationship(no_id).status(), StatusCode::kInvalidArgument,
              "bundle endpoint SPIFFE ID is required");
}

TEST_P(FederationTest, ListPages) {
  for (const char* td : {"c.org", "a.org", "b.org"}) {
    ASSERT_TRUE(ds().createFederationRelationship(web(td)).isOk());
  }
  auto first = ds().listFederationRelationships(Pagination{"", 2});
  ASSERT_TRUE(first.isOk());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].trust_domain, "a.org");
  EXPECT_EQ(first->next_token, "b.org");
  auto second = ds().listFederationRelationships(Pagination{first->next_token, 2});
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].trust_domain, "c.org");
  EXPECT_EQ(second->next_token, "");
}

TEST_P(FederationTest, UpdateMaskedFieldsAndBundle) {
  ASSERT_TRUE(ds().createFederationRelationship(web("a.org")).isOk());
  FederationRelationship change{"a.org", "https://new/", "https_spiffe",
                                "spiffe://a.org/spire/server", makeBundle("a.org")};
  auto updated =
      ds().updateFederationRelationship(change, SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_URL);
  ASSERT_TRUE(updated.isOk()) << updated.status().message();
  EXPECT_EQ(updated->bundle_endpoint_url, "https://new/");
  EXPECT_EQ(updated->bundle_endpoint_profile, "https_web");
  EXPECT_FALSE(updated->trust_domain_bundle.has_value());
  updated =
      ds().updateFederationRelationship(change, SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_PROFILE |
                                                    SPIRE_FEDERATION_MASK_TRUST_DOMAIN_BUNDLE);
  ASSERT_TRUE(updated.isOk()) << updated.status().message();
  EXPECT_EQ(updated->bundle_endpoint_profile, "https_spiffe");
  EXPECT_EQ(updated->endpoint_spiffe_id, "spiffe://a.org/spire/server");
  EXPECT_TRUE(updated->trust_domain_bundle.has_value());
  expectError(
      ds().updateFederationRelationship(web("zz.org"), SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_URL)
          .status(),
      StatusCode::kNotFound, "unable to fetch federation relationship: record not found");
}

TEST_P(FederationTest, DeleteAndDeleteMissing) {
  ASSERT_TRUE(ds().createFederationRelationship(web("a.org")).isOk());
  ASSERT_TRUE(ds().deleteFederationRelationship("a.org").isOk());
  EXPECT_FALSE((*ds().fetchFederationRelationship("a.org")).has_value());
  expectError(ds().deleteFederationRelationship("a.org"), StatusCode::kNotFound,
              "record not found");
}

SPIRE_DATASTORE_SUITE(FederationTest);

} // namespace
} // namespace spire::datastore_conformance
