/* spire-cpp plugin ABI: flat data structs shared by several plugin types and the host API.
 * Every struct begins with struct_size (sizeof as the writer was built) and only grows at the end;
 * a reader uses only the fields that lie below struct_size. Pointers inside are owned by whoever
 * filled the struct and valid until the call that carries it returns.
 */
#ifndef SPIRE_PLUGIN_TYPES_H
#define SPIRE_PLUGIN_TYPES_H

#include "spire/plugin/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A selector with its type, e.g. {"unix", "uid:1000"}. Workload and node attestors emit only
 * values (the type is the plugin name); the datastore stores typed selectors. */
typedef struct spire_selector {
  spire_str type;
  spire_str value;
} spire_selector;

/* KeyManager key types, values as SPIRE's KeyType enum. */
typedef int32_t spire_key_type;
enum {
  SPIRE_KEY_TYPE_UNSPECIFIED = 0,
  SPIRE_KEY_TYPE_EC_P256 = 1,
  SPIRE_KEY_TYPE_EC_P384 = 2,
  SPIRE_KEY_TYPE_RSA_2048 = 3,
  SPIRE_KEY_TYPE_RSA_4096 = 4
};

/* Hash algorithms, values as SPIRE's HashAlgorithm enum (Go crypto.Hash numbers). */
typedef int32_t spire_hash_algorithm;
enum {
  SPIRE_HASH_UNSPECIFIED = 0,
  SPIRE_HASH_SHA224 = 4,
  SPIRE_HASH_SHA256 = 5,
  SPIRE_HASH_SHA384 = 6,
  SPIRE_HASH_SHA512 = 7,
  SPIRE_HASH_SHA3_224 = 10,
  SPIRE_HASH_SHA3_256 = 11,
  SPIRE_HASH_SHA3_384 = 12,
  SPIRE_HASH_SHA3_512 = 13,
  SPIRE_HASH_SHA512_224 = 14,
  SPIRE_HASH_SHA512_256 = 15
};

/* A KeyManager public key (SPIRE's PublicKey). */
typedef struct spire_public_key {
  uint32_t struct_size;
  spire_str id;          /* key id, e.g. "x509-CA-A" */
  spire_key_type type;   /* SPIRE_KEY_TYPE_* */
  spire_bytes pkix_der;  /* SubjectPublicKeyInfo DER */
  spire_str fingerprint; /* changes whenever the key is regenerated (e.g. hex SHA-256 of pkix) */
} spire_public_key;

/* A JWT signing key (SPIRE's types.JWTKey). */
typedef struct spire_jwt_key {
  uint32_t struct_size;
  spire_bytes public_key_der; /* PKIX DER */
  spire_str key_id;
  int64_t expires_at; /* Unix seconds */
  bool tainted;
} spire_jwt_key;

/* An X.509 authority (SPIRE's types.X509Certificate). */
typedef struct spire_x509_authority {
  uint32_t struct_size;
  spire_bytes der;
  bool tainted;
} spire_x509_authority;

/* Result of a server node attestation (SPIRE's AgentAttributes). Selector values are emitted
 * separately with emit_selector_value; their type is the plugin name. */
typedef struct spire_agent_attributes {
  uint32_t struct_size;
  spire_str spiffe_id; /* spiffe://<td>/spire/agent/<plugin>/<suffix> by convention */
  bool can_reattest;
} spire_agent_attributes;

/* An attested agent as the server's agent store knows it (SPIRE's AgentStore AgentInfo). */
typedef struct spire_agent_info {
  uint32_t struct_size;
  spire_str agent_id;
  spire_str node_attestor_type;
  spire_str x509svid_serial_number;
  int64_t x509svid_expires_at; /* Unix seconds */
  bool banned;
  bool can_reattest;
} spire_agent_info;

/* A host-owned sink the UpstreamAuthority pushes later updates into (see upstream_authority.h). */
typedef struct spire_upstream_sink spire_upstream_sink;

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_TYPES_H */
