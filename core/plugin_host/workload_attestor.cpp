#include "plugin_host/workload_attestor.h"

#include <spdlog/spdlog.h>

#include "spire/plugin/workload_attestor.h"

namespace spire::plugin_host {

Result<std::vector<Selector>> WorkloadAttestorPlugin::attest(std::int32_t pid) const {
  const auto& vt = plugin_->vtable<spire_workload_attestor_vtable>();
  CallResults results;
  Status st =
      plugin_->invoke(kEmitSelectorValue, "attest", &results, nullptr,
                      [&](spire_call* call) { return vt.attest(plugin_->self(), call, pid); });
  if (!st.isOk()) {
    return st;
  }
  std::vector<Selector> out;
  out.reserve(results.selector_values.size());
  for (std::string& value : results.selector_values) {
    out.push_back(Selector{plugin_->name(), std::move(value)});
  }
  return out;
}

WorkloadAttestors::WorkloadAttestors(std::vector<WorkloadAttestorPlugin> attestors,
                                     std::shared_ptr<spdlog::logger> logger)
    : attestors_(std::move(attestors)),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

Result<std::vector<Selector>> WorkloadAttestors::attestAll(std::int32_t pid) const {
  std::vector<Selector> merged;
  Status last_error;
  std::size_t failures = 0;
  for (const WorkloadAttestorPlugin& attestor : attestors_) {
    Result<std::vector<Selector>> selectors = attestor.attest(pid);
    if (!selectors.isOk()) {
      ++failures;
      last_error = selectors.status();
      logger_->error("Failed to attest workload pid={} error=\"{}\"", pid,
                     selectors.status().toString());
      continue;
    }
    for (Selector& s : *selectors) {
      merged.push_back(std::move(s));
    }
  }
  if (!attestors_.empty() && failures == attestors_.size()) {
    return Status(last_error.code(), "workload attestation failed: every attestor failed; last: " +
                                         last_error.message());
  }
  return merged;
}

} // namespace spire::plugin_host
