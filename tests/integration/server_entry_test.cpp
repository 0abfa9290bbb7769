// Registration entries through the CLI of the real server: create, show with filters, update,
// count, delete, batch -data, and SPIRE's errors.

#include <algorithm>

#include "integration/server_test_util.h"

namespace spire::integration {
namespace {

class ServerEntryTest : public ::testing::Test {
protected:
  void SetUp() override {
    Status started = server_.startAndWait();
    ASSERT_TRUE(started.isOk()) << started.message();
  }
  // entry create; the new entry's ID ("" on failure).
  std::string create(const std::string& parent, const std::string& id,
                     const std::vector<std::string>& selectors,
                     const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"entry", "create", "-parentID", parent, "-spiffeID", id};
    for (const auto& s : selectors) {
      args.push_back("-selector");
      args.push_back(s);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    CommandOutput raw;
    auto created = cliJson(server_, args, &raw);
    if (!created.is_object() || created["results"][0]["status"]["code"] != 0) {
      ADD_FAILURE() << raw.describe();
      return "";
    }
    return created["results"][0]["entry"]["id"];
  }
  std::vector<std::string> shownIds(const std::vector<std::string>& filter) {
    std::vector<std::string> args = {"entry", "show"};
    args.insert(args.end(), filter.begin(), filter.end());
    CommandOutput raw;
    auto shown = cliJson(server_, args, &raw);
    std::vector<std::string> ids;
    if (!shown.is_object()) {
      ADD_FAILURE() << raw.describe();
      return ids;
    }
    for (const auto& e : shown["entries"]) {
      ids.push_back(e["id"]);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  ServerUnderTest server_;
};

TEST_F(ServerEntryTest, CreateShowUpdateCountDelete) {
  const std::string id = create("spiffe://example.org/node", "spiffe://example.org/web",
                                {"unix:uid:1000"}, {"-x509SVIDTTL", "600", "-dns", "web.local"});
  ASSERT_FALSE(id.empty());

  CommandOutput pretty = server_.cli({"entry", "show", "-entryID", id});
  ASSERT_EQ(pretty.exitCode(), 0) << pretty.describe();
  EXPECT_NE(pretty.out.find("Found 1 entry\n"), std::string::npos) << pretty.out;
  EXPECT_NE(pretty.out.find("Entry ID         : " + id + "\n"), std::string::npos) << pretty.out;
  EXPECT_NE(pretty.out.find("SPIFFE ID        : spiffe://example.org/web\n"), std::string::npos)
      << pretty.out;
  EXPECT_NE(pretty.out.find("Selector         : unix:uid:1000\n"), std::string::npos) << pretty.out;
  EXPECT_NE(pretty.out.find("DNS name         : web.local\n"), std::string::npos) << pretty.out;

  CommandOutput raw;
  auto updated =
      cliJson(server_,
              {"entry", "update", "-entryID", id, "-parentID", "spiffe://example.org/node",
               "-spiffeID", "spiffe://example.org/web2", "-selector", "unix:uid:1001"},
              &raw);
  ASSERT_TRUE(updated.is_object()) << raw.describe();
  EXPECT_EQ(updated["results"][0]["status"]["code"], 0) << updated;
  auto shown = cliJson(server_, {"entry", "show", "-entryID", id});
  EXPECT_EQ(shown["entries"][0]["spiffe_id"]["path"], "/web2") << shown;
  // protojson writes int64 as a string.
  EXPECT_EQ(shown["entries"][0]["revision_number"], "1") << shown;

  EXPECT_EQ(cliJson(server_, {"entry", "count"})["count"], 1);
  CommandOutput deleted = server_.cli({"entry", "delete", "-entryID", id});
  EXPECT_EQ(deleted.exitCode(), 0) << deleted.describe();
  EXPECT_EQ(cliJson(server_, {"entry", "count"})["count"], 0);
  CommandOutput missing = server_.cli({"entry", "show", "-entryID", id});
  EXPECT_EQ(missing.exitCode(), 1) << missing.describe();
}

TEST_F(ServerEntryTest, FiltersBySpiffeIdParentAndSelectors) {
  const std::string a =
      create("spiffe://example.org/node1", "spiffe://example.org/a", {"unix:uid:1000"});
  const std::string b = create("spiffe://example.org/node1", "spiffe://example.org/b",
                               {"unix:uid:1000", "unix:gid:1000"});
  const std::string c =
      create("spiffe://example.org/node2", "spiffe://example.org/c", {"unix:gid:1000"});
  ASSERT_FALSE(a.empty() || b.empty() || c.empty());

  EXPECT_EQ(shownIds({"-spiffeID", "spiffe://example.org/b"}), (std::vector<std::string>{b}));
  EXPECT_EQ(shownIds({"-parentID", "spiffe://example.org/node1"}), sorted({a, b}));
  // Default match: superset (entries holding at least the given selectors).
  EXPECT_EQ(shownIds({"-selector", "unix:uid:1000"}), sorted({a, b}));
  EXPECT_EQ(shownIds({"-selector", "unix:uid:1000", "-matchSelectorsOn", "exact"}),
            (std::vector<std::string>{a}));
  EXPECT_EQ(shownIds({"-selector", "unix:uid:1000", "-selector", "unix:gid:1000",
                      "-matchSelectorsOn", "subset"}),
            sorted({a, b, c}));
  EXPECT_EQ(shownIds({"-selector", "unix:gid:1000", "-matchSelectorsOn", "any"}), sorted({b, c}));
  EXPECT_EQ(shownIds({"-parentID", "spiffe://example.org/node1", "-selector", "unix:gid:1000",
                      "-matchSelectorsOn", "any"}),
            (std::vector<std::string>{b}));
  EXPECT_TRUE(shownIds({"-spiffeID", "spiffe://example.org/none"}).empty());
}

TEST_F(ServerEntryTest, DuplicateIsRefusedAsSimilar) {
  ASSERT_FALSE(
      create("spiffe://example.org/node", "spiffe://example.org/dup", {"unix:uid:1"}).empty());
  CommandOutput again =
      server_.cli({"entry", "create", "-parentID", "spiffe://example.org/node", "-spiffeID",
                   "spiffe://example.org/dup", "-selector", "unix:uid:1"});
  EXPECT_EQ(again.exitCode(), 1) << again.describe();
  EXPECT_NE(again.err.find("Failed to create the following entry (code: AlreadyExists, msg: "
                           "\"similar entry already exists\"):"),
            std::string::npos)
      << again.describe();
  EXPECT_EQ(cliJson(server_, {"entry", "count"})["count"], 1);
}

TEST_F(ServerEntryTest, InvalidSpiffeIdIsRefusedAndNothingIsWritten) {
  CommandOutput bad = server_.cli({"entry", "create", "-parentID", "spiffe://example.org/node",
                                   "-spiffeID", "spiffe://other.org/x", "-selector", "unix:uid:1"});
  EXPECT_EQ(bad.exitCode(), 1) << bad.describe();
  EXPECT_NE((bad.out + bad.err).find("is not a member of trust domain"), std::string::npos)
      << bad.describe();
  EXPECT_EQ(cliJson(server_, {"entry", "count"})["count"], 0);
}

TEST_F(ServerEntryTest, BatchCreateFromDataFile) {
  const std::string data = writeTemp(server_, "entries.json", R"({
    "entries": [
      {"spiffe_id": "spiffe://example.org/batch1", "parent_id": "spiffe://example.org/node",
       "selectors": [{"type": "unix", "value": "uid:1"}]},
      {"spiffe_id": "spiffe://example.org/batch2", "parent_id": "spiffe://example.org/node",
       "selectors": [{"type": "unix", "value": "uid:2"}], "x509_svid_ttl": 300}
    ]
  })");
  CommandOutput out = server_.cli({"entry", "create", "-data", data});
  EXPECT_EQ(out.exitCode(), 0) << out.describe();
  EXPECT_EQ(cliJson(server_, {"entry", "count"})["count"], 2);
  EXPECT_EQ(shownIds({"-parentID", "spiffe://example.org/node"}).size(), 2u);
}

} // namespace
} // namespace spire::integration
