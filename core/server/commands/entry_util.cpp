#include "server/commands/entry_util.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/pretty_print.h"
#include "cli/selector.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"

namespace spire::server::commands {
namespace {

using Json = nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Go's encoding/json names for a JSON value's kind in its type errors.
std::string jsonKind(const Json& value) {
  if (value.is_string()) {
    return "string";
  }
  if (value.is_number()) {
    return "number";
  }
  if (value.is_boolean()) {
    return "bool";
  }
  if (value.is_array()) {
    return "array";
  }
  return "object";
}

Status typeError(const Json& value, const std::string& field, const std::string& go_type) {
  return invalidArgument("json: cannot unmarshal " + jsonKind(value) + " into Go struct field " +
                         field + " of type " + go_type);
}

// encoding/json matches keys to field tags case-insensitively (after an exact match fails).
const Json* member(const Json& object, std::string_view tag) {
  if (auto it = object.find(std::string(tag)); it != object.end()) {
    return &*it;
  }
  const std::string wanted = lower(tag);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (lower(it.key()) == wanted) {
      return &*it;
    }
  }
  return nullptr;
}

// The plain registration entry as common.RegistrationEntry holds it after json.Unmarshal.
struct RawEntry {
  std::vector<std::pair<std::string, std::string>> selectors;
  std::string parent_id;
  std::string spiffe_id;
  std::int64_t x509_svid_ttl = 0;
  std::vector<std::string> federates_with;
  std::string entry_id;
  bool admin = false;
  bool downstream = false;
  std::int64_t entry_expiry = 0;
  std::vector<std::string> dns_names;
  std::int64_t revision_number = 0;
  bool store_svid = false;
  std::int64_t jwt_svid_ttl = 0;
  std::string hint;
  std::int64_t created_at = 0;
};

const std::string kEntryField = "RegistrationEntry.entries.";

Status readString(const Json& object, std::string_view tag, std::string& out,
                  const std::string& where) {
  const Json* v = member(object, tag);
  if (v == nullptr || v->is_null()) {
    return Status::ok();
  }
  if (!v->is_string()) {
    return typeError(*v, where + std::string(tag), "string");
  }
  out = v->get<std::string>();
  return Status::ok();
}

Status readBool(const Json& object, std::string_view tag, bool& out) {
  const Json* v = member(object, tag);
  if (v == nullptr || v->is_null()) {
    return Status::ok();
  }
  if (!v->is_boolean()) {
    return typeError(*v, kEntryField + std::string(tag), "bool");
  }
  out = v->get<bool>();
  return Status::ok();
}

Status readInt(const Json& object, std::string_view tag, std::int64_t& out, bool is32) {
  const Json* v = member(object, tag);
  if (v == nullptr || v->is_null()) {
    return Status::ok();
  }
  const std::string go_type = is32 ? "int32" : "int64";
  if (!v->is_number_integer()) {
    if (v->is_number()) {
      return invalidArgument("json: cannot unmarshal number " + v->dump() +
                             " into Go struct field " + kEntryField + std::string(tag) +
                             " of type " + go_type);
    }
    return typeError(*v, kEntryField + std::string(tag), go_type);
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX) {
    return invalidArgument("json: cannot unmarshal number " + v->dump() + " into Go struct field " +
                           kEntryField + std::string(tag) + " of type " + go_type);
  }
  const std::int64_t value = v->get<std::int64_t>();
  if (is32 && (value > INT32_MAX || value < INT32_MIN)) {
    return invalidArgument("json: cannot unmarshal number " + v->dump() + " into Go struct field " +
                           kEntryField + std::string(tag) + " of type int32");
  }
  out = value;
  return Status::ok();
}

Status readStrings(const Json& object, std::string_view tag, std::vector<std::string>& out) {
  const Json* v = member(object, tag);
  if (v == nullptr || v->is_null()) {
    return Status::ok();
  }
  if (!v->is_array()) {
    return typeError(*v, kEntryField + std::string(tag), "[]string");
  }
  for (const Json& item : *v) {
    if (!item.is_string()) {
      return typeError(item, kEntryField + std::string(tag), "string");
    }
    out.push_back(item.get<std::string>());
  }
  return Status::ok();
}

Result<RawEntry> readRawEntry(const Json& object) {
  RawEntry e;
  if (!object.is_object()) {
    return typeError(object, "RegistrationEntries.entries", "common.RegistrationEntry");
  }
  if (const Json* sel = member(object, "selectors"); sel != nullptr && !sel->is_null()) {
    if (!sel->is_array()) {
      return typeError(*sel, kEntryField + "selectors", "[]*common.Selector");
    }
    for (const Json& item : *sel) {
      if (item.is_null()) {
        e.selectors.emplace_back();
        continue;
      }
      if (!item.is_object()) {
        return typeError(item, kEntryField + "selectors", "common.Selector");
      }
      std::string type;
      std::string value;
      const std::string where = kEntryField + "selectors.";
      if (Status st = readString(item, "type", type, where); !st.isOk()) {
        return st;
      }
      if (Status st = readString(item, "value", value, where); !st.isOk()) {
        return st;
      }
      e.selectors.emplace_back(std::move(type), std::move(value));
    }
  }
  Status st = readString(object, "parent_id", e.parent_id, kEntryField);
  if (st.isOk()) {
    st = readString(object, "spiffe_id", e.spiffe_id, kEntryField);
  }
  if (st.isOk()) {
    st = readInt(object, "x509_svid_ttl", e.x509_svid_ttl, true);
  }
  if (st.isOk()) {
    st = readStrings(object, "federates_with", e.federates_with);
  }
  if (st.isOk()) {
    st = readString(object, "entry_id", e.entry_id, kEntryField);
  }
  if (st.isOk()) {
    st = readBool(object, "admin", e.admin);
  }
  if (st.isOk()) {
    st = readBool(object, "downstream", e.downstream);
  }
  if (st.isOk()) {
    st = readInt(object, "entryExpiry", e.entry_expiry, false);
  }
  if (st.isOk()) {
    st = readStrings(object, "dns_names", e.dns_names);
  }
  if (st.isOk()) {
    st = readInt(object, "revision_number", e.revision_number, false);
  }
  if (st.isOk()) {
    st = readBool(object, "store_svid", e.store_svid);
  }
  if (st.isOk()) {
    st = readInt(object, "jwt_svid_ttl", e.jwt_svid_ttl, true);
  }
  if (st.isOk()) {
    st = readString(object, "hint", e.hint, kEntryField);
  }
  if (st.isOk()) {
    st = readInt(object, "created_at", e.created_at, false);
  }
  if (!st.isOk()) {
    return st;
  }
  return e;
}

// api.RegistrationEntryToProto.
Result<types::Entry> toProto(const RawEntry& raw) {
  auto spiffe_id = idStringToProto(raw.spiffe_id);
  if (!spiffe_id) {
    return invalidArgument("invalid SPIFFE ID: " + spiffe_id.status().message());
  }
  auto parent_id = idStringToProto(raw.parent_id);
  if (!parent_id) {
    return invalidArgument("invalid parent ID: " + parent_id.status().message());
  }
  types::Entry e;
  e.set_id(raw.entry_id);
  *e.mutable_spiffe_id() = *spiffe_id;
  *e.mutable_parent_id() = *parent_id;
  for (const auto& [type, value] : raw.selectors) {
    auto* s = e.add_selectors();
    s->set_type(type);
    s->set_value(value);
  }
  e.set_x509_svid_ttl(static_cast<std::int32_t>(raw.x509_svid_ttl));
  for (const auto& td_text : raw.federates_with) {
    auto td = spiffe::TrustDomain::parse(td_text);
    if (!td) {
      return invalidArgument("invalid federated trust domain: " + td.status().message());
    }
    e.add_federates_with(td->name());
  }
  e.set_admin(raw.admin);
  e.set_downstream(raw.downstream);
  e.set_expires_at(raw.entry_expiry);
  for (const auto& name : raw.dns_names) {
    e.add_dns_names(name);
  }
  e.set_revision_number(raw.revision_number);
  e.set_store_svid(raw.store_svid);
  e.set_jwt_svid_ttl(static_cast<std::int32_t>(raw.jwt_svid_ttl));
  e.set_hint(raw.hint);
  e.set_created_at(raw.created_at);
  return e;
}

int compareSelector(const types::Selector& a, const types::Selector& b) {
  if (int c = a.type().compare(b.type()); c != 0) {
    return c;
  }
  return a.value().compare(b.value());
}

} // namespace

Result<types::SPIFFEID> idStringToProto(std::string_view id) {
  auto parsed = spiffe::SpiffeId::parse(id);
  if (!parsed) {
    return parsed.status();
  }
  types::SPIFFEID out;
  out.set_trust_domain(parsed->trustDomain().name());
  out.set_path(parsed->path());
  return out;
}

std::string protoToIdString(const types::SPIFFEID* id) {
  if (id == nullptr) {
    return "";
  }
  return "spiffe://" + id->trust_domain() + id->path();
}

Result<types::Selector> parseSelector(std::string_view text) {
  auto parsed = cli::parseSelectorArg(text);
  if (!parsed) {
    return parsed.status();
  }
  types::Selector s;
  s.set_type(parsed->type);
  s.set_value(parsed->value);
  return s;
}

Result<types::SelectorMatch::MatchBehavior> parseSelectorMatch(std::string_view match) {
  if (match == "exact") {
    return types::SelectorMatch::MATCH_EXACT;
  }
  if (match == "any") {
    return types::SelectorMatch::MATCH_ANY;
  }
  if (match == "superset") {
    return types::SelectorMatch::MATCH_SUPERSET;
  }
  if (match == "subset") {
    return types::SelectorMatch::MATCH_SUBSET;
  }
  return invalidArgument("unknown match behavior");
}

Result<types::FederatesWithMatch::MatchBehavior> parseFederatesWithMatch(std::string_view match) {
  if (match == "exact") {
    return types::FederatesWithMatch::MATCH_EXACT;
  }
  if (match == "any") {
    return types::FederatesWithMatch::MATCH_ANY;
  }
  if (match == "superset") {
    return types::FederatesWithMatch::MATCH_SUPERSET;
  }
  if (match == "subset") {
    return types::FederatesWithMatch::MATCH_SUBSET;
  }
  return invalidArgument("unknown match behavior");
}

void printEntry(std::ostream& out, const types::Entry& entry) {
  cli::EntryView view;
  view.id = entry.id();
  view.spiffe_id = protoToIdString(entry.has_spiffe_id() ? &entry.spiffe_id() : nullptr);
  view.parent_id = protoToIdString(entry.has_parent_id() ? &entry.parent_id() : nullptr);
  view.revision = entry.revision_number();
  view.downstream = entry.downstream();
  view.x509_svid_ttl = entry.x509_svid_ttl();
  view.jwt_svid_ttl = entry.jwt_svid_ttl();
  view.expires_at = entry.expires_at();
  for (const auto& s : entry.selectors()) {
    view.selectors.emplace_back(s.type(), s.value());
  }
  view.federates_with.assign(entry.federates_with().begin(), entry.federates_with().end());
  view.dns_names.assign(entry.dns_names().begin(), entry.dns_names().end());
  view.admin = entry.admin();
  view.store_svid = entry.store_svid();
  view.hint = entry.hint();
  cli::printEntry(out, view);
}

void sortEntries(std::vector<types::Entry>& entries) {
  for (auto& e : entries) {
    std::sort(e.mutable_selectors()->begin(), e.mutable_selectors()->end(),
              [](const types::Selector& a, const types::Selector& b) {
                return compareSelector(a, b) < 0;
              });
  }
  auto compare = [](const types::Entry& a, const types::Entry& b) {
    const std::string a_id = protoToIdString(a.has_spiffe_id() ? &a.spiffe_id() : nullptr);
    const std::string b_id = protoToIdString(b.has_spiffe_id() ? &b.spiffe_id() : nullptr);
    if (int c = a_id.compare(b_id); c != 0) {
      return c < 0;
    }
    const std::string a_parent = protoToIdString(a.has_parent_id() ? &a.parent_id() : nullptr);
    const std::string b_parent = protoToIdString(b.has_parent_id() ? &b.parent_id() : nullptr);
    if (int c = a_parent.compare(b_parent); c != 0) {
      return c < 0;
    }
    if (a.x509_svid_ttl() != b.x509_svid_ttl()) {
      return a.x509_svid_ttl() < b.x509_svid_ttl();
    }
    if (a.jwt_svid_ttl() != b.jwt_svid_ttl()) {
      return a.jwt_svid_ttl() < b.jwt_svid_ttl();
    }
    if (a.selectors_size() != b.selectors_size()) {
      return a.selectors_size() < b.selectors_size();
    }
    for (int i = 0; i < a.selectors_size(); ++i) {
      if (int c = compareSelector(a.selectors(i), b.selectors(i)); c != 0) {
        return c < 0;
      }
    }
    return false;
  };
  std::stable_sort(entries.begin(), entries.end(), compare);
}

Result<std::string> readInput(const std::string& path, std::istream& in) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int err = errno;
    std::string why = std::strerror(err);
    if (!why.empty() && why[0] >= 'A' && why[0] <= 'Z') {
      why[0] = static_cast<char>(why[0] - 'A' + 'a');
    }
    return invalidArgument("open " + path + ": " + why);
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<std::vector<types::Entry>> parseEntryFile(const std::string& path, std::istream& in) {
  auto text = readInput(path, in);
  if (!text) {
    return text.status();
  }
  Json doc;
  try {
    doc = Json::parse(*text);
  } catch (const Json::parse_error& e) {
    // Go's two usual syntax errors; the byte offset Go adds for others is not kept.
    if (e.byte >= text->size()) {
      return invalidArgument("unexpected end of JSON input");
    }
    const char c = (*text)[e.byte > 0 ? e.byte - 1 : 0];
    return invalidArgument(std::string("invalid character '") + c +
                           "' looking for beginning of value");
  }
  std::vector<types::Entry> out;
  if (doc.is_null()) {
    return out;
  }
  if (!doc.is_object()) {
    return invalidArgument("json: cannot unmarshal " + jsonKind(doc) +
                           " into Go value of type common.RegistrationEntries");
  }
  const Json* entries = member(doc, "entries");
  if (entries == nullptr || entries->is_null()) {
    return out;
  }
  if (!entries->is_array()) {
    return typeError(*entries, "RegistrationEntries.entries", "[]*common.RegistrationEntry");
  }
  for (const Json& item : *entries) {
    if (item.is_null()) {
      // A null element unmarshals to a nil *RegistrationEntry, which the conversion refuses.
      return invalidArgument("missing registration entry");
    }
    auto raw = readRawEntry(item);
    if (!raw) {
      return raw.status();
    }
    auto entry = toProto(*raw);
    if (!entry) {
      return entry.status();
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

} // namespace spire::server::commands
