// The spire_datastore_host_api table: copies DataStore results into the call's DatastoreResults.

#include <string>

#include "plugin_host/datastore_convert.h"
#include "plugin_host/host_context.h"

namespace spire::plugin_host {
namespace {

// The DataStore records of ABI v1 as this build knows them: a plugin's struct must be at least
// this big (fields added in later minor versions will be read only when struct_size covers them).
template <class T> bool bigEnough(const T* record) {
  return record != nullptr && record->struct_size >= sizeof(T);
}

DatastoreResults* results(spire_call* call, const char* what) {
  if (call == nullptr) {
    return nullptr;
  }
  if ((call->allowed & kEmitDatastore) == 0 || call->datastore == nullptr) {
    if (call->emit_error.isOk()) {
      call->emit_error =
          Status(StatusCode::kInternal, std::string("plugin emitted ") + what + " from " +
                                            call->method + ", which does not return one");
    }
    return nullptr;
  }
  return call->datastore;
}

spire_status malformed(spire_call* call, const char* what) {
  if (call != nullptr && call->emit_error.isOk()) {
    call->emit_error = Status(StatusCode::kInternal,
                              std::string("plugin emitted a malformed ") + what + " (struct_size)");
  }
  return SPIRE_INVALID_ARGUMENT;
}

spire_status emitEntry(spire_call* call, const spire_entry* entry) {
  DatastoreResults* r = results(call, "an entry");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(entry)) {
    return malformed(call, "entry");
  }
  r->entries.push_back(entryFrom(*entry));
  return SPIRE_OK;
}

spire_status emitAttestedNode(spire_call* call, const spire_attested_node* node) {
  DatastoreResults* r = results(call, "an attested node");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(node)) {
    return malformed(call, "attested node");
  }
  r->nodes.push_back(nodeFrom(*node));
  return SPIRE_OK;
}

spire_status emitNodeSelectors(spire_call* call, spire_str spiffe_id,
                               const spire_selector* selectors, size_t count) {
  DatastoreResults* r = results(call, "node selectors");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  r->node_selectors.push_back(NodeSelectors{
      spiffe_id.ptr == nullptr ? std::string() : std::string(spiffe_id.ptr, spiffe_id.len),
      selectorsFrom(selectors, count)});
  return SPIRE_OK;
}

spire_status emitJoinToken(spire_call* call, const spire_join_token* token) {
  DatastoreResults* r = results(call, "a join token");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(token)) {
    return malformed(call, "join token");
  }
  r->join_tokens.push_back(joinTokenFrom(*token));
  return SPIRE_OK;
}

spire_status emitBundle(spire_call* call, const spire_bundle* bundle) {
  DatastoreResults* r = results(call, "a bundle");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(bundle)) {
    return malformed(call, "bundle");
  }
  r->bundles.push_back(bundleFrom(*bundle));
  return SPIRE_OK;
}

spire_status emitRelationship(spire_call* call, const spire_federation_relationship* rel) {
  DatastoreResults* r = results(call, "a federation relationship");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(rel) ||
      (rel->trust_domain_bundle != nullptr && !bigEnough(rel->trust_domain_bundle))) {
    return malformed(call, "federation relationship");
  }
  r->relationships.push_back(relationshipFrom(*rel));
  return SPIRE_OK;
}

spire_status emitJournal(spire_call* call, const spire_ca_journal* journal) {
  DatastoreResults* r = results(call, "a CA journal");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(journal)) {
    return malformed(call, "CA journal");
  }
  r->journals.push_back(journalFrom(*journal));
  return SPIRE_OK;
}

spire_status emitEvent(spire_call* call, const spire_datastore_event* event) {
  DatastoreResults* r = results(call, "an event");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  if (!bigEnough(event)) {
    return malformed(call, "event");
  }
  r->events.push_back(eventFrom(*event));
  return SPIRE_OK;
}

spire_status emitInt(spire_call* call, int64_t value) {
  DatastoreResults* r = results(call, "an integer");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  r->ints.push_back(value);
  return SPIRE_OK;
}

spire_status emitPageToken(spire_call* call, spire_str token) {
  DatastoreResults* r = results(call, "a page token");
  if (r == nullptr) {
    return SPIRE_INTERNAL;
  }
  r->page_token = token.ptr == nullptr ? std::string() : std::string(token.ptr, token.len);
  return SPIRE_OK;
}

constexpr spire_datastore_host_api kDatastoreHostApi = {
    sizeof(spire_datastore_host_api),
    &emitEntry,
    &emitAttestedNode,
    &emitNodeSelectors,
    &emitJoinToken,
    &emitBundle,
    &emitRelationship,
    &emitJournal,
    &emitEvent,
    &emitInt,
    &emitPageToken,
};

} // namespace

const spire_datastore_host_api* datastoreHostApi() {
  return &kDatastoreHostApi;
}

} // namespace spire::plugin_host
