// Mangled configurations must fail cleanly: either load, or fail with a positioned syntax error
// or a decode error, never crash (this runs under ASan/UBSan too).
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/parse.h"
#include "config_test_util.h"

namespace spire::config {
namespace {

std::string readConf(const std::string& name) {
  std::ifstream in(testing::sourceDir() + "/conf/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void mangleAndLoad(const std::string& original, const std::string& name, bool agent) {
  std::mt19937 rng(12345); // fixed seed: the same inputs on every run
  const std::string alphabet = "{}[]=,\"#/*<-\n \\$0aZ.:\x01\xC3";
  for (int round = 0; round < 1500; ++round) {
    std::string text = original;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      std::size_t at = rng() % text.size();
      switch (rng() % 3) {
      case 0:
        text.erase(at, 1 + rng() % 3);
        break;
      case 1:
        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        break;
      default:
        text[at] = alphabet[rng() % alphabet.size()];
      }
    }
    LoadOptions options;
    options.source_name = name;
    Status status = agent ? loadAgentConfigFromString(text, options).status()
                          : loadServerConfigFromString(text, options).status();
    if (!status.isOk()) {
      ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << status.message() << "\n" << text;
      ASSERT_FALSE(status.message().empty());
    }
    Result<Value> parsed = parseConfigText(text, name);
    if (!parsed.isOk()) {
      ASSERT_EQ(parsed.status().message().rfind(name + ":", 0), 0u) << parsed.status().message();
    }
  }
}

TEST(Robustness, MangledServerConfigs) {
  mangleAndLoad(readConf("server_full.conf"), "server_full.conf", false);
}

TEST(Robustness, MangledAgentConfigs) {
  mangleAndLoad(readConf("agent_full.conf"), "agent_full.conf", true);
}

TEST(Robustness, MangledJsonConfigs) {
  mangleAndLoad(readConf("server.json"), "server.json", false);
}

} // namespace
} // namespace spire::config
