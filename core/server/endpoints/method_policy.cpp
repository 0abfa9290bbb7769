#include "server/endpoints/method_policy.h"

#include <unordered_map>

namespace spire::server::endpoints {

namespace {

MethodPolicy any(std::string_view m) {
  return {.full_method = m, .allow_any = true};
}
MethodPolicy local(std::string_view m) {
  return {.full_method = m, .allow_local = true};
}
MethodPolicy localAdmin(std::string_view m) {
  return {.full_method = m, .allow_local = true, .allow_admin = true};
}
MethodPolicy localAdminAgent(std::string_view m) {
  return {.full_method = m, .allow_local = true, .allow_admin = true, .allow_agent = true};
}
MethodPolicy downstream(std::string_view m) {
  return {.full_method = m, .allow_downstream = true};
}
MethodPolicy agent(std::string_view m) {
  return {.full_method = m, .allow_agent = true};
}

std::vector<MethodPolicy> buildTable() {
  return {
      // spire.api.server.svid.v1.SVID
      localAdmin("/spire.api.server.svid.v1.SVID/MintX509SVID"),
      localAdmin("/spire.api.server.svid.v1.SVID/MintJWTSVID"),
      localAdmin("/spire.api.server.svid.v1.SVID/MintWITSVID"),
      agent("/spire.api.server.svid.v1.SVID/BatchNewX509SVID"),
      agent("/spire.api.server.svid.v1.SVID/NewJWTSVID"),
      agent("/spire.api.server.svid.v1.SVID/BatchNewWITSVID"),
      downstream("/spire.api.server.svid.v1.SVID/NewDownstreamX509CA"),
      // spire.api.server.bundle.v1.Bundle
      any("/spire.api.server.bundle.v1.Bundle/GetBundle"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/AppendBundle"),
      downstream("/spire.api.server.bundle.v1.Bundle/PublishJWTAuthority"),
      downstream("/spire.api.server.bundle.v1.Bundle/PublishWITAuthority"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/CountBundles"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/ListFederatedBundles"),
      localAdminAgent("/spire.api.server.bundle.v1.Bundle/GetFederatedBundle"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/BatchCreateFederatedBundle"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/BatchUpdateFederatedBundle"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/BatchSetFederatedBundle"),
      localAdmin("/spire.api.server.bundle.v1.Bundle/BatchDeleteFederatedBundle"),
      // spire.api.server.debug.v1.Debug
      local("/spire.api.server.debug.v1.Debug/GetInfo"),
      // spire.api.server.entry.v1.Entry
      localAdmin("/spire.api.server.entry.v1.Entry/CountEntries"),
      localAdmin("/spire.api.server.entry.v1.Entry/ListEntries"),
      localAdmin("/spire.api.server.entry.v1.Entry/GetEntry"),
      localAdmin("/spire.api.server.entry.v1.Entry/BatchCreateEntry"),
      localAdmin("/spire.api.server.entry.v1.Entry/BatchUpdateEntry"),
      localAdmin("/spire.api.server.entry.v1.Entry/BatchDeleteEntry"),
      agent("/spire.api.server.entry.v1.Entry/GetAuthorizedEntries"),
      agent("/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries"),
      // spire.api.server.logger.v1.Logger
      local("/spire.api.server.logger.v1.Logger/GetLogger"),
      local("/spire.api.server.logger.v1.Logger/SetLogLevel"),
      local("/spire.api.server.logger.v1.Logger/ResetLogLevel"),
      // spire.api.server.agent.v1.Agent
      localAdmin("/spire.api.server.agent.v1.Agent/CountAgents"),
      localAdmin("/spire.api.server.agent.v1.Agent/ListAgents"),
      localAdmin("/spire.api.server.agent.v1.Agent/GetAgent"),
      localAdmin("/spire.api.server.agent.v1.Agent/DeleteAgent"),
      localAdmin("/spire.api.server.agent.v1.Agent/BanAgent"),
      any("/spire.api.server.agent.v1.Agent/AttestAgent"),
      agent("/spire.api.server.agent.v1.Agent/RenewAgent"),
      localAdmin("/spire.api.server.agent.v1.Agent/CreateJoinToken"),
      // Not in SPIRE's policy file; the inventory (and SPIRE's agent, which calls it with its
      // SVID) make it an agent method.
      agent("/spire.api.server.agent.v1.Agent/PostStatus"),
      // grpc.health.v1.Health
      local("/grpc.health.v1.Health/Check"),
      local("/grpc.health.v1.Health/List"),
      local("/grpc.health.v1.Health/Watch"),
      // spire.api.server.trustdomain.v1.TrustDomain
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/ListFederationRelationships"),
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/GetFederationRelationship"),
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/BatchCreateFederationRelationship"),
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/BatchUpdateFederationRelationship"),
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/BatchDeleteFederationRelationship"),
      localAdmin("/spire.api.server.trustdomain.v1.TrustDomain/RefreshBundle"),
      // spire.api.server.localauthority.v1.LocalAuthority
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/GetJWTAuthorityState"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/PrepareJWTAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/ActivateJWTAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/TaintJWTAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/RevokeJWTAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/GetX509AuthorityState"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/PrepareX509Authority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/ActivateX509Authority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/TaintX509Authority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/TaintX509UpstreamAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/RevokeX509Authority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/RevokeX509UpstreamAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/GetWITAuthorityState"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/PrepareWITAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/ActivateWITAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/TaintWITAuthority"),
      localAdmin("/spire.api.server.localauthority.v1.LocalAuthority/RevokeWITAuthority"),
      // spirecpp.server.changes.v1.EntryChanges: our push channel for an agent's authorized
      // entries, with SyncAuthorizedEntries' policy.
      agent("/spirecpp.server.changes.v1.EntryChanges/WatchAuthorizedEntries"),
  };
}

} // namespace

const std::vector<MethodPolicy>& allMethodPolicies() {
  static const std::vector<MethodPolicy> table = buildTable();
  return table;
}

const MethodPolicy* findMethodPolicy(std::string_view full_method) {
  // Every RPC looks its method up: a hash map over the static table (views into string literals).
  static const auto by_name = [] {
    std::unordered_map<std::string_view, const MethodPolicy*> map;
    for (const MethodPolicy& policy : allMethodPolicies()) {
      map.emplace(policy.full_method, &policy);
    }
    return map;
  }();
  auto it = by_name.find(full_method);
  return it == by_name.end() ? nullptr : it->second;
}

} // namespace spire::server::endpoints
