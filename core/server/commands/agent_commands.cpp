// spire-server agent list|show|count|ban|evict|purge (SPIRE's cmd/spire-server/cli/agent).
#include <chrono>

#include <google/protobuf/empty.pb.h>

#include "cli/output.h"
#include "cli/pretty_print.h"
#include "common/go_quote.h"
#include "server/commands/client_connection.h"
#include "server/commands/command_groups.h"
#include "server/commands/entry_util.h"
#include "server/commands/go_time_parse.h"
#include "server/commands/proto_json.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"

namespace spire::server::commands {
namespace {

namespace agentv1 = ::spire::api::server::agent::v1;
using cli::Env;
using cli::ParsedFlags;

constexpr int kListAgentsPageSize = 1000;

bool jsonOutput(const ParsedFlags& flags) {
  return flags.outputFormat() == "json";
}

cli::AgentView toView(const types::Agent& agent) {
  cli::AgentView view;
  view.spiffe_id = protoToIdString(agent.has_id() ? &agent.id() : nullptr);
  view.attestation_type = agent.attestation_type();
  view.x509svid_expires_at = agent.x509svid_expires_at();
  view.x509svid_serial_number = agent.x509svid_serial_number();
  view.banned = agent.banned();
  view.can_reattest = agent.can_reattest();
  return view;
}

// The filter agent list and agent count share. -banned and -canReattest are SPIRE's
// commoncli.BoolFlag: "true" or "false" filter, any other text leaves the filter unset.
template <class Filter> Status buildAgentFilter(const ParsedFlags& flags, Filter& filter) {
  if (const auto& selectors = flags.getStrings("selector"); !selectors.empty()) {
    auto match = parseSelectorMatch(flags.getString("matchSelectorsOn"));
    if (!match) {
      return commandError("unsupported match behavior");
    }
    auto* by = filter.mutable_by_selector_match();
    for (const auto& text : selectors) {
      auto selector = parseSelector(text);
      if (!selector) {
        return commandError("error parsing selector " + goQuote(text) + ": " +
                            selector.status().message());
      }
      *by->add_selectors() = *selector;
    }
    by->set_match(*match);
  }
  if (const auto& before = flags.getString("expiresBefore"); !before.empty()) {
    if (Status st = checkExpiresBefore(before); !st.isOk()) {
      return commandError("date is not valid: " + st.message());
    }
    filter.set_by_expires_before(before);
  }
  if (const auto& type = flags.getString("attestationType"); !type.empty()) {
    filter.set_by_attestation_type(type);
  }
  if (const auto& text = flags.getString("canReattest"); text == "true" || text == "false") {
    filter.mutable_by_can_reattest()->set_value(text == "true");
  }
  if (const auto& text = flags.getString("banned"); text == "true" || text == "false") {
    filter.mutable_by_banned()->set_value(text == "true");
  }
  return Status::ok();
}

Status runList(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  agentv1::ListAgentsRequest req;
  if (Status st = buildAgentFilter(flags, *req.mutable_filter()); !st.isOk()) {
    return st;
  }
  req.set_page_size(kListAgentsPageSize);
  auto stub = agentv1::Agent::NewStub(conn.channel());
  agentv1::ListAgentsResponse all;
  while (true) {
    agentv1::ListAgentsResponse page;
    grpc::ClientContext ctx;
    const grpc::Status st = stub->ListAgents(&ctx, req, &page);
    if (!st.ok()) {
      return conn.failure(st);
    }
    for (auto& a : *page.mutable_agents()) {
      *all.add_agents() = std::move(a);
    }
    if (page.next_page_token().empty()) {
      break;
    }
    req.set_page_token(page.next_page_token());
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, all);
    return Status::ok();
  }
  std::vector<cli::AgentView> views;
  for (const auto& a : all.agents()) {
    views.push_back(toView(a));
  }
  cli::printAgentList(env.out, views);
  return Status::ok();
}

Status runCount(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  agentv1::CountAgentsRequest req;
  if (Status st = buildAgentFilter(flags, *req.mutable_filter()); !st.isOk()) {
    return st;
  }
  agentv1::CountAgentsResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st = agentv1::Agent::NewStub(conn.channel())->CountAgents(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  const long long count = resp.count();
  env.out << cli::pluralize(std::to_string(count) + " attested ", "agent", "agents", count) << "\n";
  return Status::ok();
}

// The -spiffeID of show, ban and evict: required, then go-spiffe's parse.
Result<types::SPIFFEID> agentIdFromFlags(const ParsedFlags& flags) {
  const std::string& text = flags.getString("spiffeID");
  if (text.empty()) {
    return commandError("a SPIFFE ID is required");
  }
  auto id = idStringToProto(text);
  if (!id) {
    return commandError(id.status().message());
  }
  return id;
}

Status runShow(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto id = agentIdFromFlags(flags);
  if (!id) {
    return id.status();
  }
  agentv1::GetAgentRequest req;
  *req.mutable_id() = *id;
  types::Agent agent;
  grpc::ClientContext ctx;
  const grpc::Status st = agentv1::Agent::NewStub(conn.channel())->GetAgent(&ctx, req, &agent);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, agent);
    return Status::ok();
  }
  env.out << "Found an attested agent given its SPIFFE ID\n\n";
  cli::printAgents(env.out, {toView(agent)});
  for (const auto& s : agent.selectors()) {
    env.out << "Selectors         : " << s.type() << ":" << s.value() << "\n";
  }
  return Status::ok();
}

Status runBan(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto id = agentIdFromFlags(flags);
  if (!id) {
    return id.status();
  }
  agentv1::BanAgentRequest req;
  *req.mutable_id() = *id;
  google::protobuf::Empty resp;
  grpc::ClientContext ctx;
  const grpc::Status st = agentv1::Agent::NewStub(conn.channel())->BanAgent(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  env.out << "Agent banned successfully\n";
  return Status::ok();
}

Status runEvict(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto id = agentIdFromFlags(flags);
  if (!id) {
    return id.status();
  }
  agentv1::DeleteAgentRequest req;
  *req.mutable_id() = *id;
  google::protobuf::Empty resp;
  grpc::ClientContext ctx;
  const grpc::Status st = agentv1::Agent::NewStub(conn.channel())->DeleteAgent(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  env.out << "Agent evicted successfully\n";
  return Status::ok();
}

struct ExpiredAgent {
  std::string id;
  bool deleted = false;
  std::string error;
};

Status runPurge(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto stub = agentv1::Agent::NewStub(conn.channel());
  agentv1::ListAgentsRequest req;
  req.mutable_filter()->mutable_by_can_reattest()->set_value(true);
  req.mutable_output_mask()->set_x509svid_expires_at(true);
  agentv1::ListAgentsResponse resp;
  {
    grpc::ClientContext ctx;
    const grpc::Status st = stub->ListAgents(&ctx, req, &resp);
    if (!st.ok()) {
      return conn.failure(st, "failed to list agents");
    }
  }
  const bool dry_run = flags.getBool("dryRun");
  const auto expired_for = flags.getDuration("expiredFor");
  const auto now = std::chrono::system_clock::now();
  std::vector<ExpiredAgent> expired;
  for (const auto& agent : resp.agents()) {
    auto id = idStringToProto(protoToIdString(agent.has_id() ? &agent.id() : nullptr));
    if (!id) {
      return commandError(id.status().message());
    }
    const auto expiry =
        std::chrono::system_clock::time_point(std::chrono::seconds(agent.x509svid_expires_at()));
    if (now - expiry <= expired_for) {
      continue;
    }
    ExpiredAgent result{protoToIdString(&agent.id())};
    if (!dry_run) {
      agentv1::DeleteAgentRequest del;
      *del.mutable_id() = agent.id();
      google::protobuf::Empty empty;
      grpc::ClientContext ctx;
      const grpc::Status st = stub->DeleteAgent(&ctx, del, &empty);
      if (st.ok()) {
        result.deleted = true;
      } else {
        result.error = conn.errorText(st);
      }
    }
    expired.push_back(std::move(result));
  }
  if (jsonOutput(flags)) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& e : expired) {
      nlohmann::ordered_json item;
      item["agent_id"] = e.id;
      item["deleted"] = e.deleted;
      if (!e.error.empty()) {
        item["error"] = e.error;
      }
      list.push_back(std::move(item));
    }
    nlohmann::ordered_json doc;
    doc["expired_agents"] = std::move(list);
    // cliprinter's PrintStruct hands its variadic slice on as one value: an array.
    cli::printJson(env.out, nlohmann::ordered_json::array({doc}));
    return Status::ok();
  }
  if (expired.empty()) {
    env.out << "No agents to purge.\n";
    return Status::ok();
  }
  const auto count = static_cast<long long>(expired.size());
  env.out << cli::pluralize("Found " + std::to_string(count) + " expired ", "agent", "agents",
                            count)
          << "\n\n";
  if (dry_run) {
    env.out << "\nAgents that can be purged:\n";
    for (const auto& e : expired) {
      env.out << "SPIFFE ID         : " << e.id << "\n";
    }
    return Status::ok();
  }
  bool any_purged = false;
  bool any_failed = false;
  for (const auto& e : expired) {
    (e.deleted ? any_purged : any_failed) = true;
  }
  if (any_purged) {
    env.out << "Agents purged:\n";
    for (const auto& e : expired) {
      if (e.deleted) {
        env.out << "SPIFFE ID         : " << e.id << "\n";
      }
    }
  }
  if (any_failed) {
    env.out << "Agents not purged:\n";
    for (const auto& e : expired) {
      if (!e.deleted) {
        env.out << "SPIFFE ID         : " << e.id << "\n";
        env.out << "Error             : " << e.error << "\n";
      }
    }
  }
  return Status::ok();
}

} // namespace

CommandList agentCommands() {
  return {{"agent list", runList}, {"agent count", runCount}, {"agent show", runShow},
          {"agent ban", runBan},   {"agent evict", runEvict}, {"agent purge", runPurge}};
}

} // namespace spire::server::commands
