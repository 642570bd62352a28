#include "store/migrations.hpp"

#include "core/clock.hpp"

namespace aitrader::store {

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema", R"SQL(
CREATE TABLE users (
  id {{id}},
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE bots (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  capital BIGINT NOT NULL,
  config_json TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (user_id, name)
);
CREATE TABLE exchange_credentials (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  venue TEXT NOT NULL,
  label TEXT NOT NULL,
  api_key_enc TEXT NOT NULL,
  api_secret_enc TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, venue, label)
);
CREATE TABLE llm_decisions (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  cycle BIGINT NOT NULL,
  decided_at BIGINT NOT NULL,
  prompt_version TEXT NOT NULL,
  prompt_hash TEXT NOT NULL,
  prompt TEXT,
  raw_answer TEXT NOT NULL,
  decisions_json TEXT NOT NULL,
  verdicts_json TEXT NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT,
  latency_ms BIGINT NOT NULL,
  UNIQUE (bot_id, cycle)
);
CREATE TABLE llm_usage (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  decision_id BIGINT REFERENCES llm_decisions(id),
  at BIGINT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cached_tokens BIGINT NOT NULL,
  cost_usd BIGINT NOT NULL
);
CREATE INDEX llm_usage_bot_at ON llm_usage (bot_id, at);
CREATE TABLE orders (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  client_order_id TEXT NOT NULL UNIQUE,
  venue_order_id TEXT,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  price BIGINT,
  stop_price BIGINT,
  reduce_only SMALLINT NOT NULL,
  status TEXT NOT NULL,
  filled_quantity BIGINT NOT NULL,
  avg_price BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX orders_bot_status ON orders (bot_id, status);
CREATE TABLE order_status_history (
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES orders(id),
  status TEXT NOT NULL,
  reason TEXT,
  at BIGINT NOT NULL
);
CREATE TABLE trades (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  order_id BIGINT REFERENCES orders(id),
  venue_trade_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  price BIGINT NOT NULL,
  fee BIGINT NOT NULL,
  realized_pnl BIGINT NOT NULL,
  is_maker SMALLINT NOT NULL,
  at BIGINT NOT NULL,
  UNIQUE (bot_id, venue_trade_id)
);
CREATE TABLE positions (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  entry_price BIGINT NOT NULL,
  leverage BIGINT NOT NULL,
  exit_plan_json TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  closed_at BIGINT,
  exit_price BIGINT,
  exit_reason TEXT,
  realized_pnl BIGINT NOT NULL,
  fees BIGINT NOT NULL,
  funding BIGINT NOT NULL
);
CREATE INDEX positions_bot_open ON positions (bot_id, closed_at);
CREATE TABLE equity_snapshots (
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  at BIGINT NOT NULL,
  equity BIGINT NOT NULL,
  wallet_balance BIGINT NOT NULL,
  unrealized_pnl BIGINT NOT NULL,
  PRIMARY KEY (bot_id, at)
);
CREATE TABLE market_data_snapshots (
  symbol TEXT NOT NULL,
  interval_ms BIGINT NOT NULL,
  open_time BIGINT NOT NULL,
  open BIGINT NOT NULL,
  high BIGINT NOT NULL,
  low BIGINT NOT NULL,
  close BIGINT NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (symbol, interval_ms, open_time)
);
CREATE TABLE alerts (
  id {{id}},
  user_id BIGINT REFERENCES users(id),
  bot_id BIGINT REFERENCES bots(id),
  at BIGINT NOT NULL,
  severity TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  acknowledged SMALLINT NOT NULL
);
CREATE INDEX alerts_user_at ON alerts (user_id, at);
)SQL"},
      {2, "paper venue journal, run state, bot commands", R"SQL(
CREATE TABLE paper_accounts (
  bot_id BIGINT PRIMARY KEY REFERENCES bots(id),
  account_index BIGINT NOT NULL UNIQUE,
  deposit BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE paper_journal (
  seq BIGINT PRIMARY KEY,
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  bar_time BIGINT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE run_state (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
CREATE TABLE bot_commands (
  id {{id}},
  bot_id BIGINT REFERENCES bots(id),
  command TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  done_at BIGINT
);
CREATE INDEX bot_commands_pending ON bot_commands (done_at);
)SQL"},
      {3, "per-user bot commands", R"SQL(
ALTER TABLE bot_commands ADD COLUMN user_id BIGINT REFERENCES users(id);
)SQL"},
      {4, "paper account leverage, wall-clock LLM usage, command results, cycle account values", R"SQL(
ALTER TABLE paper_accounts ADD COLUMN max_leverage BIGINT;
ALTER TABLE paper_accounts ADD COLUMN default_leverage BIGINT;
ALTER TABLE llm_usage ADD COLUMN called_at BIGINT;
CREATE INDEX llm_usage_bot_called ON llm_usage (bot_id, called_at);
ALTER TABLE bot_commands ADD COLUMN result TEXT;
ALTER TABLE llm_decisions ADD COLUMN account_value BIGINT;
)SQL"},
      // The API server (src/api, store/api_repository.hpp): rotating refresh tokens (stored
      // hashed, one family per login), the last 4 characters of each stored credential, and
      // the per-bot event log the WebSocket streams replay from.
      {5, "api: refresh tokens, credential hints, bot events", R"SQL(
CREATE TABLE refresh_tokens (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  family TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
ALTER TABLE exchange_credentials ADD COLUMN last4 TEXT;
CREATE TABLE bot_events (
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (bot_id, seq)
);
)SQL"},
      // Backtests started through the API (POST /api/backtests): the caller's, with the bot
      // spec and period they ran, progress in thousandths, and the report JSON once done.
      {6, "api: backtests", R"SQL(
CREATE TABLE api_backtests (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  progress_permille BIGINT NOT NULL,
  spec TEXT NOT NULL,
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  report TEXT,
  error TEXT
);
CREATE INDEX api_backtests_user ON api_backtests (user_id, id);
)SQL"},
      // The API's dry runs, prompt templates and alert acknowledgement:
      //  - llm_decisions.dry_run: a decision of POST /api/bots/{id}/dry-run (1) or of a real
      //    cycle (0). A dry run is stored under the number of the cycle it previews, so the
      //    unique key (bot, cycle) now holds for real cycles only: a partial unique index.
      //    PostgreSQL drops the table's constraint; SQLite cannot, so it rebuilds the table
      //    (and llm_usage, whose foreign key points at it) with the same rows and ids.
      //  - prompt_templates: a user's own system prompt templates (named "user:<id>").
      //  - alerts.acknowledged_at: when the owner acknowledged the alert.
      {7, "api: dry runs, prompt templates, alert acknowledgement", R"SQL(
CREATE TABLE prompt_templates (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, name)
);
ALTER TABLE alerts ADD COLUMN acknowledged_at BIGINT;
{{postgres}}
ALTER TABLE llm_decisions ADD COLUMN dry_run SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE llm_decisions DROP CONSTRAINT llm_decisions_bot_id_cycle_key;
{{end}}
{{sqlite}}
CREATE TABLE llm_usage_v6 AS SELECT * FROM llm_usage;
DROP TABLE llm_usage;
CREATE TABLE llm_decisions_v7 (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  cycle BIGINT NOT NULL,
  decided_at BIGINT NOT NULL,
  prompt_version TEXT NOT NULL,
  prompt_hash TEXT NOT NULL,
  prompt TEXT,
  raw_answer TEXT NOT NULL,
  decisions_json TEXT NOT NULL,
  verdicts_json TEXT NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT,
  latency_ms BIGINT NOT NULL,
  account_value BIGINT,
  dry_run SMALLINT NOT NULL DEFAULT 0
);
INSERT INTO llm_decisions_v7 (id, bot_id, cycle, decided_at, prompt_version, prompt_hash, prompt, raw_answer,
                              decisions_json, verdicts_json, outcome, error, latency_ms, account_value)
  SELECT id, bot_id, cycle, decided_at, prompt_version, prompt_hash, prompt, raw_answer, decisions_json,
         verdicts_json, outcome, error, latency_ms, account_value FROM llm_decisions;
DROP TABLE llm_decisions;
ALTER TABLE llm_decisions_v7 RENAME TO llm_decisions;
CREATE TABLE llm_usage (
  id {{id}},
  bot_id BIGINT NOT NULL REFERENCES bots(id),
  decision_id BIGINT REFERENCES llm_decisions(id),
  at BIGINT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cached_tokens BIGINT NOT NULL,
  cost_usd BIGINT NOT NULL,
  called_at BIGINT
);
INSERT INTO llm_usage (id, bot_id, decision_id, at, provider, model, input_tokens, output_tokens, reasoning_tokens,
                       cached_tokens, cost_usd, called_at)
  SELECT id, bot_id, decision_id, at, provider, model, input_tokens, output_tokens, reasoning_tokens, cached_tokens,
         cost_usd, called_at FROM llm_usage_v6;
DROP TABLE llm_usage_v6;
CREATE INDEX llm_usage_bot_at ON llm_usage (bot_id, at);
CREATE INDEX llm_usage_bot_called ON llm_usage (bot_id, called_at);
{{end}}
CREATE UNIQUE INDEX llm_decisions_bot_cycle ON llm_decisions (bot_id, cycle) WHERE dry_run = 0;
CREATE INDEX llm_usage_decision ON llm_usage (decision_id);
)SQL"},
      // Checkpoints of the paper venue of `aitrader serve` (exchange/paper/simulator.hpp
      // SaveCheckpoint, base64): the venue after the bar that closed at bar_time, with the
      // journal entries before journal_seq and the first `accounts` accounts in it. A restart
      // loads the newest and replays only what came after it.
      {8, "serve: paper venue checkpoints", R"SQL(
CREATE TABLE paper_checkpoints (
  bar_time BIGINT PRIMARY KEY,
  journal_seq BIGINT NOT NULL,
  accounts BIGINT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
)SQL"},
  };
  return kMigrations;
}

std::string ExpandDialect(std::string_view sql, std::string_view backend) {
  const std::string_view id = backend == "postgres" ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                                                    : "INTEGER PRIMARY KEY AUTOINCREMENT";
  std::string out;
  out.reserve(sql.size() + 256);
  std::size_t pos = 0;
  bool keep = true;  // outside a block, or inside the block of this backend
  auto append = [&](std::string_view text) {
    if (keep) out.append(text);
  };
  while (true) {
    std::size_t hit = sql.find("{{", pos);
    if (hit == std::string_view::npos) {
      append(sql.substr(pos));
      break;
    }
    append(sql.substr(pos, hit - pos));
    const std::size_t close = sql.find("}}", hit + 2);
    AITRADER_CHECK(close != std::string_view::npos, "migration text: unclosed {{");
    const std::string_view tag = sql.substr(hit + 2, close - hit - 2);
    if (tag == "id") {
      append(id);
    } else if (tag == "postgres" || tag == "sqlite") {
      keep = tag == backend;
    } else {
      AITRADER_CHECK(tag == "end", "migration text: unknown {{tag}}");
      keep = true;
    }
    pos = close + 2;
  }
  return out;
}

Result<int> Migrate(Database& db, const std::vector<Migration>& migrations) {
  AITRADER_RETURN_IF_ERROR(db.ExecuteScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"));
  auto current = db.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!current.ok()) return current.status();
  int version = static_cast<int>(*current);
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (version > known) {
    return FailedPrecondition("database schema version " + std::to_string(version) +
                              " is newer than this program's " + std::to_string(known) + "; upgrade aitrader");
  }
  SystemClock clock;
  for (const auto& m : migrations) {
    if (m.version <= version) continue;
    Status s = InTransaction(db, [&]() -> Status {
      AITRADER_RETURN_IF_ERROR(db.ExecuteScript(ExpandDialect(m.sql, db.backend())));
      Value params[] = {std::int64_t{m.version}, m.name, clock.NowMs()};
      return db.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", params);
    });
    if (!s.ok()) return s.WithContext("migration " + std::to_string(m.version) + " (" + m.name + ")");
    version = m.version;
  }
  auto hypertable = UseTimescaleIfAvailable(db);
  if (!hypertable.ok()) return hypertable.status().WithContext("TimescaleDB");
  return version;
}

Result<bool> UseTimescaleIfAvailable(Database& db) {
  if (db.backend() != "postgres") return false;
  auto available = db.QueryInt("SELECT COUNT(*) FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!available.ok()) return available.status();
  if (*available == 0) return false;
  AITRADER_RETURN_IF_ERROR(db.ExecuteScript("CREATE EXTENSION IF NOT EXISTS timescaledb"));
  // Integer time (UTC ms): the chunk interval is an integer too (7 days).
  auto rows = db.Query(
      "SELECT create_hypertable('market_data_snapshots', 'open_time', chunk_time_interval => 604800000, "
      "if_not_exists => TRUE, migrate_data => TRUE)");
  if (!rows.ok()) return rows.status();
  return true;
}

}  // namespace aitrader::store
