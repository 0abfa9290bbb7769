#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using testing::invalid;
using testing::TempDir;

const char* const kServer = "server {\n  trust_domain = \"example.org\"\n  data_dir = \"/d\"\n}\n";

// `plugins` is the body of plugins {}, starting at line 6.
Result<ServerFileConfig> load(const std::string& plugins, const std::string& base_dir = "") {
  LoadOptions options;
  options.source_name = "p.conf";
  options.base_dir = base_dir;
  return loadServerConfigFromString(std::string(kServer) + "plugins {\n" + plugins + "}\n",
                                    options);
}

PluginSpecs loadOk(const std::string& plugins, const std::string& base_dir = "") {
  Result<ServerFileConfig> r = load(plugins, base_dir);
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r->plugins : PluginSpecs{};
}

TEST(PluginSpecs, OrderTypesNamesAndDefaults) {
  PluginSpecs specs = loadOk("  DataStore \"sql\" {}\n  WorkloadAttestor \"unix\" {}\n"
                             "  KeyManager \"memory\" {}\n  WorkloadAttestor \"k8s\" {}\n");
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].type, "DataStore");
  EXPECT_EQ(specs[0].name, "sql");
  EXPECT_EQ(specs[1].name, "unix");
  EXPECT_EQ(specs[2].type, "KeyManager");
  EXPECT_EQ(specs[3].type, "WorkloadAttestor");
  EXPECT_EQ(specs[3].name, "k8s");
  EXPECT_TRUE(specs[0].enabled);
  EXPECT_EQ(specs[0].data_json, "{}");
  EXPECT_EQ(specs[0].plugin_cmd, "");
  EXPECT_EQ(specs[0].plugin_checksum, "");
  EXPECT_TRUE(specs[0].plugin_args.empty());
  EXPECT_EQ(specs[0].plugin_data_file, "");
  EXPECT_EQ(specs[0].position.toString(), "p.conf:6:3");
  EXPECT_EQ(specs[3].position.toString(), "p.conf:9:3");
}

TEST(PluginSpecs, ExternalPluginKeys) {
  PluginSpecs specs = loadOk(R"(  NodeAttestor "custom" {
    plugin_cmd = "/opt/plugins/custom.so"
    plugin_checksum = "0123abcd"
    plugin_args = ["-v", "--x"]
    enabled = false
  }
)");
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].plugin_cmd, "/opt/plugins/custom.so");
  EXPECT_EQ(specs[0].plugin_checksum, "0123abcd");
  EXPECT_EQ(specs[0].plugin_args, (std::vector<std::string>{"-v", "--x"}));
  EXPECT_FALSE(specs[0].enabled);
}

TEST(PluginSpecs, PluginDataBlockAndObjectFormsGiveTheSameJson) {
  PluginSpecs specs = loadOk(R"(  KeyManager "a" {
    plugin_data {
      keys_path = "/k.json"
      n = 3
      nested { on = true }
      list = ["x", 1]
    }
  }
  KeyManager "b" {
    plugin_data = {
      keys_path = "/k.json"
      n = 3
      nested = { on = true }
      list = ["x", 1]
    }
  }
)");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].data_json,
            R"({"keys_path":"/k.json","n":3,"nested":{"on":true},"list":["x",1]})");
  EXPECT_EQ(specs[1].data_json, specs[0].data_json);
}

TEST(PluginSpecs, EmptyPluginDataIsEmptyObject) {
  PluginSpecs specs = loadOk("  A \"x\" {\n    plugin_data {\n    }\n  }\n  B \"y\" {\n"
                             "    plugin_data = {}\n  }\n");
  EXPECT_EQ(specs[0].data_json, "{}");
  EXPECT_EQ(specs[1].data_json, "{}");
}

TEST(PluginSpecs, PluginDataIsNotCheckedForUnknownKeys) {
  PluginSpecs specs =
      loadOk("  A \"x\" {\n    plugin_data { whatever = 1, enabled = \"no\" }\n  }\n");
  EXPECT_EQ(specs[0].data_json, R"({"whatever":1,"enabled":"no"})");
}

TEST(PluginSpecs, RepeatedBlocksInsidePluginDataMergeIntoArrays) {
  PluginSpecs specs = loadOk("  A \"x\" {\n    plugin_data {\n      rule \"a\" { v = 1 }\n"
                             "      rule \"b\" { v = 2 }\n    }\n  }\n");
  EXPECT_EQ(specs[0].data_json, R"({"rule":[{"a":{"v":1}},{"b":{"v":2}}]})");
}

TEST(PluginSpecs, HeredocInPluginData) {
  PluginSpecs specs = loadOk("  A \"x\" {\n    plugin_data {\n      pem = <<EOF\nline\nEOF\n"
                             "    }\n  }\n");
  EXPECT_EQ(specs[0].data_json, R"({"pem":"line\n"})");
}

TEST(PluginSpecs, PluginDataMustBeAnObject) {
  EXPECT_TRUE(invalid(load("  A \"x\" {\n    plugin_data = \"k = 1\"\n  }\n"),
                      "plugins.A[\"x\"].plugin_data: expected a block, got string \"k = 1\" at "
                      "p.conf:7:19"));
}

TEST(PluginSpecs, PluginDataFileIsReadRelativeToConfigDir) {
  TempDir dir;
  dir.write("conf/km.conf", "keys_path = \"/k.json\"\nsize = 2\n");
  dir.write("conf/na.json", "{\"a\": [1, 2]}");
  PluginSpecs specs = loadOk("  KeyManager \"disk\" {\n    plugin_data_file = \"km.conf\"\n  }\n"
                             "  NodeAttestor \"x\" {\n    plugin_data_file = \"na.json\"\n  }\n",
                             (dir.path() / "conf").string());
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].plugin_data_file, "km.conf");
  EXPECT_EQ(specs[0].data_json, R"({"keys_path":"/k.json","size":2})");
  EXPECT_EQ(specs[1].data_json, R"({"a":[1,2]})");
}

TEST(PluginSpecs, AbsolutePluginDataFile) {
  TempDir dir;
  std::string path = dir.write("data.hcl", "x = true\n");
  PluginSpecs specs =
      loadOk("  A \"x\" {\n    plugin_data_file = \"" + path + "\"\n  }\n", "/nowhere");
  EXPECT_EQ(specs[0].data_json, R"({"x":true})");
}

TEST(PluginSpecs, MissingOrMalformedPluginDataFile) {
  TempDir dir;
  EXPECT_TRUE(invalid(
      load("  A \"x\" {\n    plugin_data_file = \"nope.conf\"\n  }\n", dir.path().string()),
      "plugins.A[\"x\"].plugin_data_file: unable to read \"" + (dir.path() / "nope.conf").string() +
          "\": No such file or directory at p.conf:7:24"));
  std::string bad = dir.write("bad.conf", "a = \n");
  EXPECT_TRUE(
      invalid(load("  A \"x\" {\n    plugin_data_file = \"bad.conf\"\n  }\n", dir.path().string()),
              bad + ":2:1: expected a value, got end of file"));
}

TEST(PluginSpecs, PluginDataAndPluginDataFileAreExclusive) {
  EXPECT_TRUE(invalid(load("  A \"x\" {\n    plugin_data {}\n    plugin_data_file = \"f\"\n  }\n"),
                      "plugins.A[\"x\"].plugin_data_file: only one of plugin_data or "
                      "plugin_data_file can be set at p.conf:8:24"));
}

TEST(PluginSpecs, DuplicateTypeAndName) {
  EXPECT_TRUE(invalid(load("  A \"x\" {}\n  A \"x\" {}\n"),
                      "plugin A \"x\" declared more than once, at p.conf:6:3 and p.conf:7:3"));
  // Same name under another type is fine.
  EXPECT_EQ(loadOk("  A \"x\" {}\n  B \"x\" {}\n").size(), 2u);
}

TEST(PluginSpecs, TypeErrorsInPluginBlocks) {
  EXPECT_TRUE(invalid(load("  A = \"x\"\n"),
                      "plugins.A: expected a plugin block, got string \"x\" at p.conf:6:7"));
  EXPECT_TRUE(invalid(load("  A \"x\" {\n    enabled = \"false\"\n  }\n"),
                      "plugins.A[\"x\"].enabled: expected a bool, got string \"false\" at "
                      "p.conf:7:15"));
  EXPECT_TRUE(invalid(load("  A \"x\" {\n    plugin_args = \"-v\"\n  }\n"),
                      "plugins.A[\"x\"].plugin_args: expected a list of strings, got string "
                      "\"-v\" at p.conf:7:19"));
}

TEST(PluginSpecs, JsonForms) {
  LoadOptions options;
  options.source_name = "p.json";
  Result<ServerFileConfig> r = loadServerConfigFromString(R"({
  "server": {"trust_domain": "example.org", "data_dir": "/d"},
  "plugins": {
    "WorkloadAttestor": {"unix": {"plugin_data": {"a": 1}}, "k8s": {"enabled": false}},
    "KeyManager": [{"memory": {}}]
  }
})",
                                                          options);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  ASSERT_EQ(r->plugins.size(), 3u);
  EXPECT_EQ(r->plugins[0].name, "unix");
  EXPECT_EQ(r->plugins[0].data_json, R"({"a":1})");
  EXPECT_EQ(r->plugins[0].position.toString(), "p.json:4:26");
  EXPECT_EQ(r->plugins[1].name, "k8s");
  EXPECT_FALSE(r->plugins[1].enabled);
  EXPECT_EQ(r->plugins[2].type, "KeyManager");
  EXPECT_EQ(r->plugins[2].name, "memory");
}

} // namespace
} // namespace spire::config

namespace spire::config {
namespace {

TEST(PluginSpecsUtf8, InvalidUtf8InPluginDataIsAnError) {
  EXPECT_TRUE(testing::invalid(load("  A \"x\" {\n    plugin_data { s = \"\\xff\" }\n  }\n"),
                               "plugins.A[\"x\"].plugin_data: string is not valid UTF-8 at "
                               "p.conf:7:23"));
  EXPECT_TRUE(testing::invalid(load("  A \"x\" {\n    plugin_data { \"k\xC0\" = 1 }\n  }\n"),
                               "plugins.A[\"x\"].plugin_data: string is not valid UTF-8 at "
                               "p.conf:7:19"));
  EXPECT_EQ(loadOk("  A \"x\" {\n    plugin_data { s = \"\\u00e9\" }\n  }\n")[0].data_json,
            "{\"s\":\"\xC3\xA9\"}");
}

} // namespace
} // namespace spire::config
