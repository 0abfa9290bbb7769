// SPIRE server and agent services (spire-inventory.md §5.2, §5.3) and gRPC health: every RPC
// by its gRPC path with its streaming mode, plus the request/response fields §5 names.

#include <gtest/gtest.h>

#include "proto/descriptor_expectations.h"

namespace spire::proto::testing {
namespace {

constexpr FileExpectation kServiceFiles[] = {
    {"spire/api/server/agent/v1/agent.proto", "spire.api.server.agent.v1"},
    {"spire/api/server/bundle/v1/bundle.proto", "spire.api.server.bundle.v1"},
    {"spire/api/server/debug/v1/debug.proto", "spire.api.server.debug.v1"},
    {"spire/api/server/entry/v1/entry.proto", "spire.api.server.entry.v1"},
    {"spire/api/server/localauthority/v1/localauthority.proto",
     "spire.api.server.localauthority.v1"},
    {"spire/api/server/logger/v1/logger.proto", "spire.api.server.logger.v1"},
    {"spire/api/server/svid/v1/svid.proto", "spire.api.server.svid.v1"},
    {"spire/api/server/trustdomain/v1/trustdomain.proto", "spire.api.server.trustdomain.v1"},
    // SPIRE's one irregular package: no "api" segment.
    {"spire/api/agent/debug/v1/debug.proto", "spire.agent.debug.v1"},
    {"spire/api/agent/delegatedidentity/v1/delegatedidentity.proto",
     "spire.api.agent.delegatedidentity.v1"},
    {"spire/api/agent/logger/v1/logger.proto", "spire.api.agent.logger.v1"},
    {"grpc/health/v1/health.proto", "grpc.health.v1"},
};

#define SPIRE_AGENT "spire.api.server.agent.v1."
#define SPIRE_BUNDLE "spire.api.server.bundle.v1."
#define SPIRE_ENTRY "spire.api.server.entry.v1."
#define SPIRE_SVID "spire.api.server.svid.v1."
#define SPIRE_TD "spire.api.server.trustdomain.v1."
#define SPIRE_LA "spire.api.server.localauthority.v1."
#define SPIRE_DI "spire.api.agent.delegatedidentity.v1."
#define SPIRE_TYPES "spire.api.types."
#define EMPTY "google.protobuf.Empty"

// Unary unless marked; the request/response names are those of spire-api-sdk.
constexpr MethodExpectation kMethods[] = {
    {"/spire.api.server.agent.v1.Agent/CountAgents", SPIRE_AGENT "CountAgentsRequest",
     SPIRE_AGENT "CountAgentsResponse", false, false},
    {"/spire.api.server.agent.v1.Agent/ListAgents", SPIRE_AGENT "ListAgentsRequest",
     SPIRE_AGENT "ListAgentsResponse", false, false},
    {"/spire.api.server.agent.v1.Agent/GetAgent", SPIRE_AGENT "GetAgentRequest",
     SPIRE_TYPES "Agent", false, false},
    {"/spire.api.server.agent.v1.Agent/DeleteAgent", SPIRE_AGENT "DeleteAgentRequest", EMPTY, false,
     false},
    {"/spire.api.server.agent.v1.Agent/BanAgent", SPIRE_AGENT "BanAgentRequest", EMPTY, false,
     false},
    {"/spire.api.server.agent.v1.Agent/AttestAgent", SPIRE_AGENT "AttestAgentRequest",
     SPIRE_AGENT "AttestAgentResponse", true, true},
    {"/spire.api.server.agent.v1.Agent/RenewAgent", SPIRE_AGENT "RenewAgentRequest",
     SPIRE_AGENT "RenewAgentResponse", false, false},
    {"/spire.api.server.agent.v1.Agent/CreateJoinToken", SPIRE_AGENT "CreateJoinTokenRequest",
     SPIRE_TYPES "JoinToken", false, false},
    {"/spire.api.server.agent.v1.Agent/PostStatus", SPIRE_AGENT "PostStatusRequest",
     SPIRE_AGENT "PostStatusResponse", false, false},

    {"/spire.api.server.bundle.v1.Bundle/CountBundles", SPIRE_BUNDLE "CountBundlesRequest",
     SPIRE_BUNDLE "CountBundlesResponse", false, false},
    {"/spire.api.server.bundle.v1.Bundle/GetBundle", SPIRE_BUNDLE "GetBundleRequest",
     SPIRE_TYPES "Bundle", false, false},
    {"/spire.api.server.bundle.v1.Bundle/AppendBundle", SPIRE_BUNDLE "AppendBundleRequest",
     SPIRE_TYPES "Bundle", false, false},
    {"/spire.api.server.bundle.v1.Bundle/PublishJWTAuthority",
     SPIRE_BUNDLE "PublishJWTAuthorityRequest", SPIRE_BUNDLE "PublishJWTAuthorityResponse", false,
     false},
    {"/spire.api.server.bundle.v1.Bundle/ListFederatedBundles",
     SPIRE_BUNDLE "ListFederatedBundlesRequest", SPIRE_BUNDLE "ListFederatedBundlesResponse", false,
     false},
    {"/spire.api.server.bundle.v1.Bundle/GetFederatedBundle",
     SPIRE_BUNDLE "GetFederatedBundleRequest", SPIRE_TYPES "Bundle", false, false},
    {"/spire.api.server.bundle.v1.Bundle/BatchCreateFederatedBundle",
     SPIRE_BUNDLE "BatchCreateFederatedBundleRequest",
     SPIRE_BUNDLE "BatchCreateFederatedBundleResponse", false, false},
    {"/spire.api.server.bundle.v1.Bundle/BatchUpdateFederatedBundle",
     SPIRE_BUNDLE "BatchUpdateFederatedBundleRequest",
     SPIRE_BUNDLE "BatchUpdateFederatedBundleResponse", false, false},
    {"/spire.api.server.bundle.v1.Bundle/BatchSetFederatedBundle",
     SPIRE_BUNDLE "BatchSetFederatedBundleRequest", SPIRE_BUNDLE "BatchSetFederatedBundleResponse",
     false, false},
    {"/spire.api.server.bundle.v1.Bundle/BatchDeleteFederatedBundle",
     SPIRE_BUNDLE "BatchDeleteFederatedBundleRequest",
     SPIRE_BUNDLE "BatchDeleteFederatedBundleResponse", false, false},

    {"/spire.api.server.entry.v1.Entry/CountEntries", SPIRE_ENTRY "CountEntriesRequest",
     SPIRE_ENTRY "CountEntriesResponse", false, false},
    {"/spire.api.server.entry.v1.Entry/ListEntries", SPIRE_ENTRY "ListEntriesRequest",
     SPIRE_ENTRY "ListEntriesResponse", false, false},
    {"/spire.api.server.entry.v1.Entry/GetEntry", SPIRE_ENTRY "GetEntryRequest",
     SPIRE_TYPES "Entry", false, false},
    {"/spire.api.server.entry.v1.Entry/BatchCreateEntry", SPIRE_ENTRY "BatchCreateEntryRequest",
     SPIRE_ENTRY "BatchCreateEntryResponse", false, false},
    {"/spire.api.server.entry.v1.Entry/BatchUpdateEntry", SPIRE_ENTRY "BatchUpdateEntryRequest",
     SPIRE_ENTRY "BatchUpdateEntryResponse", false, false},
    {"/spire.api.server.entry.v1.Entry/BatchDeleteEntry", SPIRE_ENTRY "BatchDeleteEntryRequest",
     SPIRE_ENTRY "BatchDeleteEntryResponse", false, false},
    {"/spire.api.server.entry.v1.Entry/GetAuthorizedEntries",
     SPIRE_ENTRY "GetAuthorizedEntriesRequest", SPIRE_ENTRY "GetAuthorizedEntriesResponse", false,
     false},
    {"/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries",
     SPIRE_ENTRY "SyncAuthorizedEntriesRequest", SPIRE_ENTRY "SyncAuthorizedEntriesResponse", true,
     true},

    {"/spire.api.server.svid.v1.SVID/MintX509SVID", SPIRE_SVID "MintX509SVIDRequest",
     SPIRE_SVID "MintX509SVIDResponse", false, false},
    {"/spire.api.server.svid.v1.SVID/MintJWTSVID", SPIRE_SVID "MintJWTSVIDRequest",
     SPIRE_SVID "MintJWTSVIDResponse", false, false},
    {"/spire.api.server.svid.v1.SVID/BatchNewX509SVID", SPIRE_SVID "BatchNewX509SVIDRequest",
     SPIRE_SVID "BatchNewX509SVIDResponse", false, false},
    {"/spire.api.server.svid.v1.SVID/NewJWTSVID", SPIRE_SVID "NewJWTSVIDRequest",
     SPIRE_SVID "NewJWTSVIDResponse", false, false},
    {"/spire.api.server.svid.v1.SVID/NewDownstreamX509CA", SPIRE_SVID "NewDownstreamX509CARequest",
     SPIRE_SVID "NewDownstreamX509CAResponse", false, false},

    {"/spire.api.server.trustdomain.v1.TrustDomain/ListFederationRelationships",
     SPIRE_TD "ListFederationRelationshipsRequest", SPIRE_TD "ListFederationRelationshipsResponse",
     false, false},
    {"/spire.api.server.trustdomain.v1.TrustDomain/GetFederationRelationship",
     SPIRE_TD "GetFederationRelationshipRequest", SPIRE_TYPES "FederationRelationship", false,
     false},
    {"/spire.api.server.trustdomain.v1.TrustDomain/BatchCreateFederationRelationship",
     SPIRE_TD "BatchCreateFederationRelationshipRequest",
     SPIRE_TD "BatchCreateFederationRelationshipResponse", false, false},
    {"/spire.api.server.trustdomain.v1.TrustDomain/BatchUpdateFederationRelationship",
     SPIRE_TD "BatchUpdateFederationRelationshipRequest",
     SPIRE_TD "BatchUpdateFederationRelationshipResponse", false, false},
    {"/spire.api.server.trustdomain.v1.TrustDomain/BatchDeleteFederationRelationship",
     SPIRE_TD "BatchDeleteFederationRelationshipRequest",
     SPIRE_TD "BatchDeleteFederationRelationshipResponse", false, false},
    {"/spire.api.server.trustdomain.v1.TrustDomain/RefreshBundle", SPIRE_TD "RefreshBundleRequest",
     EMPTY, false, false},

#define LOCAL_AUTHORITY_RPC(name)                                                                  \
  {                                                                                                \
    "/spire.api.server.localauthority.v1.LocalAuthority/" #name, SPIRE_LA #name "Request",         \
        SPIRE_LA #name "Response", false, false                                                    \
  }
    LOCAL_AUTHORITY_RPC(GetJWTAuthorityState),
    LOCAL_AUTHORITY_RPC(PrepareJWTAuthority),
    LOCAL_AUTHORITY_RPC(ActivateJWTAuthority),
    LOCAL_AUTHORITY_RPC(TaintJWTAuthority),
    LOCAL_AUTHORITY_RPC(RevokeJWTAuthority),
    LOCAL_AUTHORITY_RPC(GetX509AuthorityState),
    LOCAL_AUTHORITY_RPC(PrepareX509Authority),
    LOCAL_AUTHORITY_RPC(ActivateX509Authority),
    LOCAL_AUTHORITY_RPC(TaintX509Authority),
    LOCAL_AUTHORITY_RPC(TaintX509UpstreamAuthority),
    LOCAL_AUTHORITY_RPC(RevokeX509Authority),
    LOCAL_AUTHORITY_RPC(RevokeX509UpstreamAuthority),
#undef LOCAL_AUTHORITY_RPC

    {"/spire.api.server.logger.v1.Logger/GetLogger", "spire.api.server.logger.v1.GetLoggerRequest",
     SPIRE_TYPES "Logger", false, false},
    {"/spire.api.server.logger.v1.Logger/SetLogLevel",
     "spire.api.server.logger.v1.SetLogLevelRequest", SPIRE_TYPES "Logger", false, false},
    {"/spire.api.server.logger.v1.Logger/ResetLogLevel",
     "spire.api.server.logger.v1.ResetLogLevelRequest", SPIRE_TYPES "Logger", false, false},
    {"/spire.api.server.debug.v1.Debug/GetInfo", "spire.api.server.debug.v1.GetInfoRequest",
     "spire.api.server.debug.v1.GetInfoResponse", false, false},

    {"/spire.agent.debug.v1.Debug/GetInfo", "spire.agent.debug.v1.GetInfoRequest",
     "spire.agent.debug.v1.GetInfoResponse", false, false},
    {"/spire.api.agent.logger.v1.Logger/GetLogger", "spire.api.agent.logger.v1.GetLoggerRequest",
     SPIRE_TYPES "Logger", false, false},
    {"/spire.api.agent.logger.v1.Logger/SetLogLevel",
     "spire.api.agent.logger.v1.SetLogLevelRequest", SPIRE_TYPES "Logger", false, false},
    {"/spire.api.agent.logger.v1.Logger/ResetLogLevel",
     "spire.api.agent.logger.v1.ResetLogLevelRequest", SPIRE_TYPES "Logger", false, false},
    {"/spire.api.agent.delegatedidentity.v1.DelegatedIdentity/SubscribeToX509SVIDs",
     SPIRE_DI "SubscribeToX509SVIDsRequest", SPIRE_DI "SubscribeToX509SVIDsResponse", false, true},
    {"/spire.api.agent.delegatedidentity.v1.DelegatedIdentity/SubscribeToX509Bundles",
     SPIRE_DI "SubscribeToX509BundlesRequest", SPIRE_DI "SubscribeToX509BundlesResponse", false,
     true},
    {"/spire.api.agent.delegatedidentity.v1.DelegatedIdentity/FetchJWTSVIDs",
     SPIRE_DI "FetchJWTSVIDsRequest", SPIRE_DI "FetchJWTSVIDsResponse", false, false},
    {"/spire.api.agent.delegatedidentity.v1.DelegatedIdentity/SubscribeToJWTBundles",
     SPIRE_DI "SubscribeToJWTBundlesRequest", SPIRE_DI "SubscribeToJWTBundlesResponse", false,
     true},

    {"/grpc.health.v1.Health/Check", "grpc.health.v1.HealthCheckRequest",
     "grpc.health.v1.HealthCheckResponse", false, false},
    {"/grpc.health.v1.Health/List", "grpc.health.v1.HealthListRequest",
     "grpc.health.v1.HealthListResponse", false, false},
    {"/grpc.health.v1.Health/Watch", "grpc.health.v1.HealthCheckRequest",
     "grpc.health.v1.HealthCheckResponse", false, true},
};

constexpr std::string_view kServices[] = {
    "spire.api.server.agent.v1.Agent",
    "spire.api.server.bundle.v1.Bundle",
    "spire.api.server.entry.v1.Entry",
    "spire.api.server.svid.v1.SVID",
    "spire.api.server.trustdomain.v1.TrustDomain",
    "spire.api.server.localauthority.v1.LocalAuthority",
    "spire.api.server.logger.v1.Logger",
    "spire.api.server.debug.v1.Debug",
    "spire.agent.debug.v1.Debug",
    "spire.api.agent.logger.v1.Logger",
    "spire.api.agent.delegatedidentity.v1.DelegatedIdentity",
    "grpc.health.v1.Health",
};

TEST(SpireServicesProto, FilesKeepSpirePathsAndPackages) {
  for (const auto& expected : kServiceFiles) {
    EXPECT_EQ(checkFile(expected), "");
  }
}

TEST(SpireServicesProto, MethodsMatchSpire) {
  for (const auto& expected : kMethods) {
    EXPECT_EQ(checkMethod(expected), "");
  }
}

TEST(SpireServicesProto, ServicesDeclareExactlyTheseMethods) {
  std::vector<std::string> paths;
  for (const auto& expected : kMethods) {
    paths.emplace_back(expected.path);
  }
  for (const auto service : kServices) {
    EXPECT_EQ(checkServiceMethodSet(service, paths), "");
  }
}

TEST(SpireServicesProto, AgentDebugIsNotUnderApiPackage) {
  EXPECT_EQ(
      checkMethod({"/spire.api.agent.debug.v1.Debug/GetInfo", "spire.agent.debug.v1.GetInfoRequest",
                   "spire.agent.debug.v1.GetInfoResponse", false, false}),
      "no service \"spire.api.agent.debug.v1.Debug\"");
}

TEST(SpireServicesProto, StreamingMismatchIsReported) {
  EXPECT_EQ(
      checkMethod({"/spire.api.server.agent.v1.Agent/AttestAgent", SPIRE_AGENT "AttestAgentRequest",
                   SPIRE_AGENT "AttestAgentResponse", false, true}),
      "/spire.api.server.agent.v1.Agent/AttestAgent: client_streaming is 1;");
}

TEST(SpireServicesProto, ExperimentalWitRpcsAreNotDeclared) {
  EXPECT_EQ(checkMethod({"/spire.api.server.svid.v1.SVID/MintWITSVID", SPIRE_SVID "X",
                         SPIRE_SVID "Y", false, false}),
            "\"spire.api.server.svid.v1.SVID\" has no method \"MintWITSVID\"");
}

TEST(SpireServicesProto, WrongPackageIsReported) {
  EXPECT_EQ(checkFile({"spire/api/agent/debug/v1/debug.proto", "spire.api.agent.debug.v1"}),
            "spire/api/agent/debug/v1/debug.proto has package \"spire.agent.debug.v1\", not "
            "\"spire.api.agent.debug.v1\"");
}

TEST(SpireServicesProto, MissingFileIsReported) {
  EXPECT_EQ(checkFile({"spire/api/server/wit/v1/wit.proto", "spire.api.server.wit.v1"}),
            "no file \"spire/api/server/wit/v1/wit.proto\"");
}

TEST(SpireServicesProto, MethodSetDifferencesAreReported) {
  // Health without Watch in the expectation, plus a method the service does not have.
  const std::vector<std::string> paths = {
      "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/List", "/grpc.health.v1.Health/Ping"};
  EXPECT_EQ(checkServiceMethodSet("grpc.health.v1.Health", paths),
            "grpc.health.v1.Health: undeclared-in-spec Watch; missing Ping;");
}

#undef SPIRE_AGENT
#undef SPIRE_BUNDLE
#undef SPIRE_ENTRY
#undef SPIRE_SVID
#undef SPIRE_TD
#undef SPIRE_LA
#undef SPIRE_DI
#undef SPIRE_TYPES
#undef EMPTY

} // namespace
} // namespace spire::proto::testing
