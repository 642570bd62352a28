// Versioned schema migrations, applied at start in order, each in its own transaction, and
// recorded in schema_migrations(version, name, applied_at). The same migration text serves
// SQLite and PostgreSQL: the auto-increment key is written {{id}} and expanded per backend,
// and what only one backend can do (SQLite rebuilds a table where PostgreSQL drops a
// constraint) is written between {{postgres}} or {{sqlite}} and {{end}}.
//
// Conventions of the schema (docs/database.md): times are BIGINT UTC milliseconds; money,
// prices and quantities are BIGINT counts of 1e-9 units (core/fixed.hpp raw values), exact
// and summable; flags are SMALLINT 0/1; JSON documents are TEXT.
// Thread safety: run on one connection before other users of the database start.
#pragma once

#include <string>
#include <vector>

#include "store/database.hpp"

namespace aitrader::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The project's migrations, oldest first.
const std::vector<Migration>& AllMigrations();

// Applies every migration newer than the database's version. Returns the version reached.
// Fails (touching nothing more) if the database is newer than this program knows.
Result<int> Migrate(Database& db, const std::vector<Migration>& migrations = AllMigrations());

// PostgreSQL with the TimescaleDB extension available: makes market_data_snapshots a
// hypertable on open_time (7-day chunks; idempotent). Returns whether it is one. SQLite, or a
// server without the extension: false, nothing changed. Migrate() calls it.
Result<bool> UseTimescaleIfAvailable(Database& db);

// The migration text for a backend ("sqlite" or "postgres"): {{id}} expanded, the other
// backend's {{postgres}}/{{sqlite}} … {{end}} blocks removed. A malformed tag aborts (the
// texts are the program's own).
std::string ExpandDialect(std::string_view sql, std::string_view backend);

}  // namespace aitrader::store
