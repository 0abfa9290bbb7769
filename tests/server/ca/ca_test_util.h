#pragma once

// Stand-ins and loaders for the CA tests: a settable clock, an in-memory CaStore with the
// DataStore's append/prune semantics, an in-process KeyStore, and loaders for the built-in
// KeyManager "memory", DataStore "sql" and UpstreamAuthority "disk" plugins.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/encoding.h"
#include "crypto/certificate.h"
#include "crypto/signer.h"
#include "plugin_host/loader.h"
#include "server/ca/ca_manager.h"
#include "server/ca/ca_store.h"
#include "server/ca/key_store.h"

namespace spire::server::ca::testing {

using namespace std::chrono_literals;

// 2030-01-01T00:00:00Z, so certificates never depend on the wall clock.
inline TimePoint startTime() {
  return TimePoint(std::chrono::seconds(1893456000));
}

class FakeClock {
public:
  TimePoint now() const { return TimePoint(std::chrono::seconds(seconds_.load())); }
  void set(TimePoint t) {
    seconds_ = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  }
  void advance(std::chrono::seconds d) { seconds_ += d.count(); }
  Clock clock() const {
    return [this] { return now(); };
  }

private:
  std::atomic<std::int64_t> seconds_{
      std::chrono::duration_cast<std::chrono::seconds>(startTime().time_since_epoch()).count()};
};

// Keys in this process (for tests that need to count or break KeyManager calls).
class LocalKeyStore final : public KeyStore {
public:
  Result<crypto::EvpPkeyPtr> generateKey(const std::string& key_id,
                                         crypto::KeyType type) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fail_generate) {
      return Status(StatusCode::kInternal, "generate failed");
    }
    Result<crypto::EvpPkeyPtr> key = crypto::generateKey(type);
    if (!key) {
      return key.status();
    }
    EVP_PKEY* raw = key->release();
    keys_[key_id] = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
    ++generated;
    return crypto::upRef(raw);
  }
  Result<crypto::EvpPkeyPtr> getPublicKey(const std::string& key_id) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = keys_.find(key_id);
    if (it == keys_.end()) {
      return notFound("no such key \"" + key_id + "\"");
    }
    return crypto::upRef(it->second.get());
  }
  Result<std::string> signDigest(const std::string& key_id, std::string_view digest,
                                 crypto::HashAlgorithm hash) const override {
    std::shared_ptr<EVP_PKEY> key;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = keys_.find(key_id);
      if (it == keys_.end()) {
        return notFound("no such key \"" + key_id + "\"");
      }
      key = it->second;
      ++signatures;
    }
    if (corrupt_signatures) {
      return std::string(72, '\x30');
    }
    return crypto::signDigest(*key, digest, hash);
  }
  void forget(const std::string& key_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    keys_.erase(key_id);
  }

  mutable int generated = 0;
  mutable int signatures = 0;
  bool fail_generate = false;
  bool corrupt_signatures = false;

private:
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<EVP_PKEY>> keys_;
};

// The DataStore's CA journal and bundle operations in memory.
class MemoryCaStore final : public CaStore {
public:
  Result<std::vector<plugin_host::CaJournal>> journals() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<plugin_host::CaJournal> out;
    for (auto it = journals_.rbegin(); it != journals_.rend(); ++it) {
      out.push_back(it->second);
    }
    return out;
  }
  Result<plugin_host::CaJournal> setJournal(const plugin_host::CaJournal& journal) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    plugin_host::CaJournal row = journal;
    if (row.id == 0) {
      row.id = ++next_id_;
    }
    journals_[row.id] = row;
    ++journal_writes;
    return row;
  }
  Result<plugin_host::Bundle> appendBundle(const plugin_host::Bundle& bundle) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    plugin_host::Bundle& stored = bundles_[bundle.trust_domain];
    stored.trust_domain = bundle.trust_domain;
    for (const auto& authority : bundle.x509_authorities) {
      bool present = false;
      for (const auto& existing : stored.x509_authorities) {
        present = present || existing.der == authority.der;
      }
      if (!present) {
        stored.x509_authorities.push_back(authority);
      }
    }
    for (const auto& key : bundle.jwt_authorities) {
      stored.jwt_authorities.push_back(key);
    }
    ++stored.sequence_number;
    return stored;
  }
  Result<std::optional<plugin_host::Bundle>>
  fetchBundle(const std::string& trust_domain) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++bundle_fetches;
    auto it = bundles_.find(trust_domain);
    if (it == bundles_.end()) {
      return std::optional<plugin_host::Bundle>();
    }
    return std::optional<plugin_host::Bundle>(it->second);
  }
  Result<bool> pruneBundle(const std::string& trust_domain,
                           std::int64_t expires_before) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = bundles_.find(trust_domain);
    if (it == bundles_.end()) {
      return notFound("bundle not found");
    }
    plugin_host::Bundle& bundle = it->second;
    std::size_t before = bundle.x509_authorities.size() + bundle.jwt_authorities.size();
    std::erase_if(bundle.x509_authorities, [&](const plugin_host::X509Authority& authority) {
      auto cert = crypto::parseCertificateDer(asStringView(authority.der));
      return cert && std::chrono::duration_cast<std::chrono::seconds>(
                         crypto::notAfter(**cert).time_since_epoch())
                             .count() < expires_before;
    });
    std::erase_if(bundle.jwt_authorities,
                  [&](const plugin_host::JwtKey& key) { return key.expires_at < expires_before; });
    return before != bundle.x509_authorities.size() + bundle.jwt_authorities.size();
  }

  mutable int journal_writes = 0;
  mutable int bundle_fetches = 0;

private:
  mutable std::mutex mutex_;
  mutable std::int64_t next_id_ = 0;
  mutable std::map<std::int64_t, plugin_host::CaJournal> journals_;
  mutable std::map<std::string, plugin_host::Bundle> bundles_;
};

inline std::filesystem::path pluginDir() {
  return SPIRE_CA_TEST_PLUGIN_DIR;
}

// Loads a built-in plugin from this build; the error status when that fails.
inline Result<plugin_host::LoadedPluginPtr>
loadBuiltin(const std::string& type, const std::string& name, const std::string& data_json = "{}") {
  config::PluginSpec spec;
  spec.type = type;
  spec.name = name;
  spec.data_json = data_json;
  plugin_host::LoaderOptions options;
  options.role = plugin_host::Role::kServer;
  options.plugin_dir = pluginDir();
  options.trust_domain = "example.org";
  return plugin_host::loadPlugin(spec, options);
}

} // namespace spire::server::ca::testing
