#pragma once

// Reading registration entries: filters to WHERE clauses, and pages of entries loaded with their
// selectors, DNS names and federated trust domains in a few queries per page (never one query
// per entry): the base rows in one query, then each child table once per chunk of kChunk ids.

#include <optional>
#include <string>
#include <vector>

#include "datastore/sql/query_builder.h"
#include "datastore/sql/records.h"

namespace spire::datastore::sql {

inline constexpr size_t kChunk = 1000;

struct EntryRow {
  std::int64_t pk = 0; // registered_entries.id
  Entry entry;
};

// The WHERE clause of a list/count filter over `registered_entries e` (filter may be NULL).
// Throws INVALID_ARGUMENT for an empty selector / federates_with set.
Where entryWhere(const spire_entry_filter* filter);

// Restricts `where` to entries whose selector set matches `selectors` as `match` says.
void addEntrySelectorMatch(Where& where, const std::vector<Selector>& selectors, spire_match match);

// Entries matching `where`, ordered by entry_id, at most `limit` (0 = all), children loaded.
std::vector<EntryRow> selectEntries(Connection& conn, const Where& where, std::int64_t limit);

std::optional<EntryRow> selectEntry(Connection& conn, const std::string& entry_id);

} // namespace spire::datastore::sql
