#include "datastore/sql/schema.h"

#include <ctime>
#include <vector>

#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {
namespace {

using spire::plugin::Error;

// $ID, $BLOB, $BOOL, $BIGINT, $STR, $LONGSTR, $LONGIDX are replaced with the dialect's types,
// and CREATE TABLE gets the dialect's table options, so this text is the only schema definition
// for every backend. Foreign keys are table constraints (MySQL ignores column-level REFERENCES).
std::string expand(std::string text, const Dialect& d) {
  if (text.rfind("CREATE TABLE ", 0) == 0) {
    text += d.table_options;
  }
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
      text.replace(pos, from.size(), to);
    }
  };
  replace("$ID", d.id_column);
  replace("$BLOB", d.blob_type);
  replace("$BOOL", d.bool_type);
  replace("$BIGINT", d.bigint_type);
  replace("$LONGSTR", d.long_text_type);
  replace("$LONGIDX", d.long_text_index_prefix);
  replace("$STR", d.varchar_type);
  return text;
}

#define SPIRE_DS_TIMES "created_at $BIGINT NOT NULL, updated_at $BIGINT NOT NULL"

// Version 23: the schema of SPIRE's last minor release line, the oldest we upgrade from.
const std::vector<std::string> kV23 = {
    "CREATE TABLE migrations ($ID, " SPIRE_DS_TIMES ", version INTEGER NOT NULL, "
    "code_version $STR NOT NULL)",

    "CREATE TABLE bundles ($ID, " SPIRE_DS_TIMES ", trust_domain $STR NOT NULL, data $BLOB)",
    "CREATE UNIQUE INDEX uix_bundles_trust_domain ON bundles (trust_domain)",

    "CREATE TABLE attested_node_entries ($ID, " SPIRE_DS_TIMES ", spiffe_id $STR NOT NULL, "
    "data_type $STR NOT NULL, serial_number $STR NOT NULL, expires_at $BIGINT NOT NULL, "
    "new_serial_number $STR NOT NULL, new_expires_at $BIGINT NOT NULL, "
    "can_reattest $BOOL NOT NULL)",
    "CREATE UNIQUE INDEX uix_attested_node_entries_spiffe_id ON attested_node_entries (spiffe_id)",
    "CREATE INDEX idx_attested_node_entries_expires_at ON attested_node_entries (expires_at)",

    "CREATE TABLE attested_node_entries_events ($ID, " SPIRE_DS_TIMES ", spiffe_id $STR NOT NULL)",

    "CREATE TABLE node_resolver_map_entries ($ID, " SPIRE_DS_TIMES ", spiffe_id $STR NOT NULL, "
    "type $STR NOT NULL, value $STR NOT NULL)",
    "CREATE UNIQUE INDEX idx_node_resolver_map ON node_resolver_map_entries "
    "(spiffe_id, type, value)",

    "CREATE TABLE registered_entries ($ID, " SPIRE_DS_TIMES ", entry_id $STR NOT NULL, "
    "spiffe_id $STR NOT NULL, parent_id $STR NOT NULL, ttl INTEGER NOT NULL, "
    "admin $BOOL NOT NULL, downstream $BOOL NOT NULL, expiry $BIGINT NOT NULL, "
    "revision_number $BIGINT NOT NULL, store_svid $BOOL NOT NULL, hint $LONGSTR NOT NULL, "
    "jwt_svid_ttl INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX uix_registered_entries_entry_id ON registered_entries (entry_id)",
    "CREATE INDEX idx_registered_entries_spiffe_id ON registered_entries (spiffe_id)",
    "CREATE INDEX idx_registered_entries_parent_id ON registered_entries (parent_id)",
    "CREATE INDEX idx_registered_entries_expiry ON registered_entries (expiry)",
    "CREATE INDEX idx_registered_entries_hint ON registered_entries (hint$LONGIDX)",

    "CREATE TABLE registered_entries_events ($ID, " SPIRE_DS_TIMES ", entry_id $STR NOT NULL)",

    "CREATE TABLE selectors ($ID, " SPIRE_DS_TIMES ", registered_entry_id $BIGINT NOT NULL, "
    "type $STR NOT NULL, value $STR NOT NULL, FOREIGN KEY (registered_entry_id) REFERENCES "
    "registered_entries (id) ON DELETE CASCADE)",
    "CREATE UNIQUE INDEX idx_selector_entry ON selectors (registered_entry_id, type, value)",
    "CREATE INDEX idx_selectors_type_value ON selectors (type, value)",

    "CREATE TABLE dns_names ($ID, " SPIRE_DS_TIMES ", registered_entry_id $BIGINT NOT NULL, "
    "value $STR NOT NULL, FOREIGN KEY (registered_entry_id) REFERENCES registered_entries (id) "
    "ON DELETE CASCADE)",
    "CREATE UNIQUE INDEX idx_dns_entry ON dns_names (registered_entry_id, value)",

    "CREATE TABLE federated_registration_entries (bundle_id $BIGINT NOT NULL, "
    "registered_entry_id $BIGINT NOT NULL, PRIMARY KEY (bundle_id, registered_entry_id), "
    "FOREIGN KEY (bundle_id) REFERENCES bundles (id) ON DELETE CASCADE, "
    "FOREIGN KEY (registered_entry_id) REFERENCES registered_entries (id) ON DELETE CASCADE)",
    "CREATE INDEX idx_federated_registration_entries_registered_entry_id ON "
    "federated_registration_entries (registered_entry_id)",

    "CREATE TABLE join_tokens ($ID, " SPIRE_DS_TIMES ", token $STR NOT NULL, "
    "expiry $BIGINT NOT NULL)",
    "CREATE UNIQUE INDEX uix_join_tokens_token ON join_tokens (token)",

    "CREATE TABLE federated_trust_domains ($ID, " SPIRE_DS_TIMES ", trust_domain $STR NOT NULL, "
    "bundle_endpoint_url $LONGSTR NOT NULL, bundle_endpoint_profile $STR NOT NULL, "
    "endpoint_spiffe_id $STR NOT NULL, implicit $BOOL NOT NULL)",
    "CREATE UNIQUE INDEX uix_federated_trust_domains_trust_domain ON federated_trust_domains "
    "(trust_domain)",

    "CREATE TABLE ca_journals ($ID, " SPIRE_DS_TIMES ", data $BLOB, "
    "active_x509_authority_id $STR NOT NULL, active_jwt_authority_id $STR NOT NULL)",
    "CREATE INDEX idx_ca_journals_active_x509_authority_id ON ca_journals "
    "(active_x509_authority_id)",
    "CREATE INDEX idx_ca_journals_active_jwt_authority_id ON ca_journals "
    "(active_jwt_authority_id)",
};

#undef SPIRE_DS_TIMES

struct Migration {
  int version; // the version the database has after these statements
  const std::vector<std::string>* statements;
};

// SPIRE v24: attested_node_entries.agent_version; v25: registered_entries.additional_attributes.
const std::vector<std::string> kV24 = {
    "ALTER TABLE attested_node_entries ADD COLUMN agent_version $STR NOT NULL DEFAULT ''"};
const std::vector<std::string> kV25 = {
    "ALTER TABLE registered_entries ADD COLUMN additional_attributes $BLOB"};

const Migration kMigrations[] = {{23, &kV23}, {24, &kV24}, {25, &kV25}};

bool tableExists(Connection& conn, const std::string& table) {
  auto st = conn.query(conn.dialect().table_exists_sql, {table});
  return st->next() && st->getInt(0) > 0;
}

[[noreturn]] void refuse(const std::string& message) {
  throw Error(SPIRE_FAILED_PRECONDITION, message);
}

void apply(Connection& conn, int from_version, const std::string& code_version) {
  for (const Migration& m : kMigrations) {
    if (m.version <= from_version) {
      continue;
    }
    for (const std::string& statement : *m.statements) {
      conn.exec(expand(statement, conn.dialect()));
    }
  }
  std::int64_t now = std::time(nullptr);
  if (from_version < 0) {
    conn.exec("INSERT INTO migrations (created_at, updated_at, version, code_version) "
              "VALUES (?, ?, ?, ?)",
              {now, now, std::int64_t{kSchemaVersion}, code_version});
  } else {
    conn.exec("UPDATE migrations SET version = ?, code_version = ?, updated_at = ?",
              {std::int64_t{kSchemaVersion}, code_version, now});
  }
}

} // namespace

int readSchemaVersion(Connection& conn) {
  if (!tableExists(conn, "migrations")) {
    return -1;
  }
  auto st = conn.query("SELECT version FROM migrations ORDER BY id DESC LIMIT 1", {});
  if (!st->next()) {
    refuse("database has a migrations table without a schema version");
  }
  return static_cast<int>(st->getInt(0));
}

void migrate(Connection& conn, bool disable_migration, const std::string& code_version) {
  int version = readSchemaVersion(conn);
  if (version > kSchemaVersion) {
    refuse("database schema version " + std::to_string(version) +
           " is newer than this plugin supports (" + std::to_string(kSchemaVersion) +
           "): upgrade the server");
  }
  if (version == kSchemaVersion) {
    return;
  }
  if (version >= 0 && version < kMinUpgradableVersion) {
    refuse("database schema version " + std::to_string(version) +
           " is too old to migrate (oldest supported: " + std::to_string(kMinUpgradableVersion) +
           ")");
  }
  if (disable_migration) {
    if (version < 0) {
      refuse("database is not initialized and disable_migration is set");
    }
    refuse("database schema version " + std::to_string(version) + " needs migration to " +
           std::to_string(kSchemaVersion) + " but disable_migration is set");
  }
  apply(conn, version, code_version);
}

} // namespace spire::datastore::sql
