// Request/response messages of the SPIRE services and gRPC health: the fields
// spire-inventory.md §5.2/§5.3 names, with spire-api-sdk's numbers.

#include <gtest/gtest.h>

#include "proto/descriptor_expectations.h"

namespace spire::proto::testing {
namespace {

constexpr FieldExpectation kServerFields[] = {
    {"spire.api.server.agent.v1.AttestAgentRequest", "params", 1,
     "spire.api.server.agent.v1.AttestAgentRequest.Params"},
    {"spire.api.server.agent.v1.AttestAgentRequest", "challenge_response", 2, "bytes"},
    {"spire.api.server.agent.v1.AttestAgentRequest.Params", "data", 1,
     "spire.api.types.AttestationData"},
    {"spire.api.server.agent.v1.AttestAgentRequest.Params", "params", 2,
     "spire.api.server.agent.v1.AgentX509SVIDParams"},
    {"spire.api.server.agent.v1.AgentX509SVIDParams", "csr", 1, "bytes"},
    {"spire.api.server.agent.v1.AttestAgentResponse", "result", 1,
     "spire.api.server.agent.v1.AttestAgentResponse.Result"},
    {"spire.api.server.agent.v1.AttestAgentResponse", "challenge", 2, "bytes"},
    {"spire.api.server.agent.v1.AttestAgentResponse.Result", "svid", 1, "spire.api.types.X509SVID"},
    {"spire.api.server.agent.v1.AttestAgentResponse.Result", "reattestable", 2, "bool"},
    {"spire.api.server.agent.v1.RenewAgentRequest", "params", 1,
     "spire.api.server.agent.v1.AgentX509SVIDParams"},
    {"spire.api.server.agent.v1.RenewAgentResponse", "svid", 1, "spire.api.types.X509SVID"},
    {"spire.api.server.agent.v1.CreateJoinTokenRequest", "ttl", 1, "int32"},
    {"spire.api.server.agent.v1.CreateJoinTokenRequest", "token", 2, "string"},
    {"spire.api.server.agent.v1.CreateJoinTokenRequest", "agent_id", 3, "spire.api.types.SPIFFEID"},
    {"spire.api.server.agent.v1.CountAgentsRequest", "filter", 1,
     "spire.api.server.agent.v1.CountAgentsRequest.Filter"},
    {"spire.api.server.agent.v1.CountAgentsResponse", "count", 1, "int32"},
    {"spire.api.server.agent.v1.ListAgentsRequest", "filter", 1,
     "spire.api.server.agent.v1.ListAgentsRequest.Filter"},
    {"spire.api.server.agent.v1.ListAgentsRequest", "output_mask", 2, "spire.api.types.AgentMask"},
    {"spire.api.server.agent.v1.ListAgentsRequest", "page_size", 3, "int32"},
    {"spire.api.server.agent.v1.ListAgentsRequest", "page_token", 4, "string"},
    {"spire.api.server.agent.v1.ListAgentsRequest.Filter", "by_attestation_type", 1, "string"},
    {"spire.api.server.agent.v1.ListAgentsRequest.Filter", "by_selector_match", 2,
     "spire.api.types.SelectorMatch"},
    {"spire.api.server.agent.v1.ListAgentsRequest.Filter", "by_banned", 3,
     "google.protobuf.BoolValue"},
    {"spire.api.server.agent.v1.ListAgentsRequest.Filter", "by_can_reattest", 4,
     "google.protobuf.BoolValue"},
    {"spire.api.server.agent.v1.ListAgentsRequest.Filter", "by_expires_before", 5, "string"},
    {"spire.api.server.agent.v1.ListAgentsResponse", "agents", 1, "repeated spire.api.types.Agent"},
    {"spire.api.server.agent.v1.ListAgentsResponse", "next_page_token", 2, "string"},
    {"spire.api.server.agent.v1.GetAgentRequest", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.server.agent.v1.GetAgentRequest", "output_mask", 2, "spire.api.types.AgentMask"},
    {"spire.api.server.agent.v1.DeleteAgentRequest", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.server.agent.v1.BanAgentRequest", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.server.agent.v1.PostStatusRequest", "current_bundle_serial", 1, "uint64"},
    {"spire.api.server.agent.v1.PostStatusRequest", "agent_version", 2, "string"},

    {"spire.api.server.bundle.v1.AppendBundleRequest", "x509_authorities", 1,
     "repeated spire.api.types.X509Certificate"},
    {"spire.api.server.bundle.v1.AppendBundleRequest", "jwt_authorities", 2,
     "repeated spire.api.types.JWTKey"},
    {"spire.api.server.bundle.v1.AppendBundleRequest", "output_mask", 3,
     "spire.api.types.BundleMask"},
    {"spire.api.server.bundle.v1.PublishJWTAuthorityRequest", "jwt_authority", 1,
     "spire.api.types.JWTKey"},
    {"spire.api.server.bundle.v1.PublishJWTAuthorityResponse", "jwt_authorities", 1,
     "repeated spire.api.types.JWTKey"},
    {"spire.api.server.bundle.v1.GetFederatedBundleRequest", "trust_domain", 1, "string"},
    {"spire.api.server.bundle.v1.GetFederatedBundleRequest", "output_mask", 2,
     "spire.api.types.BundleMask"},
    {"spire.api.server.bundle.v1.ListFederatedBundlesRequest", "page_size", 2, "int32"},
    {"spire.api.server.bundle.v1.ListFederatedBundlesRequest", "page_token", 3, "string"},
    {"spire.api.server.bundle.v1.BatchSetFederatedBundleRequest", "bundle", 1,
     "repeated spire.api.types.Bundle"},
    {"spire.api.server.bundle.v1.BatchSetFederatedBundleResponse.Result", "status", 1,
     "spire.api.types.Status"},
    {"spire.api.server.bundle.v1.BatchSetFederatedBundleResponse.Result", "bundle", 2,
     "spire.api.types.Bundle"},
    {"spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest", "trust_domains", 1,
     "repeated string"},
    {"spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest", "mode", 2,
     "spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest.Mode"},

    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_spiffe_id", 1,
     "spire.api.types.SPIFFEID"},
    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_parent_id", 2,
     "spire.api.types.SPIFFEID"},
    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_selectors", 3,
     "spire.api.types.SelectorMatch"},
    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_federates_with", 4,
     "spire.api.types.FederatesWithMatch"},
    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_hint", 5,
     "google.protobuf.StringValue"},
    {"spire.api.server.entry.v1.ListEntriesRequest.Filter", "by_downstream", 6,
     "google.protobuf.BoolValue"},
    {"spire.api.server.entry.v1.CountEntriesRequest.Filter", "by_downstream", 6,
     "google.protobuf.BoolValue"},
    {"spire.api.server.entry.v1.BatchUpdateEntryRequest", "entries", 1,
     "repeated spire.api.types.Entry"},
    {"spire.api.server.entry.v1.BatchUpdateEntryRequest", "input_mask", 2,
     "spire.api.types.EntryMask"},
    {"spire.api.server.entry.v1.BatchUpdateEntryRequest", "output_mask", 3,
     "spire.api.types.EntryMask"},
    {"spire.api.server.entry.v1.BatchCreateEntryResponse.Result", "status", 1,
     "spire.api.types.Status"},
    {"spire.api.server.entry.v1.BatchCreateEntryResponse.Result", "entry", 2,
     "spire.api.types.Entry"},
    {"spire.api.server.entry.v1.BatchDeleteEntryRequest", "ids", 1, "repeated string"},
    {"spire.api.server.entry.v1.BatchDeleteEntryResponse.Result", "id", 2, "string"},
    {"spire.api.server.entry.v1.GetAuthorizedEntriesRequest", "output_mask", 1,
     "spire.api.types.EntryMask"},
    {"spire.api.server.entry.v1.SyncAuthorizedEntriesRequest", "output_mask", 1,
     "spire.api.types.EntryMask"},
    {"spire.api.server.entry.v1.SyncAuthorizedEntriesRequest", "ids", 2, "repeated string"},
    {"spire.api.server.entry.v1.SyncAuthorizedEntriesResponse", "entry_revisions", 1,
     "repeated spire.api.server.entry.v1.EntryRevision"},
    {"spire.api.server.entry.v1.SyncAuthorizedEntriesResponse", "entries", 2,
     "repeated spire.api.types.Entry"},
    {"spire.api.server.entry.v1.SyncAuthorizedEntriesResponse", "more", 3, "bool"},
    {"spire.api.server.entry.v1.EntryRevision", "id", 1, "string"},
    {"spire.api.server.entry.v1.EntryRevision", "revision_number", 2, "int64"},
    {"spire.api.server.entry.v1.EntryRevision", "created_at", 3, "int64"},

    {"spire.api.server.svid.v1.MintX509SVIDRequest", "csr", 1, "bytes"},
    {"spire.api.server.svid.v1.MintX509SVIDRequest", "ttl", 2, "int32"},
    {"spire.api.server.svid.v1.MintJWTSVIDRequest", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.server.svid.v1.MintJWTSVIDRequest", "audience", 2, "repeated string"},
    {"spire.api.server.svid.v1.MintJWTSVIDRequest", "ttl", 3, "int32"},
    {"spire.api.server.svid.v1.MintJWTSVIDResponse", "svid", 1, "spire.api.types.JWTSVID"},
    {"spire.api.server.svid.v1.BatchNewX509SVIDRequest", "params", 1,
     "repeated spire.api.server.svid.v1.NewX509SVIDParams"},
    {"spire.api.server.svid.v1.NewX509SVIDParams", "entry_id", 1, "string"},
    {"spire.api.server.svid.v1.NewX509SVIDParams", "csr", 2, "bytes"},
    {"spire.api.server.svid.v1.BatchNewX509SVIDResponse.Result", "status", 1,
     "spire.api.types.Status"},
    {"spire.api.server.svid.v1.BatchNewX509SVIDResponse.Result", "svid", 2,
     "spire.api.types.X509SVID"},
    {"spire.api.server.svid.v1.NewJWTSVIDRequest", "entry_id", 1, "string"},
    {"spire.api.server.svid.v1.NewJWTSVIDRequest", "audience", 2, "repeated string"},
    {"spire.api.server.svid.v1.NewDownstreamX509CARequest", "csr", 1, "bytes"},
    {"spire.api.server.svid.v1.NewDownstreamX509CARequest", "preferred_ttl", 2, "int32"},
    {"spire.api.server.svid.v1.NewDownstreamX509CAResponse", "ca_cert_chain", 1, "repeated bytes"},
    {"spire.api.server.svid.v1.NewDownstreamX509CAResponse", "x509_authorities", 2,
     "repeated bytes"},

    {"spire.api.server.trustdomain.v1.ListFederationRelationshipsResponse",
     "federation_relationships", 1, "repeated spire.api.types.FederationRelationship"},
    {"spire.api.server.trustdomain.v1.BatchDeleteFederationRelationshipRequest", "trust_domains", 1,
     "repeated string"},
    {"spire.api.server.trustdomain.v1.RefreshBundleRequest", "trust_domain", 1, "string"},

    {"spire.api.server.localauthority.v1.AuthorityState", "authority_id", 1, "string"},
    {"spire.api.server.localauthority.v1.AuthorityState", "expires_at", 2, "int64"},
    {"spire.api.server.localauthority.v1.AuthorityState", "upstream_authority_subject_key_id", 3,
     "string"},
    {"spire.api.server.localauthority.v1.GetX509AuthorityStateResponse", "active", 1,
     "spire.api.server.localauthority.v1.AuthorityState"},
    {"spire.api.server.localauthority.v1.GetX509AuthorityStateResponse", "prepared", 2,
     "spire.api.server.localauthority.v1.AuthorityState"},
    {"spire.api.server.localauthority.v1.GetX509AuthorityStateResponse", "old", 3,
     "spire.api.server.localauthority.v1.AuthorityState"},
    {"spire.api.server.localauthority.v1.ActivateJWTAuthorityRequest", "authority_id", 1, "string"},
    {"spire.api.server.localauthority.v1.TaintX509UpstreamAuthorityRequest", "subject_key_id", 1,
     "string"},
    {"spire.api.server.localauthority.v1.RevokeX509UpstreamAuthorityResponse",
     "upstream_authority_subject_key_id", 1, "string"},

    {"spire.api.server.logger.v1.SetLogLevelRequest", "new_level", 1, "spire.api.types.LogLevel"},
    {"spire.api.server.debug.v1.GetInfoResponse", "svid_chain", 1,
     "repeated spire.api.server.debug.v1.GetInfoResponse.Cert"},
    {"spire.api.server.debug.v1.GetInfoResponse", "uptime", 2, "int32"},
    {"spire.api.server.debug.v1.GetInfoResponse", "agents_count", 3, "int32"},
    {"spire.api.server.debug.v1.GetInfoResponse", "federated_bundles_count", 4, "int32"},
    {"spire.api.server.debug.v1.GetInfoResponse", "entries_count", 5, "int32"},
    {"spire.api.server.debug.v1.GetInfoResponse.Cert", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.server.debug.v1.GetInfoResponse.Cert", "expires_at", 2, "int64"},
    {"spire.api.server.debug.v1.GetInfoResponse.Cert", "subject", 3, "string"},
};

constexpr FieldExpectation kAgentAndHealthFields[] = {
    {"spire.agent.debug.v1.GetInfoResponse", "svid_chain", 1,
     "repeated spire.agent.debug.v1.GetInfoResponse.Cert"},
    {"spire.agent.debug.v1.GetInfoResponse", "uptime", 2, "int32"},
    {"spire.agent.debug.v1.GetInfoResponse", "svids_count", 3, "int32"},
    {"spire.agent.debug.v1.GetInfoResponse", "last_sync_success", 4, "int64"},
    {"spire.agent.debug.v1.GetInfoResponse", "cached_x509_svids_count", 5, "int32"},
    {"spire.agent.debug.v1.GetInfoResponse", "cached_jwt_svids_count", 6, "int32"},
    {"spire.agent.debug.v1.GetInfoResponse", "cached_svidstore_x509_svids_count", 7, "int32"},
    {"spire.api.agent.logger.v1.SetLogLevelRequest", "new_level", 1, "spire.api.types.LogLevel"},
    {"spire.api.agent.delegatedidentity.v1.X509SVIDWithKey", "x509_svid", 1,
     "spire.api.types.X509SVID"},
    {"spire.api.agent.delegatedidentity.v1.X509SVIDWithKey", "x509_svid_key", 2, "bytes"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToX509SVIDsRequest", "selectors", 1,
     "repeated spire.api.types.Selector"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToX509SVIDsRequest", "pid", 2, "int32"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToX509SVIDsResponse", "x509_svids", 1,
     "repeated spire.api.agent.delegatedidentity.v1.X509SVIDWithKey"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToX509SVIDsResponse", "federates_with", 2,
     "repeated string"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToX509BundlesResponse", "ca_certificates", 1,
     "map<string, bytes>"},
    {"spire.api.agent.delegatedidentity.v1.FetchJWTSVIDsRequest", "audience", 1, "repeated string"},
    {"spire.api.agent.delegatedidentity.v1.FetchJWTSVIDsRequest", "selectors", 2,
     "repeated spire.api.types.Selector"},
    {"spire.api.agent.delegatedidentity.v1.FetchJWTSVIDsRequest", "pid", 3, "int32"},
    {"spire.api.agent.delegatedidentity.v1.FetchJWTSVIDsResponse", "svids", 1,
     "repeated spire.api.types.JWTSVID"},
    {"spire.api.agent.delegatedidentity.v1.SubscribeToJWTBundlesResponse", "bundles", 1,
     "map<string, bytes>"},
    {"grpc.health.v1.HealthCheckRequest", "service", 1, "string"},
    {"grpc.health.v1.HealthCheckResponse", "status", 1,
     "grpc.health.v1.HealthCheckResponse.ServingStatus"},
    {"grpc.health.v1.HealthListResponse", "statuses", 1,
     "map<string, grpc.health.v1.HealthCheckResponse>"},
};

constexpr OneofExpectation kServiceOneofs[] = {
    {"spire.api.server.agent.v1.AttestAgentRequest", "params", "step"},
    {"spire.api.server.agent.v1.AttestAgentRequest", "challenge_response", "step"},
    {"spire.api.server.agent.v1.AttestAgentResponse", "result", "step"},
    {"spire.api.server.agent.v1.AttestAgentResponse", "challenge", "step"},
};

constexpr EnumValueExpectation kServiceEnums[] = {
    {"spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest.Mode", "RESTRICT", 0},
    {"spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest.Mode", "DELETE", 1},
    {"spire.api.server.bundle.v1.BatchDeleteFederatedBundleRequest.Mode", "DISSOCIATE", 2},
    {"grpc.health.v1.HealthCheckResponse.ServingStatus", "UNKNOWN", 0},
    {"grpc.health.v1.HealthCheckResponse.ServingStatus", "SERVING", 1},
    {"grpc.health.v1.HealthCheckResponse.ServingStatus", "NOT_SERVING", 2},
    {"grpc.health.v1.HealthCheckResponse.ServingStatus", "SERVICE_UNKNOWN", 3},
};

TEST(SpireMessagesProto, ServerMessagesMatchSpire) {
  for (const auto& expected : kServerFields) {
    EXPECT_EQ(checkField(expected), "");
  }
}

TEST(SpireMessagesProto, AgentAndHealthMessagesMatch) {
  for (const auto& expected : kAgentAndHealthFields) {
    EXPECT_EQ(checkField(expected), "");
  }
}

TEST(SpireMessagesProto, AttestationStepsAreOneofs) {
  for (const auto& expected : kServiceOneofs) {
    EXPECT_EQ(checkOneof(expected), "");
  }
}

TEST(SpireMessagesProto, EnumsMatch) {
  for (const auto& expected : kServiceEnums) {
    EXPECT_EQ(checkEnumValue(expected), "");
  }
}

TEST(SpireMessagesProto, WitAuthoritiesNumberIsReserved) {
  const auto* message =
      linkedPool().FindMessageTypeByName("spire.api.server.bundle.v1.AppendBundleRequest");
  ASSERT_NE(message, nullptr);
  EXPECT_TRUE(message->IsReservedNumber(4));
}

TEST(SpireMessagesProto, CountAndListFiltersAreDistinctTypes) {
  // SPIRE nests a Filter in each request; reusing one type would change the type names that
  // reflection-based clients (grpcurl) see.
  EXPECT_EQ(checkField({"spire.api.server.agent.v1.CountAgentsRequest", "filter", 1,
                        "spire.api.server.agent.v1.ListAgentsRequest.Filter"}),
            "spire.api.server.agent.v1.CountAgentsRequest.filter: type "
            "\"spire.api.server.agent.v1.CountAgentsRequest.Filter\" != "
            "\"spire.api.server.agent.v1.ListAgentsRequest.Filter\";");
}

TEST(SpireMessagesProto, NonOneofFieldIsReported) {
  EXPECT_EQ(checkOneof({"spire.api.server.agent.v1.CreateJoinTokenRequest", "ttl", "step"}),
            "ttl is not in a oneof");
}

} // namespace
} // namespace spire::proto::testing
