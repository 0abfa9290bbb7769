/* spire-cpp plugin ABI: the host API table handed to the plugin.
 *
 * The daemon exports no symbols to plugins: everything a plugin may call on the host is in this
 * table, received in spire_plugin_query.api and in create(). The table is static data of the host,
 * valid for the life of the process. It only grows at the end: before calling a function added in
 * a later minor version, check it with SPIRE_TABLE_HAS(api->struct_size, spire_host_api, member).
 */
#ifndef SPIRE_PLUGIN_HOST_H
#define SPIRE_PLUGIN_HOST_H

#include "spire/plugin/common.h"
#include "spire/plugin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct spire_datastore_host_api; /* datastore.h */

typedef struct spire_host_api {
  uint32_t struct_size; /* sizeof(spire_host_api) as the host was built */
  uint32_t abi_version; /* ABI version the host negotiated with this plugin */

  /* ---- Errors ---- */

  /* fail: record the error message of `call` and return `code`, so a plugin writes
   *   return api->fail(call, SPIRE_NOT_FOUND, msg);
   * The host reports "<PluginType> \"<name>\": <message>" with that code. A non-OK return without
   * fail() gets a generic message. A later fail() on the same call replaces the message.
   * OWNERSHIP: `message` is copied before return.
   * THREADS: only on the thread running the call that received `call`.
   * LIFETIME: only while that call runs. */
  spire_status (*fail)(spire_call* call, spire_status code, spire_str message);

  /* ---- Logging into the host's log, tagged with the plugin's type and name ---- */

  /* log_enabled: whether a message at `level` would be written; lets a plugin skip formatting.
   * OWNERSHIP: none. THREADS: any thread. LIFETIME: from create until destroy returns. */
  bool (*log_enabled)(spire_host* host, spire_log_level level);

  /* log: write one preformatted message (no printf across the ABI).
   * OWNERSHIP: `message` is copied before return.
   * THREADS: any thread, including the plugin's own. LIFETIME: from create until destroy returns.
   */
  void (*log)(spire_host* host, spire_log_level level, spire_str message);

  /* ---- Emitters: results of the call `call`; the host copies them at once ----
   * Each returns SPIRE_OK, or SPIRE_INTERNAL when the result does not belong to the method being
   * called (the call then fails) or SPIRE_RESOURCE_EXHAUSTED when a size limit is exceeded.
   * OWNERSHIP: arguments are copied before return.
   * THREADS: only on the thread running the call. LIFETIME: only while that call runs. */

  /* A note of validate(). */
  spire_status (*emit_note)(spire_call* call, spire_str note);
  /* A selector value of WorkloadAttestor.attest or of the server NodeAttestor's final result. */
  spire_status (*emit_selector_value)(spire_call* call, spire_str value);
  /* One opaque blob: agent NodeAttestor payload / challenge response, server NodeAttestor
   * challenge. */
  spire_status (*emit_bytes)(spire_call* call, spire_bytes data);
  /* The final result of a server node attestation. */
  spire_status (*emit_agent_attributes)(spire_call* call, const spire_agent_attributes* attrs);
  /* A KeyManager public key (generate_key, get_public_key, get_public_keys). */
  spire_status (*emit_public_key)(spire_call* call, const spire_public_key* key);
  /* The result of KeyManager.sign_data. */
  spire_status (*emit_signature)(spire_call* call, spire_bytes signature, spire_str fingerprint);
  /* The result of UpstreamAuthority.mint_x509_ca: the new CA chain (first = the new CA, DER)
   * and the upstream X.509 roots (DER). */
  spire_status (*emit_x509_ca)(spire_call* call, const spire_bytes* chain, size_t chain_len,
                               const spire_bytes* roots, size_t roots_len);
  /* The upstream JWT keys of UpstreamAuthority.publish_jwt_key, or a JWT key of a datastore
   * taint operation. */
  spire_status (*emit_jwt_keys)(spire_call* call, const spire_jwt_key* keys, size_t count);

  /* ---- Upstream sinks (upstream_authority.h) ----
   * OWNERSHIP: arguments are copied before return; the sink is host-owned.
   * THREADS: any thread, including the plugin's own; calls on one sink must not overlap.
   * LIFETIME: from the method that received the sink until sink_close() (which releases it).
   * Return SPIRE_CANCELLED once the host no longer listens (the plugin should then close). */

  /* New upstream X.509 roots (DER), replacing the previous set. */
  spire_status (*sink_x509_roots)(spire_upstream_sink* sink, const spire_bytes* roots,
                                  size_t count);
  /* New upstream JWT keys, replacing the previous set. */
  spire_status (*sink_jwt_keys)(spire_upstream_sink* sink, const spire_jwt_key* keys, size_t count);
  /* End the stream: SPIRE_OK for a normal end, otherwise an error with a message. The plugin must
   * call it exactly once per sink and never touch the sink afterwards. */
  void (*sink_close)(spire_upstream_sink* sink, spire_status code, spire_str message);

  /* ---- Host services ---- */

  /* agent_store_get_agent_info: look an attested agent up (server only; SPIRE's AgentStore).
   * Fills *out (caller sets out->struct_size first) with host-owned strings valid until the
   * plugin call `call` returns. SPIRE_NOT_FOUND when the agent is unknown; SPIRE_UNIMPLEMENTED in
   * the agent or when the server offers no store.
   * OWNERSHIP: `agent_id` is copied; strings in *out belong to the host.
   * THREADS: only on the thread running `call`. LIFETIME: only while that call runs. */
  spire_status (*agent_store_get_agent_info)(spire_host* host, spire_call* call, spire_str agent_id,
                                             spire_agent_info* out);

  /* Emitters used by DataStore plugins (datastore.h); NULL in the agent. */
  const struct spire_datastore_host_api* datastore;
} spire_host_api;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_HOST_H */
