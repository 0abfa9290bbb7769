#pragma once
// Conversions between spire.api.types (Agent, AgentMask, Selector, JoinToken) and the datastore
// records, with SPIRE's rules (pkg/server/api/agent.go ProtoFromAttestedNode, the agent service's
// applyMask and filter parsing).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "plugin_host/datastore.h"
#include "server/api/svid/svid_convert.h"
#include "spire/api/types/agent.pb.h"
#include "spire/api/types/selector.pb.h"

namespace spire::server::api {

// types.Agent from a node: banned = empty serial; selectors as the node carries them.
// InvalidArgument "node has malformed SPIFFE ID: <reason>" when the stored ID does not parse.
Result<types::Agent> protoFromAttestedNode(const plugin_host::AttestedNode& node);

// SPIRE's applyMask: a null mask keeps everything; otherwise each false field is cleared (the ID
// is always kept).
void applyAgentMask(types::Agent& agent, const types::AgentMask* mask);

// SPIRE's SelectorsFromProto: each selector needs a type without ':' and a value.
Result<std::vector<plugin_host::Selector>>
selectorsFromProto(const google::protobuf::RepeatedPtrField<types::Selector>& selectors);
void fillProtoSelectors(const std::vector<plugin_host::Selector>& selectors,
                        google::protobuf::RepeatedPtrField<types::Selector>* out);

// Sorted by (type, value) without duplicates (SPIRE's selector.Dedupe).
std::vector<plugin_host::Selector> dedupeSelectors(std::vector<plugin_host::Selector> selectors);

// The agent list filter's by_expires_before, in the Go layout "2006-01-02 15:04:05 -0700 -07"
// the CLI documents. As SPIRE, a value that does not parse is ignored: 0 (= no filter).
std::int64_t parseExpiresBefore(std::string_view text);

// ListAgentsRequest.Filter and CountAgentsRequest.Filter have the same fields. A bad selector
// fails with selectorsFromProto's error (the service adds "failed to parse selectors").
template <class ProtoFilter>
Result<plugin_host::NodeFilter> nodeFilterFromProto(const ProtoFilter& filter) {
  plugin_host::NodeFilter out;
  if (filter.has_by_banned()) {
    out.banned = filter.by_banned().value();
  }
  if (filter.has_by_can_reattest()) {
    out.can_reattest = filter.by_can_reattest().value();
  }
  if (!filter.by_attestation_type().empty()) {
    out.attestation_type = filter.by_attestation_type();
  }
  if (!filter.by_expires_before().empty()) {
    out.expires_before = parseExpiresBefore(filter.by_expires_before());
  }
  if (filter.has_by_selector_match()) {
    auto selectors = selectorsFromProto(filter.by_selector_match().selectors());
    if (!selectors) {
      return selectors.status();
    }
    out.selectors = std::move(*selectors);
    out.selectors_match = static_cast<spire_match>(filter.by_selector_match().match());
  }
  return out;
}

// spiffe://<td>/spire/agent/join_token/<token> (the token must be a valid path segment).
Result<spiffe::SpiffeId> joinTokenAgentId(const spiffe::TrustDomain& td, std::string_view token);

// A random RFC 4122 version 4 UUID in its canonical lower-case form (SPIRE's join tokens).
std::string newUuidV4();

} // namespace spire::server::api
