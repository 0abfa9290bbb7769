#include "plugin_host/plugin_type.h"

#include <cstddef>

#include "spire/plugin/plugin.h"

namespace spire::plugin_host {
namespace {

struct Method {
  std::size_t offset;
  const char* name;
  bool required;
};

#define SPIRE_METHOD(vt, member, required)                                                         \
  Method {                                                                                         \
    offsetof(vt, member), #member, required                                                        \
  }

std::vector<Method> methodsOf(spire_plugin_type type) {
  switch (type) {
  case SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR:
    return {SPIRE_METHOD(spire_workload_attestor_vtable, attest, true)};
  case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
    return {SPIRE_METHOD(spire_agent_node_attestor_vtable, attest_begin, true),
            SPIRE_METHOD(spire_agent_node_attestor_vtable, attest_step, false),
            SPIRE_METHOD(spire_agent_node_attestor_vtable, attest_end, false)};
  case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
    return {SPIRE_METHOD(spire_server_node_attestor_vtable, attest_begin, true),
            SPIRE_METHOD(spire_server_node_attestor_vtable, attest_step, false),
            SPIRE_METHOD(spire_server_node_attestor_vtable, attest_end, false)};
  case SPIRE_PLUGIN_TYPE_KEY_MANAGER:
    return {SPIRE_METHOD(spire_key_manager_vtable, generate_key, true),
            SPIRE_METHOD(spire_key_manager_vtable, get_public_key, true),
            SPIRE_METHOD(spire_key_manager_vtable, get_public_keys, true),
            SPIRE_METHOD(spire_key_manager_vtable, sign_data, true)};
  case SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY:
    return {SPIRE_METHOD(spire_upstream_authority_vtable, mint_x509_ca, true),
            SPIRE_METHOD(spire_upstream_authority_vtable, publish_jwt_key, false),
            SPIRE_METHOD(spire_upstream_authority_vtable, cancel_stream, false)};
  case SPIRE_PLUGIN_TYPE_DATASTORE: {
    using VT = spire_datastore_vtable;
    return {SPIRE_METHOD(VT, create_bundle, true),
            SPIRE_METHOD(VT, fetch_bundle, true),
            SPIRE_METHOD(VT, list_bundles, true),
            SPIRE_METHOD(VT, count_bundles, true),
            SPIRE_METHOD(VT, set_bundle, true),
            SPIRE_METHOD(VT, append_bundle, true),
            SPIRE_METHOD(VT, update_bundle, true),
            SPIRE_METHOD(VT, delete_bundle, true),
            SPIRE_METHOD(VT, prune_bundle, true),
            SPIRE_METHOD(VT, taint_x509_ca, true),
            SPIRE_METHOD(VT, revoke_x509_ca, true),
            SPIRE_METHOD(VT, taint_jwt_key, true),
            SPIRE_METHOD(VT, revoke_jwt_key, true),
            SPIRE_METHOD(VT, create_entry, true),
            SPIRE_METHOD(VT, create_or_return_entry, true),
            SPIRE_METHOD(VT, fetch_entry, true),
            SPIRE_METHOD(VT, fetch_entries, true),
            SPIRE_METHOD(VT, list_entries, true),
            SPIRE_METHOD(VT, count_entries, true),
            SPIRE_METHOD(VT, update_entry, true),
            SPIRE_METHOD(VT, delete_entry, true),
            SPIRE_METHOD(VT, prune_entries, true),
            SPIRE_METHOD(VT, create_attested_node, true),
            SPIRE_METHOD(VT, fetch_attested_node, true),
            SPIRE_METHOD(VT, list_attested_nodes, true),
            SPIRE_METHOD(VT, count_attested_nodes, true),
            SPIRE_METHOD(VT, update_attested_node, true),
            SPIRE_METHOD(VT, delete_attested_node, true),
            SPIRE_METHOD(VT, prune_attested_expired_nodes, true),
            SPIRE_METHOD(VT, get_node_selectors, true),
            SPIRE_METHOD(VT, list_node_selectors, true),
            SPIRE_METHOD(VT, set_node_selectors, true),
            SPIRE_METHOD(VT, create_join_token, true),
            SPIRE_METHOD(VT, fetch_join_token, true),
            SPIRE_METHOD(VT, delete_join_token, true),
            SPIRE_METHOD(VT, consume_join_token, true),
            SPIRE_METHOD(VT, prune_join_tokens, true),
            SPIRE_METHOD(VT, create_federation_relationship, true),
            SPIRE_METHOD(VT, fetch_federation_relationship, true),
            SPIRE_METHOD(VT, list_federation_relationships, true),
            SPIRE_METHOD(VT, update_federation_relationship, true),
            SPIRE_METHOD(VT, delete_federation_relationship, true),
            SPIRE_METHOD(VT, set_ca_journal, true),
            SPIRE_METHOD(VT, fetch_ca_journal, true),
            SPIRE_METHOD(VT, delete_ca_journals, true),
            SPIRE_METHOD(VT, list_ca_journals, true),
            SPIRE_METHOD(VT, list_entry_events, false),
            SPIRE_METHOD(VT, prune_entry_events, false),
            SPIRE_METHOD(VT, list_node_events, false),
            SPIRE_METHOD(VT, prune_node_events, false)};
  }
  default:
    return {};
  }
}

#undef SPIRE_METHOD

} // namespace

std::string_view roleName(Role role) {
  return role == Role::kServer ? "server" : "agent";
}

std::optional<spire_plugin_type> pluginTypeFor(std::string_view config_type, Role role) {
  if (config_type == "NodeAttestor") {
    return role == Role::kServer ? SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR
                                 : SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR;
  }
  if (config_type == "KeyManager") {
    return SPIRE_PLUGIN_TYPE_KEY_MANAGER;
  }
  if (role == Role::kAgent && config_type == "WorkloadAttestor") {
    return SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR;
  }
  if (role == Role::kServer && config_type == "UpstreamAuthority") {
    return SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY;
  }
  if (role == Role::kServer && config_type == "DataStore") {
    return SPIRE_PLUGIN_TYPE_DATASTORE;
  }
  return std::nullopt;
}

std::string configTypeName(spire_plugin_type type) {
  switch (type) {
  case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
  case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
    return "NodeAttestor";
  case SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR:
    return "WorkloadAttestor";
  case SPIRE_PLUGIN_TYPE_KEY_MANAGER:
    return "KeyManager";
  case SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY:
    return "UpstreamAuthority";
  case SPIRE_PLUGIN_TYPE_DATASTORE:
    return "DataStore";
  default:
    return "unknown type " + std::to_string(type);
  }
}

std::string describeType(spire_plugin_type type) {
  switch (type) {
  case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
    return "server NodeAttestor";
  case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
    return "agent NodeAttestor";
  default:
    return configTypeName(type);
  }
}

std::string_view fileStem(spire_plugin_type type) {
  switch (type) {
  case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
  case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
    return "node_attestor";
  case SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR:
    return "workload_attestor";
  case SPIRE_PLUGIN_TYPE_KEY_MANAGER:
    return "key_manager";
  case SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY:
    return "upstream_authority";
  case SPIRE_PLUGIN_TYPE_DATASTORE:
    return "data_store";
  default:
    return "unknown";
  }
}

std::size_t knownVtableSize(spire_plugin_type type) {
  switch (type) {
  case SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR:
    return sizeof(spire_workload_attestor_vtable);
  case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
    return sizeof(spire_agent_node_attestor_vtable);
  case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
    return sizeof(spire_server_node_attestor_vtable);
  case SPIRE_PLUGIN_TYPE_KEY_MANAGER:
    return sizeof(spire_key_manager_vtable);
  case SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY:
    return sizeof(spire_upstream_authority_vtable);
  case SPIRE_PLUGIN_TYPE_DATASTORE:
    return sizeof(spire_datastore_vtable);
  default:
    return 0;
  }
}

std::vector<RequiredMethod> requiredMethods(spire_plugin_type type) {
  std::vector<RequiredMethod> out;
  for (const Method& m : methodsOf(type)) {
    if (m.required) {
      out.push_back({m.offset, m.name});
    }
  }
  return out;
}

std::vector<RequiredMethod> allMethods(spire_plugin_type type) {
  std::vector<RequiredMethod> out;
  for (const Method& m : methodsOf(type)) {
    out.push_back({m.offset, m.name});
  }
  return out;
}

} // namespace spire::plugin_host
