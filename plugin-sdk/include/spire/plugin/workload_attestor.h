/* spire-cpp plugin ABI: agent WorkloadAttestor (SPIRE plugin/agent/workloadattestor/v1).
 * Plugin type SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR; config block `WorkloadAttestor "<name>"`.
 */
#ifndef SPIRE_PLUGIN_WORKLOAD_ATTESTOR_H
#define SPIRE_PLUGIN_WORKLOAD_ATTESTOR_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spire_workload_attestor_vtable {
  uint32_t struct_size; /* sizeof(spire_workload_attestor_vtable) as the plugin was built */

  /* attest (required): emit the selector VALUES of process `pid` with api->emit_selector_value
   * (the host types them with the plugin name: value "uid:1000" becomes "unix:uid:1000").
   * Emitting nothing is a valid answer (the attestor knows nothing about the process).
   * OWNERSHIP: emitted values are copied by the host.
   * THREADS: concurrently from several host threads unless SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS.
   * LIFETIME: after a successful configure, until destroy.
   * ERRORS: e.g. SPIRE_NOT_FOUND when the process is gone; the agent logs and skips a failing
   *         attestor and still uses the selectors of the others. */
  spire_status (*attest)(spire_plugin* self, spire_call* call, int32_t pid);
} spire_workload_attestor_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_WORKLOAD_ATTESTOR_H */
