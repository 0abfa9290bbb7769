/* spire-cpp plugin ABI: agent NodeAttestor (SPIRE plugin/agent/nodeattestor/v1 AidAttestation).
 * Plugin type SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR; config block `NodeAttestor "<name>"` in the
 * agent. The server side with the same name is server_node_attestor.h; one .so may hold both.
 *
 * SPIRE's bidirectional stream becomes a session:
 *   attest_begin  -> emits the attestation payload
 *   attest_step   -> called once per server challenge, emits the challenge response
 *   attest_end    -> always called once after a successful attest_begin, success or not
 */
#ifndef SPIRE_PLUGIN_AGENT_NODE_ATTESTOR_H
#define SPIRE_PLUGIN_AGENT_NODE_ATTESTOR_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Plugin-owned state of one attestation; may be NULL when the plugin needs none. */
typedef struct spire_agent_attest_session spire_agent_attest_session;

typedef struct spire_agent_node_attestor_vtable {
  uint32_t struct_size; /* sizeof(spire_agent_node_attestor_vtable) as the plugin was built */

  /* attest_begin (required): start an attestation and emit the payload with api->emit_bytes
   * (exactly once).
   * OWNERSHIP: *out_session is plugin-owned, released by attest_end.
   * THREADS: concurrently with other sessions unless SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS.
   * LIFETIME: after configure. On a non-OK return there is no session and no attest_end. */
  spire_status (*attest_begin)(spire_plugin* self, spire_call* call,
                               spire_agent_attest_session** out_session);

  /* attest_step (optional when the server never challenges): answer one server challenge with
   * api->emit_bytes (exactly once).
   * OWNERSHIP: `challenge` is host-owned, valid until return.
   * THREADS: calls of one session never overlap. LIFETIME: between attest_begin and attest_end. */
  spire_status (*attest_step)(spire_plugin* self, spire_agent_attest_session* session,
                              spire_call* call, spire_bytes challenge);

  /* attest_end (optional): release the session.
   * OWNERSHIP: frees *session. THREADS: as attest_step. LIFETIME: last call of the session. */
  void (*attest_end)(spire_plugin* self, spire_agent_attest_session* session);
} spire_agent_node_attestor_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_AGENT_NODE_ATTESTOR_H */
