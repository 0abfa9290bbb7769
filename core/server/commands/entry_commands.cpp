// spire-server entry create|update|delete|show|count (SPIRE's cmd/spire-server/cli/entry).
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/go_quote.h"
#include "server/commands/client_connection.h"
#include "server/commands/command_groups.h"
#include "server/commands/entry_util.h"
#include "server/commands/proto_json.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"

namespace spire::server::commands {
namespace {

namespace entryv1 = ::spire::api::server::entry::v1;
using cli::Env;
using cli::ParsedFlags;

constexpr int kListEntriesPageSize = 500;

bool jsonOutput(const ParsedFlags& flags) {
  return flags.outputFormat() == "json";
}

// The fields create and update share once validation passed.
Status fillCommonFields(const ParsedFlags& flags, types::Entry& e) {
  e.set_downstream(flags.getBool("downstream"));
  e.set_expires_at(flags.getInt("entryExpiry"));
  for (const auto& name : flags.getStrings("dns")) {
    e.add_dns_names(name);
  }
  e.set_store_svid(flags.getBool("storeSVID"));
  e.set_x509_svid_ttl(static_cast<std::int32_t>(flags.getInt("x509SVIDTTL")));
  e.set_jwt_svid_ttl(static_cast<std::int32_t>(flags.getInt("jwtSVIDTTL")));
  e.set_hint(flags.getString("hint"));
  for (const auto& text : flags.getStrings("selector")) {
    auto selector = parseSelector(text);
    if (!selector) {
      return commandError(selector.status().message());
    }
    *e.add_selectors() = *selector;
  }
  for (const auto& td : flags.getStrings("federatesWith")) {
    e.add_federates_with(td);
  }
  e.set_admin(flags.getBool("admin"));
  const bool no_prefetch = flags.getBool("disableX509SVIDPrefetch");
  const bool include_jti = flags.getBool("jwtSVIDIncludeJTI");
  if (no_prefetch || include_jti) {
    auto* attrs = e.mutable_additional_attributes();
    attrs->set_disable_x509_svid_prefetch(no_prefetch);
    attrs->set_jwt_svid_include_jti(include_jti);
  }
  return Status::ok();
}

Status validateTtls(const ParsedFlags& flags) {
  if (flags.getInt("x509SVIDTTL") < 0) {
    return commandError("a positive x509-SVID TTL is required");
  }
  if (flags.getInt("jwtSVIDTTL") < 0) {
    return commandError("a positive JWT-SVID TTL is required");
  }
  return Status::ok();
}

Result<std::vector<types::Entry>> createEntriesFromFlags(const ParsedFlags& flags) {
  const bool node = flags.getBool("node");
  if (flags.getStrings("selector").empty()) {
    return commandError("at least one selector is required");
  }
  if (node && !flags.getStrings("federatesWith").empty()) {
    return commandError("node entries can not federate");
  }
  if (flags.getString("parentID").empty() && !node) {
    return commandError("a parent ID is required if the node flag is not set");
  }
  if (flags.getString("spiffeID").empty()) {
    return commandError("a SPIFFE ID is required");
  }
  if (Status st = validateTtls(flags); !st.isOk()) {
    return st;
  }
  auto spiffe_id = idStringToProto(flags.getString("spiffeID"));
  if (!spiffe_id) {
    return commandError(spiffe_id.status().message());
  }
  types::Entry e;
  e.set_id(flags.getString("entryID"));
  if (node) {
    // Node entries hang off the server of the entry's own trust domain.
    e.mutable_parent_id()->set_trust_domain(spiffe_id->trust_domain());
    e.mutable_parent_id()->set_path("/spire/server");
  } else {
    auto parent_id = idStringToProto(flags.getString("parentID"));
    if (!parent_id) {
      return commandError(parent_id.status().message());
    }
    *e.mutable_parent_id() = *parent_id;
  }
  *e.mutable_spiffe_id() = *spiffe_id;
  if (Status st = fillCommonFields(flags, e); !st.isOk()) {
    return st;
  }
  return std::vector<types::Entry>{std::move(e)};
}

Result<std::vector<types::Entry>> updateEntriesFromFlags(const ParsedFlags& flags) {
  if (flags.getString("entryID").empty()) {
    return commandError("entry ID is required");
  }
  if (flags.getStrings("selector").empty()) {
    return commandError("at least one selector is required");
  }
  if (flags.getString("parentID").empty()) {
    return commandError("a parent ID is required");
  }
  if (flags.getString("spiffeID").empty()) {
    return commandError("a SPIFFE ID is required");
  }
  if (Status st = validateTtls(flags); !st.isOk()) {
    return st;
  }
  auto parent_id = idStringToProto(flags.getString("parentID"));
  if (!parent_id) {
    return commandError(parent_id.status().message());
  }
  auto spiffe_id = idStringToProto(flags.getString("spiffeID"));
  if (!spiffe_id) {
    return commandError(spiffe_id.status().message());
  }
  types::Entry e;
  e.set_id(flags.getString("entryID"));
  *e.mutable_parent_id() = *parent_id;
  *e.mutable_spiffe_id() = *spiffe_id;
  if (Status st = fillCommonFields(flags, e); !st.isOk()) {
    return st;
  }
  return std::vector<types::Entry>{std::move(e)};
}

Result<std::vector<types::Entry>>
entriesFromDataOrFlags(const ParsedFlags& flags, Env& env,
                       Result<std::vector<types::Entry>> (*from_flags)(const ParsedFlags&)) {
  const std::string& path = flags.getString("data");
  if (path.empty()) {
    return from_flags(flags);
  }
  auto entries = parseEntryFile(path, env.in);
  if (!entries) {
    return commandError(entries.status().message());
  }
  return entries;
}

// The pretty printer of create and update: successes on stdout, failures with their status on
// stderr, the entry as it was sent (the API returns none for a failure).
template <class Response>
Status printBatchResults(Env& env, const Response& resp, const char* verb) {
  bool any_failed = false;
  for (const auto& r : resp.results()) {
    if (r.status().code() == 0) {
      printEntry(env.out, r.entry());
    }
  }
  for (const auto& r : resp.results()) {
    if (r.status().code() != 0) {
      any_failed = true;
      env.err << "Failed to " << verb
              << " the following entry (code: " << goCodeName(r.status().code())
              << ", msg: " << goQuote(r.status().message()) << "):\n";
      printEntry(env.err, r.entry());
    }
  }
  if (any_failed) {
    return commandError(std::string("failed to ") + verb + " one or more entries");
  }
  return Status::ok();
}

Status runCreate(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto entries = entriesFromDataOrFlags(flags, env, createEntriesFromFlags);
  if (!entries) {
    return entries.status();
  }
  entryv1::BatchCreateEntryRequest req;
  for (const auto& e : *entries) {
    *req.add_entries() = e;
  }
  entryv1::BatchCreateEntryResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      entryv1::Entry::NewStub(conn.channel())->BatchCreateEntry(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  for (int i = 0; i < resp.results_size() && i < req.entries_size(); ++i) {
    auto* r = resp.mutable_results(i);
    if (r->status().code() != 0) {
      *r->mutable_entry() = req.entries(i);
    }
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  return printBatchResults(env, resp, "create");
}

Status runUpdate(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  auto entries = entriesFromDataOrFlags(flags, env, updateEntriesFromFlags);
  if (!entries) {
    return entries.status();
  }
  entryv1::BatchUpdateEntryRequest req;
  for (const auto& e : *entries) {
    *req.add_entries() = e;
  }
  entryv1::BatchUpdateEntryResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      entryv1::Entry::NewStub(conn.channel())->BatchUpdateEntry(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  for (int i = 0; i < resp.results_size() && i < req.entries_size(); ++i) {
    auto* r = resp.mutable_results(i);
    if (r->status().code() != 0) {
      *r->mutable_entry() = req.entries(i);
    }
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  return printBatchResults(env, resp, "update");
}

// The -file of entry delete: encoding/json into BatchDeleteEntryRequest ({"ids":[...]}).
Result<std::vector<std::string>> parseDeleteFile(const std::string& path, Env& env) {
  auto text = readInput(path, env.in);
  if (!text) {
    return text.status();
  }
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded()) {
    return invalidArgument("invalid character in JSON input");
  }
  std::vector<std::string> ids;
  if (!doc.is_object()) {
    return invalidArgument("json: cannot unmarshal into Go value of type "
                           "entryv1.BatchDeleteEntryRequest");
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    std::string key = it.key();
    for (char& c : key) {
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (key != "ids" || it->is_null()) {
      continue;
    }
    if (!it->is_array()) {
      return invalidArgument("json: cannot unmarshal " + std::string(it->type_name()) +
                             " into Go struct field BatchDeleteEntryRequest.ids of type []string");
    }
    for (const auto& id : *it) {
      if (!id.is_string()) {
        return invalidArgument("json: cannot unmarshal " + std::string(id.type_name()) +
                               " into Go struct field BatchDeleteEntryRequest.ids of type string");
      }
      ids.push_back(id.get<std::string>());
    }
  }
  return ids;
}

Status runDelete(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& file = flags.getString("file");
  entryv1::BatchDeleteEntryRequest req;
  if (!file.empty()) {
    auto ids = parseDeleteFile(file, env);
    if (!ids) {
      return commandError(ids.status().message());
    }
    for (auto& id : *ids) {
      req.add_ids(std::move(id));
    }
  } else {
    if (flags.getString("entryID").empty()) {
      return commandError("an entry ID is required");
    }
    req.add_ids(flags.getString("entryID"));
  }
  entryv1::BatchDeleteEntryResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      entryv1::Entry::NewStub(conn.channel())->BatchDeleteEntry(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  std::size_t succeeded = 0;
  std::size_t failed = 0;
  for (const auto& r : resp.results()) {
    if (r.status().code() == 0) {
      env.out << "Deleted entry with ID: " << r.id() << "\n";
      ++succeeded;
    }
  }
  if (succeeded > 0) {
    env.out << "\n\n";
  }
  for (const auto& r : resp.results()) {
    if (r.status().code() != 0) {
      env.err << "Failed to delete entry with ID " << r.id()
              << " (code: " << goCodeName(r.status().code())
              << ", msg: " << goQuote(r.status().message()) << ")\n";
      ++failed;
    }
  }
  if (failed > 0) {
    env.out << "\n\n";
    if (succeeded == 0) {
      env.out << "Failed to delete " << failed << " entries";
    } else {
      env.out << "Deleted " << succeeded << " entries successfully, but failed to delete " << failed
              << " entries";
    }
    return commandError("failed to delete one or more entries");
  }
  env.out << "Deleted " << succeeded << " entries successfully";
  return Status::ok();
}

// The filter entry show and entry count build from their flags (the two filter messages have
// the same fields). SPIRE's count always sends by_downstream (false without -downstream, so it
// counts non-downstream entries only); its show declares -downstream but never sends it.
template <class Filter>
Status buildFilter(const ParsedFlags& flags, Filter& filter, bool send_downstream) {
  if (const auto& parent = flags.getString("parentID"); !parent.empty()) {
    auto id = idStringToProto(parent);
    if (!id) {
      return commandError("error parsing parent ID " + goQuote(parent) + ": " +
                          id.status().message());
    }
    *filter.mutable_by_parent_id() = *id;
  }
  if (const auto& spiffe_id = flags.getString("spiffeID"); !spiffe_id.empty()) {
    auto id = idStringToProto(spiffe_id);
    if (!id) {
      return commandError("error parsing SPIFFE ID " + goQuote(spiffe_id) + ": " +
                          id.status().message());
    }
    *filter.mutable_by_spiffe_id() = *id;
  }
  if (const auto& selectors = flags.getStrings("selector"); !selectors.empty()) {
    const std::string& match_text = flags.getString("matchSelectorsOn");
    auto match = parseSelectorMatch(match_text);
    if (!match) {
      return commandError("match behavior " + goQuote(match_text) + " unknown");
    }
    auto* by = filter.mutable_by_selectors();
    for (const auto& text : selectors) {
      auto selector = parseSelector(text);
      if (!selector) {
        return commandError("error parsing selectors: " + selector.status().message());
      }
      *by->add_selectors() = *selector;
    }
    by->set_match(*match);
  }
  if (const auto& tds = flags.getStrings("federatesWith"); !tds.empty()) {
    const std::string& match_text = flags.getString("matchFederatesWithOn");
    auto match = parseFederatesWithMatch(match_text);
    if (!match) {
      return commandError("match behavior " + goQuote(match_text) + " unknown");
    }
    auto* by = filter.mutable_by_federates_with();
    for (const auto& td : tds) {
      by->add_trust_domains(td);
    }
    by->set_match(*match);
  }
  if (const auto& hint = flags.getString("hint"); !hint.empty()) {
    filter.mutable_by_hint()->set_value(hint);
  }
  if (send_downstream) {
    filter.mutable_by_downstream()->set_value(flags.getBool("downstream"));
  }
  return Status::ok();
}

Status runShow(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& entry_id = flags.getString("entryID");
  if (!entry_id.empty() &&
      (!flags.getString("parentID").empty() || !flags.getString("spiffeID").empty() ||
       !flags.getStrings("selector").empty())) {
    return commandError("the -entryID flag can't be combined with others");
  }
  auto stub = entryv1::Entry::NewStub(conn.channel());
  entryv1::ListEntriesResponse all;
  if (!entry_id.empty()) {
    entryv1::GetEntryRequest req;
    req.set_id(entry_id);
    grpc::ClientContext ctx;
    const grpc::Status st = stub->GetEntry(&ctx, req, all.add_entries());
    if (!st.ok()) {
      return conn.failure(st, "error fetching entry ID " + entry_id);
    }
  } else {
    entryv1::ListEntriesRequest req;
    if (Status st = buildFilter(flags, *req.mutable_filter(), false); !st.isOk()) {
      return st;
    }
    req.set_page_size(kListEntriesPageSize);
    while (true) {
      entryv1::ListEntriesResponse page;
      grpc::ClientContext ctx;
      const grpc::Status st = stub->ListEntries(&ctx, req, &page);
      if (!st.ok()) {
        return conn.failure(st, "error fetching entries");
      }
      for (auto& e : *page.mutable_entries()) {
        *all.add_entries() = std::move(e);
      }
      if (page.next_page_token().empty()) {
        break;
      }
      req.set_page_token(page.next_page_token());
    }
  }
  std::vector<types::Entry> entries(all.entries().begin(), all.entries().end());
  sortEntries(entries);
  all.clear_entries();
  for (auto& e : entries) {
    *all.add_entries() = std::move(e);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, all);
    return Status::ok();
  }
  const auto count = static_cast<long long>(all.entries_size());
  env.out << cli::pluralize("Found " + std::to_string(count) + " ", "entry", "entries", count)
          << "\n";
  for (const auto& e : all.entries()) {
    printEntry(env.out, e);
  }
  return Status::ok();
}

Status runCount(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  entryv1::CountEntriesRequest req;
  if (Status st = buildFilter(flags, *req.mutable_filter(), true); !st.isOk()) {
    return st;
  }
  entryv1::CountEntriesResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status st = entryv1::Entry::NewStub(conn.channel())->CountEntries(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  const long long count = resp.count();
  env.out << cli::pluralize(std::to_string(count) + " registration ", "entry", "entries", count)
          << "\n";
  return Status::ok();
}

} // namespace

CommandList entryCommands() {
  return {{"entry create", runCreate},
          {"entry update", runUpdate},
          {"entry delete", runDelete},
          {"entry show", runShow},
          {"entry count", runCount}};
}

} // namespace spire::server::commands
