/* spire-cpp plugin ABI: server DataStore (SPIRE's Go datastore.DataStore, made pluggable).
 * Plugin type SPIRE_PLUGIN_TYPE_DATASTORE; config block `DataStore "<name>"`.
 *
 * Rules for every operation below:
 *   - Each operation is ONE transaction: it fully happens or not at all (e.g. consume_join_token
 *     fetches and deletes in one transaction; entry/node writes insert their event rows in the same
 *     transaction).
 *   - Results are emitted with the functions of api->datastore (spire_datastore_host_api) and
 *     copied by the host at once. A fetch_* of something absent emits nothing and returns SPIRE_OK
 *     (as SPIRE's datastore returns nil); update_* / delete_* of something absent return
 *     SPIRE_NOT_FOUND.
 *   - Inputs are host-owned and valid until the call returns.
 *   - THREADS: every operation may be called concurrently from many host threads unless
 *     SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS; the plugin handles its own connection pooling/locking.
 *   - LIFETIME: after a successful configure (which opens the database and migrates the schema),
 *     until destroy. The server never reconfigures a DataStore.
 *   - Times are Unix seconds (int64). "Absent" optional strings are {NULL, 0} with a has_* flag.
 *   - Errors: SPIRE_ALREADY_EXISTS for unique violations, SPIRE_INVALID_ARGUMENT for bad input,
 *     SPIRE_FAILED_PRECONDITION for a refused delete, SPIRE_UNAVAILABLE/SPIRE_INTERNAL for database
 *     failures, each with a message.
 */
#ifndef SPIRE_PLUGIN_DATASTORE_H
#define SPIRE_PLUGIN_DATASTORE_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Records ---- */

/* A registration entry (SPIRE RegistrationEntry). */
typedef struct spire_entry {
  uint32_t struct_size;
  spire_str entry_id; /* empty on create: the plugin assigns a UUID */
  spire_str spiffe_id;
  spire_str parent_id;
  const spire_selector* selectors;
  size_t selectors_len;
  int32_t x509_svid_ttl;           /* seconds, 0 = server default */
  int32_t jwt_svid_ttl;            /* seconds, 0 = server default */
  const spire_str* federates_with; /* trust domain names, e.g. "example.org" */
  size_t federates_with_len;
  bool admin;
  bool downstream;
  bool store_svid;
  int64_t expires_at; /* 0 = never */
  const spire_str* dns_names;
  size_t dns_names_len;
  int64_t revision_number; /* set by the plugin: 0 on create, +1 on every update */
  spire_str hint;
  int64_t created_at;              /* set by the plugin on create */
  bool jwt_svid_include_jti;       /* additional_attributes */
  bool disable_x509_svid_prefetch; /* additional_attributes */
} spire_entry;

/* An attested node (SPIRE AttestedNode / table attested_node_entries). */
typedef struct spire_attested_node {
  uint32_t struct_size;
  spire_str spiffe_id;
  spire_str attestation_data_type; /* node attestor name */
  spire_str cert_serial_number;    /* "" = banned */
  int64_t cert_not_after;
  spire_str new_cert_serial_number;
  int64_t new_cert_not_after;
  bool can_reattest;
  spire_str agent_version;
  const spire_selector* selectors; /* emitted only when the list filter asks for selectors */
  size_t selectors_len;
} spire_attested_node;

typedef struct spire_join_token {
  uint32_t struct_size;
  spire_str token;
  int64_t expires_at;
} spire_join_token;

/* A trust bundle (SPIRE types.Bundle) as flat data: no protobuf crosses the ABI. */
typedef struct spire_bundle {
  uint32_t struct_size;
  spire_str trust_domain; /* trust domain name, e.g. "example.org" */
  const spire_x509_authority* x509_authorities;
  size_t x509_authorities_len;
  const spire_jwt_key* jwt_authorities;
  size_t jwt_authorities_len;
  int64_t refresh_hint; /* seconds */
  uint64_t sequence_number;
} spire_bundle;

/* A federation relationship (table federated_trust_domains). */
typedef struct spire_federation_relationship {
  uint32_t struct_size;
  spire_str trust_domain;
  spire_str bundle_endpoint_url;
  spire_str bundle_endpoint_profile;       /* "https_web" or "https_spiffe" */
  spire_str endpoint_spiffe_id;            /* https_spiffe only */
  const spire_bundle* trust_domain_bundle; /* NULL = none; on write: also set this bundle */
} spire_federation_relationship;

/* A CA journal row (table ca_journals); `data` is opaque to the datastore. */
typedef struct spire_ca_journal {
  uint32_t struct_size;
  int64_t id; /* 0 on set = insert a new row; the plugin emits the assigned id */
  spire_bytes data;
  spire_str active_x509_authority_id;
  spire_str active_jwt_authority_id;
} spire_ca_journal;

/* An entry or node event (tables registered_entries_events / attested_node_entries_events). */
typedef struct spire_datastore_event {
  uint32_t struct_size;
  uint64_t event_id;
  spire_str key; /* entry id, or node SPIFFE ID */
  int64_t created_at;
} spire_datastore_event;

/* ---- Queries ---- */

/* How a selector / federates_with filter matches (values as SPIRE's MatchBehavior). */
typedef int32_t spire_match;
enum {
  SPIRE_MATCH_EXACT = 0,
  SPIRE_MATCH_SUBSET = 1,
  SPIRE_MATCH_SUPERSET = 2,
  SPIRE_MATCH_ANY = 3
};

/* A tri-state boolean filter. */
typedef int32_t spire_tristate;
enum { SPIRE_ANY = 0, SPIRE_TRUE = 1, SPIRE_FALSE = 2 };

/* Pagination: page_size 0 = everything in one go. The plugin emits the next page token with
 * emit_page_token when more results remain (none on the last page). */
typedef struct spire_pagination {
  uint32_t struct_size;
  spire_str token; /* empty = first page */
  int32_t page_size;
} spire_pagination;

typedef struct spire_entry_filter {
  uint32_t struct_size;
  bool has_parent_id;
  spire_str parent_id;
  bool has_spiffe_id;
  spire_str spiffe_id;
  bool has_selectors;
  const spire_selector* selectors;
  size_t selectors_len;
  spire_match selectors_match;
  bool has_federates_with;
  const spire_str* federates_with;
  size_t federates_with_len;
  spire_match federates_with_match;
  bool has_hint;
  spire_str hint;
  spire_tristate downstream;
} spire_entry_filter;

typedef struct spire_node_filter {
  uint32_t struct_size;
  int64_t expires_before; /* 0 = no filter */
  bool has_attestation_type;
  spire_str attestation_type;
  spire_tristate banned;
  spire_tristate can_reattest;
  bool has_selectors;
  const spire_selector* selectors;
  size_t selectors_len;
  spire_match selectors_match;
  bool fetch_selectors; /* fill spire_attested_node.selectors in emitted nodes */
} spire_node_filter;

/* Update masks: which fields of the passed record to write. */
enum {
  SPIRE_ENTRY_MASK_SPIFFE_ID = 1u << 0,
  SPIRE_ENTRY_MASK_PARENT_ID = 1u << 1,
  SPIRE_ENTRY_MASK_SELECTORS = 1u << 2,
  SPIRE_ENTRY_MASK_X509_SVID_TTL = 1u << 3,
  SPIRE_ENTRY_MASK_JWT_SVID_TTL = 1u << 4,
  SPIRE_ENTRY_MASK_FEDERATES_WITH = 1u << 5,
  SPIRE_ENTRY_MASK_ADMIN = 1u << 6,
  SPIRE_ENTRY_MASK_DOWNSTREAM = 1u << 7,
  SPIRE_ENTRY_MASK_EXPIRES_AT = 1u << 8,
  SPIRE_ENTRY_MASK_DNS_NAMES = 1u << 9,
  SPIRE_ENTRY_MASK_STORE_SVID = 1u << 10,
  SPIRE_ENTRY_MASK_HINT = 1u << 11,
  SPIRE_ENTRY_MASK_ADDITIONAL_ATTRIBUTES = 1u << 12
};
enum {
  SPIRE_NODE_MASK_CERT_SERIAL_NUMBER = 1u << 0,
  SPIRE_NODE_MASK_CERT_NOT_AFTER = 1u << 1,
  SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER = 1u << 2,
  SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER = 1u << 3,
  SPIRE_NODE_MASK_CAN_REATTEST = 1u << 4,
  SPIRE_NODE_MASK_AGENT_VERSION = 1u << 5
};
enum {
  SPIRE_BUNDLE_MASK_REFRESH_HINT = 1u << 0,
  SPIRE_BUNDLE_MASK_SEQUENCE_NUMBER = 1u << 1,
  SPIRE_BUNDLE_MASK_X509_AUTHORITIES = 1u << 2,
  SPIRE_BUNDLE_MASK_JWT_AUTHORITIES = 1u << 3
};
enum {
  SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_URL = 1u << 0,
  SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_PROFILE = 1u << 1,
  SPIRE_FEDERATION_MASK_TRUST_DOMAIN_BUNDLE = 1u << 2
};

/* delete_bundle modes (SPIRE's DeleteBundle mode). */
typedef int32_t spire_delete_mode;
enum {
  SPIRE_DELETE_RESTRICT = 0,  /* refuse (FAILED_PRECONDITION) when entries federate with it */
  SPIRE_DELETE_DELETE = 1,    /* also delete the entries that federate with it */
  SPIRE_DELETE_DISSOCIATE = 2 /* remove the federation from those entries */
};

/* ---- Emitters (api->datastore) ----
 * OWNERSHIP: arguments are copied before return. THREADS: only on the thread running the call.
 * LIFETIME: only while that call runs. Return as the emitters of spire_host_api. */
typedef struct spire_datastore_host_api {
  uint32_t struct_size;
  spire_status (*emit_entry)(spire_call* call, const spire_entry* entry);
  spire_status (*emit_attested_node)(spire_call* call, const spire_attested_node* node);
  spire_status (*emit_node_selectors)(spire_call* call, spire_str spiffe_id,
                                      const spire_selector* selectors, size_t count);
  spire_status (*emit_join_token)(spire_call* call, const spire_join_token* token);
  spire_status (*emit_bundle)(spire_call* call, const spire_bundle* bundle);
  spire_status (*emit_federation_relationship)(spire_call* call,
                                               const spire_federation_relationship* rel);
  spire_status (*emit_ca_journal)(spire_call* call, const spire_ca_journal* journal);
  spire_status (*emit_event)(spire_call* call, const spire_datastore_event* event);
  /* A scalar result: a count, a 0/1 flag ("changed", "existed"), an id. */
  spire_status (*emit_int)(spire_call* call, int64_t value);
  spire_status (*emit_page_token)(spire_call* call, spire_str token);
} spire_datastore_host_api;

/* ---- The vtable. Every function: OWNERSHIP inputs host-owned until return, results emitted;
 * THREADS concurrent; LIFETIME configure..destroy (see the top of this file). ---- */
typedef struct spire_datastore_vtable {
  uint32_t struct_size; /* sizeof(spire_datastore_vtable) as the plugin was built */

  /* Bundles (required). */
  /* Emits the created bundle; ALREADY_EXISTS if the trust domain has one. */
  spire_status (*create_bundle)(spire_plugin* self, spire_call* call, const spire_bundle* bundle);
  /* Emits the bundle, or nothing. */
  spire_status (*fetch_bundle)(spire_plugin* self, spire_call* call, spire_str trust_domain);
  /* Emits bundles ordered by trust domain, then a page token if more remain. */
  spire_status (*list_bundles)(spire_plugin* self, spire_call* call, const spire_pagination* page);
  /* emit_int(count). */
  spire_status (*count_bundles)(spire_plugin* self, spire_call* call);
  /* Create or replace; emits the stored bundle. */
  spire_status (*set_bundle)(spire_plugin* self, spire_call* call, const spire_bundle* bundle);
  /* Create, or add the authorities not yet present (sequence_number + 1 when something changed);
   * emits the stored bundle. */
  spire_status (*append_bundle)(spire_plugin* self, spire_call* call, const spire_bundle* bundle);
  /* Write the fields in `mask` (SPIRE_BUNDLE_MASK_*); emits the stored bundle; NOT_FOUND. */
  spire_status (*update_bundle)(spire_plugin* self, spire_call* call, const spire_bundle* bundle,
                                uint32_t mask);
  /* NOT_FOUND; FAILED_PRECONDITION in RESTRICT mode when entries federate with it. */
  spire_status (*delete_bundle)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                                spire_delete_mode mode);
  /* Remove authorities expiring before `expires_before` (never the last X.509 one);
   * emit_int(1 if changed else 0). */
  spire_status (*prune_bundle)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                               int64_t expires_before);
  /* Mark / remove the X.509 authority whose Subject Key ID (lower-case hex) is given. NOT_FOUND;
   * FAILED_PRECONDITION when already tainted (taint) or not tainted (revoke). */
  spire_status (*taint_x509_ca)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                                spire_str subject_key_id);
  spire_status (*revoke_x509_ca)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                                 spire_str subject_key_id);
  /* Mark / remove the JWT authority `key_id`; emits the key (emit_jwt_keys of spire_host_api). */
  spire_status (*taint_jwt_key)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                                spire_str key_id);
  spire_status (*revoke_jwt_key)(spire_plugin* self, spire_call* call, spire_str trust_domain,
                                 spire_str key_id);

  /* Registration entries (required). */
  /* Emits the created entry (id, created_at, revision 0 filled in). */
  spire_status (*create_entry)(spire_plugin* self, spire_call* call, const spire_entry* entry);
  /* Emits the existing similar entry (same parent, SPIFFE ID, selectors) and emit_int(1), or the
   * created one and emit_int(0). */
  spire_status (*create_or_return_entry)(spire_plugin* self, spire_call* call,
                                         const spire_entry* entry);
  /* Emits the entry, or nothing. */
  spire_status (*fetch_entry)(spire_plugin* self, spire_call* call, spire_str entry_id);
  /* Emits the entries that exist among `ids`. */
  spire_status (*fetch_entries)(spire_plugin* self, spire_call* call, const spire_str* ids,
                                size_t count);
  /* Emits matching entries ordered by entry id, then a page token if more remain. `filter` may be
   * NULL. */
  spire_status (*list_entries)(spire_plugin* self, spire_call* call,
                               const spire_entry_filter* filter, const spire_pagination* page);
  /* emit_int(count of matching entries); `filter` may be NULL. */
  spire_status (*count_entries)(spire_plugin* self, spire_call* call,
                                const spire_entry_filter* filter);
  /* Write the fields in `mask` (SPIRE_ENTRY_MASK_*) of entry->entry_id, bump revision_number;
   * emits the stored entry; NOT_FOUND. */
  spire_status (*update_entry)(spire_plugin* self, spire_call* call, const spire_entry* entry,
                               uint32_t mask);
  /* Emits the deleted entry; NOT_FOUND. */
  spire_status (*delete_entry)(spire_plugin* self, spire_call* call, spire_str entry_id);
  /* Delete entries with 0 < expires_at < `expires_before`. */
  spire_status (*prune_entries)(spire_plugin* self, spire_call* call, int64_t expires_before);

  /* Attested nodes (required). */
  /* Emits the created node; ALREADY_EXISTS. */
  spire_status (*create_attested_node)(spire_plugin* self, spire_call* call,
                                       const spire_attested_node* node);
  /* Emits the node, or nothing. */
  spire_status (*fetch_attested_node)(spire_plugin* self, spire_call* call, spire_str spiffe_id);
  /* Emits matching nodes ordered by SPIFFE ID, then a page token if more remain. */
  spire_status (*list_attested_nodes)(spire_plugin* self, spire_call* call,
                                      const spire_node_filter* filter,
                                      const spire_pagination* page);
  /* emit_int(count); `filter` may be NULL. */
  spire_status (*count_attested_nodes)(spire_plugin* self, spire_call* call,
                                       const spire_node_filter* filter);
  /* Write the fields in `mask` (SPIRE_NODE_MASK_*); emits the stored node; NOT_FOUND. */
  spire_status (*update_attested_node)(spire_plugin* self, spire_call* call,
                                       const spire_attested_node* node, uint32_t mask);
  /* Emits the deleted node; NOT_FOUND. Its node selectors are deleted too. */
  spire_status (*delete_attested_node)(spire_plugin* self, spire_call* call, spire_str spiffe_id);
  /* Delete nodes whose cert_not_after < `expired_before`. As SPIRE, only nodes that can re-attest
   * are deleted unless `include_non_reattestable` is true. */
  spire_status (*prune_attested_expired_nodes)(spire_plugin* self, spire_call* call,
                                               int64_t expired_before,
                                               bool include_non_reattestable);

  /* Node selectors (required). */
  /* emit_node_selectors(spiffe_id, ...) (possibly with zero selectors). */
  spire_status (*get_node_selectors)(spire_plugin* self, spire_call* call, spire_str spiffe_id);
  /* emit_node_selectors once per node; only nodes with cert_not_after >= `valid_at` when
   * valid_at != 0. */
  spire_status (*list_node_selectors)(spire_plugin* self, spire_call* call, int64_t valid_at);
  /* Replace the node's selectors. */
  spire_status (*set_node_selectors)(spire_plugin* self, spire_call* call, spire_str spiffe_id,
                                     const spire_selector* selectors, size_t count);

  /* Join tokens (required). */
  /* ALREADY_EXISTS. */
  spire_status (*create_join_token)(spire_plugin* self, spire_call* call,
                                    const spire_join_token* token);
  /* Emits the token, or nothing. */
  spire_status (*fetch_join_token)(spire_plugin* self, spire_call* call, spire_str token);
  /* NOT_FOUND. */
  spire_status (*delete_join_token)(spire_plugin* self, spire_call* call, spire_str token);
  /* Single use: fetch and delete in one transaction and emit it (expired or not: the caller
   * checks expires_at, as SPIRE deletes before checking); NOT_FOUND when absent, so two
   * concurrent consumers never both succeed. */
  spire_status (*consume_join_token)(spire_plugin* self, spire_call* call, spire_str token);
  /* Delete tokens with expires_at < `expires_before`. */
  spire_status (*prune_join_tokens)(spire_plugin* self, spire_call* call, int64_t expires_before);

  /* Federation relationships (required). */
  /* Emits the created relationship; ALREADY_EXISTS. */
  spire_status (*create_federation_relationship)(spire_plugin* self, spire_call* call,
                                                 const spire_federation_relationship* rel);
  /* Emits it (with its bundle when one is stored), or nothing. */
  spire_status (*fetch_federation_relationship)(spire_plugin* self, spire_call* call,
                                                spire_str trust_domain);
  /* Emits relationships ordered by trust domain, then a page token if more remain. */
  spire_status (*list_federation_relationships)(spire_plugin* self, spire_call* call,
                                                const spire_pagination* page);
  /* Write the fields in `mask` (SPIRE_FEDERATION_MASK_*); emits it; NOT_FOUND. */
  spire_status (*update_federation_relationship)(spire_plugin* self, spire_call* call,
                                                 const spire_federation_relationship* rel,
                                                 uint32_t mask);
  /* NOT_FOUND. */
  spire_status (*delete_federation_relationship)(spire_plugin* self, spire_call* call,
                                                 spire_str trust_domain);

  /* CA journal (required). */
  /* Insert (id 0) or update (id != 0; NOT_FOUND); emits the stored journal with its id. */
  spire_status (*set_ca_journal)(spire_plugin* self, spire_call* call,
                                 const spire_ca_journal* journal);
  /* Emits the journal whose active X.509 authority id matches, or nothing. */
  spire_status (*fetch_ca_journal)(spire_plugin* self, spire_call* call,
                                   spire_str active_x509_authority_id);
  /* Delete journals all of whose authorities expire before `expires_before`; the plugin cannot
   * read `data`, so the host passes the ids to delete. */
  spire_status (*delete_ca_journals)(spire_plugin* self, spire_call* call, const int64_t* ids,
                                     size_t count);
  /* Emits every journal (the server prunes with these and delete_ca_journals). */
  spire_status (*list_ca_journals)(spire_plugin* self, spire_call* call);

  /* ---- Optional from here (NULL = SPIRE_UNIMPLEMENTED) ---- */

  /* Events with event_id > `after_event_id`, ascending. */
  spire_status (*list_entry_events)(spire_plugin* self, spire_call* call, uint64_t after_event_id);
  /* Delete entry events created before `created_before`. */
  spire_status (*prune_entry_events)(spire_plugin* self, spire_call* call, int64_t created_before);
  spire_status (*list_node_events)(spire_plugin* self, spire_call* call, uint64_t after_event_id);
  spire_status (*prune_node_events)(spire_plugin* self, spire_call* call, int64_t created_before);
} spire_datastore_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_DATASTORE_H */
