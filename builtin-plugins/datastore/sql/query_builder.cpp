#include "datastore/sql/query_builder.h"

#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {

void Where::add(const std::string& condition, const Params& params) {
  conditions_.push_back(condition);
  params_.insert(params_.end(), params.begin(), params.end());
}

std::string Where::clause() const {
  std::string out;
  for (size_t i = 0; i < conditions_.size(); ++i) {
    out += i == 0 ? " WHERE " : " AND ";
    out += conditions_[i];
  }
  return out;
}

std::string placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) {
    out += i == 0 ? "?" : ", ?";
  }
  return out + ")";
}

void addSetMatch(Where& where, const std::string& outer_key, const std::string& from,
                 const std::string& key, const std::string& member,
                 const std::vector<Params>& members, spire_match match) {
  std::string any_member;
  Params params;
  for (size_t i = 0; i < members.size(); ++i) {
    any_member += i == 0 ? member : " OR " + member;
    params.insert(params.end(), members[i].begin(), members[i].end());
  }
  const std::string having = outer_key + " IN (SELECT " + key + " FROM " + from + " WHERE " +
                             any_member + " GROUP BY " + key +
                             " HAVING COUNT(*) = " + std::to_string(members.size()) + ")";
  const std::string some =
      outer_key + " IN (SELECT " + key + " FROM " + from + " WHERE " + any_member + ")";
  const std::string none_outside =
      outer_key + " NOT IN (SELECT " + key + " FROM " + from + " WHERE NOT (" + any_member + "))";
  switch (match) {
  case SPIRE_MATCH_ANY:
    where.add(some, params);
    return;
  case SPIRE_MATCH_SUPERSET:
    where.add(having, params);
    return;
  case SPIRE_MATCH_SUBSET:
    where.add(some, params);
    where.add(none_outside, params);
    return;
  case SPIRE_MATCH_EXACT:
    where.add(having, params);
    where.add(none_outside, params);
    return;
  default:
    throw spire::plugin::Error(SPIRE_INVALID_ARGUMENT,
                               "unknown match behavior " + std::to_string(match));
  }
}

} // namespace spire::datastore::sql
