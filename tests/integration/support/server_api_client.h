#pragma once

// gRPC clients of a spire-server under test, as an agent or an admin would dial it: the admin UDS
// (no transport security) and the TCP port with TLS, the server's chain checked against the
// trust bundle (its SVID carries a SPIFFE ID, not a host name, so the host name is not checked),
// optionally presenting an agent's X.509-SVID.

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace spire::integration {

std::shared_ptr<grpc::Channel> adminChannel(const std::string& socket_path);

// TLS to 127.0.0.1:port trusting `bundle_pem`; with a client identity when both PEMs are given.
std::shared_ptr<grpc::Channel> serverTlsChannel(int port, const std::string& bundle_pem,
                                                const std::string& cert_chain_pem = "",
                                                const std::string& key_pem = "");

// An agent's X.509-SVID and key as AttestAgent / RenewAgent returned them.
struct AgentSvid {
  grpc::Status status;
  std::string spiffe_id;
  std::string chain_pem; // leaf first
  std::string key_pem;   // PKCS#8
  long long expires_at = 0;
  std::string serial_hex; // the leaf's serial number
};

// AttestAgent over `channel` with the join_token attestor: one request with the token and a CSR
// for a fresh P-256 key, then the result.
AgentSvid attestWithJoinToken(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& token);
// RenewAgent over a channel that presents the agent's current SVID.
AgentSvid renewAgent(const std::shared_ptr<grpc::Channel>& channel);

// "code: message" for failure messages.
std::string describe(const grpc::Status& status);

} // namespace spire::integration
