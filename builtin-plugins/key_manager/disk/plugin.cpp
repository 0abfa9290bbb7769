// KeyManager "disk" as a plugin .so (server: keys_path; agent: directory).

#include "spire/plugin/cpp/plugin.hpp"
#include "key_manager/common/key_manager_plugin.h"
#include "key_manager/disk/disk_key_manager.h"

namespace spire::builtin::key_manager {
namespace {

class DiskKeyManagerPlugin final : public KeyManagerPluginBase {
public:
  static constexpr const char* kName = "disk";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "keys persisted in a JSON file (0600)";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    throwIfError(km_.configure(json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig&,
                                    const std::string& json) override {
    DiskKeyManager probe; // reads an existing key file, writes nothing
    throwIfError(probe.configure(json));
    return {"keys are stored in " + probe.keysPath()};
  }

protected:
  KeyStore& store() override {
    KeyStore* store = km_.store();
    if (store == nullptr) {
      throw spire::plugin::Error(SPIRE_FAILED_PRECONDITION, "not configured");
    }
    return *store;
  }

private:
  DiskKeyManager km_;
};

} // namespace
} // namespace spire::builtin::key_manager

SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<spire::builtin::key_manager::DiskKeyManagerPlugin>())
