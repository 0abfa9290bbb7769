#include "key_manager/disk/disk_key_manager.h"

#include <nlohmann/json.hpp>

#include "shared/config_json.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin::key_manager {

DiskKeyManager::DiskKeyManager()
    : store_([this](const std::map<std::string, KeyStore::Entry>& entries) {
        return persist(entries);
      }) {}

std::string DiskKeyManager::encodeKeys(const std::map<std::string, KeyStore::Entry>& entries) {
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [id, entry] : entries) {
    keys[id] = base64Encode(privateKeyPkcs8Der(entry.key.get()));
  }
  nlohmann::json doc = {{"keys", keys}};
  return doc.dump(2) + "\n";
}

Result<std::map<std::string, PkeyPtr>> DiskKeyManager::decodeKeys(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return invalidArgument("malformed keys file: not a JSON object");
  }
  std::map<std::string, PkeyPtr> out;
  if (!doc.contains("keys") || doc["keys"].is_null()) {
    return out;
  }
  if (!doc["keys"].is_object()) {
    return invalidArgument("malformed keys file: \"keys\" is not an object");
  }
  for (const auto& item : doc["keys"].items()) {
    std::string der;
    if (!item.value().is_string() || !base64Decode(item.value().get<std::string>(), der)) {
      return invalidArgument("malformed keys file: key \"" + item.key() + "\" is not base64");
    }
    auto key = parsePkcs8Der(der);
    if (!key) {
      return key.status().withPrefix("malformed keys file: key \"" + item.key() + "\"");
    }
    out[item.key()] = std::move(*key);
  }
  return out;
}

Status DiskKeyManager::configure(std::string_view json_config) {
  auto config = ConfigObject::parse(json_config, {"keys_path", "directory"});
  if (!config) {
    return config.status();
  }
  auto keys_path = config->getString("keys_path");
  if (!keys_path) {
    return keys_path.status();
  }
  auto directory = config->getString("directory");
  if (!directory) {
    return directory.status();
  }
  bool has_path = keys_path->has_value() && !(*keys_path)->empty();
  bool has_dir = directory->has_value() && !(*directory)->empty();
  if (has_path && has_dir) {
    return invalidArgument("only one of keys_path or directory may be set");
  }
  if (!has_path && !has_dir) {
    return invalidArgument("keys_path (server) or directory (agent) is required");
  }
  std::string path = has_path ? **keys_path : **directory + "/" + kAgentKeysFile;

  std::lock_guard lock(mu_);
  if (!configured_) {
    auto text = readFile(path);
    if (text) {
      auto keys = decodeKeys(*text);
      if (!keys) {
        return keys.status().withPrefix("unable to load keys from \"" + path + "\"");
      }
      if (Status st = store_.setEntries(std::move(*keys)); !st.isOk()) {
        return st.withPrefix("unable to load keys from \"" + path + "\"");
      }
    } else if (text.status().code() != Code::kNotFound) {
      return text.status();
    }
  }
  {
    std::lock_guard path_lock(path_mu_);
    keys_path_ = path;
  }
  configured_ = true;
  return okStatus();
}

std::string DiskKeyManager::keysPath() const {
  std::lock_guard lock(path_mu_);
  return keys_path_;
}

const KeyStore* DiskKeyManager::store() const {
  std::lock_guard lock(mu_);
  return configured_ ? &store_ : nullptr;
}

KeyStore* DiskKeyManager::store() {
  std::lock_guard lock(mu_);
  return configured_ ? &store_ : nullptr;
}

Status DiskKeyManager::persist(const std::map<std::string, KeyStore::Entry>& entries) {
  std::string path = keysPath();
  if (Status st = writeFileAtomic(path, encodeKeys(entries)); !st.isOk()) {
    return internalError("unable to write key file: " + st.message());
  }
  return okStatus();
}

} // namespace spire::builtin::key_manager
