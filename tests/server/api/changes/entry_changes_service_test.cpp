// EntryChangesService over the real plugins: the first message at once, a message after a write
// that reaches the watching agent (entries created through the real EntryService), none for an
// unrelated agent, and prompt ends on client cancellation and on shutdown(). Every wait has a
// deadline; nothing sleeps to synchronise.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fixed_authorizer.h"
#include "server/api/changes/entry_changes_service.h"
#include "server/api/entry/entry_service.h"
#include "server_fixture.h"

namespace spire::server::api::changes {
namespace {

namespace types = ::spire::api::types;
namespace entryv1 = ::spire::api::server::entry::v1;
using namespace std::chrono_literals;

constexpr auto kDeadline = 5s;
const std::string kAgent1 = "spiffe://example.org/spire/agent/join_token/agent-1";
const std::string kAgent2 = "spiffe://example.org/spire/agent/join_token/agent-2";

// Callers chosen per RPC by the "test-agent-id" metadata: an agent with that ID, or (without it)
// a local admin. Lets one server hold streams of several agents.
class MetadataAuthorizer final : public Authorizer {
public:
  Result<Caller> authorize(const grpc::ServerContext& context, std::string_view) const override {
    Caller caller;
    auto found = context.client_metadata().find("test-agent-id");
    if (found == context.client_metadata().end()) {
      caller.local = true;
      return caller;
    }
    caller.id = *spiffe::SpiffeId::parse(std::string(found->second.data(), found->second.size()));
    caller.agent = true;
    return caller;
  }
};

// Reads a server stream on its own thread so the test can wait for the next message with a
// deadline.
class StreamReader {
public:
  StreamReader(changesv1::EntryChanges::Stub& stub, const std::optional<std::string>& agent_id) {
    if (agent_id) {
      context_.AddMetadata("test-agent-id", *agent_id);
    }
    reader_ = stub.WatchAuthorizedEntries(&context_, changesv1::WatchAuthorizedEntriesRequest{});
    thread_ = std::thread([this] {
      changesv1::AuthorizedEntriesChanged message;
      while (reader_->Read(&message)) {
        std::lock_guard lock(mutex_);
        messages_.push_back(message);
        cv_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard lock(mutex_);
      finished_ = status;
      cv_.notify_all();
    });
  }

  ~StreamReader() {
    context_.TryCancel();
    thread_.join();
  }

  // The next message, or nullopt when none came within `timeout` (or the stream ended).
  std::optional<changesv1::AuthorizedEntriesChanged> next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return !messages_.empty() || finished_.has_value(); });
    if (messages_.empty()) {
      return std::nullopt;
    }
    auto message = messages_.front();
    messages_.pop_front();
    return message;
  }

  // The final status once the stream ended, or nullopt after `timeout`.
  std::optional<grpc::Status> finished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return finished_.has_value(); });
    return finished_;
  }

  void cancel() { context_.TryCancel(); }

private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<changesv1::AuthorizedEntriesChanged>> reader_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<changesv1::AuthorizedEntriesChanged> messages_;
  std::optional<grpc::Status> finished_;
};

class EntryChangesServiceTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto fixture = testing::ServerFixture::create();
    ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
    fixture_ = std::move(*fixture);
    changes_ = std::make_unique<EntryChangesService>(fixture_->state(), authorizer_);
    entries_ = std::make_unique<entry::EntryService>(fixture_->state(), authorizer_);
    server_ = std::make_unique<testing::InProcessServer>(
        std::vector<grpc::Service*>{changes_.get(), entries_.get()});
    stub_ = changesv1::EntryChanges::NewStub(server_->channel());
    entry_stub_ = entryv1::Entry::NewStub(server_->channel());
  }

  void TearDown() override {
    changes_->shutdown();
    stub_.reset();
    entry_stub_.reset();
    server_.reset();
  }

  // Creates an entry through the Entry service (as a local admin); returns the index revision
  // after the write.
  std::uint64_t createEntry(const std::string& spiffe_path, const std::string& parent_path,
                            const std::string& selector_value) {
    entryv1::BatchCreateEntryRequest req;
    types::Entry* e = req.add_entries();
    e->mutable_spiffe_id()->set_trust_domain("example.org");
    e->mutable_spiffe_id()->set_path(spiffe_path);
    e->mutable_parent_id()->set_trust_domain("example.org");
    e->mutable_parent_id()->set_path(parent_path);
    auto* s = e->add_selectors();
    s->set_type("unix");
    s->set_value(selector_value);
    entryv1::BatchCreateEntryResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(entry_stub_->BatchCreateEntry(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.results(0).status().code(), 0) << resp.results(0).status().message();
    return fixture_->index().revision();
  }

  // Waits (with a deadline) until no stream is open in the service.
  bool waitForNoOpenStreams() {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (changes_->openStreamsForTest() != 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(2ms); // bounded poll of a counter, not a synchronising sleep
    }
    return true;
  }

  MetadataAuthorizer authorizer_;
  std::unique_ptr<testing::ServerFixture> fixture_;
  std::unique_ptr<EntryChangesService> changes_;
  std::unique_ptr<entry::EntryService> entries_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<changesv1::EntryChanges::Stub> stub_;
  std::unique_ptr<entryv1::Entry::Stub> entry_stub_;
};

TEST_F(EntryChangesServiceTest, SendsTheCurrentRevisionAtOnce) {
  createEntry("/before", "/spire/agent/join_token/agent-1", "uid:1");
  const std::uint64_t revision = fixture_->index().revision();
  StreamReader reader(*stub_, kAgent1);
  auto first = reader.next(kDeadline);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->revision(), revision);
  EXPECT_EQ(first->server_instance(), changes_->serverInstance());
  EXPECT_EQ(first->server_instance().size(), 32u);
  EXPECT_EQ(first->server_instance().find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(EntryChangesServiceTest, EachServiceHasItsOwnInstance) {
  EntryChangesService other(fixture_->state(), authorizer_);
  EXPECT_NE(other.serverInstance(), changes_->serverInstance());
}

TEST_F(EntryChangesServiceTest, NotifiesTheAgentWhoseEntriesChangedAndNotAnother) {
  StreamReader agent1(*stub_, kAgent1);
  StreamReader agent2(*stub_, kAgent2);
  ASSERT_TRUE(agent1.next(kDeadline).has_value());
  auto agent2_first = agent2.next(kDeadline);
  ASSERT_TRUE(agent2_first.has_value());

  const std::uint64_t rev1 = createEntry("/w1", "/spire/agent/join_token/agent-1", "uid:1");
  auto changed = agent1.next(kDeadline);
  ASSERT_TRUE(changed.has_value()) << "no message within the deadline";
  EXPECT_GE(changed->revision(), rev1);

  // A later write under agent-2: its first message after the initial one must be for that
  // write, which proves it got none for agent-1's write (messages arrive in order).
  const std::uint64_t rev2 = createEntry("/w2", "/spire/agent/join_token/agent-2", "uid:2");
  ASSERT_GT(rev2, rev1);
  auto agent2_changed = agent2.next(kDeadline);
  ASSERT_TRUE(agent2_changed.has_value());
  EXPECT_GE(agent2_changed->revision(), rev2);
}

TEST_F(EntryChangesServiceTest, NotifiesAboutEntriesReachedThroughANodeAlias) {
  ASSERT_TRUE(fixture_->datastore().setNodeSelectors(kAgent1, {{"join_token", "agent-1"}}).isOk());
  fixture_->index().setNodeSelectors(kAgent1, {{"join_token", "agent-1"}});
  StreamReader reader(*stub_, kAgent1);
  ASSERT_TRUE(reader.next(kDeadline).has_value());
  // An alias the agent matches (its selectors are the agent's node selectors)...
  entryv1::BatchCreateEntryRequest req;
  types::Entry* alias = req.add_entries();
  alias->mutable_spiffe_id()->set_trust_domain("example.org");
  alias->mutable_spiffe_id()->set_path("/cluster");
  alias->mutable_parent_id()->set_trust_domain("example.org");
  alias->mutable_parent_id()->set_path("/spire/server");
  auto* s = alias->add_selectors();
  s->set_type("join_token");
  s->set_value("agent-1");
  entryv1::BatchCreateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(entry_stub_->BatchCreateEntry(&ctx, req, &resp).ok());
  ASSERT_TRUE(reader.next(kDeadline).has_value());
  // ...then a workload under the alias.
  const std::uint64_t revision = createEntry("/under-alias", "/cluster", "uid:9");
  auto changed = reader.next(kDeadline);
  ASSERT_TRUE(changed.has_value());
  EXPECT_GE(changed->revision(), revision);
}

TEST_F(EntryChangesServiceTest, EndsPromptlyWhenTheClientCancels) {
  auto reader = std::make_unique<StreamReader>(*stub_, kAgent1);
  ASSERT_TRUE(reader->next(kDeadline).has_value());
  EXPECT_EQ(changes_->openStreamsForTest(), 1);
  const auto start = std::chrono::steady_clock::now();
  reader->cancel();
  auto status = reader->finished(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(waitForNoOpenStreams());
  // The handler notices within its poll interval (plus scheduling slack).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(EntryChangesServiceTest, ShutdownEndsOpenStreamsAndRefusesNewOnes) {
  StreamReader reader(*stub_, kAgent1);
  ASSERT_TRUE(reader.next(kDeadline).has_value());
  changes_->shutdown();
  auto status = reader.finished(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status->error_message(), "server is shutting down");
  EXPECT_TRUE(waitForNoOpenStreams());

  StreamReader late(*stub_, kAgent1);
  auto late_status = late.finished(kDeadline);
  ASSERT_TRUE(late_status.has_value());
  EXPECT_EQ(late_status->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(late.next(0ms).has_value());
}

TEST_F(EntryChangesServiceTest, RefusesCallersThatAreNotAgents) {
  StreamReader local(*stub_, std::nullopt);
  auto status = local.finished(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status->error_message(), "caller ID missing from request context");
}

TEST(EntryChangesServiceAuthTest, RefusesWhenTheAuthorizerDeniesOrTheCallerIsNoAgent) {
  auto fixture = testing::ServerFixture::create();
  ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
  testing::FixedAuthorizer authorizer;
  EntryChangesService service((*fixture)->state(), authorizer);
  testing::InProcessServer server({&service});
  auto stub = changesv1::EntryChanges::NewStub(server.channel());

  authorizer.deny(Status(StatusCode::kPermissionDenied, "authorization denied for method"));
  {
    StreamReader reader(*stub, std::nullopt);
    auto status = reader.finished(kDeadline);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(status->error_message(), "authorization denied for method");
  }
  EXPECT_EQ(authorizer.methods().back(),
            "/spirecpp.server.changes.v1.EntryChanges/WatchAuthorizedEntries");

  authorizer.deny(Status::ok());
  Caller admin;
  admin.id = *spiffe::SpiffeId::parse("spiffe://example.org/admin");
  admin.admin = true;
  authorizer.setCaller(admin);
  {
    StreamReader reader(*stub, std::nullopt);
    auto status = reader.finished(kDeadline);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(status->error_message(), "only agents may watch authorized entries");
  }
  service.shutdown();
}

} // namespace
} // namespace spire::server::api::changes
