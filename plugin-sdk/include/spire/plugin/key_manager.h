/* spire-cpp plugin ABI: KeyManager (SPIRE plugin/server/keymanager/v1 and
 * plugin/agent/keymanager/v1, identical shape). Plugin type SPIRE_PLUGIN_TYPE_KEY_MANAGER; config
 * block `KeyManager "<name>"` in the server or the agent.
 */
#ifndef SPIRE_PLUGIN_KEY_MANAGER_H
#define SPIRE_PLUGIN_KEY_MANAGER_H

#include "spire/plugin/host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of sign_data (SPIRE's SignDataRequest signer_opts oneof). */
typedef struct spire_signer_opts {
  uint32_t struct_size;
  spire_hash_algorithm hash_algorithm; /* hash that produced `data` (both PKCS#1/ECDSA and PSS) */
  bool pss;                            /* RSA-PSS instead of PKCS#1 v1.5 (RSA keys only) */
  int32_t pss_salt_length;             /* when pss: salt length in bytes; 0 = hash length */
} spire_signer_opts;

typedef struct spire_key_manager_vtable {
  uint32_t struct_size; /* sizeof(spire_key_manager_vtable) as the plugin was built */

  /* generate_key (required): create key `key_id` of `key_type` (replacing any key with that id,
   * with a new fingerprint) and emit its public key with api->emit_public_key.
   * OWNERSHIP: inputs host-owned until return. THREADS: concurrently unless SERIALIZE_CALLS; the
   * plugin makes concurrent generate/sign on one id safe. LIFETIME: after configure.
   * ERRORS: SPIRE_INVALID_ARGUMENT for an empty id or an unknown key type. */
  spire_status (*generate_key)(spire_plugin* self, spire_call* call, spire_str key_id,
                               spire_key_type key_type);

  /* get_public_key (required): emit the public key `key_id`; SPIRE_NOT_FOUND when absent.
   * OWNERSHIP/THREADS/LIFETIME: as generate_key. */
  spire_status (*get_public_key)(spire_plugin* self, spire_call* call, spire_str key_id);

  /* get_public_keys (required): emit every public key (zero or more emit_public_key).
   * OWNERSHIP/THREADS/LIFETIME: as generate_key. */
  spire_status (*get_public_keys)(spire_plugin* self, spire_call* call);

  /* sign_data (required): sign `data` (already a digest made with opts->hash_algorithm) with key
   * `key_id` and emit the signature (ASN.1 DER for ECDSA, raw for RSA) plus the key's fingerprint
   * with api->emit_signature. SPIRE_NOT_FOUND when the key is absent, SPIRE_INVALID_ARGUMENT for
   * options the key cannot use (e.g. PSS with an EC key, unspecified hash).
   * OWNERSHIP/THREADS/LIFETIME: as generate_key. */
  spire_status (*sign_data)(spire_plugin* self, spire_call* call, spire_str key_id,
                            spire_bytes data, const spire_signer_opts* opts);
} spire_key_manager_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_KEY_MANAGER_H */
