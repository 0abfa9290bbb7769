// The daemon log in SPIRE's logrus shapes, levels, files and subsystem loggers.

#include "server/run/logging.h"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace spire::server::run {
namespace {

config::LogOptions options(std::string level, std::string format, std::string file = "") {
  config::LogOptions o;
  o.level = std::move(level);
  o.format = std::move(format);
  o.file = std::move(file);
  return o;
}

TEST(LogLevelTest, AcceptsSpireNamesInAnyCase) {
  EXPECT_EQ(*parseLogLevel("DEBUG"), spdlog::level::debug);
  EXPECT_EQ(*parseLogLevel("info"), spdlog::level::info);
  EXPECT_EQ(*parseLogLevel("Warn"), spdlog::level::warn);
  EXPECT_EQ(*parseLogLevel("warning"), spdlog::level::warn);
  EXPECT_EQ(*parseLogLevel("ERROR"), spdlog::level::err);
  EXPECT_EQ(*parseLogLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(*parseLogLevel("fatal"), spdlog::level::critical);
}

TEST(LogLevelTest, RejectsUnknownLevel) {
  auto r = parseLogLevel("verbose");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "not a valid logrus Level: \"verbose\"");
}

TEST(LogFormatTest, AcceptsTextAndJsonOnly) {
  EXPECT_EQ(*parseLogFormat("TEXT"), LogFormat::kText);
  EXPECT_EQ(*parseLogFormat("json"), LogFormat::kJson);
  auto r = parseLogFormat("xml");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unknown log format \"xml\": expected text or json");
}

TEST(LogrusLevelNameTest, MatchesLogrus) {
  EXPECT_EQ(logrusLevelName(spdlog::level::warn), "warning");
  EXPECT_EQ(logrusLevelName(spdlog::level::err), "error");
  EXPECT_EQ(logrusLevelName(spdlog::level::critical), "fatal");
}

TEST(Rfc3339Test, UtcEndsInZ) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  EXPECT_EQ(rfc3339Local(std::chrono::system_clock::from_time_t(1714564800)),
            "2024-05-01T12:00:00Z");
}

TEST(Rfc3339Test, OtherZonesCarryTheirOffset) {
  ::setenv("TZ", "XST-02:30", 1); // POSIX: 2h30 east of UTC
  ::tzset();
  EXPECT_EQ(rfc3339Local(std::chrono::system_clock::from_time_t(1714564800)),
            "2024-05-01T14:30:00+02:30");
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

TEST(MakeLoggerTest, TextLinesLookLikeLogrus) {
  std::ostringstream out;
  auto logger = makeLogger(options("INFO", "text"), &out);
  ASSERT_TRUE(logger.isOk()) << logger.status().message();
  (*logger)->info("Starting Server APIs");
  subsystemLogger(*logger, "ca")->warn("X509 CA prepared");
  const std::string text = out.str();
  const std::regex first(
      R"re(^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" level=info msg="Starting Server APIs"\n)re");
  EXPECT_TRUE(std::regex_search(text, first)) << text;
  EXPECT_NE(text.find(" level=warning msg=\"X509 CA prepared\" subsystem_name=ca\n"),
            std::string::npos)
      << text;
}

TEST(MakeLoggerTest, PlainValuesAreNotQuotedAndSpecialOnesAreEscaped) {
  std::ostringstream out;
  auto logger = makeLogger(options("INFO", "text"), &out);
  ASSERT_TRUE(logger.isOk());
  (*logger)->info("ready");
  (*logger)->info("say \"hi\"\nbye");
  const std::string text = out.str();
  EXPECT_NE(text.find(" msg=ready\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" msg=\"say \\\"hi\\\"\\nbye\"\n"), std::string::npos) << text;
}

TEST(MakeLoggerTest, JsonLinesHaveLogrusKeysSorted) {
  std::ostringstream out;
  auto logger = makeLogger(options("DEBUG", "json"), &out);
  ASSERT_TRUE(logger.isOk());
  subsystemLogger(*logger, "endpoints")->debug("Starting \"Server\" APIs");
  const std::string line = out.str();
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.rfind("{\"level\":\"debug\",\"msg\":\"Starting \\\"Server\\\" APIs\","
                       "\"subsystem_name\":\"endpoints\",\"time\":\"",
                       0),
            0u)
      << line;
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "Starting \"Server\" APIs");
}

TEST(MakeLoggerTest, FieldsFollowTheMessageSortedByKey) {
  std::ostringstream text_out;
  auto text = makeLogger(options("INFO", "text"), &text_out);
  ASSERT_TRUE(text.isOk());
  (*text)->info(withFields("Starting Server APIs",
                           {{"network", "unix"}, {"address", "/tmp/spire server/api.sock"}}));
  EXPECT_NE(text_out.str().find(" level=info msg=\"Starting Server APIs\" "
                                "address=\"/tmp/spire server/api.sock\" network=unix\n"),
            std::string::npos)
      << text_out.str();

  std::ostringstream json_out;
  auto json = makeLogger(options("INFO", "json"), &json_out);
  ASSERT_TRUE(json.isOk());
  subsystemLogger(*json, "endpoints")
      ->info(withFields("Starting Server APIs", {{"network", "tcp"}, {"address", "[::]:8081"}}));
  EXPECT_EQ(json_out.str().rfind("{\"address\":\"[::]:8081\",\"level\":\"info\","
                                 "\"msg\":\"Starting Server APIs\",\"network\":\"tcp\","
                                 "\"subsystem_name\":\"endpoints\",\"time\":",
                                 0),
            0u)
      << json_out.str();
}

TEST(MakeLoggerTest, LevelFiltersLowerMessages) {
  std::ostringstream out;
  auto logger = makeLogger(options("WARN", "text"), &out);
  ASSERT_TRUE(logger.isOk());
  (*logger)->info("hidden");
  (*logger)->debug("hidden too");
  (*logger)->error("shown");
  EXPECT_EQ(out.str().find("hidden"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("level=error msg=shown"), std::string::npos) << out.str();
}

TEST(MakeLoggerTest, FileIsAppendedAndFlushedPerLine) {
  spire::testing::TempDir dir;
  const std::string path = dir.writeFile("server.log", "previous line\n");
  auto logger = makeLogger(options("INFO", "text", path));
  ASSERT_TRUE(logger.isOk()) << logger.status().message();
  (*logger)->info("appended");
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str().rfind("previous line\ntime=", 0), 0u) << content.str();
  EXPECT_NE(content.str().find("msg=appended"), std::string::npos) << content.str();
}

TEST(MakeLoggerTest, UnopenableFileIsAnError) {
  spire::testing::TempDir dir;
  // A regular file as the parent directory: no directory is created, the open fails.
  const std::string parent = dir.writeFile("not-a-dir", "");
  const std::string path = parent + "/server.log";
  auto logger = makeLogger(options("INFO", "text", path));
  ASSERT_FALSE(logger.isOk());
  EXPECT_EQ(logger.status().code(), StatusCode::kInternal);
  EXPECT_EQ(logger.status().message(), "unable to open log file " + path + ": Not a directory");
}

TEST(MakeLoggerTest, BadLevelOrFormatIsRefused) {
  auto bad_level = makeLogger(options("LOUD", "text"));
  ASSERT_FALSE(bad_level.isOk());
  EXPECT_EQ(bad_level.status().message(), "not a valid logrus Level: \"LOUD\"");
  auto bad_format = makeLogger(options("INFO", "yaml"));
  ASSERT_FALSE(bad_format.isOk());
  EXPECT_EQ(bad_format.status().message(), "unknown log format \"yaml\": expected text or json");
}

} // namespace
} // namespace spire::server::run
