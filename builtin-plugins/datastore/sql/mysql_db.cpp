#include "datastore/sql/mysql_db.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>
#include <sstream>
#include <unordered_map>

namespace spire::datastore::sql {
namespace {

constexpr size_t kMaxCachedStatements = 256;

// Server and client error numbers (mysqld_error.h / errmsg.h).
DbErrorKind classify(int code) {
  switch (code) {
  case 1062: // ER_DUP_ENTRY
  case 1586: // ER_DUP_ENTRY_WITH_KEY_NAME
    return DbErrorKind::kUniqueViolation;
  case 1205: // ER_LOCK_WAIT_TIMEOUT
  case 1213: // ER_LOCK_DEADLOCK
  case 1020: // ER_CHECKREAD (record changed since last read)
    return DbErrorKind::kRetryable;
  case 1040: // ER_CON_COUNT_ERROR
  case 1053: // ER_SERVER_SHUTDOWN
  case 1927: // ER_CONNECTION_KILLED (MariaDB)
  case 1158: // ER_NET_READ_ERROR
  case 1159: // ER_NET_READ_INTERRUPTED
  case 1160: // ER_NET_ERROR_ON_WRITE
  case 1161: // ER_NET_WRITE_INTERRUPTED
  case 2002: // CR_CONNECTION_ERROR
  case 2003: // CR_CONN_HOST_ERROR
  case 2005: // CR_UNKNOWN_HOST
  case 2006: // CR_SERVER_GONE_ERROR
  case 2013: // CR_SERVER_LOST
  case 2055: // CR_SERVER_LOST_EXTENDED
  case 4031: // ER_CLIENT_INTERACTION_TIMEOUT
    return DbErrorKind::kUnavailable;
  default:
    return DbErrorKind::kOther;
  }
}

std::string describe(const ::sql::SQLException& e) {
  return std::string(e.what()) + " (MySQL error " + std::to_string(e.getErrorCode()) + ")";
}

::sql::mysql::MySQL_Driver* driver() {
  // The first call initialises the client library, which is not thread-safe.
  static std::once_flag once;
  static ::sql::mysql::MySQL_Driver* instance = nullptr;
  std::call_once(once, [] { instance = ::sql::mysql::get_mysql_driver_instance(); });
  return instance;
}

class MysqlStatement final : public Statement {
public:
  MysqlStatement(std::unique_ptr<::sql::ResultSet> rows, bool* in_use,
                 std::unique_ptr<::sql::PreparedStatement> owned)
      : rows_(std::move(rows)), in_use_(in_use), owned_(std::move(owned)) {}
  ~MysqlStatement() override {
    rows_.reset();
    if (in_use_ != nullptr) {
      *in_use_ = false;
    }
  }
  MysqlStatement(const MysqlStatement&) = delete;
  MysqlStatement& operator=(const MysqlStatement&) = delete;

  // The rows are buffered on the client (store_result), so reading them needs no round trip.
  bool next() override { return rows_ != nullptr && rows_->next(); }
  bool isNull(int column) override { return rows_->isNull(static_cast<unsigned>(column) + 1); }
  std::int64_t getInt(int column) override {
    return rows_->getInt64(static_cast<unsigned>(column) + 1);
  }
  std::string getText(int column) override {
    return rows_->getString(static_cast<unsigned>(column) + 1).asStdString();
  }
  Bytes getBlob(int column) override {
    std::string raw = getText(column);
    return Bytes(raw.begin(), raw.end());
  }

private:
  std::unique_ptr<::sql::ResultSet> rows_;
  bool* in_use_;
  std::unique_ptr<::sql::PreparedStatement> owned_;
};

class MysqlConnection final : public Connection {
public:
  MysqlConnection(std::unique_ptr<::sql::Connection> conn, SqlLogger logger)
      : conn_(std::move(conn)), logger_(std::move(logger)) {}
  ~MysqlConnection() override {
    cache_.clear();
    plain_.reset();
    try {
      conn_->close();
    } catch (...) {
    }
  }
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  const Dialect& dialect() const override { return mysqlDialect(); }

  StatementPtr query(std::string_view sql, const Params& params) override {
    return execute(sql, params, nullptr);
  }
  std::int64_t exec(std::string_view sql, const Params& params) override {
    std::int64_t changed = 0;
    execute(sql, params, &changed);
    return changed;
  }
  std::int64_t insert(std::string_view sql, const Params& params) override {
    exec(sql, params);
    auto st = query("SELECT LAST_INSERT_ID()", {});
    if (!st->next()) {
      throw DbError(DbErrorKind::kOther, "LAST_INSERT_ID() returned no row");
    }
    return st->getInt(0);
  }

  void begin(bool write) override {
    // Logged as one statement, as the other engines' BEGIN.
    const char* level = write ? "SERIALIZABLE" : "REPEATABLE READ";
    const char* start =
        write ? "START TRANSACTION" : "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
    if (logger_) {
      logger_(std::string("SET TRANSACTION ISOLATION LEVEL ") + level + "; " + start);
    }
    execRaw(std::string("SET TRANSACTION ISOLATION LEVEL ") + level, false);
    execRaw(start, false);
    in_tx_ = true;
  }
  void commit() override {
    in_tx_ = false;
    execRaw("COMMIT");
  }
  void rollback() noexcept override {
    if (!in_tx_) {
      return;
    }
    in_tx_ = false;
    try {
      execRaw("ROLLBACK");
    } catch (...) {
      // A broken connection is already marked; the server rolls back when it goes away.
    }
  }
  bool healthy() const override { return !broken_; }

  void execRaw(const std::string& sql, bool log = true) {
    if (log && logger_) {
      logger_(sql);
    }
    guarded([&] {
      if (!plain_) {
        plain_.reset(conn_->createStatement());
      }
      plain_->execute(sql);
    });
  }

private:
  struct Cached {
    std::unique_ptr<::sql::PreparedStatement> stmt;
    bool in_use = false;
  };

  template <class Fn> void guarded(Fn&& fn) {
    try {
      fn();
    } catch (const ::sql::SQLException& e) {
      DbErrorKind kind = classify(e.getErrorCode());
      if (kind == DbErrorKind::kUnavailable) {
        broken_ = true;
        throw DbError(kind, "lost connection to MySQL: " + describe(e));
      }
      throw DbError(kind, describe(e));
    }
  }

  static bool cacheable(std::string_view sql) {
    return sql.rfind("CREATE ", 0) != 0 && sql.rfind("ALTER ", 0) != 0;
  }

  // Prepares (or reuses) the statement, binds `params` and runs it. With `changed` set, the row
  // count is stored there and no statement is returned.
  StatementPtr execute(std::string_view sql, const Params& params, std::int64_t* changed) {
    if (logger_) {
      logger_(sql);
    }
    StatementPtr out;
    guarded([&] {
      ::sql::PreparedStatement* ps = nullptr;
      bool* in_use = nullptr;
      std::unique_ptr<::sql::PreparedStatement> owned;
      std::string key(sql);
      auto it = cache_.find(key);
      if (it != cache_.end() && !it->second.in_use) {
        ps = it->second.stmt.get();
        in_use = &it->second.in_use;
      } else if (it == cache_.end() && cache_.size() < kMaxCachedStatements && cacheable(sql)) {
        auto& entry = cache_[key];
        entry.stmt.reset(conn_->prepareStatement(key));
        ps = entry.stmt.get();
        in_use = &entry.in_use;
      } else {
        owned.reset(conn_->prepareStatement(key));
        ps = owned.get();
      }
      if (in_use != nullptr) {
        *in_use = true;
      }
      // Released on every path: as soon as the rows are read (query) or the count taken (exec).
      struct Release {
        bool* flag;
        bool keep = false;
        ~Release() {
          if (flag != nullptr && !keep) {
            *flag = false;
          }
        }
      } release{in_use};
      std::vector<std::unique_ptr<std::istringstream>> blobs;
      unsigned index = 1;
      for (const Value& v : params) {
        if (std::holds_alternative<std::nullptr_t>(v)) {
          ps->setNull(index, 0);
        } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
          ps->setInt64(index, *i);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
          ps->setString(index, ::sql::SQLString(*s));
        } else {
          const auto& b = std::get<Bytes>(v);
          blobs.push_back(std::make_unique<std::istringstream>(std::string(b.begin(), b.end()),
                                                               std::ios::in | std::ios::binary));
          ps->setBlob(index, blobs.back().get());
        }
        ++index;
      }
      // Connector/C++ 1.1 prepared statements have no getUpdateCount(): run DML through
      // executeUpdate() and anything with rows through executeQuery().
      bool returns_rows = sql.rfind("SELECT", 0) == 0;
      if (changed != nullptr && !returns_rows) {
        *changed = static_cast<std::int64_t>(ps->executeUpdate());
        return;
      }
      std::unique_ptr<::sql::ResultSet> rows(ps->executeQuery());
      if (changed != nullptr) {
        *changed = 0;
        return;
      }
      release.keep = true;
      out = std::make_unique<MysqlStatement>(std::move(rows), in_use, std::move(owned));
    });
    return out;
  }

  std::unique_ptr<::sql::Connection> conn_;
  SqlLogger logger_;
  std::unique_ptr<::sql::Statement> plain_;
  std::unordered_map<std::string, Cached> cache_;
  bool in_tx_ = false;
  bool broken_ = false;
};

} // namespace

const Dialect& mysqlDialect() {
  static const Dialect kDialect{
      .name = "mysql",
      .id_column = "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
      .blob_type = "LONGBLOB",
      .bool_type = "BOOLEAN",
      .bigint_type = "BIGINT",
      .varchar_type = "VARCHAR(255)",
      .long_text_type = "VARCHAR(1024)",
      .long_text_index_prefix = "(255)",
      .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      .table_exists_sql = "SELECT COUNT(*) FROM information_schema.tables WHERE "
                          "table_schema = DATABASE() AND table_name = ?",
      .migration_lock_sql = "SELECT GET_LOCK('spire_datastore_migration', 60)",
      .migration_unlock_sql = "SELECT RELEASE_LOCK('spire_datastore_migration')",
  };
  return kDialect;
}

ConnectionPtr openMysql(const MysqlOptions& options) {
  const MysqlDsn& dsn = options.dsn;
  ::sql::ConnectOptionsMap props;
  if (dsn.net == "unix") {
    props["hostName"] = ::sql::SQLString("unix://" + dsn.socket);
  } else {
    props["hostName"] = ::sql::SQLString(dsn.host);
    props["port"] = dsn.port;
  }
  props["userName"] = ::sql::SQLString(dsn.user);
  props["password"] = ::sql::SQLString(dsn.password);
  if (!dsn.database.empty()) {
    props["schema"] = ::sql::SQLString(dsn.database);
  }
  props["OPT_RECONNECT"] = false; // a lost session must surface; the pool opens a new one
  props["CLIENT_FOUND_ROWS"] = true;
  props["OPT_CHARSET_NAME"] = ::sql::SQLString(dsn.charset.empty() ? "utf8mb4" : dsn.charset);
  auto seconds = [](std::int64_t ms) { return static_cast<int>((ms + 999) / 1000); };
  props["OPT_CONNECT_TIMEOUT"] =
      seconds(dsn.connect_timeout_ms > 0 ? dsn.connect_timeout_ms : 10000);
  if (dsn.read_timeout_ms > 0) {
    props["OPT_READ_TIMEOUT"] = seconds(dsn.read_timeout_ms);
  }
  if (dsn.write_timeout_ms > 0) {
    props["OPT_WRITE_TIMEOUT"] = seconds(dsn.write_timeout_ms);
  }
  bool tls = !options.root_ca_path.empty() || dsn.tls == "true" || dsn.tls == "skip-verify";
  if (tls) {
    props["sslEnforce"] = true;
    props["sslVerify"] = dsn.tls != "skip-verify";
    if (!options.root_ca_path.empty()) {
      props["sslCA"] = ::sql::SQLString(options.root_ca_path);
    }
    if (!options.client_cert_path.empty()) {
      props["sslCert"] = ::sql::SQLString(options.client_cert_path);
      props["sslKey"] = ::sql::SQLString(options.client_key_path);
    }
  }
  std::unique_ptr<::sql::Connection> conn;
  try {
    conn.reset(driver()->connect(props));
  } catch (const ::sql::SQLException& e) {
    throw DbError(DbErrorKind::kUnavailable, "unable to connect to MySQL: " + describe(e));
  }
  auto out = std::make_unique<MysqlConnection>(std::move(conn), options.logger);
  try {
    // Strict mode: a too-long or invalid value is an error, never silently truncated.
    out->execRaw("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,"
                 "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'");
    for (const auto& [name, value] : dsn.system_vars) {
      out->execRaw("SET SESSION " + name + " = " + value);
    }
  } catch (const DbError& e) {
    throw DbError(DbErrorKind::kUnavailable,
                  std::string("unable to set up MySQL session: ") + e.what());
  }
  return out;
}

} // namespace spire::datastore::sql
