#pragma once

// KeyManager "disk": the KeyStore plus a JSON key file, {"keys": {"<id>": "<base64 PKCS#8>"}}
// (the shape SPIRE's disk key manager writes). The server names the file with `keys_path`; the
// agent names a directory with `directory` and the file is "<directory>/keys.json". The file is
// created 0600 and replaced atomically on every GenerateKey; it is read on the first Configure
// only, as in SPIRE, so a reconfigure never drops keys held in memory.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "key_manager/common/key_store.h"

namespace spire::builtin::key_manager {

class DiskKeyManager {
public:
  static constexpr const char* kAgentKeysFile = "keys.json";

  DiskKeyManager();

  Status configure(std::string_view json_config);
  // The configured file, "" before Configure.
  std::string keysPath() const;
  // Unconfigured calls fail with FailedPrecondition "not configured".
  const KeyStore* store() const;
  KeyStore* store();

  // Exposed for tests: the file format.
  static std::string encodeKeys(const std::map<std::string, KeyStore::Entry>& entries);
  static Result<std::map<std::string, PkeyPtr>> decodeKeys(std::string_view text);

private:
  Status persist(const std::map<std::string, KeyStore::Entry>& entries);

  // Lock order: mu_, then the KeyStore's own mutex, then path_mu_ (persist runs under the
  // KeyStore's mutex and only needs the path).
  mutable std::mutex mu_;
  bool configured_ = false;
  mutable std::mutex path_mu_;
  std::string keys_path_;
  KeyStore store_;
};

} // namespace spire::builtin::key_manager
