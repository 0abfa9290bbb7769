#pragma once

// The one schema of the `sql` DataStore: SPIRE's tables, columns and index names
// (pkg/server/datastore/sqlstore/models.go, GORM v1 naming), written once with dialect
// placeholders, plus the versioned migrations that bring a database to kSchemaVersion.
//
// Times are Unix seconds in BIGINT columns. Child rows (selectors, dns_names, federation links)
// reference their entry with ON DELETE CASCADE, so deleting an entry removes them on every engine.

#include <string>

#include "datastore/sql/db.h"

namespace spire::datastore::sql {

inline constexpr int kSchemaVersion = 25;        // SPIRE's latestSchemaVersion
inline constexpr int kMinUpgradableVersion = 23; // SPIRE's lastMinorReleaseSchemaVersion

// Brings the database to kSchemaVersion in ONE write transaction on `conn`, or refuses:
//   - a database newer than kSchemaVersion (FAILED_PRECONDITION),
//   - with disable_migration, an empty or older database (FAILED_PRECONDITION),
//   - a version below kMinUpgradableVersion (FAILED_PRECONDITION).
// Throws spire::plugin::Error with the message; DbError for database failures.
void migrate(Connection& conn, bool disable_migration, const std::string& code_version);

// The schema version recorded in the database, or -1 when it has no migrations table.
int readSchemaVersion(Connection& conn);

} // namespace spire::datastore::sql
