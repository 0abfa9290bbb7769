#pragma once

// The backend seam of the `sql` DataStore: everything the store needs from a database engine, and
// nothing more, so SQLite, PostgreSQL and MySQL/MariaDB plug in behind one interface.
//
//   Connection  one session; prepares statements (cached per connection), runs transactions.
//   Statement   bound parameters in, rows out; `?` placeholders everywhere (a backend whose driver
//               wants `$1` rewrites them).
//   Dialect     the few DDL/DML differences the one schema definition and the queries need.
//   DbError     failures classified so the store can map them: unique violation -> ALREADY_EXISTS,
//               busy / serialization failure / deadlock -> retried, connection lost -> UNAVAILABLE.
//
// THREADS: a Connection and its Statements are used by one thread at a time (the pool hands a
// connection to one transaction); different connections are independent.

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spire::datastore::sql {

using Bytes = std::vector<std::uint8_t>;

enum class DbErrorKind {
  kUniqueViolation, // a UNIQUE / PRIMARY KEY constraint refused the write
  kRetryable,       // busy, locked, serialization failure, deadlock: run the transaction again
  kUnavailable,     // cannot open / lost the connection
  kInDoubt,         // the connection broke during COMMIT: the write may or may not have happened
  kOther,
};

class DbError : public std::runtime_error {
public:
  DbError(DbErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  DbErrorKind kind() const { return kind_; }

private:
  DbErrorKind kind_;
};

// A parameter value. bool binds as 0/1.
using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Bytes>;
using Params = std::vector<Value>;

class Statement {
public:
  virtual ~Statement() = default;
  // Advance to the next row; false when there are no more (the statement is then done).
  virtual bool next() = 0;
  virtual bool isNull(int column) = 0;
  virtual std::int64_t getInt(int column) = 0;
  virtual std::string getText(int column) = 0;
  virtual Bytes getBlob(int column) = 0;
};
using StatementPtr = std::unique_ptr<Statement>;

struct Dialect {
  std::string name;           // "sqlite3", "postgres", "mysql"
  std::string id_column;      // auto-increment primary key column definition
  std::string blob_type;      // large binary column type
  std::string bool_type;      // boolean column type
  std::string bigint_type;    // 64-bit integer column type
  std::string varchar_type;   // indexed string column type, e.g. "VARCHAR(255)"
  std::string long_text_type; // long string (hint, up to 1024)
  // Key prefix for an index over long_text_type ("(255)" on MySQL, whose index keys are limited
  // to 3072 bytes = 768 utf8mb4 characters); empty where the whole value is indexed.
  std::string long_text_index_prefix;
  std::string table_options; // appended to every CREATE TABLE (MySQL engine / charset / collation)
  // Counts the tables named `?` in the database the connection uses (its current schema).
  std::string table_exists_sql;
  // Taken before the migration transaction and released after it, so two servers starting at once
  // on one database never migrate concurrently. Empty when the engine needs none (SQLite's write
  // transaction already excludes other writers).
  std::string migration_lock_sql;
  std::string migration_unlock_sql;
};

class Connection {
public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;

  // A statement with `params` bound, ready for next().
  virtual StatementPtr query(std::string_view sql, const Params& params) = 0;
  // Runs a statement without result rows; returns the number of rows it changed.
  virtual std::int64_t exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs an INSERT into a table with an `id` primary key and returns the new id (last-insert-id
  // on SQLite/MySQL, RETURNING id on PostgreSQL).
  virtual std::int64_t insert(std::string_view sql, const Params& params) = 0;

  // Transactions. A write transaction takes the write lock up front where the engine allows it
  // (SQLite BEGIN IMMEDIATE), so two writers never deadlock upgrading a read lock.
  virtual void begin(bool write) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // False once the connection is unusable (it is then dropped instead of returned to the pool).
  virtual bool healthy() const = 0;

  // Statements run outside begin()/commit() run in autocommit mode (each one on its own).
};
using ConnectionPtr = std::unique_ptr<Connection>;

// Called with the text of every statement a connection prepares or runs when log_sql is on.
using SqlLogger = std::function<void(std::string_view sql)>;

} // namespace spire::datastore::sql
