// RunningServer in-process over the real built-in plugins: it serves, reports health, stops in
// order, resumes its CA on restart, and reports start-up failures with their step.

#include "server/run/server_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "support/temp_dir.h"

namespace spire::server::run {
namespace {

class RunningServerTest : public ::testing::Test {
protected:
  config::ServerFileConfig fileConfig(const std::string& key_manager = "memory",
                                      bool health = true) {
    const std::string dir = dir_.path().string();
    std::string km = key_manager == "disk"
                         ? "  KeyManager \"disk\" {\n    plugin_data { keys_path = \"" + dir +
                               "/keys.json\" }\n  }\n"
                         : "  KeyManager \"memory\" {\n    plugin_data {}\n  }\n";
    std::string text = "server {\n"
                       "  trust_domain = \"example.org\"\n"
                       "  data_dir = \"" +
                       dir + "/data\"\n" +
                       "  bind_address = \"127.0.0.1\"\n"
                       "  socket_path = \"" +
                       dir + "/private/api.sock\"\n" +
                       "}\n"
                       "plugins {\n"
                       "  DataStore \"sql\" {\n"
                       "    plugin_data {\n"
                       "      database_type = \"sqlite3\"\n"
                       "      connection_string = \"" +
                       dir + "/datastore.sqlite3\"\n" + "    }\n  }\n" + km +
                       "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n"
                       "}\n";
    if (health) {
      text += "health_checks {\n  listener_enabled = true\n  bind_address = \"127.0.0.1\"\n"
              "  bind_port = \"0\"\n}\n";
    }
    auto loaded = config::loadServerConfigFromString(text);
    EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
    config::ServerFileConfig file = loaded.isOk() ? *loaded : config::ServerFileConfig{};
    file.server.bind_port = 0; // an ephemeral port; the file loader would refuse 0
    return file;
  }
  RunOptions options() {
    RunOptions o;
    o.plugin_dir = SPIRE_TEST_PLUGIN_DIR;
    o.log_stream = &log_;
    return o;
  }
  std::string socketPath() const { return (dir_.path() / "private" / "api.sock").string(); }

  spire::testing::TempDir dir_;
  std::ostringstream log_;
};

std::string httpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = "GET " + path + " HTTP/1.1\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[2048];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

TEST_F(RunningServerTest, ServesReportsHealthAndStopsInOrder) {
  auto server = RunningServer::start(fileConfig(), options());
  ASSERT_TRUE(server.isOk()) << server.status().message() << "\n" << log_.str();
  RunningServer& s = **server;
  EXPECT_GT(s.tcpPort(), 0);
  EXPECT_TRUE(std::filesystem::is_socket(socketPath()));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() / "data"));

  auto health = s.health();
  for (const char* name : {"server", "server.ca", "server.ca.rotator", "catalog.datastore"}) {
    ASSERT_EQ(health.count(name), 1u) << name;
    EXPECT_TRUE(health[name].live) << name;
    EXPECT_TRUE(health[name].ready) << name << ": " << health[name].error;
  }
  ASSERT_GT(s.healthPort(), 0);
  EXPECT_EQ(httpGet(s.healthPort(), "/ready").rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(httpGet(s.healthPort(), "/live").rfind("HTTP/1.1 200 OK", 0), 0u);

  const std::string started = log_.str();
  EXPECT_NE(started.find("msg=\"Starting Server APIs\" address=\"127.0.0.1:" +
                         std::to_string(s.tcpPort()) + "\" network=tcp"),
            std::string::npos)
      << started;
  EXPECT_NE(started.find("msg=\"Starting Server APIs\" address=" + socketPath() + " network=unix"),
            std::string::npos)
      << started;
  EXPECT_NE(started.find("msg=\"Serving health checks\""), std::string::npos) << started;

  const int health_port = s.healthPort();
  s.requestStop();
  s.wait(); // returns at once: the stop was requested
  s.stop();
  s.stop(); // idempotent
  EXPECT_FALSE(std::filesystem::exists(socketPath()));
  EXPECT_EQ(httpGet(health_port, "/live"), "");
  const std::string stopped = log_.str();
  EXPECT_LT(stopped.find("msg=\"Stopping Server APIs\""),
            stopped.find("msg=\"Server stopped gracefully\""))
      << stopped;
}

TEST_F(RunningServerTest, RestartResumesTheSameCa) {
  std::string first_ca;
  {
    auto server = RunningServer::start(fileConfig("disk", false), options());
    ASSERT_TRUE(server.isOk()) << server.status().message();
    first_ca = (*server)->state().ca->snapshot()->x509->authority_id;
    EXPECT_EQ((*server)->healthPort(), 0);
  }
  auto again = RunningServer::start(fileConfig("disk", false), options());
  ASSERT_TRUE(again.isOk()) << again.status().message();
  EXPECT_EQ((*again)->state().ca->snapshot()->x509->authority_id, first_ca);
}

TEST_F(RunningServerTest, MissingPluginNamesTheStep) {
  RunOptions o = options();
  o.plugin_dir = dir_.path() / "no-plugins";
  auto server = RunningServer::start(fileConfig(), o);
  ASSERT_FALSE(server.isOk());
  EXPECT_EQ(server.status().message().rfind("failed to load plugins: ", 0), 0u)
      << server.status().message();
}

TEST_F(RunningServerTest, TakenPortIsReportedAndNothingIsLeftRunning) {
  auto first = RunningServer::start(fileConfig(), options());
  ASSERT_TRUE(first.isOk()) << first.status().message();
  spire::testing::TempDir other;
  config::ServerFileConfig file = fileConfig("memory", false);
  file.server.bind_port = (*first)->tcpPort();
  file.server.socket_path = (other.path() / "api.sock").string();
  file.server.data_dir = (other.path() / "data").string();
  auto second = RunningServer::start(file, options());
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "unable to listen on 127.0.0.1:" + std::to_string((*first)->tcpPort()));
}

TEST_F(RunningServerTest, BadLogLevelIsRefusedBeforeAnythingStarts) {
  config::ServerFileConfig file = fileConfig();
  file.server.log.level = "LOUD";
  RunOptions o = options();
  auto server = RunningServer::start(file, o);
  ASSERT_FALSE(server.isOk());
  EXPECT_EQ(server.status().message(), "not a valid logrus Level: \"LOUD\"");
  EXPECT_FALSE(std::filesystem::exists(socketPath()));
}

} // namespace
} // namespace spire::server::run
