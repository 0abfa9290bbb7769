// SPIRE's policy table: every method of every server service has a line, and the lines say what
// SPIRE's policy_data.json says.
#include <gtest/gtest.h>

#include <google/protobuf/descriptor.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server/endpoints/method_policy.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"
#include "spire/api/server/debug/v1/debug.grpc.pb.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"
#include "spire/api/server/localauthority/v1/localauthority.grpc.pb.h"
#include "spire/api/server/logger/v1/logger.grpc.pb.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"
#include "spire/api/server/trustdomain/v1/trustdomain.grpc.pb.h"
#include "spirecpp/server/changes/v1/changes.grpc.pb.h"

namespace spire::server::endpoints {
namespace {

struct Expect {
  const char* method;
  bool any, local, admin, downstream, agent;
};

void expectPolicy(const Expect& e) {
  const MethodPolicy* p = findMethodPolicy(e.method);
  ASSERT_NE(p, nullptr) << e.method;
  EXPECT_EQ(p->allow_any, e.any) << e.method;
  EXPECT_EQ(p->allow_local, e.local) << e.method;
  EXPECT_EQ(p->allow_admin, e.admin) << e.method;
  EXPECT_EQ(p->allow_downstream, e.downstream) << e.method;
  EXPECT_EQ(p->allow_agent, e.agent) << e.method;
}

TEST(MethodPolicyTest, EveryMethodOfEveryServerServiceHasAPolicy) {
  // One message of each API file: referencing it links the file's descriptors in.
  const google::protobuf::FileDescriptor* files[] = {
      ::spire::api::server::agent::v1::CountAgentsRequest::descriptor()->file(),
      ::spire::api::server::bundle::v1::CountBundlesRequest::descriptor()->file(),
      ::spire::api::server::debug::v1::GetInfoRequest::descriptor()->file(),
      ::spire::api::server::entry::v1::CountEntriesRequest::descriptor()->file(),
      ::spire::api::server::localauthority::v1::GetJWTAuthorityStateRequest::descriptor()->file(),
      ::spire::api::server::logger::v1::GetLoggerRequest::descriptor()->file(),
      ::spire::api::server::svid::v1::MintX509SVIDRequest::descriptor()->file(),
      ::spire::api::server::trustdomain::v1::ListFederationRelationshipsRequest::descriptor()
          ->file(),
      ::grpc::health::v1::HealthCheckRequest::descriptor()->file(),
      ::spirecpp::server::changes::v1::WatchAuthorizedEntriesRequest::descriptor()->file(),
  };
  int methods = 0;
  int services = 0;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      ++services;
      for (int i = 0; i < service->method_count(); ++i) {
        const std::string full = "/" + service->full_name() + "/" + service->method(i)->name();
        EXPECT_NE(findMethodPolicy(full), nullptr) << full;
        ++methods;
      }
    }
  }
  EXPECT_EQ(services, 10);
  EXPECT_GT(methods, 50);
}

TEST(MethodPolicyTest, LinesMatchSpirePolicyData) {
  //            method                                                     any  loc  adm  dwn  agt
  expectPolicy({"/spire.api.server.bundle.v1.Bundle/GetBundle", true, false, false, false, false});
  expectPolicy({"/spire.api.server.agent.v1.Agent/AttestAgent", true, false, false, false, false});
  expectPolicy({"/spire.api.server.svid.v1.SVID/MintX509SVID", false, true, true, false, false});
  expectPolicy(
      {"/spire.api.server.entry.v1.Entry/BatchCreateEntry", false, true, true, false, false});
  expectPolicy(
      {"/spire.api.server.bundle.v1.Bundle/GetFederatedBundle", false, true, true, false, true});
  expectPolicy(
      {"/spire.api.server.svid.v1.SVID/NewDownstreamX509CA", false, false, false, true, false});
  expectPolicy(
      {"/spire.api.server.bundle.v1.Bundle/PublishJWTAuthority", false, false, false, true, false});
  expectPolicy(
      {"/spire.api.server.svid.v1.SVID/BatchNewX509SVID", false, false, false, false, true});
  expectPolicy(
      {"/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries", false, false, false, false, true});
  expectPolicy({"/spire.api.server.agent.v1.Agent/RenewAgent", false, false, false, false, true});
  expectPolicy({"/spirecpp.server.changes.v1.EntryChanges/WatchAuthorizedEntries", false, false,
                false, false, true});
  expectPolicy({"/spire.api.server.debug.v1.Debug/GetInfo", false, true, false, false, false});
  expectPolicy(
      {"/spire.api.server.logger.v1.Logger/SetLogLevel", false, true, false, false, false});
  expectPolicy({"/grpc.health.v1.Health/Check", false, true, false, false, false});
  expectPolicy({"/spire.api.server.localauthority.v1.LocalAuthority/TaintX509UpstreamAuthority",
                false, true, true, false, false});
}

TEST(MethodPolicyTest, UnknownMethodsHaveNoPolicy) {
  EXPECT_EQ(findMethodPolicy("/spire.api.server.entry.v1.Entry/Nope"), nullptr);
  EXPECT_EQ(findMethodPolicy("spire.api.server.bundle.v1.Bundle/GetBundle"), nullptr);
  EXPECT_EQ(findMethodPolicy(""), nullptr);
}

} // namespace
} // namespace spire::server::endpoints
