#pragma once

// In-process fakes of the SPIRE Server services the CLI calls: each records the requests it got
// and answers with a canned response, or with `error` when that is set.

#include <mutex>
#include <vector>

#include <google/protobuf/empty.pb.h>
#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"
#include "spire/api/server/logger/v1/logger.grpc.pb.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"

namespace spire::server::commands::testing {

namespace entryv1 = ::spire::api::server::entry::v1;
namespace agentv1 = ::spire::api::server::agent::v1;
namespace bundlev1 = ::spire::api::server::bundle::v1;
namespace svidv1 = ::spire::api::server::svid::v1;
namespace loggerv1 = ::spire::api::server::logger::v1;
namespace healthv1 = ::grpc::health::v1;
namespace types = ::spire::api::types;

// One RPC's script: the requests seen, the responses to give in turn (the last one repeats),
// and an error that wins over them.
template <class Req, class Resp> class Script {
public:
  grpc::Status serve(const Req& req, Resp* resp) {
    std::lock_guard lock(mu_);
    requests_.push_back(req);
    if (!error_.ok()) {
      return error_;
    }
    if (!responses_.empty()) {
      const std::size_t i = std::min(next_, responses_.size() - 1);
      *resp = responses_[i];
      ++next_;
    }
    return grpc::Status::OK;
  }
  void respond(Resp resp) {
    std::lock_guard lock(mu_);
    responses_.push_back(std::move(resp));
  }
  void fail(grpc::StatusCode code, std::string message) {
    std::lock_guard lock(mu_);
    error_ = grpc::Status(code, std::move(message));
  }
  std::vector<Req> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

private:
  mutable std::mutex mu_;
  std::vector<Req> requests_;
  std::vector<Resp> responses_;
  std::size_t next_ = 0;
  grpc::Status error_ = grpc::Status::OK;
};

class FakeEntryService final : public entryv1::Entry::Service {
public:
  Script<entryv1::CountEntriesRequest, entryv1::CountEntriesResponse> count;
  Script<entryv1::ListEntriesRequest, entryv1::ListEntriesResponse> list;
  Script<entryv1::GetEntryRequest, types::Entry> get;
  Script<entryv1::BatchCreateEntryRequest, entryv1::BatchCreateEntryResponse> create;
  Script<entryv1::BatchUpdateEntryRequest, entryv1::BatchUpdateEntryResponse> update;
  Script<entryv1::BatchDeleteEntryRequest, entryv1::BatchDeleteEntryResponse> remove;

  grpc::Status CountEntries(grpc::ServerContext*, const entryv1::CountEntriesRequest* req,
                            entryv1::CountEntriesResponse* resp) override {
    return count.serve(*req, resp);
  }
  grpc::Status ListEntries(grpc::ServerContext*, const entryv1::ListEntriesRequest* req,
                           entryv1::ListEntriesResponse* resp) override {
    return list.serve(*req, resp);
  }
  grpc::Status GetEntry(grpc::ServerContext*, const entryv1::GetEntryRequest* req,
                        types::Entry* resp) override {
    return get.serve(*req, resp);
  }
  grpc::Status BatchCreateEntry(grpc::ServerContext*, const entryv1::BatchCreateEntryRequest* req,
                                entryv1::BatchCreateEntryResponse* resp) override {
    return create.serve(*req, resp);
  }
  grpc::Status BatchUpdateEntry(grpc::ServerContext*, const entryv1::BatchUpdateEntryRequest* req,
                                entryv1::BatchUpdateEntryResponse* resp) override {
    return update.serve(*req, resp);
  }
  grpc::Status BatchDeleteEntry(grpc::ServerContext*, const entryv1::BatchDeleteEntryRequest* req,
                                entryv1::BatchDeleteEntryResponse* resp) override {
    return remove.serve(*req, resp);
  }
};

class FakeAgentService final : public agentv1::Agent::Service {
public:
  Script<agentv1::CountAgentsRequest, agentv1::CountAgentsResponse> count;
  Script<agentv1::ListAgentsRequest, agentv1::ListAgentsResponse> list;
  Script<agentv1::GetAgentRequest, types::Agent> get;
  Script<agentv1::DeleteAgentRequest, google::protobuf::Empty> remove;
  Script<agentv1::BanAgentRequest, google::protobuf::Empty> ban;
  Script<agentv1::CreateJoinTokenRequest, types::JoinToken> token;

  grpc::Status CountAgents(grpc::ServerContext*, const agentv1::CountAgentsRequest* req,
                           agentv1::CountAgentsResponse* resp) override {
    return count.serve(*req, resp);
  }
  grpc::Status ListAgents(grpc::ServerContext*, const agentv1::ListAgentsRequest* req,
                          agentv1::ListAgentsResponse* resp) override {
    return list.serve(*req, resp);
  }
  grpc::Status GetAgent(grpc::ServerContext*, const agentv1::GetAgentRequest* req,
                        types::Agent* resp) override {
    return get.serve(*req, resp);
  }
  grpc::Status DeleteAgent(grpc::ServerContext*, const agentv1::DeleteAgentRequest* req,
                           google::protobuf::Empty* resp) override {
    return remove.serve(*req, resp);
  }
  grpc::Status BanAgent(grpc::ServerContext*, const agentv1::BanAgentRequest* req,
                        google::protobuf::Empty* resp) override {
    return ban.serve(*req, resp);
  }
  grpc::Status CreateJoinToken(grpc::ServerContext*, const agentv1::CreateJoinTokenRequest* req,
                               types::JoinToken* resp) override {
    return token.serve(*req, resp);
  }
};

class FakeBundleService final : public bundlev1::Bundle::Service {
public:
  Script<bundlev1::CountBundlesRequest, bundlev1::CountBundlesResponse> count;
  Script<bundlev1::GetBundleRequest, types::Bundle> get;
  Script<bundlev1::ListFederatedBundlesRequest, bundlev1::ListFederatedBundlesResponse> list;
  Script<bundlev1::GetFederatedBundleRequest, types::Bundle> get_federated;
  Script<bundlev1::BatchSetFederatedBundleRequest, bundlev1::BatchSetFederatedBundleResponse> set;
  Script<bundlev1::BatchDeleteFederatedBundleRequest, bundlev1::BatchDeleteFederatedBundleResponse>
      remove;

  grpc::Status CountBundles(grpc::ServerContext*, const bundlev1::CountBundlesRequest* req,
                            bundlev1::CountBundlesResponse* resp) override {
    return count.serve(*req, resp);
  }
  grpc::Status GetBundle(grpc::ServerContext*, const bundlev1::GetBundleRequest* req,
                         types::Bundle* resp) override {
    return get.serve(*req, resp);
  }
  grpc::Status ListFederatedBundles(grpc::ServerContext*,
                                    const bundlev1::ListFederatedBundlesRequest* req,
                                    bundlev1::ListFederatedBundlesResponse* resp) override {
    return list.serve(*req, resp);
  }
  grpc::Status GetFederatedBundle(grpc::ServerContext*,
                                  const bundlev1::GetFederatedBundleRequest* req,
                                  types::Bundle* resp) override {
    return get_federated.serve(*req, resp);
  }
  grpc::Status BatchSetFederatedBundle(grpc::ServerContext*,
                                       const bundlev1::BatchSetFederatedBundleRequest* req,
                                       bundlev1::BatchSetFederatedBundleResponse* resp) override {
    return set.serve(*req, resp);
  }
  grpc::Status
  BatchDeleteFederatedBundle(grpc::ServerContext*,
                             const bundlev1::BatchDeleteFederatedBundleRequest* req,
                             bundlev1::BatchDeleteFederatedBundleResponse* resp) override {
    return remove.serve(*req, resp);
  }
};

class FakeSvidService final : public svidv1::SVID::Service {
public:
  Script<svidv1::MintX509SVIDRequest, svidv1::MintX509SVIDResponse> mint_x509;
  Script<svidv1::MintJWTSVIDRequest, svidv1::MintJWTSVIDResponse> mint_jwt;

  grpc::Status MintX509SVID(grpc::ServerContext*, const svidv1::MintX509SVIDRequest* req,
                            svidv1::MintX509SVIDResponse* resp) override {
    return mint_x509.serve(*req, resp);
  }
  grpc::Status MintJWTSVID(grpc::ServerContext*, const svidv1::MintJWTSVIDRequest* req,
                           svidv1::MintJWTSVIDResponse* resp) override {
    return mint_jwt.serve(*req, resp);
  }
};

class FakeLoggerService final : public loggerv1::Logger::Service {
public:
  Script<loggerv1::GetLoggerRequest, types::Logger> get;
  Script<loggerv1::SetLogLevelRequest, types::Logger> set;
  Script<loggerv1::ResetLogLevelRequest, types::Logger> reset;

  grpc::Status GetLogger(grpc::ServerContext*, const loggerv1::GetLoggerRequest* req,
                         types::Logger* resp) override {
    return get.serve(*req, resp);
  }
  grpc::Status SetLogLevel(grpc::ServerContext*, const loggerv1::SetLogLevelRequest* req,
                           types::Logger* resp) override {
    return set.serve(*req, resp);
  }
  grpc::Status ResetLogLevel(grpc::ServerContext*, const loggerv1::ResetLogLevelRequest* req,
                             types::Logger* resp) override {
    return reset.serve(*req, resp);
  }
};

class FakeHealthService final : public healthv1::Health::Service {
public:
  Script<healthv1::HealthCheckRequest, healthv1::HealthCheckResponse> check;

  grpc::Status Check(grpc::ServerContext*, const healthv1::HealthCheckRequest* req,
                     healthv1::HealthCheckResponse* resp) override {
    return check.serve(*req, resp);
  }
};

} // namespace spire::server::commands::testing
