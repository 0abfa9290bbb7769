// EntryService, agent side: GetAuthorizedEntries and SyncAuthorizedEntries answer from the
// AuthorizedEntriesIndex (descendants of the agent and of the node aliases it matches), and the
// sync stream pages revisions and entries as SPIRE does.
#include <algorithm>
#include <set>

#include "entry_service_test_base.h"

namespace spire::server::api::entry {
namespace {

class AuthorizedEntriesTest : public EntryServiceTestBase {
protected:
  std::set<std::string> authorizedIds(const entryv1::GetAuthorizedEntriesRequest& req = {}) {
    entryv1::GetAuthorizedEntriesResponse resp;
    grpc::ClientContext ctx;
    grpc::Status st = stub_->GetAuthorizedEntries(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::set<std::string> ids;
    for (const auto& e : resp.entries()) {
      ids.insert(e.id());
    }
    return ids;
  }

  // The agent's node selectors, as node attestation stores them: datastore, then index.
  void setNodeSelectors(const std::string& agent_id,
                        const std::vector<plugin_host::Selector>& selectors) {
    ASSERT_TRUE(fixture_->datastore().setNodeSelectors(agent_id, selectors).isOk());
    fixture_->index().setNodeSelectors(agent_id, selectors);
  }
};

TEST_F(AuthorizedEntriesTest, AgentGetsItsDescendantsAndThoseOfItsNodeAliases) {
  // Alias: parent spiffe://example.org/spire/server, matched by node selector join_token:agent-1.
  types::Entry alias =
      makeEntry("/cluster/a", "/spire/server", {selector("join_token", "agent-1")});
  types::Entry other_alias =
      makeEntry("/cluster/b", "/spire/server", {selector("join_token", "agent-2")});
  auto created = createAll({
      makeEntry("/direct", kAgentPath, {selector("unix", "uid:1")}),
      makeEntry("/nested", "/direct", {selector("unix", "uid:2")}),
      alias,
      other_alias,
      makeEntry("/via-alias", "/cluster/a", {selector("unix", "uid:3")}),
      makeEntry("/via-other-alias", "/cluster/b", {selector("unix", "uid:4")}),
      makeEntry("/other-agent", "/spire/agent/join_token/agent-2", {selector("unix", "uid:5")}),
  });
  ASSERT_EQ(created.size(), 7u);
  setNodeSelectors(kAgentId, {{"join_token", "agent-1"}});
  actAsAgent();

  const std::set<std::string> ids = authorizedIds();
  EXPECT_TRUE(ids.count(created[0].id())) << "direct child";
  EXPECT_TRUE(ids.count(created[1].id())) << "grandchild";
  EXPECT_TRUE(ids.count(created[4].id())) << "child of a matching alias";
  EXPECT_FALSE(ids.count(created[5].id())) << "child of an alias the agent does not match";
  EXPECT_FALSE(ids.count(created[6].id())) << "another agent's entry";
  // The alias entries themselves are not the agent's (their parent is the server), as in SPIRE.
  EXPECT_EQ(ids, (std::set<std::string>{created[0].id(), created[1].id(), created[4].id()}));
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.entry.v1.Entry/GetAuthorizedEntries");
}

TEST_F(AuthorizedEntriesTest, GetAuthorizedEntriesAppliesTheOutputMask) {
  createOne(makeEntry("/w", kAgentPath, {selector("unix", "uid:1")}));
  actAsAgent();
  entryv1::GetAuthorizedEntriesRequest req;
  req.mutable_output_mask()->set_spiffe_id(true);
  entryv1::GetAuthorizedEntriesResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetAuthorizedEntries(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.entries_size(), 1);
  EXPECT_EQ(resp.entries(0).spiffe_id().path(), "/w");
  EXPECT_FALSE(resp.entries(0).has_parent_id());
  EXPECT_EQ(resp.entries(0).selectors_size(), 0);
}

TEST_F(AuthorizedEntriesTest, AgentSeesWritesAsSoonAsTheyCommit) {
  actAsAgent();
  EXPECT_TRUE(authorizedIds().empty());
  authorizer_.setCaller(Caller{.local = true});
  types::Entry created = createOne(makeEntry("/new", kAgentPath, {selector("unix", "uid:1")}));
  actAsAgent();
  EXPECT_EQ(authorizedIds(), (std::set<std::string>{created.id()}));
  authorizer_.setCaller(Caller{.local = true});
  entryv1::BatchDeleteEntryRequest del;
  del.add_ids(created.id());
  entryv1::BatchDeleteEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchDeleteEntry(&ctx, del, &resp).ok());
  actAsAgent();
  EXPECT_TRUE(authorizedIds().empty());
}

TEST_F(AuthorizedEntriesTest, CallerWithoutIdIsAnInternalError) {
  // The default FixedAuthorizer caller is local, without a SPIFFE ID.
  entryv1::GetAuthorizedEntriesResponse resp;
  grpc::ClientContext ctx;
  grpc::Status st = stub_->GetAuthorizedEntries(&ctx, {}, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(st.error_message(), "caller ID missing from request context");

  grpc::ClientContext sctx;
  auto stream = stub_->SyncAuthorizedEntries(&sctx);
  stream->WritesDone();
  st = stream->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(st.error_message(), "caller ID missing from request context");
}

using SyncStream = grpc::ClientReaderWriter<entryv1::SyncAuthorizedEntriesRequest,
                                            entryv1::SyncAuthorizedEntriesResponse>;

// Reads responses until one with more == false.
std::vector<entryv1::SyncAuthorizedEntriesResponse> readPhase(SyncStream& stream) {
  std::vector<entryv1::SyncAuthorizedEntriesResponse> out;
  entryv1::SyncAuthorizedEntriesResponse resp;
  while (stream.Read(&resp)) {
    out.push_back(resp);
    if (!resp.more()) {
      break;
    }
  }
  return out;
}

TEST_F(AuthorizedEntriesTest, SyncSendsASmallSetInFullAtOnce) {
  auto created = createAll({makeEntry("/s1", kAgentPath, {selector("unix", "uid:1")}),
                            makeEntry("/s2", kAgentPath, {selector("unix", "uid:2")})});
  actAsAgent();
  grpc::ClientContext ctx;
  auto stream = stub_->SyncAuthorizedEntries(&ctx);
  entryv1::SyncAuthorizedEntriesRequest first;
  first.mutable_output_mask()->set_revision_number(true);
  first.mutable_output_mask()->set_spiffe_id(true);
  ASSERT_TRUE(stream->Write(first));
  auto phase = readPhase(*stream);
  ASSERT_EQ(phase.size(), 1u);
  EXPECT_FALSE(phase[0].more());
  EXPECT_EQ(phase[0].entry_revisions_size(), 0);
  ASSERT_EQ(phase[0].entries_size(), 2);
  EXPECT_TRUE(phase[0].entries(0).has_spiffe_id());
  EXPECT_FALSE(phase[0].entries(0).has_parent_id()); // the mask applies
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(AuthorizedEntriesTest, SyncRefusesIdsOnTheFirstRequest) {
  actAsAgent();
  grpc::ClientContext ctx;
  auto stream = stub_->SyncAuthorizedEntries(&ctx);
  entryv1::SyncAuthorizedEntriesRequest first;
  first.add_ids("some-id");
  ASSERT_TRUE(stream->Write(first));
  stream->WritesDone();
  grpc::Status st = stream->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "specifying IDs on initial request is not supported");
}

TEST_F(AuthorizedEntriesTest, SyncRefusesAMaskWithoutRevisionNumber) {
  actAsAgent();
  grpc::ClientContext ctx;
  auto stream = stub_->SyncAuthorizedEntries(&ctx);
  entryv1::SyncAuthorizedEntriesRequest first;
  first.mutable_output_mask()->set_spiffe_id(true);
  ASSERT_TRUE(stream->Write(first));
  stream->WritesDone();
  grpc::Status st = stream->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "revision number cannot be masked");
}

TEST_F(AuthorizedEntriesTest, SyncPagesRevisionsThenRequestedEntriesBeyond500) {
  constexpr int kEntries = 520;
  std::vector<types::Entry> in;
  for (int i = 0; i < kEntries; ++i) {
    in.push_back(makeEntry("/bulk/" + std::to_string(i), kAgentPath,
                           {selector("unix", "uid:" + std::to_string(i))}));
  }
  auto created = createAll(in);
  ASSERT_EQ(created.size(), static_cast<std::size_t>(kEntries));
  actAsAgent();

  grpc::ClientContext ctx;
  auto stream = stub_->SyncAuthorizedEntries(&ctx);
  ASSERT_TRUE(stream->Write(entryv1::SyncAuthorizedEntriesRequest{}));
  auto revisions = readPhase(*stream);
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_TRUE(revisions[0].more());
  EXPECT_EQ(revisions[0].entry_revisions_size(), 500);
  EXPECT_FALSE(revisions[1].more());
  EXPECT_EQ(revisions[1].entry_revisions_size(), kEntries - 500);
  std::vector<std::string> ids;
  for (const auto& page : revisions) {
    EXPECT_EQ(page.entries_size(), 0);
    for (const auto& r : page.entry_revisions()) {
      ids.push_back(r.id());
      EXPECT_GT(r.created_at(), 0);
    }
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  std::set<std::string> expected;
  for (const auto& e : created) {
    expected.insert(e.id());
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected);

  // Ask for every entry: 500 + 20 in full.
  entryv1::SyncAuthorizedEntriesRequest want_all;
  for (const std::string& id : ids) {
    want_all.add_ids(id);
  }
  ASSERT_TRUE(stream->Write(want_all));
  auto full = readPhase(*stream);
  ASSERT_EQ(full.size(), 2u);
  EXPECT_TRUE(full[0].more());
  EXPECT_EQ(full[0].entries_size(), 500);
  EXPECT_EQ(full[1].entries_size(), kEntries - 500);
  EXPECT_FALSE(full[1].more());

  // A request for a few (one unknown) gets only those, in one response.
  entryv1::SyncAuthorizedEntriesRequest want_some;
  want_some.add_ids(ids[3]);
  want_some.add_ids("not-an-authorized-entry");
  ASSERT_TRUE(stream->Write(want_some));
  auto some = readPhase(*stream);
  ASSERT_EQ(some.size(), 1u);
  ASSERT_EQ(some[0].entries_size(), 1);
  EXPECT_EQ(some[0].entries(0).id(), ids[3]);
  EXPECT_TRUE(some[0].entries(0).has_spiffe_id());

  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

} // namespace
} // namespace spire::server::api::entry
