#include "server/bootstrap/server_bootstrap.h"

#include <spdlog/spdlog.h>

#include "crypto/key.h"
#include "plugin_host/loader.h"
#include "server/ca/upstream.h"

namespace spire::server::bootstrap {
namespace {

crypto::KeyType cryptoKeyType(config::KeyType type) {
  // Both enums name SPIRE's four key types; the config one keeps SPIRE's spelling.
  auto parsed = crypto::parseKeyType(config::keyTypeName(type));
  return parsed.isOk() ? *parsed : crypto::KeyType::kEcP256;
}

std::chrono::seconds seconds(config::Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

Status withStep(const Status& status, std::string_view step) {
  return Status(status.code(), std::string(step) + ": " + status.message());
}

// What server node attestors may ask about an agent (TOFU checks), answered by the datastore.
using CatalogSlot = std::shared_ptr<const plugin_host::Catalog*>;

plugin_host::AgentStoreLookup agentStore(CatalogSlot catalog) {
  return [catalog](std::string_view agent_id) -> Result<std::optional<plugin_host::AgentInfo>> {
    if (*catalog == nullptr) {
      return Status(StatusCode::kUnavailable, "datastore is not loaded yet");
    }
    auto node = (*catalog)->dataStore().fetchAttestedNode(std::string(agent_id));
    if (!node.isOk()) {
      return node.status();
    }
    if (!node->has_value()) {
      return std::optional<plugin_host::AgentInfo>();
    }
    const plugin_host::AttestedNode& n = **node;
    plugin_host::AgentInfo info;
    info.agent_id = n.spiffe_id;
    info.node_attestor_type = n.attestation_data_type;
    info.x509svid_serial_number = n.cert_serial_number;
    info.x509svid_expires_at = n.cert_not_after;
    info.banned = n.cert_serial_number.empty() && n.new_cert_serial_number.empty();
    info.can_reattest = n.can_reattest;
    return std::optional<plugin_host::AgentInfo>(std::move(info));
  };
}

} // namespace

ca::CaManagerConfig caManagerConfig(const config::ServerConfig& server,
                                    const spiffe::TrustDomain& td) {
  ca::CaManagerConfig out;
  out.credentials.trust_domain = td;
  out.credentials.ca_subject.clear();
  for (const auto& c : server.ca_subject.country) {
    out.credentials.ca_subject.emplace_back("C", c);
  }
  for (const auto& o : server.ca_subject.organization) {
    out.credentials.ca_subject.emplace_back("O", o);
  }
  if (!server.ca_subject.common_name.empty()) {
    out.credentials.ca_subject.emplace_back("CN", server.ca_subject.common_name);
  }
  out.credentials.ca_ttl = seconds(server.ca_ttl);
  out.credentials.x509_svid_ttl = seconds(server.default_x509_svid_ttl);
  out.credentials.jwt_svid_ttl = seconds(server.default_jwt_svid_ttl);
  out.credentials.agent_ttl = seconds(server.agentTtl());
  out.credentials.jwt_issuer = server.jwt_issuer;
  out.ca_key_type = cryptoKeyType(server.ca_key_type);
  out.jwt_key_type = cryptoKeyType(server.jwt_key_type);
  return out;
}

ServerBootstrap::~ServerBootstrap() = default;

Result<std::unique_ptr<ServerBootstrap>>
ServerBootstrap::start(const config::ServerFileConfig& file, BootstrapOptions options) {
  auto td = spiffe::TrustDomain::parse(file.server.trust_domain);
  if (!td.isOk()) {
    return Status(StatusCode::kInvalidArgument, "could not parse trust_domain \"" +
                                                    file.server.trust_domain +
                                                    "\": " + td.status().message());
  }
  std::unique_ptr<ServerBootstrap> self(new ServerBootstrap());
  auto logger = options.logger ? options.logger : spdlog::default_logger();

  plugin_host::LoaderOptions loader;
  loader.role = plugin_host::Role::kServer;
  loader.plugin_dir = options.plugin_dir;
  loader.trust_domain = td->name();
  loader.logger = logger;
  // The lookup reads the catalog through this pointer once it exists: node attestors are only
  // called after start-up.
  auto catalog_slot = std::make_shared<const plugin_host::Catalog*>(nullptr);
  loader.agent_store = agentStore(catalog_slot);
  auto catalog = plugin_host::Catalog::load(file.plugins, loader);
  if (!catalog.isOk()) {
    return withStep(catalog.status(), "failed to load plugins");
  }
  self->catalog_ = std::move(*catalog);
  *catalog_slot = self->catalog_.get();

  self->key_store_ = std::make_unique<ca::PluginKeyStore>(self->catalog_->keyManager());
  self->ca_store_ = std::make_unique<ca::DataStoreCaStore>(self->catalog_->dataStore());
  ca::CaManagerConfig ca_config = caManagerConfig(file.server, *td);
  ca_config.clock = options.clock;
  if (const auto* upstream = self->catalog_->upstreamAuthority()) {
    ca_config.upstream = ca::pluginUpstreamMinter(*upstream);
  }
  auto ca = ca::CaManager::start(std::move(ca_config), *self->key_store_, *self->ca_store_);
  if (!ca.isOk()) {
    return withStep(ca.status(), "failed to start the CA");
  }
  self->ca_ = std::move(*ca);

  self->index_ = std::make_unique<registration::AuthorizedEntriesIndex>(*td);
  self->state_.trust_domain = *td;
  self->state_.config = file.server;
  self->state_.datastore = &self->catalog_->dataStore();
  self->state_.catalog = self->catalog_.get();
  self->state_.ca = self->ca_.get();
  self->state_.index = self->index_.get();
  self->state_.logger = logger;
  self->state_.clock = options.clock;

  self->events_ = std::make_unique<EventFollower>(self->catalog_->dataStore(), *self->index_,
                                                  EventFollower::Options{});
  // Before the snapshot: every write committed after it is then applied again by the follower.
  if (Status positioned = self->events_->positionAtNewest(); !positioned.isOk()) {
    return withStep(positioned, "failed to read datastore events");
  }
  auto loaded = self->reloadIndex();
  if (!loaded.isOk()) {
    return withStep(loaded.status(), "failed to load registration entries");
  }
  return self;
}

Result<std::size_t> ServerBootstrap::reloadIndex() {
  auto paused = events_->pause();
  const plugin_host::DataStorePlugin& ds = catalog_->dataStore();
  auto entries = ds.listEntries(nullptr, plugin_host::Pagination{});
  if (!entries.isOk()) {
    return entries.status();
  }
  auto nodes = ds.listNodeSelectors(0);
  if (!nodes.isOk()) {
    return nodes.status();
  }
  std::size_t count = entries->items.size();
  index_->rebuild(std::move(entries->items), std::move(*nodes));
  return count;
}

} // namespace spire::server::bootstrap
