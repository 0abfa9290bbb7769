#include "server/api/admin/debug_service.h"

#include <cctype>

#include <spdlog/spdlog.h>

#include "crypto/certificate.h"
#include "plugin_host/datastore.h"
#include "server/api/grpc_status.h"
#include "x509/x509_svid.h"
#include "x509/x509_verify.h"

namespace spire::server::api {

namespace {

constexpr std::string_view kGetInfo = "/spire.api.server.debug.v1.Debug/GetInfo";
constexpr std::chrono::seconds kCacheExpiry{5};

// SPIRE's api.MakeErr for non-InvalidArgument codes: "<msg>: <cause>" returned, logged
// capitalised.
Status makeErr(const ServerState& state, StatusCode code, std::string msg,
               const std::string& cause = {}) {
  std::string logged = msg;
  logged[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(logged[0])));
  spdlog::logger& log = state.logger != nullptr ? *state.logger : *spdlog::default_logger();
  if (code == StatusCode::kNotFound || cause.empty()) {
    log.error("{}", logged);
    return Status(code, std::move(msg));
  }
  log.error("{}: {}", logged, cause);
  return Status(code, msg + ": " + cause);
}

std::int32_t toInt32(std::int64_t value) {
  return static_cast<std::int32_t>(value);
}

} // namespace

DebugService::DebugService(ServerState& state, const Authorizer& authorizer)
    : state_(state), authorizer_(authorizer), started_(state.now()) {}

void DebugService::setSvidSource(SvidSource source) {
  std::lock_guard lock(mutex_);
  svid_source_ = std::move(source);
  cached_.reset();
}

grpc::Status DebugService::GetInfo(grpc::ServerContext* context, const debugv1::GetInfoRequest*,
                                   debugv1::GetInfoResponse* response) {
  auto caller = authorizer_.authorize(*context, kGetInfo);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  std::lock_guard lock(mutex_);
  const TimePoint now = state_.now();
  if (!cached_.has_value() || now - cached_at_ >= kCacheExpiry) {
    debugv1::GetInfoResponse fresh;
    if (Status st = refresh(fresh); !st.isOk()) {
      return toGrpcStatus(st);
    }
    cached_ = std::move(fresh);
    cached_at_ = now;
  }
  *response = *cached_;
  return grpc::Status::OK;
}

Status DebugService::refresh(debugv1::GetInfoResponse& out) const {
  if (state_.datastore == nullptr) {
    return makeErr(state_, StatusCode::kInternal, "failed to count agents", "no datastore");
  }
  Result<std::int64_t> agents = state_.datastore->countAttestedNodes(nullptr);
  if (!agents.isOk()) {
    return makeErr(state_, StatusCode::kInternal, "failed to count agents",
                   agents.status().message());
  }
  Result<std::int64_t> entries = state_.datastore->countEntries(nullptr);
  if (!entries.isOk()) {
    return makeErr(state_, StatusCode::kInternal, "failed to count entries",
                   entries.status().message());
  }
  Result<std::int64_t> bundles = state_.datastore->countBundles();
  if (!bundles.isOk()) {
    return makeErr(state_, StatusCode::kInternal, "failed to count bundles",
                   bundles.status().message());
  }
  if (Status st = svidChain(out); !st.isOk()) {
    return st;
  }
  out.set_agents_count(toInt32(*agents));
  out.set_entries_count(toInt32(*entries));
  out.set_federated_bundles_count(toInt32(*bundles));
  out.set_uptime(
      toInt32(std::chrono::duration_cast<std::chrono::seconds>(state_.now() - started_).count()));
  return {};
}

Status DebugService::svidChain(debugv1::GetInfoResponse& out) const {
  if (!svid_source_) {
    return {};
  }
  // The CA keeps the trust domain's bundle under the trust domain name.
  Result<std::optional<plugin_host::Bundle>> stored =
      state_.datastore->fetchBundle(state_.trust_domain.name());
  if (!stored.isOk()) {
    return makeErr(state_, StatusCode::kInternal, "failed to fetch trust domain bundle",
                   stored.status().message());
  }
  if (!stored->has_value()) {
    return makeErr(state_, StatusCode::kNotFound, "trust domain bundle not found");
  }
  std::vector<crypto::X509Shared> roots;
  for (const plugin_host::X509Authority& authority : (*stored)->x509_authorities) {
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(std::string_view(
        reinterpret_cast<const char*>(authority.der.data()), authority.der.size()));
    if (!cert.isOk()) {
      return makeErr(state_, StatusCode::kInternal, "failed to parse bundle",
                     cert.status().message());
    }
    roots.push_back(crypto::shareX509(std::move(*cert)));
  }
  x509::X509BundleSet source({x509::X509Bundle(state_.trust_domain, std::move(roots))});
  Result<x509::VerifiedX509Svid> verified =
      x509::verifyX509Svid(svid_source_(), &source, state_.now());
  if (!verified.isOk()) {
    return makeErr(state_, StatusCode::kInternal, "failed verification against bundle",
                   verified.status().message());
  }
  for (const crypto::X509Shared& cert : verified->verified_chains.front()) {
    debugv1::GetInfoResponse::Cert* out_cert = out.add_svid_chain();
    if (Result<spiffe::SpiffeId> id = x509::idFromCert(*cert); id.isOk()) {
      out_cert->mutable_id()->set_trust_domain(id->trustDomain().name());
      out_cert->mutable_id()->set_path(id->path());
    }
    out_cert->set_expires_at(
        std::chrono::duration_cast<std::chrono::seconds>(crypto::notAfter(*cert).time_since_epoch())
            .count());
    out_cert->set_subject(crypto::subjectName(*cert));
  }
  return {};
}

} // namespace spire::server::api
