#include "daemon/log_setup.h"

#include <cstdlib>
#include <ctime>

#include <gtest/gtest.h>

namespace spire::daemon {
namespace {

// rfc3339Local reads the local zone; pin it for the tests that look at the offset.
class ScopedTimeZone {
public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) {
      old_ = old;
      had_ = true;
    }
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (had_) {
      ::setenv("TZ", old_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

private:
  std::string old_;
  bool had_ = false;
};

TEST(LogSetupTest, LevelNamesAreLogrus) {
  EXPECT_EQ(logrusLevelName(spdlog::level::trace), "trace");
  EXPECT_EQ(logrusLevelName(spdlog::level::debug), "debug");
  EXPECT_EQ(logrusLevelName(spdlog::level::info), "info");
  EXPECT_EQ(logrusLevelName(spdlog::level::warn), "warning");
  EXPECT_EQ(logrusLevelName(spdlog::level::err), "error");
  EXPECT_EQ(logrusLevelName(spdlog::level::critical), "fatal");
  EXPECT_EQ(logrusLevelName(spdlog::level::off), "info");
}

TEST(LogSetupTest, LevelFromNameAcceptsSpireNamesInAnyCase) {
  EXPECT_EQ(logrusLevelFromName("trace"), spdlog::level::trace);
  EXPECT_EQ(logrusLevelFromName("DEBUG"), spdlog::level::debug);
  EXPECT_EQ(logrusLevelFromName("Info"), spdlog::level::info);
  EXPECT_EQ(logrusLevelFromName("WARN"), spdlog::level::warn);
  EXPECT_EQ(logrusLevelFromName("warning"), spdlog::level::warn);
  EXPECT_EQ(logrusLevelFromName("error"), spdlog::level::err);
  EXPECT_EQ(logrusLevelFromName("FATAL"), spdlog::level::critical);
  EXPECT_EQ(logrusLevelFromName("panic"), spdlog::level::critical);
}

TEST(LogSetupTest, LevelFromNameRejectsOthers) {
  EXPECT_EQ(logrusLevelFromName("verbose"), std::nullopt);
  EXPECT_EQ(logrusLevelFromName(""), std::nullopt);
  EXPECT_EQ(logrusLevelFromName("err"), std::nullopt);
}

TEST(LogSetupTest, Rfc3339UsesZForUtc) {
  ScopedTimeZone zone("UTC");
  EXPECT_EQ(rfc3339Local(std::chrono::system_clock::from_time_t(1714564800)),
            "2024-05-01T12:00:00Z");
}

TEST(LogSetupTest, Rfc3339PrintsLocalOffset) {
  ScopedTimeZone zone("XST-05:30");
  EXPECT_EQ(rfc3339Local(std::chrono::system_clock::from_time_t(1714564800)),
            "2024-05-01T17:30:00+05:30");
  ScopedTimeZone west("YST+03");
  EXPECT_EQ(rfc3339Local(std::chrono::system_clock::from_time_t(1714564800)),
            "2024-05-01T09:00:00-03:00");
}

TEST(LogSetupTest, PlainValuesAreNotQuoted) {
  EXPECT_FALSE(logrusNeedsQuoting("abc-XYZ.0_9/@^+"));
  EXPECT_FALSE(logrusNeedsQuoting(""));
  EXPECT_EQ(logrusTextValue("endpoints"), "endpoints");
}

TEST(LogSetupTest, OtherValuesAreGoQuoted) {
  EXPECT_TRUE(logrusNeedsQuoting("a b"));
  EXPECT_TRUE(logrusNeedsQuoting("a:b"));
  EXPECT_TRUE(logrusNeedsQuoting("caf\xc3\xa9"));
  EXPECT_EQ(logrusTextValue("Starting agent"), "\"Starting agent\"");
  EXPECT_EQ(logrusTextValue("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

TEST(LogSetupTest, TextLineHasFixedKeysThenSortedFields) {
  EXPECT_EQ(logrusTextLine("2024-05-01T12:00:00Z", spdlog::level::warn, "Starting agent",
                           {{"zeta", "last one"}, {"error", "boom"}}),
            "time=\"2024-05-01T12:00:00Z\" level=warning msg=\"Starting agent\" error=boom "
            "zeta=\"last one\"");
}

TEST(LogSetupTest, TextLineWithoutFields) {
  EXPECT_EQ(logrusTextLine("2024-05-01T12:00:00Z", spdlog::level::info, "ready", {}),
            "time=\"2024-05-01T12:00:00Z\" level=info msg=ready");
}

} // namespace
} // namespace spire::daemon
