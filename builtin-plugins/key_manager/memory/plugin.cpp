// KeyManager "memory" as a plugin .so (server and agent).

#include "spire/plugin/cpp/plugin.hpp"
#include "key_manager/common/key_manager_plugin.h"
#include "key_manager/memory/memory_key_manager.h"

namespace spire::builtin::key_manager {
namespace {

class MemoryKeyManagerPlugin final : public KeyManagerPluginBase {
public:
  static constexpr const char* kName = "memory";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "keys in memory only (lost on restart)";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    throwIfError(km_.configure(json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig&,
                                    const std::string& json) override {
    MemoryKeyManager probe;
    throwIfError(probe.configure(json));
    return {};
  }

protected:
  KeyStore& store() override { return km_.store(); }

private:
  MemoryKeyManager km_;
};

} // namespace
} // namespace spire::builtin::key_manager

SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<spire::builtin::key_manager::MemoryKeyManagerPlugin>())
