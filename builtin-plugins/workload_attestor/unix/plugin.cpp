// WorkloadAttestor "unix" as a plugin .so.

#include "spire/plugin/cpp/plugin.hpp"
#include "shared/sdk_glue.h"
#include "workload_attestor/unix/unix_attestor.h"

namespace spire::builtin::workload_attestor {
namespace {

class UnixAttestorPlugin final : public spire::plugin::WorkloadAttestor {
public:
  static constexpr const char* kName = "unix";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "uid/gid/groups (and binary path/sha256) of a pid";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    throwIfError(attestor_.configure(json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig&,
                                    const std::string& json) override {
    auto config = valueOrThrow(UnixAttestor::parseConfig(json));
    std::vector<std::string> notes;
    if (config.discover_workload_path) {
      notes.emplace_back("discover_workload_path needs permission to read /proc/<pid>/exe of "
                         "workloads (root or the workload's user)");
    }
    return notes;
  }
  std::vector<std::string> attest(std::int32_t pid) override {
    return valueOrThrow(attestor_.attest(pid));
  }

private:
  UnixAttestor attestor_;
};

} // namespace
} // namespace spire::builtin::workload_attestor

SPIRE_CPP_PLUGIN(
    spire::plugin::descriptorOf<spire::builtin::workload_attestor::UnixAttestorPlugin>())
