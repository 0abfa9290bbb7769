// Catalog: SPIRE's cardinality rules, loading a whole configuration, validate and plugin info.

#include <gtest/gtest.h>

#include "plugin_abi/plugin_fixtures.h"
#include "plugin_host/catalog.h"

namespace spire::plugin_host {
namespace {

using spire::testing::externalSpec;
using spire::testing::fixturePath;
using spire::testing::loaderOptions;

config::PluginSpec keys() {
  return externalSpec("KeyManager", "fx_keys", fixturePath("key_manager", "fx_keys"));
}
config::PluginSpec node(const std::string& name = "fx_node") {
  return externalSpec("NodeAttestor", name, fixturePath("node_attestor", "fx_node"),
                      R"({"node_name": "n1"})");
}
config::PluginSpec workload(const std::string& name = "fx_good") {
  return externalSpec("WorkloadAttestor", name, fixturePath("workload_attestor", "fx_good"));
}
config::PluginSpec store() {
  return externalSpec("DataStore", "fx_store", fixturePath("data_store", "fx_store"));
}
config::PluginSpec upstream(const std::string& name = "fx_upstream") {
  return externalSpec("UpstreamAuthority", name, fixturePath("upstream_authority", "fx_upstream"));
}
config::PluginSpec disabled(config::PluginSpec spec) {
  spec.enabled = false;
  return spec;
}

void expectInvalid(const config::PluginSpecs& specs, Role role, const std::string& message) {
  Status st = checkCardinality(specs, role);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), message);
  Result<std::unique_ptr<Catalog>> catalog = Catalog::load(specs, loaderOptions(role));
  EXPECT_EQ(catalog.status(), st);
}

TEST(CardinalityTest, ValidAgentAndServer) {
  EXPECT_TRUE(checkCardinality({keys(), node(), workload()}, Role::kAgent).isOk());
  EXPECT_TRUE(
      checkCardinality({keys(), node(), workload("a"), workload("b")}, Role::kAgent).isOk());
  EXPECT_TRUE(checkCardinality({store(), keys()}, Role::kServer).isOk());
  EXPECT_TRUE(
      checkCardinality({store(), keys(), upstream(), node("a"), node("b")}, Role::kServer).isOk());
}

TEST(CardinalityTest, AgentNeedsExactlyOneKeyManager) {
  expectInvalid(
      {node(), workload()}, Role::kAgent,
      "plugin type \"KeyManager\" constraint not satisfied: expected exactly 1 but got 0");
  config::PluginSpec second = keys();
  second.name = "other";
  expectInvalid(
      {keys(), second, node(), workload()}, Role::kAgent,
      "plugin type \"KeyManager\" constraint not satisfied: expected exactly 1 but got 2");
}

TEST(CardinalityTest, AgentNeedsExactlyOneNodeAttestor) {
  expectInvalid({keys(), workload()}, Role::kAgent,
                "plugin type \"NodeAttestor\" constraint not satisfied: expected exactly 1 but got "
                "0");
  expectInvalid({keys(), node("a"), node("b"), workload()}, Role::kAgent,
                "plugin type \"NodeAttestor\" constraint not satisfied: expected exactly 1 but got "
                "2");
}

TEST(CardinalityTest, AgentNeedsAWorkloadAttestor) {
  expectInvalid(
      {keys(), node()}, Role::kAgent,
      "plugin type \"WorkloadAttestor\" constraint not satisfied: expected at least 1 but "
      "got 0");
}

TEST(CardinalityTest, ServerNeedsExactlyOneDataStore) {
  expectInvalid({keys()}, Role::kServer,
                "plugin type \"DataStore\" constraint not satisfied: expected exactly 1 but got 0");
}

TEST(CardinalityTest, ServerAllowsAtMostOneUpstreamAuthority) {
  expectInvalid({store(), keys(), upstream("a"), upstream("b")}, Role::kServer,
                "plugin type \"UpstreamAuthority\" constraint not satisfied: expected at most 1 "
                "but got 2");
}

TEST(CardinalityTest, DisabledBlocksDoNotCount) {
  config::PluginSpec second = keys();
  second.name = "other";
  EXPECT_TRUE(
      checkCardinality({keys(), disabled(second), node(), workload()}, Role::kAgent).isOk());
  expectInvalid(
      {disabled(keys()), node(), workload()}, Role::kAgent,
      "plugin type \"KeyManager\" constraint not satisfied: expected exactly 1 but got 0");
}

TEST(CardinalityTest, TypeNotLoadedByThisDaemon) {
  expectInvalid({store(), keys(), workload()}, Role::kServer,
                "WorkloadAttestor \"fx_good\": unknown plugin type \"WorkloadAttestor\" for the "
                "server");
}

TEST(CardinalityTest, DuplicateBlock) {
  expectInvalid({keys(), node(), workload(), workload()}, Role::kAgent,
                "WorkloadAttestor \"fx_good\": plugin configured more than once");
}

TEST(CatalogTest, LoadsAnAgentConfiguration) {
  config::PluginSpec missing = workload("ghost");
  missing.plugin_cmd = "/nonexistent/ghost.so";
  Result<std::unique_ptr<Catalog>> catalog =
      Catalog::load({keys(), node(), workload("a"), disabled(missing), workload("b")},
                    loaderOptions(Role::kAgent));
  ASSERT_TRUE(catalog.isOk()) << catalog.status().toString();
  const Catalog& c = **catalog;
  EXPECT_EQ(c.plugins().size(), 4u);
  EXPECT_EQ(c.keyManager().name(), "fx_keys");
  EXPECT_EQ(c.agentNodeAttestor().name(), "fx_node");
  ASSERT_EQ(c.workloadAttestors().attestors().size(), 2u);
  Result<std::vector<Selector>> selectors = c.workloadAttestors().attestAll(3);
  ASSERT_TRUE(selectors.isOk());
  EXPECT_EQ(selectors->size(), 4u);
  EXPECT_EQ(selectors->front(), (Selector{"a", "pid:3"}));
  EXPECT_EQ(selectors->back(), (Selector{"b", "td:example.org"}));
}

TEST(CatalogTest, LoadsAServerConfiguration) {
  Result<std::unique_ptr<Catalog>> catalog =
      Catalog::load({store(), keys(), upstream(), node()}, loaderOptions(Role::kServer));
  ASSERT_TRUE(catalog.isOk()) << catalog.status().toString();
  const Catalog& c = **catalog;
  EXPECT_EQ(c.dataStore().name(), "fx_store");
  ASSERT_NE(c.upstreamAuthority(), nullptr);
  EXPECT_EQ(c.upstreamAuthority()->name(), "fx_upstream");
  ASSERT_NE(c.serverNodeAttestor("fx_node"), nullptr);
  EXPECT_EQ(c.serverNodeAttestor("join_token"), nullptr);
}

TEST(CatalogTest, StopsAtTheFirstLoadError) {
  config::PluginSpec broken = workload();
  broken.data_json = R"({"bogus": 1})";
  Result<std::unique_ptr<Catalog>> catalog =
      Catalog::load({keys(), node(), broken}, loaderOptions(Role::kAgent));
  EXPECT_EQ(catalog.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog.status().message(), "WorkloadAttestor \"fx_good\": failed to configure "
                                        "plugin: unknown configuration field \"bogus\"");
}

TEST(ValidateTest, ReportsEveryPlugin) {
  config::PluginSpec bad = workload("bad");
  bad.data_json = R"({"bogus": 1})";
  config::PluginSpec missing = workload("ghost");
  missing.plugin_cmd = "/nonexistent/ghost.so";
  config::PluginSpec throwing = externalSpec("WorkloadAttestor", "fx_throwing",
                                             fixturePath("workload_attestor", "fx_throwing"));
  ValidationSummary summary = validatePlugins({keys(), node(), workload(), bad, missing, throwing},
                                              loaderOptions(Role::kAgent));
  EXPECT_FALSE(summary.ok());
  EXPECT_EQ(summary.toText(),
            "KeyManager \"fx_keys\": valid\n"
            "  note: fake keys are not persisted\n"
            "NodeAttestor \"fx_node\": valid\n"
            "  note: plugin has no validate; checked by configuring it\n"
            "WorkloadAttestor \"fx_good\": valid\n"
            "  note: checked by fx_workload\n"
            "WorkloadAttestor \"bad\": invalid: WorkloadAttestor \"bad\": unknown configuration "
            "field \"bogus\"\n"
            "  note: checked by fx_workload\n"
            "WorkloadAttestor \"ghost\": error: WorkloadAttestor \"ghost\": cannot open plugin "
            "\"/nonexistent/ghost.so\": No such file or directory\n"
            "WorkloadAttestor \"fx_throwing\": valid\n"
            "  note: plugin has no validate; checked by configuring it\n");
}

TEST(ValidateTest, AllValid) {
  ValidationSummary summary =
      validatePlugins({keys(), node(), workload()}, loaderOptions(Role::kAgent));
  EXPECT_TRUE(summary.ok()) << summary.toText();
}

TEST(ValidateTest, CardinalityIsReported) {
  ValidationSummary summary = validatePlugins({keys(), workload()}, loaderOptions(Role::kAgent));
  EXPECT_FALSE(summary.ok());
  EXPECT_EQ(summary.toText().substr(0, summary.toText().find('\n')),
            "plugin type \"NodeAttestor\" constraint not satisfied: expected exactly 1 but got 0");
}

TEST(ValidateTest, PluginValidateSeesTheTrustDomain) {
  LoaderOptions options = loaderOptions(Role::kServer);
  options.trust_domain = "";
  ValidationSummary summary = validatePlugins({store(), keys()}, options);
  EXPECT_EQ(summary.toText(), "DataStore \"fx_store\": valid\n"
                              "  note: plugin has no validate; checked by configuring it\n"
                              "KeyManager \"fx_keys\": invalid: KeyManager \"fx_keys\": trust "
                              "domain is required\n");
}

TEST(PluginInfoTest, DescribesEveryTypeInTheFile) {
  std::string path = fixturePath("node_attestor", "fx_node");
  Result<std::string> info = pluginInfoText(path);
  ASSERT_TRUE(info.isOk()) << info.status().toString();
  EXPECT_EQ(*info, "file: " + path +
                       "\n"
                       "plugin:\n"
                       "  type: server NodeAttestor\n"
                       "  name: fx_node\n"
                       "  version: 0.1.0\n"
                       "  abi_version: 1\n"
                       "  flags: none\n"
                       "  vtable_size: 32\n"
                       "  validate: no\n"
                       "  methods: attest_begin attest_step attest_end\n"
                       "plugin:\n"
                       "  type: agent NodeAttestor\n"
                       "  name: fx_node\n"
                       "  version: 0.1.0\n"
                       "  abi_version: 1\n"
                       "  flags: none\n"
                       "  vtable_size: 32\n"
                       "  validate: no\n"
                       "  methods: attest_begin attest_step attest_end\n");
}

TEST(PluginInfoTest, ShowsMissingOptionalMethodsAndDescription) {
  std::string path = fixturePath("data_store", "fx_store");
  Result<std::string> info = pluginInfoText(path);
  ASSERT_TRUE(info.isOk()) << info.status().toString();
  EXPECT_NE(info->find("  description: in-memory fixture\n"), std::string::npos);
  EXPECT_NE(info->find("  not implemented: list_entry_events prune_entry_events list_node_events "
                       "prune_node_events\n"),
            std::string::npos);
}

TEST(PluginInfoTest, RefusesWhatTheLoaderRefuses) {
  std::string path = fixturePath("workload_attestor", "fx_abi_new");
  Result<std::string> info = pluginInfoText(path);
  EXPECT_EQ(info.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(info.status().message(), "plugin \"" + path + "\": incompatible plugin \"" + path +
                                         "\": ABI version 99, this build supports 1 (rebuild it "
                                         "against this release's plugin SDK)");
}

} // namespace
} // namespace spire::plugin_host
