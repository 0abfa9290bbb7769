// The health_checks listener: paths, codes, bodies, binding and prompt stop.

#include "server/run/health_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace spire::server::run {
namespace {

config::HealthChecksConfig localConfig() {
  config::HealthChecksConfig c;
  c.listener_enabled = true;
  c.bind_address = "127.0.0.1";
  c.bind_port = 0;
  return c;
}

// A raw HTTP exchange with the listener: the whole response text.
std::string rawExchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[1024];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string get(int port, const std::string& path) {
  return rawExchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
}

std::string bodyOf(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

HealthProbe probeOf(std::atomic<bool>& ready) {
  return [&ready] {
    std::map<std::string, SubsystemHealth> states;
    states["server"] = SubsystemHealth{true, true, ""};
    states["server.ca"] = SubsystemHealth{true, ready.load(), ready ? "" : "no active CA"};
    return states;
  };
}

TEST(HealthServerTest, LiveAndReadyAnswer200WithJson) {
  std::atomic<bool> ready{true};
  auto server = HealthServer::start(localConfig(), probeOf(ready), nullptr);
  ASSERT_TRUE(server.isOk()) << server.status().message();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  std::string live = get(port, "/live");
  EXPECT_EQ(live.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << live;
  EXPECT_NE(live.find("Content-Type: application/json\r\n"), std::string::npos) << live;
  auto body = nlohmann::json::parse(bodyOf(live));
  EXPECT_EQ(body["server"]["live"], true);
  EXPECT_EQ(body["server.ca"]["live"], true);
  std::string ready_resp = get(port, "/ready?verbose=1");
  EXPECT_EQ(ready_resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ready_resp;
  EXPECT_EQ(nlohmann::json::parse(bodyOf(ready_resp))["server.ca"]["ready"], true);
}

TEST(HealthServerTest, NotReadyIs500WithTheReason) {
  std::atomic<bool> ready{false};
  auto server = HealthServer::start(localConfig(), probeOf(ready), nullptr);
  ASSERT_TRUE(server.isOk());
  std::string resp = get((*server)->port(), "/ready");
  EXPECT_EQ(resp.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << resp;
  auto body = nlohmann::json::parse(bodyOf(resp));
  EXPECT_EQ(body["server.ca"]["ready"], false);
  EXPECT_EQ(body["server.ca"]["err"], "no active CA");
  EXPECT_EQ(body["server"]["ready"], true);
  // Live is independent of readiness.
  EXPECT_EQ(get((*server)->port(), "/live").rfind("HTTP/1.1 200 OK", 0), 0u);
  ready = true;
  EXPECT_EQ(get((*server)->port(), "/ready").rfind("HTTP/1.1 200 OK", 0), 0u);
}

TEST(HealthServerTest, CustomPathsAndUnknownPaths) {
  config::HealthChecksConfig c = localConfig();
  c.live_path = "/healthz";
  c.ready_path = "/readyz";
  std::atomic<bool> ready{true};
  auto server = HealthServer::start(c, probeOf(ready), nullptr);
  ASSERT_TRUE(server.isOk());
  EXPECT_EQ(get((*server)->port(), "/healthz").rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(get((*server)->port(), "/readyz").rfind("HTTP/1.1 200 OK", 0), 0u);
  std::string unknown = get((*server)->port(), "/live");
  EXPECT_EQ(unknown.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << unknown;
  EXPECT_EQ(bodyOf(unknown), "404 page not found\n");
}

TEST(HealthServerTest, MalformedRequestAndWrongMethod) {
  std::atomic<bool> ready{true};
  auto server = HealthServer::start(localConfig(), probeOf(ready), nullptr);
  ASSERT_TRUE(server.isOk());
  EXPECT_EQ(rawExchange((*server)->port(), "nonsense\r\n\r\n").rfind("HTTP/1.1 400 Bad Request", 0),
            0u);
  EXPECT_EQ(rawExchange((*server)->port(), "POST /live HTTP/1.1\r\n\r\n")
                .rfind("HTTP/1.1 405 Method Not Allowed", 0),
            0u);
}

TEST(HealthServerTest, RespondWithoutSockets) {
  config::HealthChecksConfig c = localConfig();
  HealthProbe empty = [] { return std::map<std::string, SubsystemHealth>(); };
  auto r = HealthServer::respond(c, empty, "GET", "/live");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}\n");
  EXPECT_EQ(HealthServer::respond(c, empty, "GET", "/other").status, 404);
}

TEST(HealthServerTest, PortInUseIsReported) {
  std::atomic<bool> ready{true};
  auto first = HealthServer::start(localConfig(), probeOf(ready), nullptr);
  ASSERT_TRUE(first.isOk());
  config::HealthChecksConfig c = localConfig();
  c.bind_port = (*first)->port();
  auto second = HealthServer::start(c, probeOf(ready), nullptr);
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "health check listener: cannot bind 127.0.0.1:" + std::to_string(c.bind_port) +
                ": Address already in use");
}

TEST(HealthServerTest, AddressNotOnThisHostIsReported) {
  config::HealthChecksConfig c = localConfig();
  c.bind_address = "192.0.2.1"; // TEST-NET-1: never a local address
  auto server = HealthServer::start(c, nullptr, nullptr);
  ASSERT_FALSE(server.isOk());
  EXPECT_EQ(server.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server.status().message(),
            "health check listener: cannot bind 192.0.2.1:0: Cannot assign requested address");
}

TEST(HealthServerTest, LocalhostResolves) {
  config::HealthChecksConfig c = localConfig();
  c.bind_address = "localhost";
  auto server = HealthServer::start(c, nullptr, nullptr);
  ASSERT_TRUE(server.isOk()) << server.status().message();
  EXPECT_GT((*server)->port(), 0);
}

TEST(HealthServerTest, StopIsPromptAndClosesThePort) {
  std::atomic<bool> ready{true};
  auto server = HealthServer::start(localConfig(), probeOf(ready), nullptr);
  ASSERT_TRUE(server.isOk());
  const int port = (*server)->port();
  auto begin = std::chrono::steady_clock::now();
  (*server)->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  server->reset();
  EXPECT_EQ(get(port, "/live"), "");
}

} // namespace
} // namespace spire::server::run
