#pragma once
// SPIRE's default authorization policy (pkg/server/authpolicy/policy_data.json with the default
// policy.rego): for every method of every server service, which caller classes may call it. A
// method absent from the table is denied to everyone, so a service added without a policy line
// fails closed.
#include <string_view>
#include <vector>

namespace spire::server::endpoints {

struct MethodPolicy {
  std::string_view full_method;  // "/pkg.Service/Method"
  bool allow_any = false;        // every caller, anonymous TCP callers included
  bool allow_local = false;      // callers on the UDS socket_path
  bool allow_admin = false;      // admin_ids, or an entry with admin=true for the caller's ID
  bool allow_downstream = false; // an entry with downstream=true for the caller's ID
  bool allow_agent = false;      // an attested, active, unbanned agent (TCP only)
};

// The policy of `full_method`, or null when the method is unknown.
const MethodPolicy* findMethodPolicy(std::string_view full_method);

// The whole table, in SPIRE's file order plus our own services.
const std::vector<MethodPolicy>& allMethodPolicies();

} // namespace spire::server::endpoints
