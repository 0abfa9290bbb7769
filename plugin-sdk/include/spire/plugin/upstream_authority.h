/* spire-cpp plugin ABI: server UpstreamAuthority (SPIRE plugin/server/upstreamauthority/v1).
 * Plugin type SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY; config block `UpstreamAuthority "<name>"`.
 *
 * SPIRE's server-push streams become a call plus a host-owned sink:
 *   - during the call the plugin emits the first answer (api->emit_x509_ca / api->emit_jwt_keys);
 *   - it may keep `sink` and push later updates (api->sink_x509_roots / api->sink_jwt_keys) from
 *     any thread, until it calls api->sink_close(sink, code, message) exactly once;
 *   - a plugin that never pushes updates calls api->sink_close(sink, SPIRE_OK, ...) before it
 *     returns;
 *   - when the server stops listening the host calls cancel_stream (if non-NULL) and sink pushes
 *     return SPIRE_CANCELLED; the plugin then closes the sink. destroy() must close open sinks.
 */
#ifndef SPIRE_PLUGIN_UPSTREAM_AUTHORITY_H
#define SPIRE_PLUGIN_UPSTREAM_AUTHORITY_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spire_upstream_authority_vtable {
  uint32_t struct_size; /* sizeof(spire_upstream_authority_vtable) as the plugin was built */

  /* mint_x509_ca (required; SPIRE's MintX509CAAndSubscribe): sign the server CA CSR (PKCS#10
   * DER) as an intermediate CA, with `preferred_ttl_seconds` (0 = plugin decides), and emit the
   * chain and upstream roots with api->emit_x509_ca. Root updates go to `sink` afterwards.
   * OWNERSHIP: `csr_der` host-owned until return; `sink` host-owned until sink_close.
   * THREADS: concurrently unless SERIALIZE_CALLS. LIFETIME: after configure.
   * Whatever the return code, the plugin calls api->sink_close(sink, ...) exactly once (before it
   * returns when it does not keep the sink); after a non-OK return the host ignores pushes. */
  spire_status (*mint_x509_ca)(spire_plugin* self, spire_call* call, spire_bytes csr_der,
                               int32_t preferred_ttl_seconds, spire_upstream_sink* sink);

  /* publish_jwt_key (optional, NULL = SPIRE_UNIMPLEMENTED; SPIRE's PublishJWTKeyAndSubscribe):
   * publish the server's JWT key upstream and emit the upstream JWT keys with api->emit_jwt_keys;
   * later updates go to `sink`.
   * OWNERSHIP/THREADS/LIFETIME and sink rules: as mint_x509_ca. */
  spire_status (*publish_jwt_key)(spire_plugin* self, spire_call* call, const spire_jwt_key* key,
                                  spire_upstream_sink* sink);

  /* cancel_stream (optional): the host no longer listens to `sink`; the plugin should stop
   * pushing and call api->sink_close(sink, ...) soon (it may do so from this call).
   * OWNERSHIP: none; `sink` stays a valid pointer during this call even if the plugin has just
   *            closed it, but a closed sink must not be used: track open sinks under a lock.
   * THREADS: any host thread, concurrently with pushes to (or the closing of) that sink.
   * LIFETIME: at most once per sink. */
  void (*cancel_stream)(spire_plugin* self, spire_upstream_sink* sink);
} spire_upstream_authority_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_UPSTREAM_AUTHORITY_H */
