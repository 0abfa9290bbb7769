#pragma once

// KeyManager "memory": keys live only in this process. An agent using it re-attests after a
// restart; SPIRE documents no configuration for it, so any key is rejected.

#include <string_view>

#include "key_manager/common/key_store.h"
#include "shared/config_json.h"

namespace spire::builtin::key_manager {

class MemoryKeyManager {
public:
  Status configure(std::string_view json_config) {
    auto config = ConfigObject::parse(json_config, {});
    return config ? okStatus() : config.status();
  }
  KeyStore& store() { return store_; }
  const KeyStore& store() const { return store_; }

private:
  KeyStore store_;
};

} // namespace spire::builtin::key_manager
