#include "plugin_host/loaded_plugin.h"

#include <utility>

#include "plugin_host/plugin_type.h"

namespace spire::plugin_host {
namespace {

spire_str view(const std::string& s) {
  return spire_str{s.c_str(), s.size()};
}

StatusCode codeOf(spire_status code) {
  if (code < 0 || code > SPIRE_UNAUTHENTICATED) {
    return StatusCode::kUnknown;
  }
  return static_cast<StatusCode>(code);
}

} // namespace

LoadedPlugin::LoadedPlugin(std::string config_name, PluginInfo info,
                           const spire_plugin_descriptor* descriptor,
                           std::vector<unsigned char> vtable, std::unique_ptr<spire_host> host)
    : name_(std::move(config_name)), info_(std::move(info)), descriptor_(descriptor),
      vtable_(std::move(vtable)), host_(std::move(host)),
      serialize_((info_.flags & SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS) != 0) {}

LoadedPlugin::~LoadedPlugin() {
  if (created_ && descriptor_->destroy != nullptr) {
    descriptor_->destroy(self_);
  }
}

std::string LoadedPlugin::prefix() const {
  return configTypeName(info_.type) + " \"" + name_ + "\"";
}

Status LoadedPlugin::outcome(const spire_call& call, spire_status code,
                             std::string_view method) const {
  if (code != SPIRE_OK) {
    std::string message = call.error_message.value_or(std::string(method) + " failed with " +
                                                      std::string(statusCodeName(codeOf(code))));
    return Status(codeOf(code), prefix() + ": " + message);
  }
  if (!call.emit_error.isOk()) {
    return call.emit_error.withPrefix(prefix());
  }
  return Status();
}

Status LoadedPlugin::create() {
  spire_plugin* self = nullptr;
  Status st = invoke(0, "create", nullptr, nullptr, [&](spire_call* call) {
    return descriptor_->create(hostApi(), host_.get(), call, &self);
  });
  if (!st.isOk()) {
    return Status(st.code(), prefix() + ": failed to create plugin: " +
                                 st.message().substr(prefix().size() + 2));
  }
  self_ = self;
  created_ = true;
  return Status();
}

Status LoadedPlugin::configure(const std::string& trust_domain, const std::string& json) {
  spire_core_config core{};
  core.struct_size = sizeof(core);
  core.trust_domain = view(trust_domain);
  Status st = invoke(0, "configure", nullptr, nullptr, [&](spire_call* call) {
    return descriptor_->configure(self_, call, &core, view(json));
  });
  if (!st.isOk()) {
    return Status(st.code(), prefix() + ": failed to configure plugin: " +
                                 st.message().substr(prefix().size() + 2));
  }
  return Status();
}

Result<ValidationReport> LoadedPlugin::validate(const std::string& trust_domain,
                                                const std::string& json) {
  spire_core_config core{};
  core.struct_size = sizeof(core);
  core.trust_domain = view(trust_domain);
  ValidationReport report;
  if (descriptor_->validate == nullptr) {
    // No validate: configuring this (not yet configured) instance is the check.
    report.notes.push_back("plugin has no validate; checked by configuring it");
    Status st = configure(trust_domain, json);
    if (st.code() == StatusCode::kInvalidArgument) {
      report.valid = false;
      report.message = st.message();
    } else if (!st.isOk()) {
      return st;
    }
    return report;
  }
  CallResults results;
  Status st = invoke(kEmitNote, "validate", &results, nullptr, [&](spire_call* call) {
    return descriptor_->validate(self_, call, &core, view(json));
  });
  report.notes = std::move(results.notes);
  if (st.code() == StatusCode::kInvalidArgument) {
    report.valid = false;
    report.message = st.message();
  } else if (!st.isOk()) {
    return st;
  }
  return report;
}

} // namespace spire::plugin_host
