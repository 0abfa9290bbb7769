#include "datastore/sql/pg_db.h"

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <cstdlib>
#include <optional>
#include <unordered_map>

namespace spire::datastore::sql {
namespace {

constexpr size_t kMaxRewrittenCache = 512;

// libpq messages start with "ERROR:  " and may carry DETAIL / HINT lines: keep the first line.
std::string firstLine(std::string_view text) {
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (text.substr(0, prefix.size()) == prefix) {
      text.remove_prefix(prefix.size());
    }
  }
  auto end = text.find('\n');
  return std::string(text.substr(0, end));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string toByteaHex(const Bytes& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Bytes fromByteaHex(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw DbError(DbErrorKind::kOther, "unexpected bytea encoding (bytea_output must be hex)");
  }
  Bytes out;
  out.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    int hi = hexValue(text[i]);
    int lo = hexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      throw DbError(DbErrorKind::kOther, "invalid hex digit in bytea value");
    }
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

class PgStatement final : public Statement {
public:
  explicit PgStatement(pqxx::result result) : result_(std::move(result)) {}

  bool next() override {
    ++row_;
    return row_ < static_cast<long>(result_.size());
  }
  bool isNull(int column) override { return field(column).is_null(); }
  std::int64_t getInt(int column) override {
    auto f = field(column);
    const char* text = f.c_str();
    // Booleans come back as "t" / "f".
    if (text[0] == 't' && text[1] == '\0') {
      return 1;
    }
    if (text[0] == 'f' && text[1] == '\0') {
      return 0;
    }
    return std::strtoll(text, nullptr, 10);
  }
  std::string getText(int column) override {
    auto f = field(column);
    return std::string(f.c_str(), f.size());
  }
  Bytes getBlob(int column) override {
    auto f = field(column);
    if (f.is_null()) {
      return {};
    }
    return fromByteaHex(std::string_view(f.c_str(), f.size()));
  }

private:
  pqxx::field field(int column) const {
    return result_[static_cast<pqxx::result::size_type>(row_)][column];
  }
  pqxx::result result_;
  long row_ = -1;
};

class PgConnection final : public Connection {
public:
  PgConnection(std::unique_ptr<pqxx::connection> conn, SqlLogger logger)
      : conn_(std::move(conn)), logger_(std::move(logger)) {}
  ~PgConnection() override {
    tx_.reset();
    conn_.reset();
  }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  const Dialect& dialect() const override { return postgresDialect(); }

  StatementPtr query(std::string_view sql, const Params& params) override {
    return std::make_unique<PgStatement>(run(sql, params, ""));
  }
  std::int64_t exec(std::string_view sql, const Params& params) override {
    return static_cast<std::int64_t>(run(sql, params, "").affected_rows());
  }
  std::int64_t insert(std::string_view sql, const Params& params) override {
    pqxx::result r = run(sql, params, " RETURNING id");
    if (r.empty()) {
      throw DbError(DbErrorKind::kOther, "INSERT returned no id");
    }
    return r[0][0].as<std::int64_t>();
  }

  void begin(bool write) override {
    if (logger_) {
      logger_(write ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                    : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    guarded([&] {
      if (write) {
        tx_ = std::make_unique<pqxx::transaction<pqxx::repeatable_read>>(*conn_);
      } else {
        tx_ = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*conn_);
      }
    });
  }
  void commit() override {
    if (logger_) {
      logger_("COMMIT");
    }
    guarded([&] {
      auto tx = std::move(tx_);
      tx->commit();
    });
  }
  void rollback() noexcept override {
    if (!tx_) {
      return;
    }
    try {
      tx_->abort();
    } catch (...) {
      broken_ = broken_ || !conn_->is_open();
    }
    tx_.reset();
  }
  bool healthy() const override { return !broken_ && conn_->is_open(); }

private:
  // The text with `$n` placeholders (and `suffix`), cached per connection.
  const std::string& rewritten(std::string_view sql, const char* suffix) {
    std::string key(sql);
    key += suffix;
    auto it = rewritten_.find(key);
    if (it != rewritten_.end()) {
      return it->second;
    }
    if (rewritten_.size() >= kMaxRewrittenCache) {
      rewritten_.clear();
    }
    return rewritten_.emplace(key, numberPlaceholders(sql) + suffix).first->second;
  }

  pqxx::result run(std::string_view sql, const Params& params, const char* suffix) {
    if (logger_) {
      logger_(sql);
    }
    const std::string& text = rewritten(sql, suffix);
    std::vector<std::string> storage;
    storage.reserve(params.size());
    for (const Value& v : params) {
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        storage.push_back(std::to_string(*i));
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        storage.push_back(*s);
      } else if (const auto* b = std::get_if<Bytes>(&v)) {
        storage.push_back(toByteaHex(*b));
      } else {
        storage.emplace_back();
      }
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr
                                                                         : storage[i].c_str());
    }
    pqxx::result result;
    guarded([&] {
      if (tx_) {
        result = tx_->exec_params(text, pqxx::prepare::make_dynamic_params(values));
      } else {
        pqxx::nontransaction autocommit(*conn_);
        result = autocommit.exec_params(text, pqxx::prepare::make_dynamic_params(values));
        autocommit.commit();
      }
    });
    return result;
  }

  // Runs fn, turning libpqxx exceptions into classified DbErrors.
  template <class Fn> void guarded(Fn&& fn) {
    try {
      fn();
    } catch (const pqxx::in_doubt_error& e) {
      broken_ = true;
      throw DbError(DbErrorKind::kInDoubt, firstLine(e.what()));
    } catch (const pqxx::broken_connection& e) {
      broken_ = true;
      throw DbError(DbErrorKind::kUnavailable,
                    "lost connection to PostgreSQL: " + firstLine(e.what()));
    } catch (const pqxx::statement_completion_unknown& e) {
      broken_ = true;
      throw DbError(DbErrorKind::kInDoubt, firstLine(e.what()));
    } catch (const pqxx::transaction_rollback& e) {
      // serialization_failure (40001), deadlock_detected (40P01): the server rolled back.
      throw DbError(DbErrorKind::kRetryable, firstLine(e.what()));
    } catch (const pqxx::sql_error& e) {
      const std::string state = e.sqlstate();
      if (!conn_->is_open() || state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
        broken_ = true;
        throw DbError(DbErrorKind::kUnavailable,
                      "lost connection to PostgreSQL: " + firstLine(e.what()));
      }
      if (state == "23505") {
        throw DbError(DbErrorKind::kUniqueViolation, firstLine(e.what()));
      }
      if (state == "40001" || state == "40P01" || state == "55P03") {
        throw DbError(DbErrorKind::kRetryable, firstLine(e.what()));
      }
      if (state == "53300") {
        throw DbError(DbErrorKind::kUnavailable, firstLine(e.what()));
      }
      throw DbError(DbErrorKind::kOther, firstLine(e.what()));
    } catch (const pqxx::failure& e) {
      if (!conn_->is_open()) {
        broken_ = true;
        throw DbError(DbErrorKind::kUnavailable,
                      "lost connection to PostgreSQL: " + firstLine(e.what()));
      }
      throw DbError(DbErrorKind::kOther, firstLine(e.what()));
    } catch (const pqxx::usage_error& e) {
      throw DbError(DbErrorKind::kOther, e.what());
    }
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::transaction_base> tx_;
  SqlLogger logger_;
  std::unordered_map<std::string, std::string> rewritten_;
  bool broken_ = false;
};

} // namespace

std::string numberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') {
      quoted = !quoted; // '' inside a literal toggles twice: still correct
    }
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

const Dialect& postgresDialect() {
  // COLLATE "C": strings compare and sort by bytes, as on SQLite and MySQL's utf8mb4_bin, whatever
  // the database's locale (page tokens and orderings are then the same on every engine).
  static const Dialect kDialect{
      .name = "postgres",
      .id_column = "id BIGSERIAL PRIMARY KEY",
      .blob_type = "BYTEA",
      .bool_type = "BOOLEAN",
      .bigint_type = "BIGINT",
      .varchar_type = "VARCHAR(255) COLLATE \"C\"",
      .long_text_type = "VARCHAR(1024) COLLATE \"C\"",
      .long_text_index_prefix = "",
      .table_options = "",
      .table_exists_sql = "SELECT COUNT(*) FROM information_schema.tables WHERE "
                          "table_schema = current_schema() AND table_name = ?",
      // Keyed by schema: servers sharing one schema take turns; other schemas are not held up.
      .migration_lock_sql =
          "SELECT COUNT(*) FROM (SELECT pg_advisory_lock(hashtext(current_schema()))) AS l",
      .migration_unlock_sql =
          "SELECT COUNT(*) FROM (SELECT pg_advisory_unlock(hashtext(current_schema()))) AS l",
  };
  return kDialect;
}

std::string postgresConnStringError(const std::string& connection_string) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(connection_string.c_str(), &error);
  std::string out;
  if (parsed == nullptr) {
    out = error != nullptr ? firstLine(error) : "out of memory";
  }
  PQconninfoFree(parsed);
  PQfreemem(error);
  return out;
}

ConnectionPtr openPostgres(const PostgresOptions& options) {
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(options.connection_string);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // A lost connection must stay lost (the pool replaces it); libpqxx 6 would otherwise reopen it
    // silently, without the session's state.
    conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  } catch (const std::exception& e) {
    throw DbError(DbErrorKind::kUnavailable,
                  "unable to connect to PostgreSQL: " + firstLine(e.what()));
  }
  return std::make_unique<PgConnection>(std::move(conn), options.logger);
}

} // namespace spire::datastore::sql
