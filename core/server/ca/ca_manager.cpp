#include "server/ca/ca_manager.h"

#include <algorithm>

#include <openssl/rand.h>

#include "common/encoding.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "server/ca/remote_certificate.h"
#include "server/ca/remote_jws.h"

namespace spire::server::ca {
namespace {

using std::chrono::seconds;

constexpr seconds kThirtyDays{30 * 24 * 3600};
constexpr seconds kSevenDays{7 * 24 * 3600};
constexpr seconds kBundlePruneGrace{24 * 3600};

std::int64_t unixSeconds(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}
TimePoint fromUnix(std::int64_t s) {
  return TimePoint(seconds(s));
}

// slot.go preparationThreshold / keyActivationThreshold.
TimePoint preparationThreshold(TimePoint issued_at, TimePoint not_after) {
  auto lifetime = std::chrono::duration_cast<seconds>(not_after - issued_at);
  return not_after - std::min(lifetime / 2, kThirtyDays);
}
TimePoint activationThreshold(TimePoint issued_at, TimePoint not_after) {
  auto lifetime = std::chrono::duration_cast<seconds>(not_after - issued_at);
  return not_after - std::min(lifetime / 6, kSevenDays);
}

// SPIRE's JWT key IDs: 32 random alphanumerics.
std::string randomKid() {
  static constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    std::abort(); // the system random source failing is not recoverable
  }
  std::string kid;
  for (unsigned char byte : raw) {
    kid += kAlphabet[byte % kAlphabet.size()];
  }
  return kid;
}

std::string x509KeyId(const std::string& slot) {
  return "x509-CA-" + slot;
}
std::string jwtKeyId(const std::string& slot) {
  return "JWT-Signer-" + slot;
}

} // namespace

CaManager::CaManager(CaManagerConfig config, const KeyStore& keys, const CaStore& store)
    : config_(std::move(config)), builder_(config_.credentials), keys_(keys), store_(store) {
  x509_slots_[0].id = "A";
  x509_slots_[1].id = "B";
  jwt_slots_[0].id = "A";
  jwt_slots_[1].id = "B";
  snapshot_.store(std::make_shared<const CaSnapshot>());
}

TimePoint CaManager::now() const {
  return config_.clock ? config_.clock() : std::chrono::system_clock::now();
}

Result<std::unique_ptr<CaManager>> CaManager::start(CaManagerConfig config, const KeyStore& keys,
                                                    const CaStore& store) {
  if (config.credentials.trust_domain.isZero()) {
    return invalidArgument("trust domain is required");
  }
  if (config.credentials.ca_ttl.count() <= 0) {
    return invalidArgument("ca_ttl must be positive");
  }
  std::unique_ptr<CaManager> manager(new CaManager(std::move(config), keys, store));
  {
    std::lock_guard<std::mutex> lock(manager->mutex_);
    TimePoint now = manager->now();
    if (Status st = manager->load(now); !st.isOk()) {
      return st;
    }
    if (Status st = manager->refreshBundle(); !st.isOk()) {
      return st;
    }
    manager->publish();
  }
  if (Status st = manager->rotate(); !st.isOk()) {
    return st;
  }
  return manager;
}

// Whether the journal names an X.509 CA whose key this server's KeyManager holds: the journal is
// then this server's own. Servers sharing a database (HA) each have their own row, so the newest
// row may well be another server's (SPIRE looks its journal up by its own authority ID too).
bool CaManager::journalIsOurs(const Journal& journal) const {
  for (const X509CaRecord& record : journal.x509_cas) {
    Result<crypto::EvpPkeyPtr> key = keys_.getPublicKey(x509KeyId(record.slot));
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(record.certificate_der);
    if (key && cert && crypto::publicKeysEqual(**key, *crypto::publicKeyOf(**cert))) {
      return true;
    }
  }
  return false;
}

Status CaManager::load(TimePoint now) {
  Result<std::vector<plugin_host::CaJournal>> rows = store_.journals();
  if (!rows) {
    return rows.status().withPrefix("unable to load CA journal");
  }
  std::optional<Journal> ours;
  for (const plugin_host::CaJournal& row : *rows) {
    Result<Journal> decoded = decodeJournal(asStringView(row.data));
    if (!decoded) {
      return decoded.status();
    }
    if (journalIsOurs(*decoded)) {
      journal_id_ = row.id;
      ours = std::move(*decoded);
      break;
    }
  }
  if (!ours) {
    return Status::ok(); // a new server, or its keys are gone: start with empty slots
  }
  Journal* journal = &*ours;
  // Each entry is resumed only when the KeyManager still holds its key and it has not expired;
  // otherwise the slot counts as empty and rotation fills it.
  for (const X509CaRecord& record : journal->x509_cas) {
    X509Slot& slot = x509_slots_[record.slot == "A" ? 0 : 1];
    slot.record = record;
    if (record.status == SlotStatus::kOld || now >= fromUnix(record.not_after)) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    Result<crypto::EvpPkeyPtr> key = keys_.getPublicKey(x509KeyId(record.slot));
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(record.certificate_der);
    if (!key || !cert || !crypto::publicKeysEqual(**key, *crypto::publicKeyOf(**cert))) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    Result<RemoteSigner> signer =
        RemoteSigner::create(keys_, x509KeyId(record.slot), std::move(*key));
    if (!signer) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    std::vector<crypto::X509Shared> chain;
    for (const std::string& der : record.upstream_chain_der) {
      Result<crypto::X509Ptr> link = crypto::parseCertificateDer(der);
      if (!link) {
        return {StatusCode::kDataLoss, "malformed CA journal: bad upstream chain certificate"};
      }
      chain.push_back(crypto::shareX509(std::move(*link)));
    }
    slot.authority = std::make_shared<const X509Authority>(
        X509Authority{std::move(*signer), crypto::shareX509(std::move(*cert)), std::move(chain),
                      fromUnix(record.issued_at), fromUnix(record.not_after), record.authority_id});
    if (record.status == SlotStatus::kActive) {
      x509_current_ = record.slot == "A" ? 0 : 1;
    }
  }
  for (const JwtKeyRecord& record : journal->jwt_keys) {
    JwtSlot& slot = jwt_slots_[record.slot == "A" ? 0 : 1];
    slot.record = record;
    if (record.status == SlotStatus::kOld || now >= fromUnix(record.not_after)) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    Result<crypto::EvpPkeyPtr> key = keys_.getPublicKey(jwtKeyId(record.slot));
    Result<crypto::EvpPkeyPtr> journalled = crypto::parsePublicKeyDer(record.public_key_der);
    if (!key || !journalled || !crypto::publicKeysEqual(**key, **journalled)) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    Result<RemoteSigner> signer =
        RemoteSigner::create(keys_, jwtKeyId(record.slot), std::move(*key));
    if (!signer) {
      slot.record->status = SlotStatus::kOld;
      continue;
    }
    slot.authority = std::make_shared<const JwtAuthority>(JwtAuthority{
        std::move(*signer), record.kid, fromUnix(record.issued_at), fromUnix(record.not_after)});
    if (record.status == SlotStatus::kActive) {
      jwt_current_ = record.slot == "A" ? 0 : 1;
    }
  }
  // A resumed current slot must be the active one; a lone prepared authority waits in "next".
  for (X509Slot& slot : x509_slots_) {
    if (slot.authority && slot.record->status == SlotStatus::kActive &&
        &slot != &x509_slots_[x509_current_]) {
      slot.record->status = SlotStatus::kOld;
      slot.authority.reset();
    }
  }
  if (x509_slots_[x509_current_].authority &&
      x509_slots_[x509_current_].record->status != SlotStatus::kActive) {
    x509_current_ = 1 - x509_current_;
  }
  if (jwt_slots_[jwt_current_].authority &&
      jwt_slots_[jwt_current_].record->status != SlotStatus::kActive) {
    jwt_current_ = 1 - jwt_current_;
  }
  return Status::ok();
}

Status CaManager::rotate() {
  std::lock_guard<std::mutex> lock(mutex_);
  TimePoint t = now();
  Status x509_status = rotateX509(t);
  Status jwt_status = rotateJwt(t);
  publish();
  return !x509_status.isOk() ? x509_status : jwt_status;
}

// manager.go RotateX509CA: fill an empty current slot, prepare the next one past the
// preparation threshold, activate it past the activation threshold.
Status CaManager::rotateX509(TimePoint now) {
  X509Slot* current = &x509_slots_[x509_current_];
  X509Slot* next = &x509_slots_[1 - x509_current_];
  if (current->authority && now >= current->authority->not_after) {
    current->record->status = SlotStatus::kOld; // expired while we were not looking
    current->authority.reset();
  }
  if (!current->authority) {
    if (!next->authority) {
      if (Status st = prepareX509(*next, now); !st.isOk()) {
        return st;
      }
    }
    activateX509();
    return saveJournal();
  }
  bool changed = false;
  const X509Authority& ca = *current->authority;
  if (!next->authority && now > preparationThreshold(ca.issued_at, ca.not_after)) {
    if (Status st = prepareX509(*next, now); !st.isOk()) {
      return st;
    }
    changed = true;
  }
  if (now > activationThreshold(ca.issued_at, ca.not_after)) {
    if (!next->authority) {
      if (Status st = prepareX509(*next, now); !st.isOk()) {
        return st;
      }
    }
    activateX509();
    changed = true;
  }
  return changed ? saveJournal() : Status::ok();
}

Status CaManager::rotateJwt(TimePoint now) {
  JwtSlot* current = &jwt_slots_[jwt_current_];
  JwtSlot* next = &jwt_slots_[1 - jwt_current_];
  if (current->authority && now >= current->authority->not_after) {
    current->record->status = SlotStatus::kOld;
    current->authority.reset();
  }
  if (!current->authority) {
    if (!next->authority) {
      if (Status st = prepareJwt(*next, now); !st.isOk()) {
        return st;
      }
    }
    activateJwt();
    return saveJournal();
  }
  bool changed = false;
  const JwtAuthority& key = *current->authority;
  if (!next->authority && now > preparationThreshold(key.issued_at, key.not_after)) {
    if (Status st = prepareJwt(*next, now); !st.isOk()) {
      return st;
    }
    changed = true;
  }
  if (now > activationThreshold(key.issued_at, key.not_after)) {
    if (!next->authority) {
      if (Status st = prepareJwt(*next, now); !st.isOk()) {
        return st;
      }
    }
    activateJwt();
    changed = true;
  }
  return changed ? saveJournal() : Status::ok();
}

Status CaManager::prepareX509(X509Slot& slot, TimePoint now) {
  std::string key_id = x509KeyId(slot.id);
  Result<crypto::EvpPkeyPtr> key = keys_.generateKey(key_id, config_.ca_key_type);
  if (!key) {
    return key.status().withPrefix("unable to generate X509 CA key");
  }
  Result<RemoteSigner> signer = RemoteSigner::create(keys_, key_id, std::move(*key));
  if (!signer) {
    return signer.status();
  }
  crypto::X509Shared cert;
  std::vector<crypto::X509Shared> chain;
  std::vector<crypto::X509Shared> bundle_additions;
  if (config_.upstream) {
    Result<crypto::X509ReqPtr> csr = createRemoteCsr(builder_.upstreamCaCsr(), *signer);
    if (!csr) {
      return csr.status().withPrefix("unable to create CA CSR");
    }
    Result<UpstreamCa> minted =
        config_.upstream(crypto::csrToDer(**csr), config_.credentials.ca_ttl);
    if (!minted) {
      return minted.status().withPrefix("upstream authority failed to mint X509 CA");
    }
    crypto::EvpPkeyPtr minted_key = crypto::publicKeyOf(*minted->chain.front());
    if (!minted_key || !crypto::publicKeysEqual(*minted_key, signer->publicKey())) {
      return invalidArgument("upstream authority returned a CA for a different key");
    }
    cert = minted->chain.front();
    chain = minted->chain;
    bundle_additions = minted->roots;
  } else {
    Result<crypto::X509Shared> self_signed = createRemoteCertificate(
        builder_.selfSignedCa(now), signer->publicKey(), nullptr, *signer, true);
    if (!self_signed) {
      return self_signed.status().withPrefix("unable to create X509 CA");
    }
    cert = *self_signed;
    bundle_additions = {cert};
  }
  // Into the bundle before anything is signed with it (agents must trust it on activation).
  plugin_host::Bundle addition;
  addition.trust_domain = config_.credentials.trust_domain.name();
  for (const crypto::X509Shared& root : bundle_additions) {
    addition.x509_authorities.push_back({toBytes(crypto::certificateToDer(*root)), false});
  }
  if (Result<plugin_host::Bundle> appended = store_.appendBundle(addition); !appended) {
    return appended.status().withPrefix("unable to append X509 CA to the bundle");
  }
  if (Status st = refreshBundle(); !st.isOk()) {
    return st;
  }
  auto authority = std::make_shared<const X509Authority>(X509Authority{
      std::move(*signer), cert, std::move(chain), std::chrono::time_point_cast<seconds>(now),
      crypto::notAfter(*cert), hexEncode(crypto::subjectKeyId(*cert))});
  X509CaRecord record;
  record.slot = slot.id;
  record.status = SlotStatus::kPrepared;
  record.issued_at = unixSeconds(authority->issued_at);
  record.not_after = unixSeconds(authority->not_after);
  record.authority_id = authority->authority_id;
  record.certificate_der = crypto::certificateToDer(*cert);
  for (const crypto::X509Shared& link : authority->chain) {
    record.upstream_chain_der.push_back(crypto::certificateToDer(*link));
  }
  slot.record = std::move(record);
  slot.authority = std::move(authority);
  return Status::ok();
}

Status CaManager::prepareJwt(JwtSlot& slot, TimePoint now) {
  std::string key_id = jwtKeyId(slot.id);
  Result<crypto::EvpPkeyPtr> key = keys_.generateKey(key_id, config_.jwt_key_type);
  if (!key) {
    return key.status().withPrefix("unable to generate JWT key");
  }
  Result<std::string> pkix = crypto::marshalPublicKeyDer(**key);
  if (!pkix) {
    return pkix.status();
  }
  Result<RemoteSigner> signer = RemoteSigner::create(keys_, key_id, std::move(*key));
  if (!signer) {
    return signer.status();
  }
  TimePoint issued_at = std::chrono::time_point_cast<seconds>(now);
  TimePoint not_after = issued_at + config_.credentials.ca_ttl;
  std::string kid = randomKid();
  plugin_host::Bundle addition;
  addition.trust_domain = config_.credentials.trust_domain.name();
  addition.jwt_authorities.push_back({toBytes(*pkix), kid, unixSeconds(not_after), false});
  if (Result<plugin_host::Bundle> appended = store_.appendBundle(addition); !appended) {
    return appended.status().withPrefix("unable to append JWT key to the bundle");
  }
  if (Status st = refreshBundle(); !st.isOk()) {
    return st;
  }
  JwtKeyRecord record;
  record.slot = slot.id;
  record.status = SlotStatus::kPrepared;
  record.issued_at = unixSeconds(issued_at);
  record.not_after = unixSeconds(not_after);
  record.kid = kid;
  record.public_key_der = std::move(*pkix);
  slot.record = std::move(record);
  slot.authority = std::make_shared<const JwtAuthority>(
      JwtAuthority{std::move(*signer), std::move(kid), issued_at, not_after});
  return Status::ok();
}

void CaManager::activateX509() {
  X509Slot& current = x509_slots_[x509_current_];
  if (current.record) {
    current.record->status = SlotStatus::kOld;
  }
  current.authority.reset();
  x509_current_ = 1 - x509_current_;
  x509_slots_[x509_current_].record->status = SlotStatus::kActive;
}

void CaManager::activateJwt() {
  JwtSlot& current = jwt_slots_[jwt_current_];
  if (current.record) {
    current.record->status = SlotStatus::kOld;
  }
  current.authority.reset();
  jwt_current_ = 1 - jwt_current_;
  jwt_slots_[jwt_current_].record->status = SlotStatus::kActive;
}

Status CaManager::saveJournal() {
  Journal journal;
  for (const X509Slot& slot : x509_slots_) {
    if (slot.record) {
      journal.x509_cas.push_back(*slot.record);
    }
  }
  for (const JwtSlot& slot : jwt_slots_) {
    if (slot.record) {
      journal.jwt_keys.push_back(*slot.record);
    }
  }
  plugin_host::CaJournal row;
  row.id = journal_id_;
  row.data = toBytes(encodeJournal(journal));
  const X509Slot& x509_current = x509_slots_[x509_current_];
  const JwtSlot& jwt_current = jwt_slots_[jwt_current_];
  row.active_x509_authority_id = x509_current.authority ? x509_current.authority->authority_id : "";
  row.active_jwt_authority_id = jwt_current.authority ? jwt_current.authority->kid : "";
  Result<plugin_host::CaJournal> saved = store_.setJournal(row);
  if (!saved) {
    return saved.status().withPrefix("unable to save CA journal");
  }
  journal_id_ = saved->id;
  return Status::ok();
}

Status CaManager::refreshBundle() {
  const spiffe::TrustDomain& td = config_.credentials.trust_domain;
  Result<std::optional<plugin_host::Bundle>> stored = store_.fetchBundle(td.name());
  if (!stored) {
    return stored.status().withPrefix("unable to fetch bundle");
  }
  auto bundle = std::make_shared<x509::X509Bundle>(td, std::vector<crypto::X509Shared>{});
  auto jwt_bundle = std::make_shared<jwt::JwtBundle>(td);
  if (stored->has_value()) {
    for (const plugin_host::X509Authority& authority : (*stored)->x509_authorities) {
      Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(asStringView(authority.der));
      if (!cert) {
        return {StatusCode::kDataLoss, "bundle holds a malformed X509 authority"};
      }
      bundle->addAuthority(crypto::shareX509(std::move(*cert)));
    }
    for (const plugin_host::JwtKey& key : (*stored)->jwt_authorities) {
      Result<crypto::EvpPkeyPtr> parsed =
          crypto::parsePublicKeyDer(asStringView(key.public_key_der));
      if (!parsed) {
        return {StatusCode::kDataLoss, "bundle holds a malformed JWT authority"};
      }
      if (Status st = jwt_bundle->addAuthority(key.key_id, jwt::sharePublicKey(std::move(*parsed)));
          !st.isOk()) {
        return st;
      }
    }
  }
  bundle_ = std::move(bundle);
  jwt_bundle_ = std::move(jwt_bundle);
  return Status::ok();
}

Status CaManager::pruneBundle() {
  std::lock_guard<std::mutex> lock(mutex_);
  Result<bool> pruned = store_.pruneBundle(config_.credentials.trust_domain.name(),
                                           unixSeconds(now() - kBundlePruneGrace));
  if (!pruned) {
    return pruned.status().withPrefix("unable to prune bundle");
  }
  if (*pruned) {
    if (Status st = refreshBundle(); !st.isOk()) {
      return st;
    }
    publish();
  }
  return Status::ok();
}

Status CaManager::reloadBundle() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Status st = refreshBundle(); !st.isOk()) {
    return st;
  }
  publish();
  return Status::ok();
}

void CaManager::publish() {
  auto snapshot = std::make_shared<CaSnapshot>();
  snapshot->x509 = x509_slots_[x509_current_].authority;
  snapshot->jwt = jwt_slots_[jwt_current_].authority;
  snapshot->bundle = bundle_;
  snapshot->jwt_bundle = jwt_bundle_;
  snapshot_.store(std::move(snapshot));
}

std::vector<SlotInfo> CaManager::x509Slots() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SlotInfo> out;
  for (const X509Slot& slot : x509_slots_) {
    SlotInfo info{slot.id, std::nullopt, "", TimePoint()};
    if (slot.record) {
      info.status = slot.record->status;
      info.authority_id = slot.record->authority_id;
      info.not_after = fromUnix(slot.record->not_after);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<SlotInfo> CaManager::jwtSlots() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SlotInfo> out;
  for (const JwtSlot& slot : jwt_slots_) {
    SlotInfo info{slot.id, std::nullopt, "", TimePoint()};
    if (slot.record) {
      info.status = slot.record->status;
      info.authority_id = slot.record->kid;
      info.not_after = fromUnix(slot.record->not_after);
    }
    out.push_back(std::move(info));
  }
  return out;
}

} // namespace spire::server::ca
