/* spire-cpp plugin ABI: server NodeAttestor (SPIRE plugin/server/nodeattestor/v1 Attest).
 * Plugin type SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR; config block `NodeAttestor "<name>"` in the
 * server. The agent side with the same name is agent_node_attestor.h; one .so may hold both.
 *
 * SPIRE's bidirectional stream becomes a session. Each of attest_begin (the agent's payload) and
 * attest_step (the agent's answer to the previous challenge) ends in exactly one of:
 *   - a challenge for the agent: api->emit_bytes(call, challenge); the host relays it and calls
 *     attest_step with the answer;
 *   - the final result: api->emit_agent_attributes(call, &attrs) plus any number of
 *     api->emit_selector_value(call, value) (type = plugin name); the attestation is then done;
 *   - an error (non-OK return, e.g. SPIRE_PERMISSION_DENIED when attestation fails).
 * attest_end is always called once after a successful attest_begin.
 */
#ifndef SPIRE_PLUGIN_SERVER_NODE_ATTESTOR_H
#define SPIRE_PLUGIN_SERVER_NODE_ATTESTOR_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Plugin-owned state of one attestation; may be NULL when the plugin needs none. */
typedef struct spire_server_attest_session spire_server_attest_session;

typedef struct spire_server_node_attestor_vtable {
  uint32_t struct_size; /* sizeof(spire_server_node_attestor_vtable) as the plugin was built */

  /* attest_begin (required): verify the agent's first message `payload`; emit a challenge or the
   * final result (see above). api->agent_store_get_agent_info is available to detect reuse.
   * OWNERSHIP: `payload` host-owned until return; *out_session plugin-owned until attest_end.
   * THREADS: concurrently with other sessions unless SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS.
   * LIFETIME: after configure. On a non-OK return there is no session and no attest_end. */
  spire_status (*attest_begin)(spire_plugin* self, spire_call* call, spire_bytes payload,
                               spire_server_attest_session** out_session);

  /* attest_step (optional when the plugin never challenges): verify the agent's answer to the
   * last challenge; emit another challenge or the final result.
   * OWNERSHIP: `response` host-owned until return.
   * THREADS: calls of one session never overlap. LIFETIME: between attest_begin and attest_end. */
  spire_status (*attest_step)(spire_plugin* self, spire_server_attest_session* session,
                              spire_call* call, spire_bytes response);

  /* attest_end (optional): release the session.
   * OWNERSHIP: frees *session. THREADS: as attest_step. LIFETIME: last call of the session. */
  void (*attest_end)(spire_plugin* self, spire_server_attest_session* session);
} spire_server_node_attestor_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_SERVER_NODE_ATTESTOR_H */
