#include "server/endpoints/denial_details.h"

#include "google/rpc/status.pb.h"
#include "spire/api/types/status.pb.h"

namespace spire::server::endpoints {

namespace {

using grpc::experimental::InterceptionHookPoints;

class DenialDetailsInterceptor final : public grpc::experimental::Interceptor {
public:
  DenialDetailsInterceptor(const PolicyAuthorizer& authorizer, grpc::ServerContextBase* call)
      : authorizer_(authorizer), call_(call) {}
  // A reason the call did not send (another status won) must not stay behind for a later call
  // that reuses the context's address.
  ~DenialDetailsInterceptor() override { authorizer_.forgetDenialReason(call_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        PolicyAuthorizer::DenialReason reason = authorizer_.takeDenialReason(call_);
        if (reason != PolicyAuthorizer::DenialReason::kNone) {
          ::spire::api::types::PermissionDeniedDetails details;
          details.set_reason(
              static_cast<::spire::api::types::PermissionDeniedDetails::Reason>(reason));
          ::google::rpc::Status rpc_status;
          rpc_status.set_code(status.error_code());
          rpc_status.set_message(status.error_message());
          rpc_status.add_details()->PackFrom(details);
          methods->ModifySendStatus(grpc::Status(status.error_code(), status.error_message(),
                                                 rpc_status.SerializeAsString()));
        }
      }
    }
    methods->Proceed();
  }

private:
  const PolicyAuthorizer& authorizer_;
  grpc::ServerContextBase* call_;
};

} // namespace

grpc::experimental::Interceptor*
DenialDetailsInterceptorFactory::CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) {
  return new DenialDetailsInterceptor(authorizer_, info->server_context());
}

} // namespace spire::server::endpoints
