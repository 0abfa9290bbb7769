#pragma once
// Shared set-up of the Entry service tests: a ServerFixture over the real plugins, the service
// behind a FixedAuthorizer, served in-process and reached through a real gRPC stub.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixed_authorizer.h"
#include "server/api/entry/entry_service.h"
#include "server_fixture.h"

namespace spire::server::api::entry {

namespace types = ::spire::api::types;

inline types::SPIFFEID protoId(const std::string& path, const std::string& td = "example.org") {
  types::SPIFFEID id;
  id.set_trust_domain(td);
  id.set_path(path);
  return id;
}

inline types::Selector selector(const std::string& type, const std::string& value) {
  types::Selector s;
  s.set_type(type);
  s.set_value(value);
  return s;
}

inline types::Entry makeEntry(const std::string& spiffe_path, const std::string& parent_path,
                              const std::vector<types::Selector>& selectors) {
  types::Entry e;
  *e.mutable_spiffe_id() = protoId(spiffe_path);
  *e.mutable_parent_id() = protoId(parent_path);
  for (const types::Selector& s : selectors) {
    *e.add_selectors() = s;
  }
  return e;
}

inline constexpr const char* kAgentPath = "/spire/agent/join_token/agent-1";
inline constexpr const char* kAgentId = "spiffe://example.org/spire/agent/join_token/agent-1";

class EntryServiceTestBase : public ::testing::Test {
protected:
  void SetUp() override {
    auto fixture = testing::ServerFixture::create();
    ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
    fixture_ = std::move(*fixture);
    service_ = std::make_unique<EntryService>(fixture_->state(), authorizer_, pageSize());
    server_ =
        std::make_unique<testing::InProcessServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = entryv1::Entry::NewStub(server_->channel());
  }

  void TearDown() override {
    stub_.reset();
    server_.reset();
  }

  virtual std::size_t pageSize() const { return 0; }

  // Creates the entries; every result must be OK. Returns them as stored.
  std::vector<types::Entry> createAll(const std::vector<types::Entry>& entries) {
    entryv1::BatchCreateEntryRequest req;
    for (const types::Entry& e : entries) {
      *req.add_entries() = e;
    }
    entryv1::BatchCreateEntryResponse resp;
    grpc::ClientContext ctx;
    grpc::Status st = stub_->BatchCreateEntry(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<types::Entry> out;
    for (const auto& result : resp.results()) {
      EXPECT_EQ(result.status().code(), 0) << result.status().message();
      out.push_back(result.entry());
    }
    return out;
  }

  types::Entry createOne(const types::Entry& e) {
    auto created = createAll({e});
    return created.empty() ? types::Entry{} : created.front();
  }

  void actAsAgent(const std::string& id = kAgentId) {
    Caller caller;
    caller.id = *spiffe::SpiffeId::parse(id);
    caller.agent = true;
    authorizer_.setCaller(caller);
  }

  testing::FixedAuthorizer authorizer_;
  std::unique_ptr<testing::ServerFixture> fixture_;
  std::unique_ptr<EntryService> service_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<entryv1::Entry::Stub> stub_;
};

} // namespace spire::server::api::entry
