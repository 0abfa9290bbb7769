#include "agent/manager/fake_server.h"

#include <algorithm>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "crypto/certificate.h"
#include "crypto/certificate_builder.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "jwt/jwt_svid.h"
#include "spiffe/spiffe_id.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"
#include "spirecpp/server/changes/v1/changes.grpc.pb.h"
#include "x509/x509_svid.h"

namespace spire::testing {

namespace agentv1 = spire::api::server::agent::v1;
namespace entryv1 = spire::api::server::entry::v1;
namespace svidv1 = spire::api::server::svid::v1;
namespace bundlev1 = spire::api::server::bundle::v1;
namespace changesv1 = spirecpp::server::changes::v1;
namespace types = spire::api::types;

namespace {

constexpr const char* kJwtKeyId = "fake-jwt-key";

void setId(types::SPIFFEID* out, const std::string& id) {
  spiffe::SpiffeId parsed = spiffe::SpiffeId::parse(id).value();
  out->set_trust_domain(parsed.trustDomain().name());
  out->set_path(parsed.path());
}

std::string idString(const types::SPIFFEID& id) {
  return "spiffe://" + id.trust_domain() + id.path();
}

template <class T> T must(Result<T> result) {
  if (!result) {
    throw std::runtime_error(result.status().toString());
  }
  return std::move(result).value();
}

} // namespace

class FakeServer::Impl {
public:
  explicit Impl(FakeServer& outer, FakeClock clock)
      : outer_(outer), clock_(std::move(clock)),
        jwt_key_(must(crypto::generateKey(crypto::KeyType::kEcP256))), agent_(*this), entry_(*this),
        svid_(*this), bundle_(*this), changes_(*this) {}

  crypto::TimePoint now() const { return clock_ ? clock_() : std::chrono::system_clock::now(); }

  // ---- state helpers (mu_ held by callers where noted) ----

  Result<std::string> callerAgentId(grpc::ServerContext* context) {
    auto values = context->auth_context()->FindPropertyValues("x509_pem_cert");
    if (values.empty()) {
      return Status(StatusCode::kUnauthenticated, "agent SVID required");
    }
    Result<std::vector<crypto::X509Shared>> certs =
        crypto::parseCertificatesPem(std::string(values.front().data(), values.front().size()));
    if (!certs || certs->empty() || !crypto::isSignedBy(*certs->front(), outer_.ca_.key())) {
      return Status(StatusCode::kUnauthenticated, "agent SVID not signed by the server");
    }
    if (now() > crypto::notAfter(*certs->front())) {
      return Status(StatusCode::kPermissionDenied, "agent SVID has expired");
    }
    Result<spiffe::SpiffeId> id = x509::idFromCert(*certs->front());
    if (!id) {
      return Status(StatusCode::kUnauthenticated, "agent SVID has no SPIFFE ID");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (agents_.count(id->toString()) == 0) {
      return Status(StatusCode::kPermissionDenied, "agent is not attested");
    }
    counters_.last_agent_serial = crypto::serialNumberHex(*certs->front());
    return id->toString();
  }

  Result<std::string> signLeaf(const std::string& csr_der, const std::string& spiffe_id, int ttl) {
    Result<crypto::X509ReqPtr> csr = crypto::parseCsrDer(csr_der);
    if (!csr) {
      return csr.status();
    }
    if (Status st = crypto::checkCsrSignature(**csr); !st.isOk()) {
      return st;
    }
    crypto::EvpPkeyPtr key = crypto::csrPublicKey(**csr);
    crypto::CertificateTemplate tmpl;
    tmpl.subject = {{"C", "US"}, {"O", "SPIRE"}};
    tmpl.not_before = now() - std::chrono::seconds(10);
    tmpl.not_after = now() + std::chrono::seconds(ttl);
    tmpl.uri_sans = {spiffe_id};
    tmpl.key_usage = crypto::key_usage::kDigitalSignature | crypto::key_usage::kKeyEncipherment |
                     crypto::key_usage::kKeyAgreement;
    tmpl.ext_key_usage = {crypto::ExtKeyUsage::kServerAuth, crypto::ExtKeyUsage::kClientAuth};
    Result<crypto::X509Ptr> cert =
        crypto::createCertificate(tmpl, *key, outer_.ca_.cert().get(), outer_.ca_.key());
    if (!cert) {
      return cert.status();
    }
    return crypto::certificateToDer(**cert);
  }

  std::vector<types::Entry> authorizedLocked(const std::string& agent_id) const {
    std::vector<types::Entry> out;
    for (const auto& [id, entry] : entries_) {
      if (idString(entry.parent_id()) == agent_id) {
        out.push_back(entry);
      }
    }
    return out; // sorted by ID (map order)
  }

  grpc::Status injectedSyncFailure() {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.sync_times.push_back(std::chrono::steady_clock::now());
    if (fail_syncs_ > 0) {
      --fail_syncs_;
      cv_.notify_all();
      return {fail_code_, "injected failure"};
    }
    return grpc::Status::OK;
  }

  void count(int FakeServerCounters::*field, int n = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.*field += n;
    cv_.notify_all();
  }

  types::Bundle bundleProto(const TestCa& ca, bool with_jwt) const {
    types::Bundle out;
    out.set_trust_domain(ca.trustDomain().name());
    out.add_x509_authorities()->set_asn1(crypto::certificateToDer(*ca.root()));
    if (with_jwt) {
      auto* jwt = out.add_jwt_authorities();
      jwt->set_public_key(must(crypto::marshalPublicKeyDer(*jwt_key_)));
      jwt->set_key_id(kJwtKeyId);
    }
    out.set_sequence_number(1);
    return out;
  }

  // ---- services ----

  class AgentService final : public agentv1::Agent::Service {
  public:
    explicit AgentService(Impl& impl) : impl_(impl) {}

    grpc::Status
    AttestAgent(grpc::ServerContext* /*context*/,
                grpc::ServerReaderWriter<agentv1::AttestAgentResponse, agentv1::AttestAgentRequest>*
                    stream) override {
      impl_.count(&FakeServerCounters::attest);
      agentv1::AttestAgentRequest request;
      if (!stream->Read(&request) || !request.has_params()) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "missing params"};
      }
      const auto& data = request.params().data();
      std::string agent_id;
      if (data.type() == "fx_node") {
        // The challenge/response fixture: payload "node:<name>", answer "signed:<challenge>".
        agentv1::AttestAgentResponse challenge;
        challenge.set_challenge("nonce-1");
        agentv1::AttestAgentRequest answer;
        if (!stream->Write(challenge) || !stream->Read(&answer) ||
            answer.challenge_response() != "signed:nonce-1") {
          return {grpc::StatusCode::PERMISSION_DENIED, "challenge response does not match"};
        }
        const std::string name = data.payload().substr(data.payload().find(':') + 1);
        agent_id =
            "spiffe://" + impl_.outer_.ca_.trustDomain().name() + "/spire/agent/fx_node/" + name;
        std::lock_guard<std::mutex> lock(impl_.mu_);
        impl_.agents_.insert(agent_id);
      } else if (data.type() != "join_token") {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "could not find node attestor type \"" + data.type() + "\""};
      }
      const std::string token = data.payload();
      if (agent_id.empty()) {
        std::lock_guard<std::mutex> lock(impl_.mu_);
        if (impl_.tokens_.erase(token) == 0) {
          return {grpc::StatusCode::PERMISSION_DENIED,
                  "join token does not exist or has already been used"};
        }
        agent_id = impl_.outer_.agentIdForToken(token);
        impl_.agents_.insert(agent_id);
      }
      Result<std::string> der =
          impl_.signLeaf(request.params().params().csr(), agent_id, impl_.outer_.agent_ttl_);
      if (!der) {
        return {grpc::StatusCode::INVALID_ARGUMENT, der.status().message()};
      }
      agentv1::AttestAgentResponse response;
      auto* result = response.mutable_result();
      result->mutable_svid()->add_cert_chain(*der);
      setId(result->mutable_svid()->mutable_id(), agent_id);
      result->set_reattestable(impl_.outer_.reattestable_);
      stream->Write(response);
      return grpc::Status::OK;
    }

    grpc::Status RenewAgent(grpc::ServerContext* context, const agentv1::RenewAgentRequest* request,
                            agentv1::RenewAgentResponse* response) override {
      impl_.count(&FakeServerCounters::renew);
      Result<std::string> agent_id = impl_.callerAgentId(context);
      if (!agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      Result<std::string> der =
          impl_.signLeaf(request->params().csr(), *agent_id, impl_.outer_.agent_ttl_);
      if (!der) {
        return {grpc::StatusCode::INVALID_ARGUMENT, der.status().message()};
      }
      response->mutable_svid()->add_cert_chain(*der);
      setId(response->mutable_svid()->mutable_id(), *agent_id);
      return grpc::Status::OK;
    }

  private:
    Impl& impl_;
  };

  class EntryService final : public entryv1::Entry::Service {
  public:
    explicit EntryService(Impl& impl) : impl_(impl) {}

    grpc::Status GetAuthorizedEntries(grpc::ServerContext* context,
                                      const entryv1::GetAuthorizedEntriesRequest* /*request*/,
                                      entryv1::GetAuthorizedEntriesResponse* response) override {
      impl_.count(&FakeServerCounters::get_authorized);
      if (grpc::Status failed = impl_.injectedSyncFailure(); !failed.ok()) {
        return failed;
      }
      Result<std::string> agent_id = impl_.callerAgentId(context);
      if (!agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      std::lock_guard<std::mutex> lock(impl_.mu_);
      for (types::Entry& entry : impl_.authorizedLocked(*agent_id)) {
        *response->add_entries() = std::move(entry);
        ++impl_.counters_.full_entries_sent;
      }
      return grpc::Status::OK;
    }

    grpc::Status SyncAuthorizedEntries(
        grpc::ServerContext* context,
        grpc::ServerReaderWriter<entryv1::SyncAuthorizedEntriesResponse,
                                 entryv1::SyncAuthorizedEntriesRequest>* stream) override {
      if (impl_.outer_.sync_unimplemented_) {
        return {grpc::StatusCode::UNIMPLEMENTED, "unknown method SyncAuthorizedEntries"};
      }
      impl_.count(&FakeServerCounters::sync);
      if (grpc::Status failed = impl_.injectedSyncFailure(); !failed.ok()) {
        return failed;
      }
      Result<std::string> agent_id = impl_.callerAgentId(context);
      if (!agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      entryv1::SyncAuthorizedEntriesRequest request;
      if (!stream->Read(&request)) {
        return grpc::Status::OK;
      }
      std::vector<types::Entry> entries;
      {
        std::lock_guard<std::mutex> lock(impl_.mu_);
        entries = impl_.authorizedLocked(*agent_id);
      }
      const size_t page = impl_.outer_.page_size_;
      if (entries.size() <= page) {
        entryv1::SyncAuthorizedEntriesResponse response;
        for (const types::Entry& entry : entries) {
          *response.add_entries() = entry;
        }
        impl_.count(&FakeServerCounters::full_entries_sent, static_cast<int>(entries.size()));
        stream->Write(response);
        return grpc::Status::OK;
      }
      for (size_t start = 0; start < entries.size(); start += page) {
        entryv1::SyncAuthorizedEntriesResponse response;
        for (size_t i = start; i < std::min(entries.size(), start + page); ++i) {
          auto* revision = response.add_entry_revisions();
          revision->set_id(entries[i].id());
          revision->set_revision_number(entries[i].revision_number());
          revision->set_created_at(entries[i].created_at());
        }
        response.set_more(start + page < entries.size());
        stream->Write(response);
      }
      while (stream->Read(&request)) {
        std::vector<types::Entry> wanted;
        for (const std::string& id : request.ids()) {
          for (const types::Entry& entry : entries) {
            if (entry.id() == id) {
              wanted.push_back(entry);
            }
          }
        }
        impl_.count(&FakeServerCounters::full_entries_sent, static_cast<int>(wanted.size()));
        size_t start = 0;
        do {
          entryv1::SyncAuthorizedEntriesResponse response;
          for (size_t i = start; i < std::min(wanted.size(), start + page); ++i) {
            *response.add_entries() = wanted[i];
          }
          response.set_more(start + page < wanted.size());
          stream->Write(response);
          start += page;
        } while (start < wanted.size());
      }
      return grpc::Status::OK;
    }

  private:
    Impl& impl_;
  };

  class SvidService final : public svidv1::SVID::Service {
  public:
    explicit SvidService(Impl& impl) : impl_(impl) {}

    grpc::Status BatchNewX509SVID(grpc::ServerContext* context,
                                  const svidv1::BatchNewX509SVIDRequest* request,
                                  svidv1::BatchNewX509SVIDResponse* response) override {
      impl_.count(&FakeServerCounters::batch_svid);
      Result<std::string> agent_id = impl_.callerAgentId(context);
      if (!agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      std::map<std::string, types::Entry> authorized;
      {
        std::lock_guard<std::mutex> lock(impl_.mu_);
        for (types::Entry& entry : impl_.authorizedLocked(*agent_id)) {
          authorized[entry.id()] = std::move(entry);
        }
      }
      for (const svidv1::NewX509SVIDParams& params : request->params()) {
        auto* result = response->add_results();
        auto it = authorized.find(params.entry_id());
        if (it == authorized.end()) {
          result->mutable_status()->set_code(grpc::StatusCode::NOT_FOUND);
          result->mutable_status()->set_message("entry not found or not authorized");
          continue;
        }
        const int ttl = it->second.x509_svid_ttl() > 0 ? it->second.x509_svid_ttl()
                                                       : impl_.outer_.x509_ttl_.load();
        Result<std::string> der =
            impl_.signLeaf(params.csr(), idString(it->second.spiffe_id()), ttl);
        if (!der) {
          result->mutable_status()->set_code(grpc::StatusCode::INVALID_ARGUMENT);
          result->mutable_status()->set_message(der.status().message());
          continue;
        }
        result->mutable_svid()->add_cert_chain(*der);
        *result->mutable_svid()->mutable_id() = it->second.spiffe_id();
        impl_.count(&FakeServerCounters::svids_signed);
      }
      return grpc::Status::OK;
    }

    grpc::Status NewJWTSVID(grpc::ServerContext* context, const svidv1::NewJWTSVIDRequest* request,
                            svidv1::NewJWTSVIDResponse* response) override {
      impl_.count(&FakeServerCounters::jwt);
      Result<std::string> agent_id = impl_.callerAgentId(context);
      if (!agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      types::Entry entry;
      {
        std::lock_guard<std::mutex> lock(impl_.mu_);
        auto it = impl_.entries_.find(request->entry_id());
        if (it == impl_.entries_.end() || idString(it->second.parent_id()) != *agent_id) {
          return {grpc::StatusCode::NOT_FOUND, "entry not found or not authorized"};
        }
        entry = it->second;
      }
      const auto issued = std::chrono::time_point_cast<std::chrono::seconds>(impl_.now());
      const auto expiry = issued + std::chrono::seconds(impl_.outer_.jwt_ttl_.load());
      jwt::JwtSvidParams params;
      params.id = spiffe::SpiffeId::parse(idString(entry.spiffe_id())).value();
      params.audience.assign(request->audience().begin(), request->audience().end());
      params.expiry = expiry;
      params.issued_at = issued;
      Result<std::string> token = jwt::signJwtSvid(params, *impl_.jwt_key_, kJwtKeyId);
      if (!token) {
        return {grpc::StatusCode::INVALID_ARGUMENT, token.status().message()};
      }
      response->mutable_svid()->set_token(*token);
      *response->mutable_svid()->mutable_id() = entry.spiffe_id();
      response->mutable_svid()->set_issued_at(issued.time_since_epoch().count());
      response->mutable_svid()->set_expires_at(expiry.time_since_epoch().count());
      return grpc::Status::OK;
    }

  private:
    Impl& impl_;
  };

  class BundleService final : public bundlev1::Bundle::Service {
  public:
    explicit BundleService(Impl& impl) : impl_(impl) {}

    grpc::Status GetBundle(grpc::ServerContext* /*context*/,
                           const bundlev1::GetBundleRequest* /*request*/,
                           types::Bundle* response) override {
      impl_.count(&FakeServerCounters::get_bundle);
      *response = impl_.bundleProto(impl_.outer_.ca_, true);
      return grpc::Status::OK;
    }

    grpc::Status GetFederatedBundle(grpc::ServerContext* /*context*/,
                                    const bundlev1::GetFederatedBundleRequest* request,
                                    types::Bundle* response) override {
      std::lock_guard<std::mutex> lock(impl_.mu_);
      auto it = impl_.federated_.find(request->trust_domain());
      if (it == impl_.federated_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "bundle not found"};
      }
      *response = impl_.bundleProto(it->second, false);
      return grpc::Status::OK;
    }

  private:
    Impl& impl_;
  };

  class ChangesService final : public changesv1::EntryChanges::Service {
  public:
    explicit ChangesService(Impl& impl) : impl_(impl) {}

    grpc::Status WatchAuthorizedEntries(
        grpc::ServerContext* context, const changesv1::WatchAuthorizedEntriesRequest* /*request*/,
        grpc::ServerWriter<changesv1::AuthorizedEntriesChanged>* writer) override {
      if (impl_.outer_.watch_unimplemented_) {
        return {grpc::StatusCode::UNIMPLEMENTED, "unknown service"};
      }
      if (Result<std::string> agent_id = impl_.callerAgentId(context); !agent_id) {
        return {static_cast<grpc::StatusCode>(agent_id.status().code()),
                agent_id.status().message()};
      }
      impl_.count(&FakeServerCounters::watch);
      std::unique_lock<std::mutex> lock(impl_.mu_);
      uint64_t sent = impl_.revision_;
      changesv1::AuthorizedEntriesChanged message;
      message.set_revision(sent);
      message.set_server_instance("fake");
      lock.unlock();
      writer->Write(message);
      lock.lock();
      while (!impl_.stopping_ && !context->IsCancelled()) {
        impl_.cv_.wait_for(lock, std::chrono::milliseconds(20));
        if (impl_.revision_ != sent && !impl_.stopping_) {
          sent = impl_.revision_;
          message.set_revision(sent);
          lock.unlock();
          const bool written = writer->Write(message);
          lock.lock();
          if (!written) {
            break;
          }
        }
      }
      return grpc::Status::OK;
    }

  private:
    Impl& impl_;
  };

  FakeServer& outer_;
  FakeClock clock_;
  crypto::EvpPkeyPtr jwt_key_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::set<std::string> tokens_;
  std::set<std::string> agents_;
  std::map<std::string, types::Entry> entries_;
  std::map<std::string, TestCa> federated_;
  uint64_t revision_ = 1;
  int next_entry_ = 1;
  int fail_syncs_ = 0;
  grpc::StatusCode fail_code_ = grpc::StatusCode::UNAVAILABLE;
  FakeServerCounters counters_;
  bool stopping_ = false;

  AgentService agent_;
  EntryService entry_;
  SvidService svid_;
  BundleService bundle_;
  ChangesService changes_;
  std::unique_ptr<grpc::Server> server_;
};

FakeServer::FakeServer(const std::string& trust_domain, FakeClock clock)
    : ca_(TestCa::createRoot(trust_domain, {},
                             clock ? clock() : std::chrono::system_clock::now())) {
  impl_ = std::make_unique<Impl>(*this, std::move(clock));
}

FakeServer::~FakeServer() {
  stop();
}

crypto::TimePoint FakeServer::now() const {
  return impl_->now();
}

std::string FakeServer::bundlePem() const {
  return crypto::certificateToPem(*ca_.root());
}

void FakeServer::start(int port) {
  // The server's own SVID: long-lived, real time (the agent checks it against the real clock).
  LeafOptions options;
  options.uri_sans =
      std::vector<std::string>{"spiffe://" + ca_.trustDomain().name() + "/spire/server"};
  options.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  options.not_after = std::chrono::system_clock::now() + std::chrono::hours(48);
  IssuedLeaf leaf = ca_.issueLeaf(options);
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  ssl.pem_root_certs = bundlePem();
  ssl.pem_key_cert_pairs.push_back({leaf.keyPem(), leaf.certsPem()});
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port == 0 ? port_ : port),
                           grpc::SslServerCredentials(ssl), &port_);
  builder.RegisterService(&impl_->agent_);
  builder.RegisterService(&impl_->entry_);
  builder.RegisterService(&impl_->svid_);
  builder.RegisterService(&impl_->bundle_);
  builder.RegisterService(&impl_->changes_);
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    impl_->stopping_ = false;
  }
  impl_->server_ = builder.BuildAndStart();
  if (!impl_->server_) {
    throw std::runtime_error("fake server failed to start");
  }
}

void FakeServer::stop() {
  if (!impl_ || !impl_->server_) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    impl_->stopping_ = true;
  }
  impl_->cv_.notify_all();
  impl_->server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  impl_->server_->Wait();
  impl_->server_.reset();
}

void FakeServer::addJoinToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->tokens_.insert(token);
}

std::string FakeServer::agentIdForToken(const std::string& token) const {
  return "spiffe://" + ca_.trustDomain().name() + "/spire/agent/join_token/" + token;
}

std::string FakeServer::addEntry(const std::string& spiffe_id, const std::string& parent_id,
                                 const std::vector<std::pair<std::string, std::string>>& selectors,
                                 int32_t x509_ttl, std::vector<std::string> federates_with) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  char id[32];
  std::snprintf(id, sizeof(id), "entry-%04d", impl_->next_entry_++);
  types::Entry entry;
  entry.set_id(id);
  setId(entry.mutable_spiffe_id(), spiffe_id);
  setId(entry.mutable_parent_id(), parent_id);
  for (const auto& [type, value] : selectors) {
    auto* selector = entry.add_selectors();
    selector->set_type(type);
    selector->set_value(value);
  }
  entry.set_x509_svid_ttl(x509_ttl);
  for (const std::string& td : federates_with) {
    entry.add_federates_with(td);
  }
  entry.set_revision_number(1);
  entry.set_created_at(impl_->next_entry_);
  impl_->entries_[id] = entry;
  ++impl_->revision_;
  impl_->cv_.notify_all();
  return id;
}

void FakeServer::removeEntry(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->entries_.erase(id);
  ++impl_->revision_;
  impl_->cv_.notify_all();
}

void FakeServer::updateEntry(const std::string& id,
                             const std::function<void(spire::api::types::Entry&)>& edit) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  types::Entry& entry = impl_->entries_.at(id);
  edit(entry);
  entry.set_revision_number(entry.revision_number() + 1);
  ++impl_->revision_;
  impl_->cv_.notify_all();
}

void FakeServer::setFederatedBundle(const std::string& td, const TestCa& ca) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->federated_.insert_or_assign(td, ca);
}

void FakeServer::failSyncs(int count, grpc::StatusCode code) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->fail_syncs_ = count;
  impl_->fail_code_ = code;
}

void FakeServer::evictAgent(const std::string& agent_id) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->agents_.erase(agent_id);
}

FakeServerCounters FakeServer::counters() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->counters_;
}

bool FakeServer::waitFor(const std::function<bool(const FakeServerCounters&)>& predicate,
                         std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu_);
  return impl_->cv_.wait_for(lock, timeout, [&] { return predicate(impl_->counters_); });
}

} // namespace spire::testing
