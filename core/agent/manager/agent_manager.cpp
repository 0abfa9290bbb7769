#include "agent/manager/agent_manager.h"

#include <spdlog/spdlog.h>

#include "agent/cache/rotation.h"
#include "agent/manager/convert.h"
#include "agent/manager/manager_impl.h"
#include "agent/manager/trust_bootstrap.h"
#include "crypto/key.h"

namespace spire::agent::manager {

namespace {

cache::CacheConfig cacheConfig(const ManagerConfig& config) {
  cache::CacheConfig out;
  out.trust_domain = config.trust_domain;
  out.x509_svid_cache_max_size = config.x509_svid_cache_max_size;
  out.availability_target = config.availability_target;
  if (config.clock) {
    out.clock = config.clock;
  }
  if (config.jitter) {
    out.jitter = config.jitter;
  }
  return out;
}

} // namespace

AgentManager::Impl::Impl(ManagerConfig config, const plugin_host::Catalog& catalog,
                         spiffe::TrustDomain td)
    : config_(std::move(config)), catalog_(catalog), td_(std::move(td)),
      target_(config_.server_address + ":" + std::to_string(config_.server_port)),
      logger_(config_.logger ? config_.logger : spdlog::default_logger()),
      storage_(config_.data_dir), trust_(std::make_shared<ServerTrust>(td_)),
      cache_(cacheConfig(config_)),
      jwt_cache_(config_.jwt_svid_cache_max_size,
                 config_.jitter ? cache::JitterSource(config_.jitter) : cache::JitterSource()) {}

AgentManager::Impl::~Impl() {
  stop();
}

crypto::TimePoint AgentManager::Impl::now() const {
  return config_.clock ? config_.clock() : std::chrono::system_clock::now();
}

bool AgentManager::Impl::persistKey() const {
  if (config_.persist_agent_key.has_value()) {
    return *config_.persist_agent_key;
  }
  return catalog_.keyManager().name() != "memory";
}

std::shared_ptr<ServerClient> AgentManager::Impl::client() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return client_;
}

void AgentManager::Impl::reconnect() {
  std::shared_ptr<const x509::X509Svid> svid;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    svid = agent_svid_;
  }
  Result<std::shared_ptr<grpc::Channel>> channel = makeServerChannel(target_, trust_, svid.get());
  if (!channel) {
    logger_->warn("Unable to create a new channel to the server: {}", channel.status().message());
    return;
  }
  auto client = std::make_shared<ServerClient>(*channel, config_.rpc_timeout);
  std::lock_guard<std::mutex> lock(state_mu_);
  if (agent_svid_ == svid) {
    client_ = std::move(client);
  }
}

std::string AgentManager::Impl::agentId() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return agent_svid_ ? agent_svid_->id.toString() : std::string();
}

ManagerStatus AgentManager::Impl::status() const {
  ManagerStatus out;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (agent_svid_) {
      out.agent_id = agent_svid_->id.toString();
      out.agent_svid_expires_at = agent_svid_->expiresAt();
      for (const crypto::X509Shared& cert : agent_svid_->certificates) {
        out.agent_svid_chain_der.push_back(crypto::certificateToDer(*cert));
      }
    }
    out.last_sync = last_sync_;
    out.sync_count = sync_count_;
    out.sync_failures = sync_failures_;
    out.attested_this_run = attested_this_run_;
    out.watching = watching_;
  }
  out.cached_x509_svids = cache_.svidCount();
  out.cached_jwt_svids = jwt_cache_.size();
  out.entries = cache_.entryCount();
  return out;
}

// Sets the agent SVID and a client that presents it; stores it in data_dir when asked.
Status AgentManager::Impl::adoptAgentSvid(x509::X509Svid svid, bool store) {
  if (!svid.id.memberOf(td_)) {
    return invalidArgument("agent SVID \"" + svid.id.toString() + "\" is not in trust domain \"" +
                           td_.name() + "\"");
  }
  if (store) {
    if (Status st = storage_.storeSvid(svid.certificates); !st.isOk()) {
      return st;
    }
    if (persistKey()) {
      if (Status st = storage_.storeKey(*svid.private_key); !st.isOk()) {
        return st;
      }
    }
  }
  auto shared = std::make_shared<const x509::X509Svid>(std::move(svid));
  Result<std::shared_ptr<grpc::Channel>> channel = makeServerChannel(target_, trust_, shared.get());
  if (!channel) {
    return channel.status();
  }
  auto client = std::make_shared<ServerClient>(*channel, config_.rpc_timeout);
  std::lock_guard<std::mutex> lock(state_mu_);
  agent_svid_ = std::move(shared);
  client_ = std::move(client);
  return Status::ok();
}

// A stored SVID is used when its key is there and matches, and it has not expired.
bool AgentManager::Impl::resumeFromStorage() {
  Result<std::optional<std::vector<crypto::X509Shared>>> chain = storage_.loadSvid();
  if (!chain || !chain->has_value()) {
    if (!chain) {
      logger_->warn("Unable to load stored agent SVID: {}", chain.status().message());
    }
    return false;
  }
  if (!persistKey()) {
    logger_->info("Stored agent SVID ignored: the KeyManager does not persist keys");
    return false;
  }
  Result<std::optional<crypto::EvpPkeyPtr>> key = storage_.loadKey();
  if (!key || !key->has_value()) {
    logger_->info("Stored agent SVID has no stored key; attesting again");
    return false;
  }
  Result<x509::X509Svid> svid = x509::X509Svid::fromParts(std::move(**chain), std::move(**key));
  if (!svid) {
    logger_->warn("Stored agent SVID is unusable: {}", svid.status().message());
    return false;
  }
  if (cache::x509Expired(now(), svid->expiresAt())) {
    logger_->info("Stored agent SVID has expired; attesting again");
    return false;
  }
  const std::string id = svid->id.toString();
  if (Status st = adoptAgentSvid(std::move(*svid), false); !st.isOk()) {
    logger_->warn("Stored agent SVID is unusable: {}", st.message());
    return false;
  }
  logger_->info("Resumed with stored agent SVID spiffe_id={}", id);
  return true;
}

Status AgentManager::Impl::attestNode() {
  Result<crypto::EvpPkeyPtr> key = crypto::generateKey(config_.agent_key_type);
  if (!key) {
    return key.status();
  }
  Result<std::string> csr = makeCsrDer(**key);
  if (!csr) {
    return csr.status();
  }
  Result<std::shared_ptr<grpc::Channel>> channel = makeServerChannel(target_, trust_, nullptr);
  if (!channel) {
    return channel.status();
  }
  ServerClient attest_client(*channel, config_.rpc_timeout);
  Result<AttestResult> result = attest_client.attestAgent(catalog_.agentNodeAttestor(), *csr, *key);
  if (!result) {
    return result.status();
  }
  const std::string id = result->svid.id.toString();
  if (Status st = adoptAgentSvid(std::move(result->svid), true); !st.isOk()) {
    return st;
  }
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    reattestable_ = result->reattestable;
    attested_this_run_ = true;
  }
  logger_->info("Node attestation was successful spiffe_id={} reattestable={}", id,
                result->reattestable);
  if (trust_->insecure()) {
    return fetchBootstrapBundle();
  }
  return Status::ok();
}

// After an insecure bootstrap: the first bundle comes from the (unauthenticated) server.
Status AgentManager::Impl::fetchBootstrapBundle() {
  Result<bundle::SpiffeBundle> fetched = client()->getBundle();
  if (!fetched) {
    return fetched.status().withPrefix("failed to fetch bundle");
  }
  x509::X509Bundle x509 = fetched->toX509Bundle();
  if (x509.authorities().empty()) {
    return invalidArgument("failed to fetch bundle: bundle has no X.509 authorities");
  }
  if (Status st = storage_.storeBundle(x509.authorities()); !st.isOk()) {
    return st;
  }
  trust_->setBundle(std::move(x509));
  return Status::ok();
}

// RenewAgent at half-life; a reattestable node attests again instead (SPIRE's rotator).
Status AgentManager::Impl::renewAgentSvid() {
  bool reattest = false;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    reattest = reattestable_;
  }
  if (reattest) {
    return attestNode();
  }
  Result<crypto::EvpPkeyPtr> key = crypto::generateKey(config_.agent_key_type);
  if (!key) {
    return key.status();
  }
  Result<std::string> csr = makeCsrDer(**key);
  if (!csr) {
    return csr.status();
  }
  Result<x509::X509Svid> svid = client()->renewAgent(*csr, *key);
  if (!svid) {
    return svid.status().withPrefix("failed to renew agent SVID");
  }
  logger_->info("Agent SVID renewed spiffe_id={}", svid->id.toString());
  return adoptAgentSvid(std::move(*svid), true);
}

Status AgentManager::Impl::bootstrap() {
  Result<std::optional<x509::X509Bundle>> bundle = bootstrapBundle(config_, td_, storage_);
  if (!bundle) {
    return bundle.status();
  }
  if (!bundle->has_value()) {
    logger_->warn("Insecure bootstrap enabled; skipping server certificate verification");
  }
  trust_->setBundle(std::move(*bundle));
  if (!resumeFromStorage()) {
    if (Status st = attestNode(); !st.isOk()) {
      return st;
    }
  }
  if (Status st = syncOnce(); !st.isOk()) {
    logger_->error("Initial sync failed; retrying in the background: {}", st.message());
  }
  return Status::ok();
}

void AgentManager::Impl::startThreads() {
  sync_thread_ = std::thread([this] { syncLoop(); });
  if (config_.watch_entry_changes) {
    watch_thread_ = std::thread([this] { watchLoop(); });
  }
}

void AgentManager::Impl::stop() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
    if (watch_context_ != nullptr) {
      watch_context_->TryCancel();
    }
  }
  loop_cv_.notify_all();
  if (sync_thread_.joinable()) {
    sync_thread_.join();
  }
  if (watch_thread_.joinable()) {
    watch_thread_.join();
  }
}

// ---- AgentManager ----

AgentManager::AgentManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AgentManager::~AgentManager() = default;

Result<std::unique_ptr<AgentManager>> AgentManager::start(ManagerConfig config,
                                                          const plugin_host::Catalog& catalog) {
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(config.trust_domain);
  if (!td) {
    return invalidArgument("invalid trust domain: " + td.status().message());
  }
  if (config.server_address.empty() || config.server_port <= 0 || config.server_port > 65535) {
    return invalidArgument("server_address and server_port are required");
  }
  if (config.sync_interval <= std::chrono::nanoseconds::zero()) {
    config.sync_interval = std::chrono::seconds(5);
  }
  auto impl = std::make_unique<Impl>(std::move(config), catalog, std::move(*td));
  if (Status st = impl->bootstrap(); !st.isOk()) {
    return st;
  }
  impl->startThreads();
  return std::unique_ptr<AgentManager>(new AgentManager(std::move(impl)));
}

void AgentManager::stop() {
  impl_->stop();
}

std::string AgentManager::agentId() const {
  return impl_->agentId();
}

ManagerStatus AgentManager::status() const {
  return impl_->status();
}

Status AgentManager::syncNow() {
  return impl_->syncOnce();
}

void AgentManager::requestSync() {
  impl_->requestSync();
}

Result<endpoints::Selectors> AgentManager::attest(const endpoints::CallerCredentials& caller) {
  return impl_->attest(caller);
}

endpoints::IdentitySnapshotPtr AgentManager::identitiesFor(const endpoints::Selectors& selectors) {
  return impl_->identitiesFor(selectors);
}

Result<endpoints::SubscriptionPtr>
AgentManager::subscribe(const endpoints::Selectors& selectors,
                        std::function<void(endpoints::IdentitySnapshotPtr)> on_update) {
  return impl_->subscribe(selectors, std::move(on_update));
}

Result<std::string> AgentManager::fetchJwtSvid(const endpoints::Selectors& selectors,
                                               const spiffe::SpiffeId& id,
                                               const std::vector<std::string>& audience) {
  return impl_->fetchJwtSvid(selectors, id, audience);
}

} // namespace spire::agent::manager
