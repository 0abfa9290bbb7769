#include "plugin_host/host_context.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "plugin_host/datastore_results.h"
#include "spire/plugin/datastore.h"

namespace spire::plugin_host {
namespace {

std::string str(spire_str s) {
  return s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len);
}
Bytes bytes(spire_bytes b) {
  return b.ptr == nullptr ? Bytes() : Bytes(b.ptr, b.ptr + b.len);
}

// Checks that `call` accepts results of `kind`; records the refusal otherwise.
spire_status accept(spire_call* call, std::uint32_t kind, const char* what) {
  if (call == nullptr) {
    return SPIRE_INVALID_ARGUMENT;
  }
  if ((call->allowed & kind) == 0) {
    if (call->emit_error.isOk()) {
      call->emit_error =
          Status(StatusCode::kInternal, std::string("plugin emitted ") + what + " from " +
                                            call->method + ", which does not return one");
    }
    return SPIRE_INTERNAL;
  }
  return SPIRE_OK;
}

spire_status fail(spire_call* call, spire_status code, spire_str message) {
  if (call != nullptr) {
    call->error_message = str(message);
  }
  return code;
}

spdlog::level::level_enum toSpdlog(spire_log_level level) {
  switch (level) {
  case SPIRE_LOG_TRACE:
    return spdlog::level::trace;
  case SPIRE_LOG_DEBUG:
    return spdlog::level::debug;
  case SPIRE_LOG_INFO:
    return spdlog::level::info;
  case SPIRE_LOG_WARN:
    return spdlog::level::warn;
  default:
    return spdlog::level::err;
  }
}

bool logEnabled(spire_host* host, spire_log_level level) {
  return host != nullptr && host->logger && host->logger->should_log(toSpdlog(level));
}

void log(spire_host* host, spire_log_level level, spire_str message) {
  if (!logEnabled(host, level)) {
    return;
  }
  // SPIRE tags plugin logs with these two fields.
  host->logger->log(toSpdlog(level), "{} plugin_name={} plugin_type={}",
                    std::string_view(message.ptr == nullptr ? "" : message.ptr, message.len),
                    host->plugin_name, host->type_name);
}

spire_status emitNote(spire_call* call, spire_str note) {
  if (spire_status st = accept(call, kEmitNote, "a note"); st != SPIRE_OK) {
    return st;
  }
  call->results.notes.push_back(str(note));
  return SPIRE_OK;
}

spire_status emitSelectorValue(spire_call* call, spire_str value) {
  if (spire_status st = accept(call, kEmitSelectorValue, "a selector value"); st != SPIRE_OK) {
    return st;
  }
  call->results.selector_values.push_back(str(value));
  return SPIRE_OK;
}

spire_status emitBytes(spire_call* call, spire_bytes data) {
  if (spire_status st = accept(call, kEmitBytes, "bytes"); st != SPIRE_OK) {
    return st;
  }
  call->results.blobs.push_back(bytes(data));
  return SPIRE_OK;
}

spire_status emitAgentAttributes(spire_call* call, const spire_agent_attributes* attrs) {
  if (spire_status st = accept(call, kEmitAgentAttributes, "agent attributes"); st != SPIRE_OK) {
    return st;
  }
  if (attrs == nullptr || attrs->struct_size < sizeof(std::uint32_t)) {
    return SPIRE_INVALID_ARGUMENT;
  }
  AgentAttributes out;
  if (SPIRE_TABLE_HAS(attrs->struct_size, spire_agent_attributes, spiffe_id)) {
    out.spiffe_id = str(attrs->spiffe_id);
  }
  if (SPIRE_TABLE_HAS(attrs->struct_size, spire_agent_attributes, can_reattest)) {
    out.can_reattest = attrs->can_reattest;
  }
  call->results.agent_attributes = std::move(out);
  return SPIRE_OK;
}

spire_status emitPublicKey(spire_call* call, const spire_public_key* key) {
  if (spire_status st = accept(call, kEmitPublicKey, "a public key"); st != SPIRE_OK) {
    return st;
  }
  if (key == nullptr || !SPIRE_TABLE_HAS(key->struct_size, spire_public_key, fingerprint)) {
    return SPIRE_INVALID_ARGUMENT;
  }
  call->results.public_keys.push_back(
      PublicKey{str(key->id), key->type, bytes(key->pkix_der), str(key->fingerprint)});
  return SPIRE_OK;
}

spire_status emitSignature(spire_call* call, spire_bytes signature, spire_str fingerprint) {
  if (spire_status st = accept(call, kEmitSignature, "a signature"); st != SPIRE_OK) {
    return st;
  }
  call->results.signature = Signature{bytes(signature), str(fingerprint)};
  return SPIRE_OK;
}

std::vector<Bytes> bytesList(const spire_bytes* items, size_t count) {
  std::vector<Bytes> out;
  for (size_t i = 0; items != nullptr && i < count; ++i) {
    out.push_back(bytes(items[i]));
  }
  return out;
}

std::vector<JwtKey> jwtKeyList(const spire_jwt_key* keys, size_t count) {
  std::vector<JwtKey> out;
  for (size_t i = 0; keys != nullptr && i < count; ++i) {
    const spire_jwt_key& k = keys[i];
    JwtKey key;
    key.public_key_der = bytes(k.public_key_der);
    key.key_id = str(k.key_id);
    key.expires_at = k.expires_at;
    if (SPIRE_TABLE_HAS(k.struct_size, spire_jwt_key, tainted)) {
      key.tainted = k.tainted;
    }
    out.push_back(std::move(key));
  }
  return out;
}

spire_status emitX509Ca(spire_call* call, const spire_bytes* chain, size_t chain_len,
                        const spire_bytes* roots, size_t roots_len) {
  if (spire_status st = accept(call, kEmitX509Ca, "an X.509 CA"); st != SPIRE_OK) {
    return st;
  }
  call->results.x509_ca = X509CaResult{bytesList(chain, chain_len), bytesList(roots, roots_len)};
  return SPIRE_OK;
}

spire_status emitJwtKeys(spire_call* call, const spire_jwt_key* keys, size_t count) {
  if (spire_status st = accept(call, kEmitJwtKeys, "JWT keys"); st != SPIRE_OK) {
    return st;
  }
  for (JwtKey& key : jwtKeyList(keys, count)) {
    call->results.jwt_keys.push_back(std::move(key));
  }
  return SPIRE_OK;
}

spire_status sinkX509Roots(spire_upstream_sink* sink, const spire_bytes* roots, size_t count) {
  if (sink == nullptr) {
    return SPIRE_INVALID_ARGUMENT;
  }
  std::vector<Bytes> copy = bytesList(roots, count);
  std::function<void(std::vector<Bytes>)> handler;
  {
    std::lock_guard lock(sink->mu);
    if (sink->closed || sink->cancelled) {
      return SPIRE_CANCELLED;
    }
    handler = sink->handlers.on_x509_roots;
  }
  if (handler) {
    handler(std::move(copy));
  }
  return SPIRE_OK;
}

spire_status sinkJwtKeys(spire_upstream_sink* sink, const spire_jwt_key* keys, size_t count) {
  if (sink == nullptr) {
    return SPIRE_INVALID_ARGUMENT;
  }
  std::vector<JwtKey> copy = jwtKeyList(keys, count);
  std::function<void(std::vector<JwtKey>)> handler;
  {
    std::lock_guard lock(sink->mu);
    if (sink->closed || sink->cancelled) {
      return SPIRE_CANCELLED;
    }
    handler = sink->handlers.on_jwt_keys;
  }
  if (handler) {
    handler(std::move(copy));
  }
  return SPIRE_OK;
}

void sinkClose(spire_upstream_sink* sink, spire_status code, spire_str message) {
  if (sink == nullptr) {
    return;
  }
  std::shared_ptr<spire_upstream_sink> keep; // may be the last reference: released on return
  std::function<void(Status)> handler;
  {
    std::lock_guard lock(sink->mu);
    if (sink->closed) {
      return;
    }
    sink->closed = true;
    keep = std::move(sink->plugin_ref);
    if (!sink->cancelled) {
      handler = sink->handlers.on_close;
    }
  }
  if (handler) {
    handler(code == SPIRE_OK ? Status() : Status(static_cast<StatusCode>(code), str(message)));
  }
}

spire_status agentStoreGetAgentInfo(spire_host* host, spire_call* call, spire_str agent_id,
                                    spire_agent_info* out) {
  if (host == nullptr || call == nullptr || out == nullptr) {
    return SPIRE_INVALID_ARGUMENT;
  }
  if (!host->agent_store) {
    return fail(call, SPIRE_UNIMPLEMENTED, spire_str{"no agent store in this process", 30});
  }
  Result<std::optional<AgentInfo>> found = host->agent_store(str(agent_id));
  if (!found.isOk()) {
    const std::string& m = call->borrowed.emplace_back(found.status().message());
    return fail(call, static_cast<spire_status>(found.status().code()),
                spire_str{m.data(), m.size()});
  }
  if (!found->has_value()) {
    return SPIRE_NOT_FOUND;
  }
  const AgentInfo& info = **found;
  auto lend = [&](const std::string& s) {
    const std::string& kept = call->borrowed.emplace_back(s);
    return spire_str{kept.data(), kept.size()};
  };
  const std::uint32_t size = out->struct_size;
  spire_agent_info filled{};
  filled.struct_size = size;
  filled.agent_id = lend(info.agent_id);
  filled.node_attestor_type = lend(info.node_attestor_type);
  filled.x509svid_serial_number = lend(info.x509svid_serial_number);
  filled.x509svid_expires_at = info.x509svid_expires_at;
  filled.banned = info.banned;
  filled.can_reattest = info.can_reattest;
  // Never write past what the plugin's struct holds.
  std::memcpy(out, &filled, std::min<std::size_t>(size, sizeof(filled)));
  out->struct_size = size;
  return SPIRE_OK;
}

const spire_host_api kHostApi = {
    sizeof(spire_host_api),
    SPIRE_PLUGIN_ABI_VERSION,
    &fail,
    &logEnabled,
    &log,
    &emitNote,
    &emitSelectorValue,
    &emitBytes,
    &emitAgentAttributes,
    &emitPublicKey,
    &emitSignature,
    &emitX509Ca,
    &emitJwtKeys,
    &sinkX509Roots,
    &sinkJwtKeys,
    &sinkClose,
    &agentStoreGetAgentInfo,
    datastoreHostApi(),
};

} // namespace

const spire_host_api* hostApi() {
  return &kHostApi;
}

} // namespace spire::plugin_host

std::shared_ptr<spire_upstream_sink> spire_upstream_sink::create(Handlers handlers) {
  auto sink = std::make_shared<spire_upstream_sink>();
  sink->handlers = std::move(handlers);
  sink->plugin_ref = sink;
  return sink;
}

void spire_upstream_sink::cancel() {
  std::lock_guard lock(mu);
  cancelled = true;
}

bool spire_upstream_sink::isClosed() const {
  std::lock_guard lock(mu);
  return closed;
}
