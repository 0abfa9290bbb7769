#pragma once

// The host side of the ABI's opaque handles: spire_host (one per plugin instance), spire_call (one
// per call: which results it accepts, what was emitted, the error message) and
// spire_upstream_sink, plus the static spire_host_api table every plugin receives.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "common/status.h"
#include "plugin_host/plugin_results.h"
#include "spire/plugin/host.h"

namespace spire::plugin_host {

struct DatastoreResults; // datastore_results.h

// Which emitters a call accepts.
enum EmitKind : std::uint32_t {
  kEmitNote = 1u << 0,
  kEmitSelectorValue = 1u << 1,
  kEmitBytes = 1u << 2,
  kEmitAgentAttributes = 1u << 3,
  kEmitPublicKey = 1u << 4,
  kEmitSignature = 1u << 5,
  kEmitX509Ca = 1u << 6,
  kEmitJwtKeys = 1u << 7,
  kEmitDatastore = 1u << 8,
};

// Everything one call may emit.
struct CallResults {
  std::vector<std::string> notes;
  std::vector<std::string> selector_values;
  std::vector<Bytes> blobs;
  std::optional<AgentAttributes> agent_attributes;
  std::vector<PublicKey> public_keys;
  std::optional<Signature> signature;
  std::optional<X509CaResult> x509_ca;
  std::vector<JwtKey> jwt_keys;
};

// The global table handed to every plugin (static, never freed).
const spire_host_api* hostApi();

} // namespace spire::plugin_host

// Per-instance host context. Thread-safe: immutable after creation.
struct spire_host {
  std::string type_name;   // "WorkloadAttestor"
  std::string plugin_name; // "unix"
  std::shared_ptr<spdlog::logger> logger;
  spire::plugin_host::AgentStoreLookup agent_store; // empty in the agent
};

// Per-call context. Used only on the thread running the call.
struct spire_call {
  spire_call(spire_host* h, std::uint32_t allowed_kinds, std::string method_name)
      : host(h), allowed(allowed_kinds), method(std::move(method_name)) {}

  spire_host* host;
  std::uint32_t allowed;
  std::string method; // "attest", for messages
  spire::plugin_host::CallResults results;
  spire::plugin_host::DatastoreResults* datastore = nullptr;
  std::optional<std::string> error_message; // set by fail()
  spire::Status emit_error;                 // set when an emitter refused a result
  std::deque<std::string> borrowed;         // host strings lent to the plugin for this call
};

// Host-owned sink of an UpstreamAuthority stream. Kept alive by the host's shared_ptr and by the
// plugin's reference until sink_close.
struct spire_upstream_sink {
  struct Handlers {
    std::function<void(std::vector<spire::plugin_host::Bytes>)> on_x509_roots;
    std::function<void(std::vector<spire::plugin_host::JwtKey>)> on_jwt_keys;
    std::function<void(spire::Status)> on_close;
  };

  static std::shared_ptr<spire_upstream_sink> create(Handlers handlers);

  // Host side: stop delivering; later pushes return SPIRE_CANCELLED.
  void cancel();
  bool isClosed() const;

  mutable std::mutex mu;
  Handlers handlers;
  bool cancelled = false;
  bool closed = false;
  std::shared_ptr<spire_upstream_sink> plugin_ref; // the plugin's reference, dropped by close
};
