#include "agent/run/run_config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/go_quote.h"
#include "config/decoder.h"
#include "config/parse.h"
#include "config/plugin_specs.h"

namespace spire::agent::run {
namespace {

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

std::string trimSpace(const std::string& text) {
  const char* kSpace = " \t\n\r\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

// config::loadAgentConfig's reading step, with its messages.
Result<std::string> readConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status(StatusCode::kNotFound, "could not find config file " +
                                             std::filesystem::absolute(path, ec).string() +
                                             ": please use the -config flag");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return invalidArgument("unable to read configuration at " + goQuote(path) + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalidArgument("unable to read configuration at " + goQuote(path) + ": " +
                           std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Decodes without the whole-config checks; `has_agent` / `has_plugins` say what was present.
Result<config::AgentFileConfig> decodeFile(const std::string& path, bool expand_env,
                                           const config::EnvLookup& env, bool& has_agent,
                                           bool& has_plugins) {
  Result<std::string> text = readConfigFile(path);
  if (!text) {
    return text.status();
  }
  if (expand_env) {
    *text = config::expandEnv(*text, env ? env : config::processEnv());
  }
  Result<config::Value> root = config::parseConfigText(*text, path);
  if (!root) {
    return root.status();
  }
  config::DecodeContext context;
  config::BlockReader top(context, "", {&root.value()});
  config::AgentFileConfig out;
  if (auto block = top.block("agent")) {
    has_agent = true;
    config::decodeAgent(*block, out.agent);
  }
  if (auto block = top.block("plugins")) {
    has_plugins = true;
    config::decodePlugins(*block, std::filesystem::path(path).parent_path().string(), out.plugins);
  }
  if (auto block = top.block("health_checks")) {
    config::decodeHealthChecks(*block, out.health_checks);
  }
  if (auto block = top.block("telemetry")) {
    config::decodeTelemetry(*block, out.telemetry);
  }
  top.finish();
  if (context.failed()) {
    return context.status();
  }
  return out;
}

// SPIRE's mergeInput: a flag given on the command line overrides the file.
Status applyFlags(const cli::ParsedFlags& flags, config::AgentConfig& agent) {
  auto string_flag = [&](const char* name, std::string& target) {
    if (flags.has(name) && flags.isSet(name)) {
      target = flags.getString(name);
    }
  };
  auto bool_flag = [&](const char* name, bool& target) {
    // A Go bool flag only ever turns an option on (mergo skips zero values).
    if (flags.has(name) && flags.isSet(name) && flags.getBool(name)) {
      target = true;
    }
  };
  string_flag("dataDir", agent.data_dir);
  string_flag("joinToken", agent.join_token);
  string_flag("joinTokenFile", agent.join_token_file);
  string_flag("serverAddress", agent.server_address);
  string_flag("socketPath", agent.socket_path);
  string_flag("trustBundle", agent.trust_bundle_path);
  string_flag("trustBundleUrl", agent.trust_bundle_url);
  string_flag("trustDomain", agent.trust_domain);
  string_flag("logFile", agent.log.file);
  if (flags.has("serverPort") && flags.isSet("serverPort") && flags.getInt("serverPort") != 0) {
    agent.server_port = static_cast<int>(flags.getInt("serverPort"));
  }
  bool_flag("allowUnauthenticatedVerifiers", agent.allow_unauthenticated_verifiers);
  bool_flag("disableSDSAPI", agent.disable_sds_api);
  bool_flag("disableWorkloadAPI", agent.disable_workload_api);
  if (flags.has("logLevel") && flags.isSet("logLevel")) {
    const std::string level = upper(flags.getString("logLevel"));
    if (level != "DEBUG" && level != "INFO" && level != "WARN" && level != "ERROR") {
      return invalidArgument("invalid log level " + goQuote(flags.getString("logLevel")) +
                             ", expected one of DEBUG, INFO, WARN, ERROR");
    }
    agent.log.level = level;
  }
  if (flags.has("logFormat") && flags.isSet("logFormat")) {
    const std::string format = lower(flags.getString("logFormat"));
    if (format != "text" && format != "json") {
      return invalidArgument("invalid log format " + goQuote(flags.getString("logFormat")) +
                             ", expected text or json");
    }
    agent.log.format = format;
  }
  return {};
}

// SPIRE refuses an admin socket next to (or below) the public one: whoever may reach the public
// socket's directory must not reach the admin API.
Status checkAdminSocket(const config::AgentConfig& agent) {
  if (agent.admin_socket_path.empty()) {
    return {};
  }
  const std::filesystem::path public_dir =
      std::filesystem::absolute(agent.socket_path).lexically_normal().parent_path();
  const std::filesystem::path admin_dir =
      std::filesystem::absolute(agent.admin_socket_path).lexically_normal().parent_path();
  const std::string relative = admin_dir.lexically_relative(public_dir).string();
  if (relative == "." || (!relative.empty() && relative.rfind("..", 0) != 0)) {
    return invalidArgument("admin socket cannot be in the same directory or a subdirectory as "
                           "that containing the Workload API socket");
  }
  return {};
}

} // namespace

Result<config::AgentFileConfig> loadRunConfig(const cli::ParsedFlags& flags,
                                              const config::EnvLookup& env) {
  bool has_agent = false;
  bool has_plugins = false;
  Result<config::AgentFileConfig> loaded = decodeFile(
      flags.getString("config"), flags.getBool("expandEnv"), env, has_agent, has_plugins);
  if (!loaded) {
    return loaded.status();
  }
  if (!has_plugins) {
    return invalidArgument("plugins section must be configured");
  }
  if (!has_agent) {
    return invalidArgument("agent section must be configured");
  }
  config::AgentConfig& agent = loaded->agent;
  if (Status applied = applyFlags(flags, agent); !applied.isOk()) {
    return applied;
  }
  if (Status valid = config::validateAgentConfig(agent); !valid.isOk()) {
    return valid;
  }
  if (Status admin = checkAdminSocket(agent); !admin.isOk()) {
    return admin;
  }
  if (!agent.join_token_file.empty()) {
    std::ifstream in(agent.join_token_file, std::ios::binary);
    if (!in) {
      return invalidArgument("unable to read join token file " + agent.join_token_file + ": " +
                             std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    agent.join_token = trimSpace(buffer.str());
  }
  if (loaded->telemetry.metric_prefix.empty()) {
    loaded->telemetry.metric_prefix = "spire_agent";
  }
  return loaded;
}

Status injectJoinToken(config::PluginSpecs& plugins, const std::string& join_token) {
  for (config::PluginSpec& spec : plugins) {
    if (spec.type != "NodeAttestor" || spec.name != "join_token") {
      continue;
    }
    nlohmann::json data = nlohmann::json::parse(spec.data_json, nullptr, false);
    if (data.is_discarded() || !data.is_object()) {
      return invalidArgument("NodeAttestor \"join_token\": plugin_data is not an object");
    }
    if (!join_token.empty()) {
      data["join_token"] = join_token;
    }
    spec.data_json = data.dump();
  }
  return {};
}

manager::ManagerConfig managerConfigFrom(const config::AgentFileConfig& file) {
  const config::AgentConfig& agent = file.agent;
  manager::ManagerConfig out;
  out.trust_domain = agent.trust_domain;
  out.server_address = agent.server_address;
  out.server_port = agent.server_port;
  out.data_dir = agent.data_dir;
  out.join_token = agent.join_token;
  out.trust_bundle_path = agent.trust_bundle_path;
  out.trust_bundle_format = agent.trust_bundle_format == config::TrustBundleFormat::kSpiffe
                                ? manager::TrustBundleFormat::kSpiffe
                                : manager::TrustBundleFormat::kPem;
  out.insecure_bootstrap = agent.insecure_bootstrap;
  out.sync_interval = agent.experimental.sync_interval;
  out.use_sync_authorized_entries = agent.experimental.use_sync_authorized_entries;
  out.x509_svid_cache_max_size = static_cast<std::size_t>(agent.x509_svid_cache_max_size);
  out.jwt_svid_cache_max_size = static_cast<std::size_t>(agent.jwt_svid_cache_max_size);
  switch (agent.workload_x509_svid_key_type) {
  case config::KeyType::kRsa2048:
    out.workload_key_type = crypto::KeyType::kRsa2048;
    break;
  case config::KeyType::kEcP384:
    out.workload_key_type = crypto::KeyType::kEcP384;
    break;
  default:
    out.workload_key_type = crypto::KeyType::kEcP256;
    break;
  }
  if (agent.availability_target) {
    out.availability_target = *agent.availability_target;
  }
  for (const config::PluginSpec& spec : file.plugins) {
    // Only a KeyManager that keeps keys lets a restart resume (SPIRE: disk vs memory).
    if (spec.type == "KeyManager" && spec.enabled) {
      out.persist_agent_key = spec.name != "memory";
    }
  }
  return out;
}

} // namespace spire::agent::run
