#include "server_fixture.h"

#include "config/loader.h"

namespace spire::server::api::testing {

Result<std::unique_ptr<ServerFixture>> ServerFixture::create(ServerFixtureOptions options) {
  std::unique_ptr<ServerFixture> self(new ServerFixture());
  const std::string dir = self->dir_.path().string();
  std::string text = "server {\n"
                     "  trust_domain = \"" +
                     options.trust_domain +
                     "\"\n"
                     "  data_dir = \"" +
                     dir +
                     "/data\"\n"
                     "  socket_path = \"" +
                     dir + "/api.sock\"\n" + options.server_extra +
                     "\n}\n"
                     "plugins {\n"
                     "  DataStore \"sql\" {\n"
                     "    plugin_data {\n"
                     "      database_type = \"sqlite3\"\n"
                     "      connection_string = \"" +
                     dir +
                     "/datastore.sqlite3\"\n"
                     "    }\n"
                     "  }\n"
                     "  KeyManager \"memory\" {\n    plugin_data {}\n  }\n"
                     "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n" +
                     options.plugins_extra + "\n}\n";
  config::LoadOptions load;
  load.source_name = dir + "/server.conf";
  load.base_dir = dir;
  auto file = config::loadServerConfigFromString(text, load);
  if (!file.isOk()) {
    return file.status();
  }
  bootstrap::BootstrapOptions boot;
  boot.plugin_dir = SPIRE_TEST_PLUGIN_DIR;
  if (options.fake_clock) {
    self->now_ = std::make_shared<std::atomic<TimePoint::rep>>(
        std::chrono::system_clock::now().time_since_epoch().count());
    boot.clock = [now = self->now_] { return TimePoint(TimePoint::duration(now->load())); };
  }
  auto started = bootstrap::ServerBootstrap::start(*file, std::move(boot));
  if (!started.isOk()) {
    return started.status();
  }
  self->bootstrap_ = std::move(*started);
  return self;
}

InProcessServer::InProcessServer(const std::vector<grpc::Service*>& services) {
  grpc::ServerBuilder builder;
  for (grpc::Service* service : services) {
    builder.RegisterService(service);
  }
  server_ = builder.BuildAndStart();
}

InProcessServer::~InProcessServer() {
  shutdown();
}

std::shared_ptr<grpc::Channel> InProcessServer::channel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void InProcessServer::shutdown() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    server_->Wait();
    server_.reset();
  }
}

} // namespace spire::server::api::testing
