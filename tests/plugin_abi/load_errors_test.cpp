// One test per refusal of the load pipeline, each asserting the exact code and message, plus the
// valid cases next to them.

#include <cstddef>
#include <filesystem>

#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "plugin_abi/plugin_fixtures.h"
#include "plugin_host/workload_attestor.h"
#include "spire/plugin/common.h"
#include "support/temp_dir.h"

namespace spire::plugin_host {
namespace {

using spire::testing::externalSpec;
using spire::testing::fixturePath;
using spire::testing::loaderOptions;

std::string wa(const std::string& name) {
  return fixturePath("workload_attestor", name);
}

Status loadError(const config::PluginSpec& spec,
                 LoaderOptions options = loaderOptions(Role::kAgent)) {
  Result<LoadedPluginPtr> loaded = loadPlugin(spec, options);
  EXPECT_FALSE(loaded.isOk());
  return loaded.status();
}

TEST(PluginLoadTest, GoodPluginLoadsAndAttests) {
  Result<LoadedPluginPtr> loaded = loadPlugin(
      externalSpec("WorkloadAttestor", "fx_good", wa("fx_good")), loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ((*loaded)->info().name, "fx_good");
  EXPECT_EQ((*loaded)->info().version, "0.1.0");
  Result<std::vector<Selector>> selectors = WorkloadAttestorPlugin(*loaded).attest(42);
  ASSERT_TRUE(selectors.isOk()) << selectors.status().toString();
  EXPECT_EQ(*selectors,
            (std::vector<Selector>{{"fx_good", "pid:42"}, {"fx_good", "td:example.org"}}));
}

TEST(PluginLoadTest, SelectorTypeIsTheConfiguredNameOfAnExternalPlugin) {
  Result<LoadedPluginPtr> loaded = loadPlugin(
      externalSpec("WorkloadAttestor", "custom", wa("fx_good")), loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  Result<std::vector<Selector>> selectors = WorkloadAttestorPlugin(*loaded).attest(7);
  ASSERT_TRUE(selectors.isOk());
  EXPECT_EQ(selectors->front(), (Selector{"custom", "pid:7"}));
}

TEST(PluginLoadTest, MissingFile) {
  Status st = loadError(externalSpec("WorkloadAttestor", "x", "/nonexistent/x.so"));
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"x\": cannot open plugin \"/nonexistent/x.so\": No "
                          "such file or directory");
}

TEST(PluginLoadTest, DirectoryIsNotAPlugin) {
  Status st = loadError(externalSpec("WorkloadAttestor", "x", spire::testing::fixtureDir()));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"x\": cannot load plugin \"" +
                              spire::testing::fixtureDir() + "\": not a regular file");
}

TEST(PluginLoadTest, NotAnElfFile) {
  spire::testing::TempDir dir;
  std::string path = dir.writeFile("text.so", "just text");
  Status st = loadError(externalSpec("WorkloadAttestor", "x", path));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message().rfind("WorkloadAttestor \"x\": cannot load plugin \"" + path + "\": ", 0),
            0u)
      << st.message();
}

TEST(PluginLoadTest, NoEntrySymbol) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_no_entry", wa("fx_no_entry")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_no_entry\": not a spire-cpp plugin \"" +
                              wa("fx_no_entry") +
                              "\": no entry symbol spire_plugin_entry (build it with "
                              "spire_add_plugin from the plugin SDK)");
}

TEST(PluginLoadTest, AbiTooNew) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_abi_new", wa("fx_abi_new")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_abi_new\": incompatible plugin \"" +
                              wa("fx_abi_new") +
                              "\": ABI version 99, this build supports 1 (rebuild it against "
                              "this release's plugin SDK)");
}

TEST(PluginLoadTest, AbiTooOld) {
  // A later host that dropped version 1.
  LoaderOptions options = loaderOptions(Role::kAgent);
  options.abi_min = 2;
  options.abi_max = 3;
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_good", wa("fx_good")), options);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_good\": incompatible plugin \"" + wa("fx_good") +
                              "\": ABI version 1, this build supports 2-3 (rebuild it against "
                              "this release's plugin SDK)");
}

TEST(PluginLoadTest, PluginRefusesToLoad) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_refuse", wa("fx_refuse")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_refuse\": plugin \"" + wa("fx_refuse") +
                              "\" refused to load: it speaks none of ABI versions 1");
}

TEST(PluginLoadTest, WrongType) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_wrong_type", wa("fx_wrong_type")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_wrong_type\": wrong plugin type: \"" +
                              wa("fx_wrong_type") +
                              "\" is a KeyManager plugin, configured as WorkloadAttestor");
}

TEST(PluginLoadTest, NodeAttestorSideFollowsTheRole) {
  // The agent side of fx_node loads in the agent; a KeyManager file as NodeAttestor does not.
  std::string keys = fixturePath("key_manager", "fx_keys");
  Status st =
      loadError(externalSpec("NodeAttestor", "fx_keys", keys), loaderOptions(Role::kServer));
  EXPECT_EQ(st.message(), "NodeAttestor \"fx_keys\": wrong plugin type: \"" + keys +
                              "\" is a KeyManager plugin, configured as server NodeAttestor");
}

TEST(PluginLoadTest, BiggerVtableWithNonZeroTail) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_big_tail_set", wa("fx_big_tail_set")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_big_tail_set\": incompatible plugin \"" +
                              wa("fx_big_tail_set") +
                              "\": its WorkloadAttestor table is 24 bytes and the 8 bytes this "
                              "build does not know are not zero (it needs a newer spire-cpp)");
}

TEST(PluginLoadTest, BiggerVtableWithZeroTailLoads) {
  Result<LoadedPluginPtr> loaded =
      loadPlugin(externalSpec("WorkloadAttestor", "fx_big_tail_zero", wa("fx_big_tail_zero")),
                 loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ((*loaded)->info().vtable_size, 24u);
  EXPECT_TRUE(WorkloadAttestorPlugin(*loaded).attest(1).isOk());
}

TEST(PluginLoadTest, MissingRequiredMethod) {
  Status st =
      loadError(externalSpec("WorkloadAttestor", "fx_missing_method", wa("fx_missing_method")));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_missing_method\": malformed plugin \"" +
                              wa("fx_missing_method") +
                              "\": required method \"attest\" of the WorkloadAttestor table is "
                              "missing");
}

TEST(PluginLoadTest, DescriptorTooSmall) {
  Status st =
      loadError(externalSpec("WorkloadAttestor", "fx_small_descriptor", wa("fx_small_descriptor")));
  const std::size_t minimum = offsetof(spire_plugin_descriptor, vtable_size) + 4;
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_small_descriptor\": malformed plugin \"" +
                              wa("fx_small_descriptor") + "\": descriptor is 8 bytes, at least " +
                              std::to_string(minimum) + " expected");
}

TEST(PluginLoadTest, CreateFails) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_create_fails", wa("fx_create_fails")));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(),
            "WorkloadAttestor \"fx_create_fails\": failed to create plugin: backend is down");
}

TEST(PluginLoadTest, ConfigureRejectsPluginData) {
  Status st =
      loadError(externalSpec("WorkloadAttestor", "fx_good", wa("fx_good"), R"({"bogus": true})"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_good\": failed to configure plugin: unknown "
                          "configuration field \"bogus\"");
}

TEST(PluginLoadTest, PluginDataMustBeAJsonObject) {
  for (const char* bad : {"{not json", "[1, 2]", ""}) {
    Status st = loadError(externalSpec("WorkloadAttestor", "fx_good", wa("fx_good"), bad));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_good\": invalid plugin_data: expected a JSON "
                            "object")
        << bad;
  }
}

TEST(PluginLoadTest, ThrowingMethodsBecomeStatuses) {
  Result<LoadedPluginPtr> loaded =
      loadPlugin(externalSpec("WorkloadAttestor", "fx_throwing",
                              fixturePath("workload_attestor", "fx_throwing")),
                 loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  WorkloadAttestorPlugin attestor(*loaded);

  Result<std::vector<Selector>> runtime_error = attestor.attest(1);
  EXPECT_EQ(runtime_error.status().code(), StatusCode::kInternal);
  EXPECT_EQ(runtime_error.status().message(),
            "WorkloadAttestor \"fx_throwing\": unhandled exception: boom");

  Result<std::vector<Selector>> plugin_error = attestor.attest(2);
  EXPECT_EQ(plugin_error.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(plugin_error.status().message(),
            "WorkloadAttestor \"fx_throwing\": not allowed to look at pid 2");

  Result<std::vector<Selector>> not_an_exception = attestor.attest(3);
  EXPECT_EQ(not_an_exception.status().code(), StatusCode::kInternal);
  EXPECT_EQ(not_an_exception.status().message(),
            "WorkloadAttestor \"fx_throwing\": unhandled exception");

  Result<std::vector<Selector>> fine = attestor.attest(4);
  ASSERT_TRUE(fine.isOk());
  EXPECT_EQ(*fine, (std::vector<Selector>{{"fx_throwing", "ok:4"}}));
}

TEST(PluginLoadTest, ThrowingConfigure) {
  Status st =
      loadError(externalSpec("WorkloadAttestor", "fx_throwing",
                             fixturePath("workload_attestor", "fx_throwing"), R"({"explode": 1})"));
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_throwing\": failed to configure plugin: "
                          "unhandled exception: configure exploded");
}

TEST(PluginLoadTest, ResultOfTheWrongKind) {
  Result<LoadedPluginPtr> loaded =
      loadPlugin(externalSpec("WorkloadAttestor", "fx_wrong_emit", wa("fx_wrong_emit")),
                 loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  Result<std::vector<Selector>> selectors = WorkloadAttestorPlugin(*loaded).attest(5);
  EXPECT_EQ(selectors.status().code(), StatusCode::kInternal);
  EXPECT_EQ(selectors.status().message(), "WorkloadAttestor \"fx_wrong_emit\": plugin emitted a "
                                          "note from attest, which does not return one");
}

TEST(PluginLoadTest, ChecksumMatches) {
  Result<std::string> sum = crypto::sha256FilePath(wa("fx_good"));
  ASSERT_TRUE(sum.isOk());
  config::PluginSpec spec = externalSpec("WorkloadAttestor", "fx_good", wa("fx_good"));
  spec.plugin_checksum = *sum;
  EXPECT_TRUE(loadPlugin(spec, loaderOptions(Role::kAgent)).isOk());
  // Upper-case hex is the same checksum.
  for (char& c : spec.plugin_checksum) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  EXPECT_TRUE(loadPlugin(spec, loaderOptions(Role::kAgent)).isOk());
}

TEST(PluginLoadTest, ChecksumMismatch) {
  Result<std::string> sum = crypto::sha256FilePath(wa("fx_good"));
  ASSERT_TRUE(sum.isOk());
  config::PluginSpec spec = externalSpec("WorkloadAttestor", "fx_good", wa("fx_good"));
  spec.plugin_checksum = std::string(64, '0');
  Status st = loadError(spec);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_good\": plugin_checksum mismatch: expected " +
                              std::string(64, '0') + ", file has " + *sum + " for plugin \"" +
                              wa("fx_good") + "\"");
}

TEST(PluginLoadTest, ChecksumMalformed) {
  config::PluginSpec spec = externalSpec("WorkloadAttestor", "fx_good", wa("fx_good"));
  spec.plugin_checksum = "abc";
  Status st = loadError(spec);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_good\": invalid plugin_checksum \"abc\": "
                          "expected 64 hexadecimal digits (SHA-256) for plugin \"" +
                              wa("fx_good") + "\"");
}

TEST(PluginLoadTest, BuiltInFoundInPluginDirectory) {
  config::PluginSpec spec = externalSpec("WorkloadAttestor", "fx_good", "");
  Result<std::filesystem::path> path = resolvePluginPath(spec, loaderOptions(Role::kAgent));
  ASSERT_TRUE(path.isOk());
  EXPECT_EQ(path->string(), wa("fx_good"));
  EXPECT_TRUE(loadPlugin(spec, loaderOptions(Role::kAgent)).isOk());
}

TEST(PluginLoadTest, BuiltInMissingFromPluginDirectory) {
  Status st = loadError(externalSpec("WorkloadAttestor", "nope", ""));
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"nope\": cannot open plugin \"" + wa("nope") +
                              "\": No such file or directory");
}

TEST(PluginLoadTest, BuiltInNameMustMatchDescriptor) {
  Status st = loadError(externalSpec("WorkloadAttestor", "fx_misnamed", ""));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "WorkloadAttestor \"fx_misnamed\": plugin name mismatch: \"" +
                              wa("fx_misnamed") +
                              "\" is named \"someone_else\", configured as \"fx_misnamed\"");
}

TEST(PluginLoadTest, UnknownPluginType) {
  Status st = loadError(externalSpec("UpstreamAuthority", "x", wa("fx_good")));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "UpstreamAuthority \"x\": unknown plugin type \"UpstreamAuthority\" for "
                          "the agent");
}

TEST(PluginLoadTest, SameFileTwiceGivesTwoInstances) {
  LoaderOptions options = loaderOptions(Role::kAgent);
  Result<LoadedPluginPtr> a =
      loadPlugin(externalSpec("WorkloadAttestor", "a", wa("fx_good")), options);
  options.trust_domain = "other.org";
  Result<LoadedPluginPtr> b =
      loadPlugin(externalSpec("WorkloadAttestor", "b", wa("fx_good")), options);
  ASSERT_TRUE(a.isOk());
  ASSERT_TRUE(b.isOk());
  EXPECT_NE((*a)->self(), (*b)->self());
  EXPECT_EQ(WorkloadAttestorPlugin(*a).attest(1)->back(), (Selector{"a", "td:example.org"}));
  EXPECT_EQ(WorkloadAttestorPlugin(*b).attest(1)->back(), (Selector{"b", "td:other.org"}));
}

} // namespace
} // namespace spire::plugin_host
