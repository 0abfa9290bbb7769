// EntryService, admin side: create / get / list / count / update / delete through a real gRPC
// stub over the real datastore plugin, with SPIRE's per-item codes and messages, and the index
// following every committed write.
#include <algorithm>
#include <set>

#include "entry_service_test_base.h"

namespace spire::server::api::entry {
namespace {

class EntryServiceTest : public EntryServiceTestBase {
protected:
  std::set<std::string> listIds(const entryv1::ListEntriesRequest& req) {
    entryv1::ListEntriesResponse resp;
    grpc::ClientContext ctx;
    grpc::Status st = stub_->ListEntries(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::set<std::string> ids;
    for (const auto& e : resp.entries()) {
      ids.insert(e.id());
    }
    return ids;
  }

  std::int32_t count(const entryv1::CountEntriesRequest& req) {
    entryv1::CountEntriesResponse resp;
    grpc::ClientContext ctx;
    grpc::Status st = stub_->CountEntries(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.count();
  }
};

TEST_F(EntryServiceTest, BatchCreateStoresTheEntryAndIndexesIt) {
  types::Entry in = makeEntry("/workload", kAgentPath, {selector("unix", "uid:1000")});
  in.set_x509_svid_ttl(120);
  in.set_hint("web");
  in.add_dns_names("web.example.org");
  types::Entry created = createOne(in);
  EXPECT_FALSE(created.id().empty());
  EXPECT_EQ(created.spiffe_id().path(), "/workload");
  EXPECT_EQ(created.parent_id().path(), kAgentPath);
  EXPECT_EQ(created.x509_svid_ttl(), 120);
  EXPECT_EQ(created.hint(), "web");
  EXPECT_GT(created.created_at(), 0);
  EXPECT_EQ(created.revision_number(), 0);

  auto indexed = fixture_->index().entry(created.id());
  ASSERT_NE(indexed, nullptr);
  EXPECT_EQ(indexed->spiffe_id, "spiffe://example.org/workload");
  auto stored = fixture_->datastore().fetchEntry(created.id());
  ASSERT_TRUE(stored.isOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->hint, "web");
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.entry.v1.Entry/BatchCreateEntry");
}

TEST_F(EntryServiceTest, BatchCreateKeepsASuppliedEntryId) {
  types::Entry in = makeEntry("/workload", kAgentPath, {selector("unix", "uid:1")});
  in.set_id("my-chosen-id");
  EXPECT_EQ(createOne(in).id(), "my-chosen-id");
  EXPECT_NE(fixture_->index().entry("my-chosen-id"), nullptr);
}

TEST_F(EntryServiceTest, BatchCreateOfASimilarEntryReturnsTheExistingOne) {
  types::Entry first = createOne(makeEntry("/w", kAgentPath, {selector("unix", "uid:1")}));
  const std::size_t indexed = fixture_->index().entryCount();
  const std::uint64_t revision = fixture_->index().revision();

  entryv1::BatchCreateEntryRequest req;
  types::Entry again = makeEntry("/w", kAgentPath, {selector("unix", "uid:1")});
  again.set_hint("different hint, same identity");
  *req.add_entries() = again;
  entryv1::BatchCreateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchCreateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  EXPECT_EQ(resp.results(0).status().code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(resp.results(0).status().message(), "similar entry already exists");
  EXPECT_EQ(resp.results(0).entry().id(), first.id());
  EXPECT_EQ(resp.results(0).entry().hint(), "");
  EXPECT_EQ(fixture_->index().entryCount(), indexed);
  EXPECT_EQ(fixture_->index().revision(), revision);
}

TEST_F(EntryServiceTest, BatchCreateReportsEachFailureAndCreatesTheRest) {
  entryv1::BatchCreateEntryRequest req;
  *req.add_entries() = makeEntry("/ok", kAgentPath, {selector("unix", "uid:1")});
  types::Entry no_parent = makeEntry("/x", kAgentPath, {selector("unix", "uid:1")});
  no_parent.clear_parent_id();
  *req.add_entries() = no_parent;
  *req.add_entries() = makeEntry("/spire/reserved", kAgentPath, {selector("unix", "uid:1")});
  *req.add_entries() = makeEntry("/no-selectors", kAgentPath, {});
  types::Entry unknown_federation = makeEntry("/fed", kAgentPath, {selector("unix", "uid:1")});
  unknown_federation.add_federates_with("nowhere.org");
  *req.add_entries() = unknown_federation;
  entryv1::BatchCreateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchCreateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 5);
  EXPECT_EQ(resp.results(0).status().code(), 0);
  EXPECT_FALSE(resp.results(0).entry().id().empty());
  EXPECT_EQ(resp.results(1).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(1).status().message(),
            "failed to convert entry: invalid parent ID: request must specify SPIFFE ID");
  EXPECT_FALSE(resp.results(1).has_entry());
  EXPECT_EQ(resp.results(2).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(2).status().message(),
            "failed to convert entry: invalid spiffe ID: \"spiffe://example.org/spire/reserved\" "
            "is not a workload in trust domain \"example.org\"; path is in the reserved "
            "namespace");
  EXPECT_EQ(resp.results(3).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(3).status().message(), "failed to convert entry: selector list is empty");
  // The datastore refuses a federation with a bundle it does not hold; its code is kept.
  EXPECT_EQ(resp.results(4).status().code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(resp.results(4).status().message(),
            "failed to create entry: DataStore \"sql\": unable to find federated bundle "
            "\"nowhere.org\"");
  EXPECT_EQ(fixture_->index().entryCount(), 1u);
}

TEST_F(EntryServiceTest, BatchCreateAppliesTheOutputMask) {
  entryv1::BatchCreateEntryRequest req;
  types::Entry in = makeEntry("/masked", kAgentPath, {selector("unix", "uid:1")});
  in.set_hint("h");
  *req.add_entries() = in;
  req.mutable_output_mask()->set_spiffe_id(true);
  entryv1::BatchCreateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchCreateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  const types::Entry& out = resp.results(0).entry();
  EXPECT_FALSE(out.id().empty());
  EXPECT_EQ(out.spiffe_id().path(), "/masked");
  EXPECT_FALSE(out.has_parent_id());
  EXPECT_EQ(out.selectors_size(), 0);
  EXPECT_EQ(out.hint(), "");
  EXPECT_EQ(out.created_at(), 0);
}

TEST_F(EntryServiceTest, GetEntryReturnsTheEntryOrSpireErrors) {
  types::Entry created = createOne(makeEntry("/w", kAgentPath, {selector("unix", "uid:1")}));
  entryv1::GetEntryRequest req;
  req.set_id(created.id());
  types::Entry got;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetEntry(&ctx, req, &got).ok());
    EXPECT_EQ(got.id(), created.id());
    EXPECT_EQ(got.selectors_size(), 1);
  }
  {
    req.mutable_output_mask()->set_parent_id(true);
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetEntry(&ctx, req, &got).ok());
    EXPECT_TRUE(got.has_parent_id());
    EXPECT_FALSE(got.has_spiffe_id());
    EXPECT_EQ(got.selectors_size(), 0);
  }
  {
    entryv1::GetEntryRequest missing;
    grpc::ClientContext ctx;
    grpc::Status st = stub_->GetEntry(&ctx, missing, &got);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "missing ID");
  }
  {
    entryv1::GetEntryRequest unknown;
    unknown.set_id("no-such-entry");
    grpc::ClientContext ctx;
    grpc::Status st = stub_->GetEntry(&ctx, unknown, &got);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(st.error_message(), "entry not found");
  }
}

TEST_F(EntryServiceTest, ListAndCountFilterBySpiffeIdParentHintAndDownstream) {
  types::Entry a = makeEntry("/a", kAgentPath, {selector("unix", "uid:1")});
  a.set_hint("front");
  types::Entry b = makeEntry("/b", kAgentPath, {selector("unix", "uid:2")});
  b.set_downstream(true);
  types::Entry c = makeEntry("/c", "/spire/agent/join_token/other", {selector("unix", "uid:3")});
  auto created = createAll({a, b, c});
  ASSERT_EQ(created.size(), 3u);

  entryv1::ListEntriesRequest list;
  EXPECT_EQ(listIds(list).size(), 3u);
  entryv1::CountEntriesRequest cnt;
  EXPECT_EQ(count(cnt), 3);

  list.mutable_filter()->mutable_by_spiffe_id()->CopyFrom(protoId("/b"));
  EXPECT_EQ(listIds(list), (std::set<std::string>{created[1].id()}));
  cnt.mutable_filter()->mutable_by_spiffe_id()->CopyFrom(protoId("/b"));
  EXPECT_EQ(count(cnt), 1);

  list.Clear();
  list.mutable_filter()->mutable_by_parent_id()->CopyFrom(protoId(kAgentPath));
  EXPECT_EQ(listIds(list), (std::set<std::string>{created[0].id(), created[1].id()}));
  cnt.Clear();
  cnt.mutable_filter()->mutable_by_parent_id()->CopyFrom(protoId(kAgentPath));
  EXPECT_EQ(count(cnt), 2);

  list.Clear();
  list.mutable_filter()->mutable_by_hint()->set_value("front");
  EXPECT_EQ(listIds(list), (std::set<std::string>{created[0].id()}));

  list.Clear();
  list.mutable_filter()->mutable_by_downstream()->set_value(true);
  EXPECT_EQ(listIds(list), (std::set<std::string>{created[1].id()}));
  cnt.Clear();
  cnt.mutable_filter()->mutable_by_downstream()->set_value(false);
  EXPECT_EQ(count(cnt), 2);
}

TEST_F(EntryServiceTest, ListFiltersBySelectorsInAllFourMatchModes) {
  // A = {a}, B = {a, b}, C = {b, c}; the filter is {a, b}.
  auto created = createAll({
      makeEntry("/A", kAgentPath, {selector("t", "a")}),
      makeEntry("/B", kAgentPath, {selector("t", "a"), selector("t", "b")}),
      makeEntry("/C", kAgentPath, {selector("t", "b"), selector("t", "c")}),
  });
  ASSERT_EQ(created.size(), 3u);
  const std::string a = created[0].id(), b = created[1].id(), c = created[2].id();
  auto byMatch = [&](types::SelectorMatch::MatchBehavior match) {
    entryv1::ListEntriesRequest req;
    auto* filter = req.mutable_filter()->mutable_by_selectors();
    *filter->add_selectors() = selector("t", "a");
    *filter->add_selectors() = selector("t", "b");
    filter->set_match(match);
    return listIds(req);
  };
  EXPECT_EQ(byMatch(types::SelectorMatch::MATCH_EXACT), (std::set<std::string>{b}));
  EXPECT_EQ(byMatch(types::SelectorMatch::MATCH_SUBSET), (std::set<std::string>{a, b}));
  EXPECT_EQ(byMatch(types::SelectorMatch::MATCH_SUPERSET), (std::set<std::string>{b}));
  EXPECT_EQ(byMatch(types::SelectorMatch::MATCH_ANY), (std::set<std::string>{a, b, c}));

  entryv1::CountEntriesRequest cnt;
  auto* filter = cnt.mutable_filter()->mutable_by_selectors();
  *filter->add_selectors() = selector("t", "b");
  filter->set_match(types::SelectorMatch::MATCH_ANY);
  EXPECT_EQ(count(cnt), 2);
}

TEST_F(EntryServiceTest, ListFiltersByFederatesWith) {
  // Entries may only federate with bundles the datastore holds.
  for (const char* name : {"one.org", "two.org"}) {
    plugin_host::Bundle bundle;
    bundle.trust_domain = name;
    bundle.x509_authorities.push_back(
        {plugin_host::Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, false}); // stored opaquely
    ASSERT_TRUE(fixture_->datastore().createBundle(bundle).isOk());
  }
  types::Entry one = makeEntry("/one", kAgentPath, {selector("t", "1")});
  one.add_federates_with("one.org");
  types::Entry both = makeEntry("/both", kAgentPath, {selector("t", "2")});
  both.add_federates_with("one.org");
  both.add_federates_with("spiffe://two.org");
  types::Entry none = makeEntry("/none", kAgentPath, {selector("t", "3")});
  auto created = createAll({one, both, none});
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(created[1].federates_with_size(), 2);
  EXPECT_EQ(created[1].federates_with(1), "two.org");

  entryv1::ListEntriesRequest req;
  auto* filter = req.mutable_filter()->mutable_by_federates_with();
  filter->add_trust_domains("one.org");
  filter->set_match(types::FederatesWithMatch::MATCH_ANY);
  EXPECT_EQ(listIds(req), (std::set<std::string>{created[0].id(), created[1].id()}));
  filter->set_match(types::FederatesWithMatch::MATCH_EXACT);
  EXPECT_EQ(listIds(req), (std::set<std::string>{created[0].id()}));
}

TEST_F(EntryServiceTest, ListAndCountRefuseMalformedFilters) {
  entryv1::ListEntriesRequest list;
  list.mutable_filter()->mutable_by_selectors();
  entryv1::ListEntriesResponse resp;
  grpc::ClientContext ctx;
  grpc::Status st = stub_->ListEntries(&ctx, list, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "malformed selectors filter: empty selector set");

  entryv1::CountEntriesRequest cnt;
  cnt.mutable_filter()->mutable_by_parent_id()->CopyFrom(protoId("/x", "other.org"));
  entryv1::CountEntriesResponse cresp;
  grpc::ClientContext cctx;
  st = stub_->CountEntries(&cctx, cnt, &cresp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "malformed parent ID filter: \"spiffe://other.org/x\" is not a "
                                "member of trust domain \"example.org\"");
}

TEST_F(EntryServiceTest, ListPagesThroughEveryEntryOnce) {
  std::vector<types::Entry> in;
  for (int i = 0; i < 5; ++i) {
    in.push_back(makeEntry("/p" + std::to_string(i), kAgentPath,
                           {selector("unix", "uid:" + std::to_string(i))}));
  }
  auto created = createAll(in);
  ASSERT_EQ(created.size(), 5u);
  std::set<std::string> seen;
  std::vector<int> page_sizes;
  std::string token;
  do {
    entryv1::ListEntriesRequest req;
    req.set_page_size(2);
    req.set_page_token(token);
    entryv1::ListEntriesResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListEntries(&ctx, req, &resp).ok());
    page_sizes.push_back(resp.entries_size());
    for (const auto& e : resp.entries()) {
      EXPECT_TRUE(seen.insert(e.id()).second) << "listed twice: " << e.id();
    }
    token = resp.next_page_token();
    ASSERT_LE(page_sizes.size(), 5u);
  } while (!token.empty());
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(page_sizes.front(), 2);
  EXPECT_EQ(page_sizes[1], 2);
}

TEST_F(EntryServiceTest, ListAppliesTheOutputMask) {
  createOne(makeEntry("/m", kAgentPath, {selector("unix", "uid:1")}));
  entryv1::ListEntriesRequest req;
  req.mutable_output_mask()->set_selectors(true);
  entryv1::ListEntriesResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListEntries(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.entries_size(), 1);
  EXPECT_EQ(resp.entries(0).selectors_size(), 1);
  EXPECT_FALSE(resp.entries(0).has_spiffe_id());
  EXPECT_FALSE(resp.entries(0).id().empty());
}

TEST_F(EntryServiceTest, BatchUpdateWritesMaskedFieldsAndBumpsTheRevision) {
  types::Entry created = createOne(makeEntry("/u", kAgentPath, {selector("unix", "uid:1")}));
  entryv1::BatchUpdateEntryRequest req;
  types::Entry change;
  change.set_id(created.id());
  change.set_hint("updated");
  change.set_admin(true); // not in the input mask: ignored
  *req.add_entries() = change;
  req.mutable_input_mask()->set_hint(true);
  entryv1::BatchUpdateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchUpdateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  ASSERT_EQ(resp.results(0).status().code(), 0) << resp.results(0).status().message();
  const types::Entry& out = resp.results(0).entry();
  EXPECT_EQ(out.hint(), "updated");
  EXPECT_FALSE(out.admin());
  EXPECT_EQ(out.revision_number(), created.revision_number() + 1);
  EXPECT_EQ(out.selectors_size(), 1);
  auto indexed = fixture_->index().entry(created.id());
  ASSERT_NE(indexed, nullptr);
  EXPECT_EQ(indexed->hint, "updated");
  EXPECT_EQ(indexed->revision_number, created.revision_number() + 1);
}

TEST_F(EntryServiceTest, BatchUpdateWithoutInputMaskReplacesEveryField) {
  types::Entry created = createOne(makeEntry("/u", kAgentPath, {selector("unix", "uid:1")}));
  entryv1::BatchUpdateEntryRequest req;
  types::Entry change = makeEntry("/u2", kAgentPath, {selector("unix", "uid:2")});
  change.set_id(created.id());
  change.set_x509_svid_ttl(300);
  *req.add_entries() = change;
  req.mutable_output_mask()->set_spiffe_id(true);
  req.mutable_output_mask()->set_x509_svid_ttl(true);
  entryv1::BatchUpdateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchUpdateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results(0).status().code(), 0) << resp.results(0).status().message();
  EXPECT_EQ(resp.results(0).entry().spiffe_id().path(), "/u2");
  EXPECT_EQ(resp.results(0).entry().x509_svid_ttl(), 300);
  EXPECT_EQ(resp.results(0).entry().selectors_size(), 0); // masked out
  EXPECT_EQ(fixture_->index().entry(created.id())->spiffe_id, "spiffe://example.org/u2");
}

TEST_F(EntryServiceTest, BatchUpdateReportsInvalidAndUnknownEntries) {
  entryv1::BatchUpdateEntryRequest req;
  types::Entry bad;
  bad.set_id("whatever");
  bad.set_hint(std::string(1025, 'x'));
  *req.add_entries() = bad;
  types::Entry unknown;
  unknown.set_id("no-such-entry");
  unknown.set_hint("h");
  *req.add_entries() = unknown;
  req.mutable_input_mask()->set_hint(true);
  entryv1::BatchUpdateEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchUpdateEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 2);
  EXPECT_EQ(resp.results(0).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(0).status().message(),
            "failed to convert entry: hint is too long, max length is 1024 characters");
  EXPECT_EQ(resp.results(1).status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resp.results(1).status().message(),
            "failed to update entry: DataStore \"sql\": record not found");
}

TEST_F(EntryServiceTest, BatchDeleteReportsEachIdAndUpdatesTheIndex) {
  types::Entry created = createOne(makeEntry("/d", kAgentPath, {selector("unix", "uid:1")}));
  ASSERT_NE(fixture_->index().entry(created.id()), nullptr);
  entryv1::BatchDeleteEntryRequest req;
  req.add_ids(created.id());
  req.add_ids("no-such-entry");
  req.add_ids("");
  entryv1::BatchDeleteEntryResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchDeleteEntry(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 3);
  EXPECT_EQ(resp.results(0).id(), created.id());
  EXPECT_EQ(resp.results(0).status().code(), 0);
  EXPECT_EQ(resp.results(1).id(), "no-such-entry");
  EXPECT_EQ(resp.results(1).status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resp.results(1).status().message(), "entry not found");
  EXPECT_EQ(resp.results(2).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(2).status().message(), "missing entry ID");
  EXPECT_EQ(fixture_->index().entry(created.id()), nullptr);
  auto stored = fixture_->datastore().fetchEntry(created.id());
  ASSERT_TRUE(stored.isOk());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(EntryServiceTest, EveryMethodRefusesWhenTheAuthorizerDenies) {
  createOne(makeEntry("/x", kAgentPath, {selector("unix", "uid:1")}));
  const std::size_t before = fixture_->index().entryCount();
  authorizer_.deny(Status(StatusCode::kPermissionDenied, "authorization denied for method"));
  auto expectDenied = [](const grpc::Status& st) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "authorization denied for method");
  };
  {
    grpc::ClientContext ctx;
    entryv1::CountEntriesResponse r;
    expectDenied(stub_->CountEntries(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::ListEntriesResponse r;
    expectDenied(stub_->ListEntries(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::GetEntryRequest q;
    q.set_id("x");
    types::Entry r;
    expectDenied(stub_->GetEntry(&ctx, q, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::BatchCreateEntryRequest q;
    *q.add_entries() = makeEntry("/y", kAgentPath, {selector("unix", "uid:2")});
    entryv1::BatchCreateEntryResponse r;
    expectDenied(stub_->BatchCreateEntry(&ctx, q, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::BatchUpdateEntryResponse r;
    expectDenied(stub_->BatchUpdateEntry(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::BatchDeleteEntryRequest q;
    q.add_ids("x");
    entryv1::BatchDeleteEntryResponse r;
    expectDenied(stub_->BatchDeleteEntry(&ctx, q, &r));
  }
  {
    grpc::ClientContext ctx;
    entryv1::GetAuthorizedEntriesResponse r;
    expectDenied(stub_->GetAuthorizedEntries(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    auto stream = stub_->SyncAuthorizedEntries(&ctx);
    stream->WritesDone();
    entryv1::SyncAuthorizedEntriesResponse r;
    EXPECT_FALSE(stream->Read(&r));
    expectDenied(stream->Finish());
  }
  EXPECT_EQ(fixture_->index().entryCount(), before);
  auto count = fixture_->datastore().countEntries(nullptr);
  ASSERT_TRUE(count.isOk());
  EXPECT_EQ(*count, 1);
  const std::vector<std::string> methods = authorizer_.methods();
  for (const char* method :
       {"CountEntries", "ListEntries", "GetEntry", "BatchCreateEntry", "BatchUpdateEntry",
        "BatchDeleteEntry", "GetAuthorizedEntries", "SyncAuthorizedEntries"}) {
    const std::string full = std::string("/spire.api.server.entry.v1.Entry/") + method;
    EXPECT_NE(std::find(methods.begin(), methods.end(), full), methods.end()) << full;
  }
}

} // namespace
} // namespace spire::server::api::entry
