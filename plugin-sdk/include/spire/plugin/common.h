/* spire-cpp plugin ABI: common types, the descriptor and the entry point.
 *
 * This header set is the whole contract between spire-server / spire-agent and a plugin shared
 * object. It is pure C11 (only <stdint.h>, <stddef.h>, <stdbool.h>), compiles as C++ too, and every
 * name starts with spire_ / SPIRE_. docs/plugin-abi.md states the compatibility rules.
 *
 * Conventions used by every function in the header set:
 *   - Strings are UTF-8 spire_str {ptr, len}. Strings the HOST passes are also NUL-terminated
 *     (ptr[len] == '\0') for convenience; strings a plugin passes need not be.
 *   - Bytes are spire_bytes {ptr, len}. A {NULL, 0} value is an empty string / empty buffer.
 *   - Inputs are owned by the caller and valid until the call returns. Results are EMITTED to the
 *     host through the emit_* functions of spire_host_api; the host copies them at once. Neither
 *     side ever frees memory the other allocated.
 *   - Every fallible function returns a spire_status (gRPC code). A plugin reports a message with
 *     spire_host_api.fail(call, code, message); the host prefixes it with the plugin type and name.
 *   - Nothing unwinds across the ABI: a C++ plugin catches every exception at the boundary.
 *   - Tables (descriptor, vtables, host API, input structs) begin with their size in bytes and only
 *     ever grow at the end.
 */
#ifndef SPIRE_PLUGIN_COMMON_H
#define SPIRE_PLUGIN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version this header describes. Bumped only on a breaking change; additions keep it. */
#define SPIRE_PLUGIN_ABI_VERSION 1u

/* The one symbol a plugin exports. */
#define SPIRE_PLUGIN_ENTRY_SYMBOL "spire_plugin_entry"

#if defined(__GNUC__) || defined(__clang__)
#define SPIRE_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define SPIRE_PLUGIN_EXPORT
#endif

/* ---- Status codes: the gRPC code set, as SPIRE maps plugin errors to gRPC statuses. ---- */
typedef int32_t spire_status;
enum {
  SPIRE_OK = 0,
  SPIRE_CANCELLED = 1,
  SPIRE_UNKNOWN = 2,
  SPIRE_INVALID_ARGUMENT = 3,
  SPIRE_DEADLINE_EXCEEDED = 4,
  SPIRE_NOT_FOUND = 5,
  SPIRE_ALREADY_EXISTS = 6,
  SPIRE_PERMISSION_DENIED = 7,
  SPIRE_RESOURCE_EXHAUSTED = 8,
  SPIRE_FAILED_PRECONDITION = 9,
  SPIRE_ABORTED = 10,
  SPIRE_OUT_OF_RANGE = 11,
  SPIRE_UNIMPLEMENTED = 12,
  SPIRE_INTERNAL = 13,
  SPIRE_UNAVAILABLE = 14,
  SPIRE_DATA_LOSS = 15,
  SPIRE_UNAUTHENTICATED = 16
};

/* ---- Plugin types. One .so may implement several (e.g. both sides of a node attestor). ---- */
typedef int32_t spire_plugin_type;
enum {
  SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR = 1, /* server "NodeAttestor"   server_node_attestor.h */
  SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR = 2,  /* agent "NodeAttestor"    agent_node_attestor.h */
  SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR = 3,    /* agent "WorkloadAttestor" workload_attestor.h */
  SPIRE_PLUGIN_TYPE_KEY_MANAGER = 4,          /* "KeyManager", server and agent  key_manager.h */
  SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY = 5,   /* server "UpstreamAuthority" upstream_authority.h */
  SPIRE_PLUGIN_TYPE_DATASTORE = 6             /* server "DataStore"      datastore.h */
};

/* ---- Log levels for spire_host_api.log / log_enabled. ---- */
typedef int32_t spire_log_level;
enum {
  SPIRE_LOG_TRACE = 0,
  SPIRE_LOG_DEBUG = 1,
  SPIRE_LOG_INFO = 2,
  SPIRE_LOG_WARN = 3,
  SPIRE_LOG_ERROR = 4
};

/* ---- Buffers. ---- */
typedef struct spire_str {
  const char* ptr; /* UTF-8, not necessarily NUL-terminated */
  size_t len;
} spire_str;

typedef struct spire_bytes {
  const uint8_t* ptr;
  size_t len;
} spire_bytes;

/* ---- Opaque handles. ---- */

/* A plugin instance: whatever the plugin's create() allocates. The host never looks inside. */
typedef struct spire_plugin spire_plugin;
/* The host's per-instance context (plugin name for logs, host services). Valid from create() until
 * destroy() returns; may be used from any thread, including the plugin's own threads. */
typedef struct spire_host spire_host;
/* The host's per-call context: collects emitted results and the error message of ONE call. Valid
 * only until the plugin function it was passed to returns; never store it. */
typedef struct spire_call spire_call;

struct spire_host_api; /* host.h */

/* ---- Core configuration handed to configure/validate (SPIRE's CoreConfiguration). ---- */
typedef struct spire_core_config {
  uint32_t struct_size;   /* sizeof(spire_core_config) of the host; read fields only below it */
  spire_str trust_domain; /* e.g. "example.org" */
} spire_core_config;

/* ---- Plugin lifecycle functions (in the descriptor). ----
 * Lifetime of an instance: create -> configure (may be called again to reconfigure) -> use ->
 * destroy. validate may be called on an instance that is never configured (`validate` command).
 */

/* create: allocate an instance.
 * OWNERSHIP: *out_self is owned by the plugin and released by destroy(). `api` and `host` are
 *            host-owned; `api` is valid for the life of the process, `host` until destroy returns.
 * THREADS: called once per instance from a host thread; no other call to this instance is made
 *          until it returns.
 * LIFETIME: first call of an instance. On a non-OK return the host does not call destroy and
 *           *out_self is ignored. */
typedef spire_status (*spire_plugin_create_fn)(const struct spire_host_api* api, spire_host* host,
                                               spire_call* call, spire_plugin** out_self);

/* destroy: release an instance. Must stop the plugin's own threads and close its sinks first.
 * OWNERSHIP: frees what create allocated; `self` is invalid afterwards.
 * THREADS: the host calls it only when no other call to this instance is in flight.
 * LIFETIME: last call of an instance. May be NULL when the instance owns nothing. */
typedef void (*spire_plugin_destroy_fn)(spire_plugin* self);

/* configure: apply plugin_data (JSON object text, "{}" when absent) and the core configuration.
 * OWNERSHIP: `core` and `json` are host-owned, valid until return; copy what you keep.
 * THREADS: the host does not call configure concurrently with itself; it may be concurrent with
 *          other calls on reconfiguration, so guard shared configuration with a lock.
 * LIFETIME: after create, before any type-specific method; again when the data changes.
 * ERRORS: SPIRE_INVALID_ARGUMENT for bad plugin_data, with a message naming the field. */
typedef spire_status (*spire_plugin_configure_fn)(spire_plugin* self, spire_call* call,
                                                  const spire_core_config* core, spire_str json);

/* validate: check a configuration without applying it; report notes with api->emit_note().
 * Returns SPIRE_OK when the configuration is valid, SPIRE_INVALID_ARGUMENT (with a message) when it
 * is not, another code when validation itself failed.
 * OWNERSHIP: as configure. THREADS: as configure.
 * LIFETIME: any time after create; does not change the instance. May be NULL: the host then
 *           validates by configuring a fresh instance. */
typedef spire_status (*spire_plugin_validate_fn)(spire_plugin* self, spire_call* call,
                                                 const spire_core_config* core, spire_str json);

/* Descriptor flags. */
enum {
  /* The host must not call this instance concurrently (it serialises every call). Without this
   * flag the host may call any method of one instance from several threads at once. */
  SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS = 1u << 0
};

/* ---- The descriptor: the plugin's identity card. ---- */
typedef struct spire_plugin_descriptor {
  uint32_t struct_size;            /* sizeof(spire_plugin_descriptor) the plugin was built with */
  uint32_t abi_version;            /* SPIRE_PLUGIN_ABI_VERSION the plugin was built with */
  spire_plugin_type plugin_type;   /* SPIRE_PLUGIN_TYPE_* */
  uint32_t flags;                  /* SPIRE_PLUGIN_FLAG_* */
  const char* name;                /* NUL-terminated, [a-z0-9_-]+, e.g. "unix" */
  const char* version;             /* NUL-terminated plugin version, free form, e.g. "1.0.0" */
  const char* description;         /* NUL-terminated one line, may be NULL */
  spire_plugin_create_fn create;   /* required */
  spire_plugin_destroy_fn destroy; /* optional */
  spire_plugin_configure_fn configure; /* required */
  spire_plugin_validate_fn validate;   /* optional */
  const void* vtable;   /* the type's vtable, e.g. const spire_workload_attestor_vtable* */
  uint32_t vtable_size; /* sizeof that vtable as the plugin was built */
} spire_plugin_descriptor;

/* ---- Entry point. ---- */
typedef struct spire_plugin_query {
  uint32_t struct_size;             /* sizeof(spire_plugin_query) of the host */
  uint32_t abi_min;                 /* lowest ABI version the host speaks */
  uint32_t abi_max;                 /* highest ABI version the host speaks */
  spire_plugin_type requested_type; /* the type the configuration block asks for */
  const struct spire_host_api* api; /* host API table, valid for the life of the process */
} spire_plugin_query;

/* spire_plugin_entry: the one symbol a plugin exports (extern "C", default visibility).
 * Returns the ABI version the plugin speaks: the highest version it supports within
 * [query->abi_min, query->abi_max], or, when it supports none, the version it was built for (the
 * host then refuses it with a precise message). Returns 0 to refuse loading for another reason.
 * Sets *out_descriptor to the descriptor of `requested_type` when the plugin implements it, else to
 * its primary descriptor (the host then reports the type mismatch).
 * OWNERSHIP: the descriptor, its strings and its vtable are static data of the plugin.
 * THREADS: may be called several times, from any host thread; must be idempotent.
 * LIFETIME: the descriptor must stay valid while the library is loaded (which is until exit). */
typedef uint32_t (*spire_plugin_entry_fn)(const spire_plugin_query* query,
                                          const spire_plugin_descriptor** out_descriptor);

/* Declaration of the entry point for a plugin's own translation unit. */
SPIRE_PLUGIN_EXPORT uint32_t spire_plugin_entry(const spire_plugin_query* query,
                                                const spire_plugin_descriptor** out_descriptor);

/* ---- Helpers. ---- */

/* True when a table of `size` bytes (its struct_size field) includes `member` of `type`. Use it
 * before calling a host API function added after the version you require. */
#define SPIRE_TABLE_HAS(size, type, member)                                                        \
  ((size_t)(size) >= offsetof(type, member) + sizeof(((type*)0)->member))

#ifdef __cplusplus
}
#endif

#endif /* SPIRE_PLUGIN_COMMON_H */
