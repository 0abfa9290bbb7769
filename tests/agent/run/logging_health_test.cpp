// spire-agent's logging (logrus text/json lines, levels, log_file) and the health_checks HTTP
// listener.

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent/run/agent_logging.h"
#include "agent/run/health_http.h"
#include "support/temp_dir.h"

namespace spire::agent::run {
namespace {

// 2024-05-06T07:08:09Z
const std::chrono::system_clock::time_point kAt =
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(7) +
    std::chrono::minutes(8) + std::chrono::seconds(9);

class UtcZone : public ::testing::Test {
protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz != nullptr ? std::optional<std::string>(tz) : std::nullopt;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  std::optional<std::string> saved_;
};

using LogLineTest = UtcZone;

TEST_F(LogLineTest, TextLinesAreLogrus) {
  EXPECT_EQ(formatLogLine(LogFormat::kText, spdlog::level::info, "Starting agent", kAt),
            "time=\"2024-05-06T07:08:09Z\" level=info msg=\"Starting agent\"\n");
  // A value without special characters is not quoted; warn is logrus' "warning".
  EXPECT_EQ(formatLogLine(LogFormat::kText, spdlog::level::warn, "Started", kAt),
            "time=\"2024-05-06T07:08:09Z\" level=warning msg=Started\n");
  EXPECT_EQ(formatLogLine(LogFormat::kText, spdlog::level::err, "bad \"quote\"\n", kAt),
            "time=\"2024-05-06T07:08:09Z\" level=error msg=\"bad \\\"quote\\\"\\n\"\n");
}

TEST_F(LogLineTest, JsonLinesAreLogrus) {
  EXPECT_EQ(formatLogLine(LogFormat::kJson, spdlog::level::debug, "a <b> & c", kAt),
            "{\"level\":\"debug\",\"msg\":\"a \\u003cb\\u003e \\u0026 c\",\"time\":"
            "\"2024-05-06T07:08:09Z\"}\n");
}

TEST_F(LogLineTest, FieldsFollowTheMessageSorted) {
  const std::string payload =
      withFields("Agent crashed", {{"error", "failed to attest: x"}, {"a_field", "plain"}});
  EXPECT_EQ(formatLogLine(LogFormat::kText, spdlog::level::err, payload, kAt),
            "time=\"2024-05-06T07:08:09Z\" level=error msg=\"Agent crashed\" a_field=plain "
            "error=\"failed to attest: x\"\n");
  EXPECT_EQ(formatLogLine(LogFormat::kJson, spdlog::level::err, payload, kAt),
            "{\"a_field\":\"plain\",\"error\":\"failed to attest: x\",\"level\":\"error\","
            "\"msg\":\"Agent crashed\",\"time\":\"2024-05-06T07:08:09Z\"}\n");
  EXPECT_EQ(formatLogLine(LogFormat::kText, spdlog::level::info, withFields("none", {}), kAt),
            "time=\"2024-05-06T07:08:09Z\" level=info msg=none\n");
}

TEST(LogLineZone, LocalOffsetIsWritten) {
  const char* tz = std::getenv("TZ");
  const std::optional<std::string> saved = tz ? std::optional<std::string>(tz) : std::nullopt;
  ::setenv("TZ", "UTC-02:30", 1);
  ::tzset();
  const std::string line = formatLogLine(LogFormat::kText, spdlog::level::info, "x", kAt);
  saved ? ::setenv("TZ", saved->c_str(), 1) : ::unsetenv("TZ");
  ::tzset();
  EXPECT_EQ(line, "time=\"2024-05-06T09:38:09+02:30\" level=info msg=x\n");
}

TEST(LogLevels, ParseSpireNames) {
  EXPECT_EQ(*parseLogLevel("DEBUG"), spdlog::level::debug);
  EXPECT_EQ(*parseLogLevel("info"), spdlog::level::info);
  EXPECT_EQ(*parseLogLevel("WARN"), spdlog::level::warn);
  EXPECT_EQ(*parseLogLevel("warning"), spdlog::level::warn);
  EXPECT_EQ(*parseLogLevel("ERROR"), spdlog::level::err);
  EXPECT_EQ(*parseLogLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(parseLogLevel("loud").status(),
            Status(StatusCode::kInvalidArgument, "invalid log level \"loud\""));
}

TEST(AgentLoggerTest, StdoutSinkFiltersByLevel) {
  std::ostringstream out;
  config::LogOptions options;
  options.level = "WARN";
  auto logger = makeAgentLogger(options, out);
  ASSERT_TRUE(logger.isOk()) << logger.status().toString();
  EXPECT_EQ(logger->launch_level, spdlog::level::warn);
  logger->logger->info("hidden");
  logger->logger->warn("shown");
  const std::string text = out.str();
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find(" level=warning msg=shown\n"), std::string::npos) << text;
}

TEST(AgentLoggerTest, JsonFormat) {
  std::ostringstream out;
  config::LogOptions options;
  options.format = "json";
  auto logger = makeAgentLogger(options, out);
  ASSERT_TRUE(logger.isOk());
  logger->logger->info("hello");
  EXPECT_EQ(out.str().rfind("{\"level\":\"info\",\"msg\":\"hello\",\"time\":\"", 0), 0u)
      << out.str();
}

TEST(AgentLoggerTest, LogFileTakesEverythingAndAppends) {
  spire::testing::TempDir dir;
  const std::string path = dir.writeFile("agent.log", "earlier\n");
  std::ostringstream out;
  config::LogOptions options;
  options.file = path;
  {
    auto logger = makeAgentLogger(options, out);
    ASSERT_TRUE(logger.isOk()) << logger.status().toString();
    logger->logger->info("to the file");
  }
  EXPECT_EQ(out.str(), "");
  std::ifstream in(path);
  const std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content.rfind("earlier\ntime=", 0), 0u) << content;
  EXPECT_NE(content.find("msg=\"to the file\"\n"), std::string::npos) << content;

  const std::string fresh = (dir.path() / "new.log").string();
  options.file = fresh;
  ASSERT_TRUE(makeAgentLogger(options, out).isOk());
  struct stat st {};
  ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0022u, 0640u & ~0022u);
}

TEST(AgentLoggerTest, UnopenableLogFile) {
  std::ostringstream out;
  config::LogOptions options;
  options.file = "/nonexistent-dir/agent.log";
  auto logger = makeAgentLogger(options, out);
  ASSERT_FALSE(logger.isOk());
  EXPECT_EQ(logger.status(),
            Status(StatusCode::kInternal, "could not open log file /nonexistent-dir/agent.log: No "
                                          "such file or directory"));
}

// A GET with a raw socket; returns the whole response.
std::string httpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  (void)::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[1024];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return response;
}

std::string statusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}
std::string body(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

class HealthHttpTest : public ::testing::Test {
protected:
  void start(HealthState state) {
    config::HealthChecksConfig config;
    config.listener_enabled = true;
    config.bind_address = "127.0.0.1";
    config.bind_port = 0;
    config.live_path = "/live";
    config.ready_path = "/ready";
    Status started = server_.start(config, [state] { return state; });
    ASSERT_TRUE(started.isOk()) << started.toString();
    ASSERT_GT(server_.port(), 0);
  }
  HealthHttpServer server_;
};

TEST_F(HealthHttpTest, HealthyAgentAnswers200WithDetails) {
  HealthState state;
  state.live = state.ready = true;
  state.live_details["agent"] = nlohmann::ordered_json::object();
  state.ready_details["agent"] = nlohmann::ordered_json::object();
  start(state);
  const std::string live = httpGet(server_.port(), "/live");
  EXPECT_EQ(statusLine(live), "HTTP/1.1 200 OK");
  EXPECT_NE(live.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(body(live), "{\"agent\":{}}\n");
  const std::string ready = httpGet(server_.port(), "/ready?verbose=1");
  EXPECT_EQ(statusLine(ready), "HTTP/1.1 200 OK");
  EXPECT_EQ(body(ready), "{\"agent\":{}}\n");
}

TEST_F(HealthHttpTest, UnhealthyAgentAnswers500) {
  HealthState state;
  state.live = true;
  state.ready = false;
  state.live_details["agent"] = nlohmann::ordered_json::object();
  state.ready_details["agent"] = {{"make_new_x509_err", "workload api is unavailable"}};
  start(state);
  EXPECT_EQ(statusLine(httpGet(server_.port(), "/live")), "HTTP/1.1 200 OK");
  const std::string ready = httpGet(server_.port(), "/ready");
  EXPECT_EQ(statusLine(ready), "HTTP/1.1 500 Internal Server Error");
  EXPECT_EQ(body(ready), "{\"agent\":{\"make_new_x509_err\":\"workload api is unavailable\"}}\n");
}

TEST_F(HealthHttpTest, OtherPathsAreNotFound) {
  start(HealthState());
  const std::string response = httpGet(server_.port(), "/metrics");
  EXPECT_EQ(statusLine(response), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(body(response), "404 page not found\n");
}

TEST_F(HealthHttpTest, StopClosesTheListener) {
  start(HealthState());
  const int port = server_.port();
  server_.stop();
  EXPECT_EQ(httpGet(port, "/live"), "connect failed");
}

TEST(HealthHttpErrors, PortInUse) {
  HealthHttpServer first;
  config::HealthChecksConfig config;
  config.bind_address = "127.0.0.1";
  config.bind_port = 0;
  ASSERT_TRUE(first.start(config, [] { return HealthState(); }).isOk());
  config.bind_port = first.port();
  HealthHttpServer second;
  Status status = second.start(config, [] { return HealthState(); });
  EXPECT_EQ(status, Status(StatusCode::kUnavailable,
                           "unable to listen on 127.0.0.1:" + std::to_string(first.port()) +
                               ": Address already in use"));
}

} // namespace
} // namespace spire::agent::run
