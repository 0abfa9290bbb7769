#pragma once

// An in-process stand-in for spire-server, enough for the agent manager: Agent (AttestAgent with
// join tokens, RenewAgent), Entry (SyncAuthorizedEntries with SPIRE's paging,
// GetAuthorizedEntries), SVID (BatchNewX509SVID, NewJWTSVID), Bundle (GetBundle,
// GetFederatedBundle) and spire-cpp's EntryChanges, over real TLS on 127.0.0.1 with a server SVID
// for spiffe://<td>/spire/server. Certificates are signed by a TestCa, with times from an
// injectable clock so that tests can move time forward for agent and server alike.
//
// Failure injection: a number of calls fail with a given code; whole services can answer
// UNIMPLEMENTED (a plain SPIRE server has no EntryChanges). Every call is counted, and tests wait
// for counts with deadlines (waitFor), never with sleeps.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "crypto/openssl_ptr.h"
#include "spire/api/types/entry.pb.h"
#include "support/test_ca.h"

namespace spire::testing {

using FakeClock = std::function<crypto::TimePoint()>;

struct FakeServerCounters {
  int attest = 0;
  int renew = 0;
  int sync = 0;              // SyncAuthorizedEntries streams
  int get_authorized = 0;    // GetAuthorizedEntries
  int full_entries_sent = 0; // entries sent in full by either call
  int batch_svid = 0;        // BatchNewX509SVID calls
  int svids_signed = 0;
  int jwt = 0;
  int get_bundle = 0;
  int watch = 0; // WatchAuthorizedEntries streams opened
  std::vector<std::chrono::steady_clock::time_point> sync_times;
  // Serial (hex) of the client certificate of the last authenticated agent call.
  std::string last_agent_serial;
};

class FakeServer {
public:
  explicit FakeServer(const std::string& trust_domain = "example.org", FakeClock clock = {});
  ~FakeServer();

  // Listens on 127.0.0.1:`port` (0 = any free port). Can be called again after stop() (with the
  // previous port) to simulate a server restart; state is kept.
  void start(int port = 0);
  void stop();
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1"; }

  const TestCa& ca() const { return ca_; }
  std::string bundlePem() const;
  crypto::TimePoint now() const;

  // Join tokens accepted by AttestAgent; each is single-use (SPIRE deletes it).
  void addJoinToken(const std::string& token);
  std::string agentIdForToken(const std::string& token) const;

  // Registration entries; an agent is authorized for the entries whose parent is its ID.
  // Returns the entry ID. Bumps the revision watchers see.
  std::string addEntry(const std::string& spiffe_id, const std::string& parent_id,
                       const std::vector<std::pair<std::string, std::string>>& selectors,
                       int32_t x509_ttl = 0, std::vector<std::string> federates_with = {});
  void removeEntry(const std::string& id);
  // Changes an entry (bumping its revision_number, as the server does on every update).
  void updateEntry(const std::string& id,
                   const std::function<void(spire::api::types::Entry&)>& edit);
  void setFederatedBundle(const std::string& td, const TestCa& ca);

  // Defaults for SVID lifetimes (seconds).
  void setAgentTtl(int seconds) { agent_ttl_ = seconds; }
  void setX509Ttl(int seconds) { x509_ttl_ = seconds; }
  void setJwtTtl(int seconds) { jwt_ttl_ = seconds; }
  void setPageSize(size_t size) { page_size_ = size; }
  void setReattestable(bool value) { reattestable_ = value; }

  // The next `count` SyncAuthorizedEntries/GetAuthorizedEntries calls fail with `code`.
  void failSyncs(int count, grpc::StatusCode code);
  void setSyncUnimplemented(bool value) { sync_unimplemented_ = value; }
  void setWatchUnimplemented(bool value) { watch_unimplemented_ = value; }
  // The agent is no longer known: its calls fail with PermissionDenied until it attests again.
  void evictAgent(const std::string& agent_id);

  FakeServerCounters counters() const;
  // Waits until `predicate(counters)` holds or the deadline passes; returns whether it held.
  bool waitFor(const std::function<bool(const FakeServerCounters&)>& predicate,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  class Impl;

private:
  std::unique_ptr<Impl> impl_;
  TestCa ca_;
  int port_ = 0;
  std::atomic<int> agent_ttl_{3600};
  std::atomic<int> x509_ttl_{3600};
  std::atomic<int> jwt_ttl_{300};
  std::atomic<size_t> page_size_{500};
  std::atomic<bool> reattestable_{false};
  std::atomic<bool> sync_unimplemented_{false};
  std::atomic<bool> watch_unimplemented_{false};
};

} // namespace spire::testing
