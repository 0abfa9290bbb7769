#pragma once

// Building WHERE clauses from the DataStore's list filters, for every backend (`?` placeholders,
// subqueries only, no engine-specific syntax).

#include <string>
#include <vector>

#include "datastore/sql/db.h"
#include "spire/plugin/datastore.h"

namespace spire::datastore::sql {

class Where {
public:
  void add(const std::string& condition, const Params& params = {});
  // " WHERE a AND b", or "" when there is no condition.
  std::string clause() const;
  const Params& params() const { return params_; }

private:
  std::vector<std::string> conditions_;
  Params params_;
};

// A set-membership filter (entry selectors, entry federated trust domains, node selectors):
// keeps the rows whose key `outer_key` has, among the rows of `from` (grouped by `key`), a set of
// members that matches `members` as `match` says:
//   ANY       at least one member in common
//   SUPERSET  every given member (and maybe others)
//   SUBSET    at least one member, and none outside the given ones
//   EXACT     exactly the given members
// `member` is the condition for one member with its placeholders, e.g. "(type = ? AND value = ?)";
// `members` holds one parameter list per (distinct) member.
void addSetMatch(Where& where, const std::string& outer_key, const std::string& from,
                 const std::string& key, const std::string& member,
                 const std::vector<Params>& members, spire_match match);

// "(?, ?, ?)" for n values.
std::string placeholders(size_t n);

} // namespace spire::datastore::sql
