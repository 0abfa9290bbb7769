#include <filesystem>

#include <gtest/gtest.h>

#include "server/commands/client_connection.h"
#include "server/commands/command_fixture.h"

namespace spire::server::commands::testing {
namespace {

using EntryCommandsTest = CommandFixture;

types::Entry sampleEntry(const std::string& id, const std::string& path) {
  types::Entry e;
  e.set_id(id);
  e.mutable_spiffe_id()->set_trust_domain("example.org");
  e.mutable_spiffe_id()->set_path(path);
  e.mutable_parent_id()->set_trust_domain("example.org");
  e.mutable_parent_id()->set_path("/parent");
  auto* s = e.add_selectors();
  s->set_type("unix");
  s->set_value("uid:1");
  e.set_revision_number(1);
  return e;
}

entryv1::BatchCreateEntryResponse createOk(const types::Entry& e) {
  entryv1::BatchCreateEntryResponse resp;
  auto* r = resp.add_results();
  r->mutable_status()->set_code(0);
  r->mutable_status()->set_message("OK");
  *r->mutable_entry() = e;
  return resp;
}

TEST_F(EntryCommandsTest, CreateBuildsTheEntryFromFlagsAndPrintsIt) {
  types::Entry created = sampleEntry("entry-1", "/workload");
  created.set_x509_svid_ttl(60);
  created.add_dns_names("a.example.org");
  created.add_federates_with("spiffe://other.org");
  created.set_admin(true);
  created.set_hint("h");
  entry_.create.respond(createOk(created));

  const auto r = run("entry create", {"-spiffeID",
                                      "spiffe://example.org/workload",
                                      "-parentID",
                                      "spiffe://example.org/parent",
                                      "-selector",
                                      "unix:uid:1",
                                      "-x509SVIDTTL",
                                      "60",
                                      "-jwtSVIDTTL",
                                      "30",
                                      "-dns",
                                      "a.example.org",
                                      "-federatesWith",
                                      "spiffe://other.org",
                                      "-admin",
                                      "-downstream",
                                      "-storeSVID",
                                      "-hint",
                                      "h",
                                      "-entryExpiry",
                                      "1552410266",
                                      "-entryID",
                                      "entry-1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "Entry ID         : entry-1\n"
                   "SPIFFE ID        : spiffe://example.org/workload\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : 60\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : unix:uid:1\n"
                   "FederatesWith    : spiffe://other.org\n"
                   "DNS name         : a.example.org\n"
                   "Admin            : true\n"
                   "Hint             : h\n"
                   "\n");
  const auto reqs = entry_.create.requests();
  ASSERT_EQ(reqs.size(), 1u);
  ASSERT_EQ(reqs[0].entries_size(), 1);
  const auto& e = reqs[0].entries(0);
  EXPECT_EQ(e.id(), "entry-1");
  EXPECT_EQ(e.spiffe_id().trust_domain(), "example.org");
  EXPECT_EQ(e.spiffe_id().path(), "/workload");
  EXPECT_EQ(e.parent_id().path(), "/parent");
  ASSERT_EQ(e.selectors_size(), 1);
  EXPECT_EQ(e.selectors(0).type(), "unix");
  EXPECT_EQ(e.selectors(0).value(), "uid:1");
  EXPECT_EQ(e.x509_svid_ttl(), 60);
  EXPECT_EQ(e.jwt_svid_ttl(), 30);
  EXPECT_EQ(e.dns_names(0), "a.example.org");
  EXPECT_EQ(e.federates_with(0), "spiffe://other.org");
  EXPECT_TRUE(e.admin());
  EXPECT_TRUE(e.downstream());
  EXPECT_TRUE(e.store_svid());
  EXPECT_EQ(e.hint(), "h");
  EXPECT_EQ(e.expires_at(), 1552410266);
  EXPECT_FALSE(e.has_additional_attributes());
}

TEST_F(EntryCommandsTest, CreateNodeEntryHangsOffTheServer) {
  entry_.create.respond(createOk(sampleEntry("e", "/node")));
  const auto r =
      run("entry create", {"-spiffeID", "spiffe://example.org/node", "-node", "-selector",
                           "x509pop:subject:cn:x", "-disableX509SVIDPrefetch"});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto reqs = entry_.create.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].entries(0).parent_id().trust_domain(), "example.org");
  EXPECT_EQ(reqs[0].entries(0).parent_id().path(), "/spire/server");
  EXPECT_TRUE(reqs[0].entries(0).additional_attributes().disable_x509_svid_prefetch());
  EXPECT_FALSE(reqs[0].entries(0).additional_attributes().jwt_svid_include_jti());
}

TEST_F(EntryCommandsTest, CreateValidatesFlagsBeforeCallingTheServer) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"-spiffeID", "spiffe://example.org/a", "-parentID", "spiffe://example.org/p"},
       "Error: at least one selector is required\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-node", "-selector", "a:b", "-federatesWith",
        "spiffe://o.org"},
       "Error: node entries can not federate\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-selector", "a:b"},
       "Error: a parent ID is required if the node flag is not set\n"},
      {{"-parentID", "spiffe://example.org/p", "-selector", "a:b"},
       "Error: a SPIFFE ID is required\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-parentID", "spiffe://example.org/p", "-selector",
        "a:b", "-x509SVIDTTL", "-1"},
       "Error: a positive x509-SVID TTL is required\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-parentID", "spiffe://example.org/p", "-selector",
        "a:b", "-jwtSVIDTTL", "-1"},
       "Error: a positive JWT-SVID TTL is required\n"},
      {{"-spiffeID", "example.org/a", "-parentID", "spiffe://example.org/p", "-selector", "a:b"},
       "Error: scheme is missing or invalid\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-parentID", "spiffe://example.org/p/", "-selector",
        "a:b"},
       "Error: path cannot have a trailing slash\n"},
      {{"-spiffeID", "spiffe://example.org/a", "-parentID", "spiffe://example.org/p", "-selector",
        "nocolon"},
       "Error: selector \"nocolon\" must be formatted as type:value\n"},
  };
  for (const auto& c : cases) {
    const auto r = run("entry create", c.args);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, c.err);
  }
  EXPECT_TRUE(entry_.create.requests().empty());
}

TEST_F(EntryCommandsTest, CreateReportsEachFailedEntryWithTheRequestData) {
  entryv1::BatchCreateEntryResponse resp;
  auto* r = resp.add_results();
  r->mutable_status()->set_code(6);
  r->mutable_status()->set_message("similar entry already exists");
  entry_.create.respond(resp);

  const auto out = run("entry create", {"-spiffeID", "spiffe://example.org/already-exist", "-node",
                                        "-selector", "unix:uid:1"});
  EXPECT_EQ(out.code, 1);
  EXPECT_EQ(out.out, "");
  EXPECT_EQ(out.err, "Failed to create the following entry (code: AlreadyExists, msg: \"similar "
                     "entry already exists\"):\n"
                     "Entry ID         : (none)\n"
                     "SPIFFE ID        : spiffe://example.org/already-exist\n"
                     "Parent ID        : spiffe://example.org/spire/server\n"
                     "Revision         : 0\n"
                     "X509-SVID TTL    : default\n"
                     "JWT-SVID TTL     : default\n"
                     "Selector         : unix:uid:1\n"
                     "\n"
                     "Error: failed to create one or more entries\n");
}

TEST_F(EntryCommandsTest, CreateJsonPrintsTheResponseAndSucceedsEvenOnEntryFailure) {
  entryv1::BatchCreateEntryResponse resp;
  auto* r = resp.add_results();
  r->mutable_status()->set_code(6);
  r->mutable_status()->set_message("similar entry already exists");
  entry_.create.respond(resp);

  const auto out = run("entry create", {"-spiffeID", "spiffe://example.org/x", "-node", "-selector",
                                        "unix:uid:1", "-output", "json"});
  EXPECT_EQ(out.code, 0) << out.err;
  EXPECT_EQ(out.out, R"({"results":[{"status":{"code":6,"message":"similar entry already exists"},)"
                     R"("entry":{"id":"","spiffe_id":{"trust_domain":"example.org","path":"/x"},)"
                     R"("parent_id":{"trust_domain":"example.org","path":"/spire/server"},)"
                     R"("selectors":[{"type":"unix","value":"uid:1"}],"x509_svid_ttl":0,)"
                     R"("federates_with":[],"admin":false,"downstream":false,"expires_at":"0",)"
                     R"("dns_names":[],"revision_number":"0","store_svid":false,"jwt_svid_ttl":0,)"
                     R"("hint":"","created_at":"0"}}]})"
                     "\n");
}

TEST_F(EntryCommandsTest, CreateFromDataFileSendsEveryEntry) {
  const std::string path = dir_.writeFile("entries.json", R"({
    "entries": [
      {"selectors": [{"type": "unix", "value": "uid:111"}],
       "spiffe_id": "spiffe://example.org/Blog", "parent_id": "spiffe://example.org/spire/agent/x",
       "X509_SVID_TTL": 200, "jwt_svid_ttl": 30, "admin": true, "dns_names": ["d"],
       "federates_with": ["spiffe://fed.org"], "entryExpiry": 5, "unknown": 1},
      {"selectors": [{"type": "unix", "value": "uid:222"}],
       "spiffe_id": "spiffe://example.org/Database",
       "parent_id": "spiffe://example.org/spire/agent/x", "store_svid": true, "hint": "db"}
    ]})");
  entryv1::BatchCreateEntryResponse resp;
  entry_.create.respond(resp);
  const auto r = run("entry create", {"-data", path});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto reqs = entry_.create.requests();
  ASSERT_EQ(reqs.size(), 1u);
  ASSERT_EQ(reqs[0].entries_size(), 2);
  const auto& a = reqs[0].entries(0);
  EXPECT_EQ(a.spiffe_id().path(), "/Blog");
  EXPECT_EQ(a.parent_id().path(), "/spire/agent/x");
  EXPECT_EQ(a.x509_svid_ttl(), 200);
  EXPECT_EQ(a.jwt_svid_ttl(), 30);
  EXPECT_TRUE(a.admin());
  EXPECT_EQ(a.dns_names(0), "d");
  EXPECT_EQ(a.federates_with(0), "fed.org");
  EXPECT_EQ(a.expires_at(), 5);
  EXPECT_EQ(a.selectors(0).value(), "uid:111");
  const auto& b = reqs[0].entries(1);
  EXPECT_TRUE(b.store_svid());
  EXPECT_EQ(b.hint(), "db");
}

TEST_F(EntryCommandsTest, CreateFromStdinAndDataErrors) {
  entry_.create.respond(entryv1::BatchCreateEntryResponse());
  auto r = run("entry create", {"-data", "-"},
               R"({"entries":[{"spiffe_id":"spiffe://example.org/a",)"
               R"("parent_id":"spiffe://example.org/p","selectors":[{"type":"a","value":"b"}]}]})");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(entry_.create.requests().size(), 1u);

  r = run("entry create", {"-data", (dir_.path() / "missing.json").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: open " + (dir_.path() / "missing.json").string() +
                       ": no such file or directory\n");

  r = run("entry create", {"-data", "-"},
          R"({"entries":[{"spiffe_id":"bad","parent_id":"spiffe://example.org/p"}]})");
  EXPECT_EQ(r.err, "Error: invalid SPIFFE ID: scheme is missing or invalid\n");

  r = run("entry create", {"-data", "-"},
          R"({"entries":[{"spiffe_id":"spiffe://example.org/a","parent_id":""}]})");
  EXPECT_EQ(r.err, "Error: invalid parent ID: cannot be empty\n");

  r = run("entry create", {"-data", "-"},
          R"({"entries":[{"spiffe_id":"spiffe://example.org/a","parent_id":"spiffe://e.org/p",)"
          R"("federates_with":["spiffe://UPPER"]}]})");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: invalid federated trust domain: ", 0), 0u) << r.err;

  r = run("entry create", {"-data", "-"}, R"({"entries":[{"x509_svid_ttl":"x"}]})");
  EXPECT_EQ(r.err, "Error: json: cannot unmarshal string into Go struct field "
                   "RegistrationEntry.entries.x509_svid_ttl of type int32\n");

  r = run("entry create", {"-data", "-"}, R"({"entries":[null]})");
  EXPECT_EQ(r.err, "Error: missing registration entry\n");

  r = run("entry create", {"-data", "-"}, "{");
  EXPECT_EQ(r.err, "Error: unexpected end of JSON input\n");
  EXPECT_EQ(entry_.create.requests().size(), 1u);
}

TEST_F(EntryCommandsTest, UpdateRequiresItsFlagsAndReportsFailures) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"-spiffeID", "spiffe://example.org/a"}, "Error: entry ID is required\n"},
      {{"-entryID", "e"}, "Error: at least one selector is required\n"},
      {{"-entryID", "e", "-selector", "a:b"}, "Error: a parent ID is required\n"},
      {{"-entryID", "e", "-selector", "a:b", "-parentID", "spiffe://example.org/p"},
       "Error: a SPIFFE ID is required\n"},
  };
  for (const auto& c : cases) {
    const auto r = run("entry update", c.args);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, c.err);
  }

  entryv1::BatchUpdateEntryResponse resp;
  auto* res = resp.add_results();
  res->mutable_status()->set_code(5);
  res->mutable_status()->set_message("entry not found");
  entry_.update.respond(resp);
  const auto r = run("entry update",
                     {"-entryID", "e", "-selector", "a:b", "-parentID", "spiffe://example.org/p",
                      "-spiffeID", "spiffe://example.org/a", "-x509SVIDTTL", "10"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Failed to update the following entry (code: NotFound, msg: \"entry not "
                   "found\"):\n"
                   "Entry ID         : e\n"
                   "SPIFFE ID        : spiffe://example.org/a\n"
                   "Parent ID        : spiffe://example.org/p\n"
                   "Revision         : 0\n"
                   "X509-SVID TTL    : 10\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : a:b\n"
                   "\n"
                   "Error: failed to update one or more entries\n");
  const auto reqs = entry_.update.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].entries(0).id(), "e");
  EXPECT_FALSE(reqs[0].has_input_mask());
}

TEST_F(EntryCommandsTest, UpdateSuccessPrintsTheEntry) {
  entryv1::BatchUpdateEntryResponse resp;
  auto* res = resp.add_results();
  *res->mutable_entry() = sampleEntry("e", "/a");
  entry_.update.respond(resp);
  const auto r =
      run("entry update", {"-entryID", "e", "-selector", "unix:uid:1", "-parentID",
                           "spiffe://example.org/parent", "-spiffeID", "spiffe://example.org/a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Entry ID         : e\n"
                   "SPIFFE ID        : spiffe://example.org/a\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : default\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : unix:uid:1\n"
                   "\n");
}

entryv1::BatchDeleteEntryResponse
deleteResults(std::vector<std::tuple<std::string, int, std::string>> results) {
  entryv1::BatchDeleteEntryResponse resp;
  for (const auto& [id, code, msg] : results) {
    auto* r = resp.add_results();
    r->set_id(id);
    r->mutable_status()->set_code(code);
    r->mutable_status()->set_message(msg);
  }
  return resp;
}

TEST_F(EntryCommandsTest, DeleteOneEntry) {
  auto r = run("entry delete", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: an entry ID is required\n");

  entry_.remove.respond(deleteResults({{"entry-id", 0, "OK"}}));
  r = run("entry delete", {"-entryID", "entry-id"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted entry with ID: entry-id\n\n\nDeleted 1 entries successfully");
  ASSERT_EQ(entry_.remove.requests().size(), 1u);
  EXPECT_EQ(entry_.remove.requests()[0].ids(0), "entry-id");
}

TEST_F(EntryCommandsTest, DeleteBatchFromFileReportsFailures) {
  entry_.remove.respond(deleteResults({{"a", 0, "OK"}, {"b", 5, "entry not found"}}));
  const std::string path = dir_.writeFile("ids.json", R"({"ids":["a","b"]})");
  const auto r = run("entry delete", {"-file", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Deleted entry with ID: a\n\n\n\n\nDeleted 1 entries successfully, but failed "
                   "to delete 1 entries");
  EXPECT_EQ(r.err, "Failed to delete entry with ID b (code: NotFound, msg: \"entry not found\")\n"
                   "Error: failed to delete one or more entries\n");
  ASSERT_EQ(entry_.remove.requests().size(), 1u);
  EXPECT_EQ(entry_.remove.requests()[0].ids_size(), 2);
}

TEST_F(EntryCommandsTest, DeleteAllFailing) {
  entry_.remove.respond(deleteResults({{"b", 5, "entry not found"}}));
  const auto r = run("entry delete", {"-file", "-"}, R"({"ids":["b"]})");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "\n\nFailed to delete 1 entries");
}

TEST_F(EntryCommandsTest, ShowByEntryId) {
  entry_.get.respond(sampleEntry("e1", "/a"));
  const auto r = run("entry show", {"-entryID", "e1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found 1 entry\n"
                   "Entry ID         : e1\n"
                   "SPIFFE ID        : spiffe://example.org/a\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : default\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : unix:uid:1\n"
                   "\n");
  EXPECT_EQ(entry_.get.requests()[0].id(), "e1");
}

TEST_F(EntryCommandsTest, ShowEntryIdErrors) {
  auto r = run("entry show", {"-entryID", "e1", "-spiffeID", "spiffe://example.org/a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: the -entryID flag can't be combined with others\n");

  entry_.get.fail(grpc::StatusCode::NOT_FOUND, "entry not found");
  r = run("entry show", {"-entryID", "e1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(
      r.err,
      "Error: error fetching entry ID e1: rpc error: code = NotFound desc = entry not found\n");
}

TEST_F(EntryCommandsTest, ShowFiltersPagesAndSorts) {
  entryv1::ListEntriesResponse page1;
  *page1.add_entries() = sampleEntry("z", "/z");
  page1.set_next_page_token("t1");
  entryv1::ListEntriesResponse page2;
  types::Entry two_selectors = sampleEntry("b2", "/b");
  auto* extra = two_selectors.add_selectors();
  extra->set_type("a");
  extra->set_value("a");
  *page2.add_entries() = two_selectors;
  *page2.add_entries() = sampleEntry("b1", "/b");
  entry_.list.respond(page1);
  entry_.list.respond(page2);

  const auto r =
      run("entry show",
          {"-parentID", "spiffe://example.org/parent", "-spiffeID", "spiffe://example.org/b",
           "-selector", "unix:uid:1", "-matchSelectorsOn", "exact", "-federatesWith",
           "spiffe://fed.org", "-matchFederatesWithOn", "any", "-hint", "h", "-downstream"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found 3 entries\n"
                   "Entry ID         : b1\n"
                   "SPIFFE ID        : spiffe://example.org/b\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : default\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : unix:uid:1\n"
                   "\n"
                   "Entry ID         : b2\n"
                   "SPIFFE ID        : spiffe://example.org/b\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : default\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : a:a\n"
                   "Selector         : unix:uid:1\n"
                   "\n"
                   "Entry ID         : z\n"
                   "SPIFFE ID        : spiffe://example.org/z\n"
                   "Parent ID        : spiffe://example.org/parent\n"
                   "Revision         : 1\n"
                   "X509-SVID TTL    : default\n"
                   "JWT-SVID TTL     : default\n"
                   "Selector         : unix:uid:1\n"
                   "\n");
  const auto reqs = entry_.list.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].page_size(), 500);
  EXPECT_EQ(reqs[0].page_token(), "");
  EXPECT_EQ(reqs[1].page_token(), "t1");
  const auto& f = reqs[0].filter();
  EXPECT_EQ(f.by_parent_id().path(), "/parent");
  EXPECT_EQ(f.by_spiffe_id().path(), "/b");
  EXPECT_EQ(f.by_selectors().match(), types::SelectorMatch::MATCH_EXACT);
  EXPECT_EQ(f.by_selectors().selectors(0).value(), "uid:1");
  EXPECT_EQ(f.by_federates_with().match(), types::FederatesWithMatch::MATCH_ANY);
  EXPECT_EQ(f.by_federates_with().trust_domains(0), "spiffe://fed.org");
  EXPECT_EQ(f.by_hint().value(), "h");
  // SPIRE's show declares -downstream but does not filter on it.
  EXPECT_FALSE(f.has_by_downstream());
}

TEST_F(EntryCommandsTest, ShowEmptyAndFilterErrors) {
  entry_.list.respond(entryv1::ListEntriesResponse());
  auto r = run("entry show", {});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Found 0 entries\n");
  EXPECT_FALSE(entry_.list.requests()[0].filter().has_by_selectors());

  r = run("entry show", {"-selector", "a:b", "-matchSelectorsOn", "bogus"});
  EXPECT_EQ(r.err, "Error: match behavior \"bogus\" unknown\n");
  r = run("entry show", {"-parentID", "nope"});
  EXPECT_EQ(r.err, "Error: error parsing parent ID \"nope\": scheme is missing or invalid\n");
  r = run("entry show", {"-spiffeID", "spiffe://"});
  EXPECT_EQ(r.err, "Error: error parsing SPIFFE ID \"spiffe://\": trust domain is missing\n");
  r = run("entry show", {"-selector", "ab"});
  EXPECT_EQ(r.err,
            "Error: error parsing selectors: selector \"ab\" must be formatted as type:value\n");

  entry_.list.fail(grpc::StatusCode::INTERNAL, "boom");
  r = run("entry show", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: error fetching entries: rpc error: code = Internal desc = boom\n");
}

TEST_F(EntryCommandsTest, ShowJson) {
  entryv1::ListEntriesResponse page;
  types::Entry e = sampleEntry("e", "/a");
  e.mutable_additional_attributes()->set_jwt_svid_include_jti(true);
  *page.add_entries() = e;
  entry_.list.respond(page);
  const auto r = run("entry show", {"-output", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"entries":[{"id":"e","spiffe_id":{"trust_domain":"example.org",)"
                   R"("path":"/a"},"parent_id":{"trust_domain":"example.org","path":"/parent"},)"
                   R"("selectors":[{"type":"unix","value":"uid:1"}],"x509_svid_ttl":0,)"
                   R"("federates_with":[],"admin":false,"downstream":false,"expires_at":"0",)"
                   R"("dns_names":[],"revision_number":"1","store_svid":false,"jwt_svid_ttl":0,)"
                   R"("hint":"","created_at":"0","additional_attributes":)"
                   R"({"disable_x509_svid_prefetch":false,"jwt_svid_include_jti":true}}],)"
                   R"("next_page_token":""})"
                   "\n");
}

TEST_F(EntryCommandsTest, CountPrettyAndJson) {
  entryv1::CountEntriesResponse one;
  one.set_count(1);
  entryv1::CountEntriesResponse many;
  many.set_count(2);
  entry_.count.respond(one);
  entry_.count.respond(many);
  auto r = run("entry count", {"-spiffeID", "spiffe://example.org/a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1 registration entry\n");
  EXPECT_EQ(entry_.count.requests()[0].filter().by_spiffe_id().path(), "/a");
  // Count always filters on downstream, false unless -downstream is given.
  ASSERT_TRUE(entry_.count.requests()[0].filter().has_by_downstream());
  EXPECT_FALSE(entry_.count.requests()[0].filter().by_downstream().value());
  r = run("entry count", {"-downstream"});
  EXPECT_EQ(r.out, "2 registration entries\n");
  EXPECT_TRUE(entry_.count.requests()[1].filter().by_downstream().value());
  r = run("entry count", {"-output", "json"});
  EXPECT_EQ(r.out, "{\"count\":2}\n");
}

TEST_F(EntryCommandsTest, ServerErrorsAndMissingServer) {
  entry_.count.fail(grpc::StatusCode::INTERNAL, "internal server error");
  auto r = run("entry count", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: rpc error: code = Internal desc = internal server error\n");

  const std::string missing = (dir_.path() / "does-not-exist.sock").string();
  r = runRaw("entry count", {"-socketPath", missing});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: rpc error: code = Unavailable desc = connection error: desc = "
                   "\"transport: Error while dialing: dial unix //" +
                       missing + ": connect: no such file or directory\"\n");

  // The channel connects lazily, as SPIRE's does: flag checks come first.
  r = runRaw("entry create", {"-socketPath", missing});
  EXPECT_EQ(r.err, "Error: at least one selector is required\n");

  // Commands that wrap RPC errors wrap this one too.
  r = runRaw("entry show", {"-socketPath", missing});
  EXPECT_EQ(r.err, "Error: error fetching entries: rpc error: code = Unavailable desc = "
                   "connection error: desc = \"transport: Error while dialing: dial unix //" +
                       missing + ": connect: no such file or directory\"\n");
}

TEST_F(EntryCommandsTest, RefusedSocket) {
  // A file that is not a listening socket.
  const std::string path = dir_.writeFile("plain", "x");
  const auto r = runRaw("entry count", {"-socketPath", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: rpc error: code = Unavailable desc = connection error: desc = "
                   "\"transport: Error while dialing: dial unix //" +
                       path + ": connect: connection refused\"\n");
}

TEST(ClientConnectionTest, SocketPathsAreMadeAbsoluteAsGoDoes) {
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(absolutePath("/tmp/x/../api.sock"), "/tmp/api.sock");
  EXPECT_EQ(absolutePath("/tmp/dir/"), "/tmp/dir");
  EXPECT_EQ(absolutePath("a/./b.sock"), cwd + "/a/b.sock");
  EXPECT_EQ(ServerConnection::open("api.sock").socketPath(), cwd + "/api.sock");
}

TEST(ClientConnectionTest, GoCodeNames) {
  EXPECT_EQ(goCodeName(0), "OK");
  EXPECT_EQ(goCodeName(1), "Canceled");
  EXPECT_EQ(goCodeName(6), "AlreadyExists");
  EXPECT_EQ(goCodeName(16), "Unauthenticated");
  EXPECT_EQ(goCodeName(17), "Code(17)");
  EXPECT_EQ(goCodeName(-1), "Code(-1)");
}

} // namespace
} // namespace spire::server::commands::testing
