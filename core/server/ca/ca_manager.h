#pragma once

// spire-server's certificate authority: the X.509 CA and the JWT signing key, each in two slots
// (A/B) that are PREPARED, ACTIVE or OLD, rotated by SPIRE's thresholds (inventory §8):
//   prepare the next authority when now > NotAfter - min(lifetime/2, 30d),
//   activate it when now > NotAfter - min(lifetime/6, 7d).
// A prepared authority joins the trust bundle at once, so agents trust it before it signs.
// Keys stay in the KeyManager ("x509-CA-A"/"x509-CA-B", "JWT-Signer-A"/"JWT-Signer-B"); the slot
// state is journalled in the DataStore (journal.h) so a restart resumes with the same CA.
//
// THREADS: start/rotate/pruneBundle run on one rotation thread at a time (they serialise on a
// mutex). The sign* methods and snapshot() may run on any number of threads concurrently: they
// read an immutable CaSnapshot published through an atomic shared_ptr, take no lock and make no
// DataStore call.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/key.h"
#include "crypto/openssl_ptr.h"
#include "jwt/jwt_bundle.h"
#include "server/ca/ca_store.h"
#include "server/ca/credential_builder.h"
#include "server/ca/journal.h"
#include "server/ca/key_store.h"
#include "server/ca/remote_signer.h"
#include "server/ca/upstream.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_bundle.h"

namespace spire::server::ca {

using Clock = std::function<TimePoint()>;

struct CaManagerConfig {
  CredentialConfig credentials;
  crypto::KeyType ca_key_type = crypto::KeyType::kEcP256;  // ca_key_type
  crypto::KeyType jwt_key_type = crypto::KeyType::kEcP256; // jwt_key_type
  Clock clock;                                             // empty = std::chrono::system_clock::now
  UpstreamMinter upstream;                                 // empty = self-signed CA
};

// An X.509 CA ready to sign. Immutable.
struct X509Authority {
  RemoteSigner signer;
  crypto::X509Shared certificate;
  // Appended after the leaf of every SVID: the minted chain (this CA first) with an upstream
  // authority, empty for a self-signed CA (the bundle holds it).
  std::vector<crypto::X509Shared> chain;
  TimePoint issued_at;
  TimePoint not_after;
  std::string authority_id; // hex SKI
};

// A JWT signing key ready to sign. Immutable.
struct JwtAuthority {
  RemoteSigner signer;
  std::string kid;
  TimePoint issued_at;
  TimePoint not_after;
};

// What the hot path reads. Immutable once published.
struct CaSnapshot {
  std::shared_ptr<const X509Authority> x509; // the active CA; null before start succeeded
  std::shared_ptr<const JwtAuthority> jwt;   // the active JWT key
  std::shared_ptr<const x509::X509Bundle> bundle;
  std::shared_ptr<const jwt::JwtBundle> jwt_bundle;
};

// One slot, for status and tests.
struct SlotInfo {
  std::string slot;                 // "A" / "B"
  std::optional<SlotStatus> status; // nullopt = never used
  std::string authority_id;         // hex SKI or kid; "" when empty
  TimePoint not_after;
};

// Error texts.
inline constexpr std::string_view kErrNoX509Ca = "X509 CA is not available for signing";
inline constexpr std::string_view kErrNoJwtKey = "JWT key is not available for signing";
inline constexpr std::string_view kErrNoPublicKey = "public key is required";

class CaManager {
public:
  // Loads the journal, resumes every still-valid authority whose key the KeyStore still holds,
  // then rotates (preparing and activating what is missing). LIFETIME: `keys` and `store`
  // outlive the manager.
  static Result<std::unique_ptr<CaManager>> start(CaManagerConfig config, const KeyStore& keys,
                                                  const CaStore& store);

  // Applies the prepare/activate thresholds to both kinds at the clock's time (the rotator calls
  // this every 10s).
  Status rotate();
  // Removes bundle authorities that expired more than 24h ago.
  Status pruneBundle();
  // Re-reads the trust bundle from the datastore into the snapshot: after the Bundle API changed
  // it, and periodically, so that authorities other servers of an HA deployment added are
  // trusted here too.
  Status reloadBundle();

  std::shared_ptr<const CaSnapshot> snapshot() const { return snapshot_.load(); }
  std::vector<SlotInfo> x509Slots() const;
  std::vector<SlotInfo> jwtSlots() const;
  const CredentialBuilder& credentials() const { return builder_; }

  // Chains are the leaf then X509Authority::chain. ttl 0 = the configured default; NotAfter is
  // capped to the active CA's NotAfter.
  Result<std::vector<crypto::X509Shared>>
  signWorkloadX509Svid(const spiffe::SpiffeId& id, const EVP_PKEY* public_key,
                       std::chrono::seconds ttl, const std::vector<std::string>& dns_names) const;
  // Same, the key taken from a PKCS#10 CSR whose signature must verify (its names are ignored:
  // the ID comes from the registration entry).
  Result<std::vector<crypto::X509Shared>>
  signWorkloadX509SvidFromCsr(const spiffe::SpiffeId& id, std::string_view csr_der,
                              std::chrono::seconds ttl,
                              const std::vector<std::string>& dns_names) const;
  // Same, the key given as the DER SubjectPublicKeyInfo of a CSR whose signature the caller
  // verified (crypto::IssuanceCsr), copied into the leaf as is: the BatchNewX509SVID hot path.
  // The leaf carries no decoded key (X509_get0_pubkey is null): it is for serialising.
  Result<std::vector<crypto::X509Shared>>
  signWorkloadX509SvidForKeyInfo(const spiffe::SpiffeId& id, std::string_view spki_der,
                                 std::chrono::seconds ttl,
                                 const std::vector<std::string>& dns_names) const;
  Result<std::vector<crypto::X509Shared>> signAgentX509Svid(const spiffe::SpiffeId& agent_id,
                                                            const EVP_PKEY* public_key) const;
  Result<std::vector<crypto::X509Shared>> signServerX509Svid(const EVP_PKEY* public_key) const;
  // A compact JWT-SVID, header {"alg","kid","typ":"JWT"}; exp capped to the key's NotAfter.
  Result<std::string>
  signJwtSvid(const spiffe::SpiffeId& id, const std::vector<std::string>& audience,
              std::chrono::seconds ttl,
              const nlohmann::json& extra_claims = nlohmann::json::object()) const;

private:
  struct X509Slot {
    std::string id;
    std::optional<X509CaRecord> record;             // journal entry (kept for OLD slots)
    std::shared_ptr<const X509Authority> authority; // null = empty
  };
  struct JwtSlot {
    std::string id;
    std::optional<JwtKeyRecord> record;
    std::shared_ptr<const JwtAuthority> authority;
  };

  CaManager(CaManagerConfig config, const KeyStore& keys, const CaStore& store);

  TimePoint now() const;
  Status load(TimePoint now);
  bool journalIsOurs(const Journal& journal) const;
  Status rotateX509(TimePoint now);
  Status rotateJwt(TimePoint now);
  Status prepareX509(X509Slot& slot, TimePoint now);
  Status prepareJwt(JwtSlot& slot, TimePoint now);
  void activateX509();
  void activateJwt();
  Status saveJournal();
  Status refreshBundle();
  void publish();
  Result<std::vector<crypto::X509Shared>> issue(const Result<crypto::CertificateTemplate>& tmpl,
                                                const X509Authority& ca,
                                                const EVP_PKEY* public_key) const;
  Result<std::vector<crypto::X509Shared>>
  issueForKeyInfo(const Result<crypto::CertificateTemplate>& tmpl, const X509Authority& ca,
                  std::string_view spki_der) const;

  CaManagerConfig config_;
  CredentialBuilder builder_;
  const KeyStore& keys_;
  const CaStore& store_;

  mutable std::mutex mutex_; // guards everything below except snapshot_
  X509Slot x509_slots_[2];
  JwtSlot jwt_slots_[2];
  int x509_current_ = 0;
  int jwt_current_ = 0;
  std::int64_t journal_id_ = 0;
  std::shared_ptr<const x509::X509Bundle> bundle_;
  std::shared_ptr<const jwt::JwtBundle> jwt_bundle_;

  std::atomic<std::shared_ptr<const CaSnapshot>> snapshot_;
};

} // namespace spire::server::ca
