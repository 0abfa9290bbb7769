#include "datastore/sql/sqlite_db.h"

#include <sqlite3.h>

#include <unordered_map>

namespace spire::datastore::sql {
namespace {

constexpr size_t kMaxCachedStatements = 256;

DbErrorKind classify(int rc) {
  int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return DbErrorKind::kUniqueViolation;
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return DbErrorKind::kRetryable;
  }
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_NOTADB ||
      primary == SQLITE_CORRUPT || primary == SQLITE_FULL || primary == SQLITE_READONLY) {
    return DbErrorKind::kUnavailable;
  }
  return DbErrorKind::kOther;
}

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& context) {
  std::string msg = context + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  throw DbError(classify(rc), msg);
}

class SqliteConnection;

class SqliteStatement final : public Statement {
public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, bool owned, bool* in_use)
      : db_(db), stmt_(stmt), owned_(owned), in_use_(in_use) {}
  ~SqliteStatement() override {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
      *in_use_ = false;
    }
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bindAll(const Params& params) {
    int index = 1;
    for (const Value& v : params) {
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt_, index);
      } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt_, index, *i);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        // TRANSIENT: SQLite copies, as the parameters usually die before the rows are read.
        rc = sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        const auto& b = std::get<Bytes>(v);
        // A zero-length blob must still be a blob, not NULL.
        static const std::uint8_t kEmpty = 0;
        rc = sqlite3_bind_blob64(stmt_, index, b.empty() ? &kEmpty : b.data(), b.size(),
                                 SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) {
        fail(db_, rc, "bind");
      }
      ++index;
    }
  }

  bool next() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    fail(db_, sqlite3_extended_errcode(db_), "query");
  }
  bool isNull(int column) override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t getInt(int column) override { return sqlite3_column_int64(stmt_, column); }
  std::string getText(int column) override {
    const auto* p = sqlite3_column_text(stmt_, column);
    int n = sqlite3_column_bytes(stmt_, column);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
  }
  Bytes getBlob(int column) override {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    int n = sqlite3_column_bytes(stmt_, column);
    return p == nullptr ? Bytes() : Bytes(p, p + n);
  }

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool owned_;
  bool* in_use_;
};

class SqliteConnection final : public Connection {
public:
  SqliteConnection(sqlite3* db, SqlLogger logger) : db_(db), logger_(std::move(logger)) {}
  ~SqliteConnection() override {
    for (auto& [sql, cached] : cache_) {
      sqlite3_finalize(cached.stmt);
    }
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const Dialect& dialect() const override { return sqliteDialect(); }

  StatementPtr query(std::string_view sql, const Params& params) override {
    if (logger_) {
      logger_(sql);
    }
    std::unique_ptr<SqliteStatement> st;
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end() && !it->second.in_use) {
      it->second.in_use = true;
      st = std::make_unique<SqliteStatement>(db_, it->second.stmt, false, &it->second.in_use);
    } else {
      sqlite3_stmt* raw = nullptr;
      // Cache the first preparation of every text; a text already in use (a nested query of the
      // same shape) gets a private statement.
      bool cache_it = it == cache_.end() && cache_.size() < kMaxCachedStatements;
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  cache_it ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
      if (rc != SQLITE_OK) {
        fail(db_, sqlite3_extended_errcode(db_), "prepare");
      }
      if (cache_it) {
        auto& entry = cache_[std::string(sql)];
        entry.stmt = raw;
        entry.in_use = true;
        st = std::make_unique<SqliteStatement>(db_, raw, false, &entry.in_use);
      } else {
        st = std::make_unique<SqliteStatement>(db_, raw, true, nullptr);
      }
    }
    st->bindAll(params);
    return st;
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    auto st = query(sql, params);
    while (st->next()) {
    }
    return sqlite3_changes64(db_);
  }

  std::int64_t insert(std::string_view sql, const Params& params) override {
    exec(sql, params);
    return sqlite3_last_insert_rowid(db_);
  }

  void begin(bool write) override { execRaw(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  void commit() override { execRaw("COMMIT"); }
  void rollback() noexcept override {
    if (sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  bool healthy() const override { return !broken_; }

  void execRaw(const char* sql) {
    if (logger_) {
      logger_(sql);
    }
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      int ext = sqlite3_extended_errcode(db_);
      if (classify(ext) == DbErrorKind::kUnavailable) {
        broken_ = true;
      }
      fail(db_, ext, sql);
    }
  }

private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  SqlLogger logger_;
  std::unordered_map<std::string, Cached> cache_;
  bool broken_ = false;
};

} // namespace

const Dialect& sqliteDialect() {
  static const Dialect kDialect{
      .name = "sqlite3",
      .id_column = "id INTEGER PRIMARY KEY AUTOINCREMENT",
      .blob_type = "BLOB",
      .bool_type = "BOOLEAN",
      .bigint_type = "BIGINT",
      .varchar_type = "VARCHAR(255)",
      .long_text_type = "VARCHAR(1024)",
      .long_text_index_prefix = "",
      .table_options = "",
      .table_exists_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
      .migration_lock_sql = "",
      .migration_unlock_sql = "",
  };
  return kDialect;
}

ConnectionPtr openSqlite(const SqliteOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(options.uri.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "unable to open SQLite database \"" + options.uri +
                      "\": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    throw DbError(DbErrorKind::kUnavailable, msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db, options.logger);
  try {
    conn->execRaw("PRAGMA foreign_keys = ON");
    // journal_mode answers with the mode in force; memory databases stay "memory".
    auto st = conn->query("PRAGMA journal_mode = WAL", {});
    std::string mode = st->next() ? st->getText(0) : "";
    st.reset();
    if (mode != "wal" && mode != "memory") {
      throw DbError(DbErrorKind::kUnavailable,
                    "unable to enable WAL on \"" + options.uri + "\" (journal_mode " + mode + ")");
    }
    conn->execRaw("PRAGMA synchronous = FULL");
  } catch (const DbError& e) {
    throw DbError(DbErrorKind::kUnavailable,
                  "unable to open SQLite database \"" + options.uri + "\": " + e.what());
  }
  return conn;
}

} // namespace spire::datastore::sql
