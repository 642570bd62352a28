// Database: a minimal SQL connection interface with two backends, SQLite (the embedded
// default) and PostgreSQL (production, several machines), chosen by a connection URL:
//   sqlite:/path/to/aitrader.db     sqlite::memory:     postgresql://user@host:port/db
//
// Repositories write portable SQL: '?' placeholders (rewritten to $1, $2… for PostgreSQL),
// BIGINT/TEXT/DOUBLE PRECISION columns, INSERT … RETURNING. Values are bound as typed
// parameters, never spliced into SQL text.
//
// Errors: every call returns a Status; kIoError for a failed statement (the message carries
// the backend's text and the first line of the SQL), kAlreadyExists for a unique-key
// violation, kUnavailable when the server cannot be reached.
// Thread safety: one Database object is one connection — use it from one thread at a time
// (the engine gives each writer its own connection or serialises access).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.hpp"

namespace aitrader::store {

struct Null {
  bool operator==(const Null&) const = default;
};
using Value = std::variant<Null, std::int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool IsNull(std::size_t i) const { return std::holds_alternative<Null>(values_.at(i)); }
  // Conversions are lenient across backends (PostgreSQL returns text for every column):
  // Int() of "42" is 42; Text() of 42 is "42". A NULL gives 0 / "" / 0.0.
  std::int64_t Int(std::size_t i) const;
  double Double(std::size_t i) const;
  std::string Text(std::size_t i) const;
  const Value& at(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual std::string_view backend() const = 0;  // "sqlite" or "postgres"

  // One statement with bound parameters; no rows expected (rows are discarded).
  virtual Status Execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  // One statement with bound parameters; all rows.
  virtual Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params = {}) = 0;
  // Several statements separated by ';' without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  Status Begin() { return Execute("BEGIN"); }
  Status Commit() { return Execute("COMMIT"); }
  Status Rollback() { return Execute("ROLLBACK"); }

  // Convenience: the first column of the first row as an integer (e.g. INSERT … RETURNING id).
  Result<std::int64_t> QueryInt(std::string_view sql, std::span<const Value> params = {});
};

// Opens a connection by URL (see the header comment). SQLite databases are put in WAL mode
// with foreign keys on and a 5 s busy timeout.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url);

// Runs fn inside BEGIN/COMMIT; rolls back if fn returns an error (which is returned).
template <class Fn>
Status InTransaction(Database& db, Fn&& fn) {
  AITRADER_RETURN_IF_ERROR(db.Begin());
  Status s = fn();
  if (!s.ok()) {
    (void)db.Rollback();
    return s;
  }
  Status c = db.Commit();
  if (!c.ok()) (void)db.Rollback();
  return c;
}

// Rewrites '?' placeholders outside string literals to $1, $2, … (PostgreSQL).
std::string NumberPlaceholders(std::string_view sql);

}  // namespace aitrader::store
