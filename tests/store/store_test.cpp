// The storage suite: every test runs against SQLite and against a real PostgreSQL 15 server
// started by the fixture on a loopback port (tests/support/postgres_server.hpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repository.hpp"
#include "support/postgres_server.hpp"

namespace aitrader::store {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A new empty database of the test's backend (removed at TearDown); empty on failure.
  std::string NewDatabaseUrl() {
    if (GetParam() == "sqlite") {
      static int n = 0;
      paths_.push_back((std::filesystem::temp_directory_path() /
                        ("aitrader_store_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + ".db"))
                           .string());
      return "sqlite:" + paths_.back();
    }
    std::string why;
    auto* server = aitrader::testing::PostgresServer::Shared(&why);
    EXPECT_NE(server, nullptr) << why;
    if (server == nullptr) return "";
    std::string url = server->CreateDatabase(&why);
    EXPECT_FALSE(url.empty()) << why;
    return url;
  }
  void SetUp() override {
    const std::string url = NewDatabaseUrl();
    ASSERT_FALSE(url.empty());
    auto db = OpenDatabase(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto v = Migrate(*db_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, AllMigrations().back().version);
    repo_ = std::make_unique<Repository>(*db_);
  }
  void TearDown() override {
    repo_.reset();
    db_.reset();
    for (const auto& path : paths_) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    }
  }

  std::int64_t MakeUserAndBot() {
    auto uid = repo_->CreateUser({0, "ana@example.com", "argon2id$hash", 1000});
    EXPECT_TRUE(uid.ok()) << uid.status().ToString();
    BotRecord b;
    b.user_id = *uid;
    b.name = "alpha";
    b.provider = "baseline";
    b.model = "baseline-v1";
    b.capital = *Money::Parse("10000");
    b.created_at = b.updated_at = 1000;
    auto bid = repo_->CreateBot(b);
    EXPECT_TRUE(bid.ok()) << bid.status().ToString();
    return *bid;
  }

  std::vector<std::string> paths_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Repository> repo_;
};

TEST_P(StoreTest, CandlesUseAHypertableOnlyWhereTimescaleExists) {
  auto used = UseTimescaleIfAvailable(*db_);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  if (GetParam() == "sqlite") {
    EXPECT_FALSE(*used);
    return;
  }
  auto available = db_->QueryInt("SELECT COUNT(*) FROM pg_available_extensions WHERE name = 'timescaledb'");
  ASSERT_TRUE(available.ok());
  EXPECT_EQ(*used, *available > 0);
}

TEST_P(StoreTest, MigrationsAreRecordedAndIdempotent) {
  auto again = Migrate(*db_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, AllMigrations().back().version);
  auto count = db_->QueryInt("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<std::int64_t>(AllMigrations().size()));
  // A database newer than the program is refused.
  std::vector<Migration> older;  // pretend this program knows no migrations
  older.push_back({0, "none", ""});
  auto refused = Migrate(*db_, older);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreTest, UsersAndBots) {
  std::int64_t bot = MakeUserAndBot();
  auto u = repo_->FindUserByEmail("ana@example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->password_hash, "argon2id$hash");
  auto dup = repo_->CreateUser({0, "ana@example.com", "x", 1});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(repo_->FindUserByEmail("bob@example.com").status().code(), StatusCode::kNotFound);

  auto b = repo_->GetBot(bot);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->capital.ToString(), "10000");
  EXPECT_EQ(b->status, "created");
  ASSERT_TRUE(repo_->UpdateBotStatus(bot, "running", 2000).ok());
  EXPECT_EQ(repo_->GetBot(bot)->status, "running");
  EXPECT_EQ(repo_->UpdateBotStatus(999, "running", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->ListBots(u->id)->size(), 1u);
  ASSERT_TRUE(repo_->UpdateBotStatus(bot, "deleted", 3000).ok());
  EXPECT_TRUE(repo_->ListBots()->empty());
}

TEST_P(StoreTest, OrdersKeepStatusHistoryAndClientIdsAreUnique) {
  std::int64_t bot = MakeUserAndBot();
  OrderRecord o;
  o.bot_id = bot;
  o.client_order_id = "b1-c7-BTC-entry";
  o.symbol = "BTCUSDT";
  o.side = "BUY";
  o.type = "MARKET";
  o.quantity = *Quantity::Parse("0.015");
  o.status = "NEW";
  o.created_at = o.updated_at = 5000;
  auto id = repo_->UpsertOrder(o, "submitted");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  o.status = "FILLED";
  o.venue_order_id = "42";
  o.filled_quantity = o.quantity;
  o.avg_price = *Price::Parse("110001.5");
  o.updated_at = 5100;
  auto id2 = repo_->UpsertOrder(o);
  ASSERT_TRUE(id2.ok());
  EXPECT_EQ(*id, *id2);  // same client id: the same row
  auto stored = repo_->FindOrder("b1-c7-BTC-entry");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, "FILLED");
  EXPECT_EQ(stored->avg_price->ToString(), "110001.5");
  EXPECT_EQ(*stored->venue_order_id, "42");
  auto history = repo_->OrderHistory(*id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].first, "NEW");
  EXPECT_EQ((*history)[1].first, "FILLED");
  EXPECT_TRUE(repo_->ListOrders(bot, true)->empty());
  EXPECT_EQ(repo_->ListOrders(bot, false)->size(), 1u);
}

TEST_P(StoreTest, FillsAreStoredOnce) {
  std::int64_t bot = MakeUserAndBot();
  TradeRecord t;
  t.bot_id = bot;
  t.venue_trade_id = "T-1";
  t.symbol = "ETHUSDT";
  t.side = "SELL";
  t.quantity = *Quantity::Parse("1.234");
  t.price = *Price::Parse("4112.85");
  t.fee = *Money::Parse("2.537728");
  t.realized_pnl = *Money::Parse("-437.79");
  t.at = 7000;
  EXPECT_TRUE(*repo_->InsertTrade(t));
  EXPECT_FALSE(*repo_->InsertTrade(t));  // replayed after a crash: ignored
  auto trades = repo_->ListTrades(bot);
  ASSERT_EQ(trades->size(), 1u);
  EXPECT_EQ((*trades)[0].fee.ToString(), "2.537728");
  EXPECT_EQ((*trades)[0].realized_pnl.ToString(), "-437.79");
}

TEST_P(StoreTest, PositionsOpenAndClose) {
  std::int64_t bot = MakeUserAndBot();
  PositionRecord p;
  p.bot_id = bot;
  p.symbol = "SOLUSDT";
  p.side = "LONG";
  p.quantity = *Quantity::Parse("12");
  p.entry_price = *Price::Parse("187.53");
  p.leverage = 5;
  p.exit_plan_json = R"({"stop_loss":"180","profit_target":"200"})";
  p.opened_at = 100;
  auto id = repo_->OpenPosition(p);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(repo_->ListPositions(bot, true)->size(), 1u);
  ASSERT_TRUE(repo_->ClosePosition(*id, 200, *Price::Parse("180"), "stop_loss", *Money::Parse("-90.36"),
                                   *Money::Parse("1.5"), *Money::Parse("-0.2"))
                  .ok());
  EXPECT_EQ(repo_->ClosePosition(*id, 300, *Price::Parse("1"), "signal", {}, {}, {}).code(), StatusCode::kNotFound);
  EXPECT_TRUE(repo_->ListPositions(bot, true)->empty());
  auto all = repo_->ListPositions(bot, false);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(*(*all)[0].exit_reason, "stop_loss");
  EXPECT_EQ((*all)[0].realized_pnl.ToString(), "-90.36");
}

TEST_P(StoreTest, DecisionsUsageAndCost) {
  std::int64_t bot = MakeUserAndBot();
  DecisionRecord d;
  d.bot_id = bot;
  d.cycle = 1;
  d.decided_at = 10;
  d.prompt_version = "aa-v1";
  d.prompt_hash = "abc";
  d.raw_answer = "{\"BTC\":{\"signal\":\"hold\"}}";
  d.decisions_json = "[]";
  d.verdicts_json = "[]";
  d.outcome = "hold";
  d.latency_ms = 1234;
  auto id = repo_->InsertDecision(d);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(repo_->InsertDecision(d).status().code(), StatusCode::kAlreadyExists);  // one per cycle
  UsageRecord u;
  u.bot_id = bot;
  u.decision_id = *id;
  u.at = 10;
  u.provider = "anthropic";
  u.model = "claude-sonnet-4-5";
  u.input_tokens = 5000;
  u.output_tokens = 300;
  u.cost_usd = *Money::Parse("0.0195");
  ASSERT_TRUE(repo_->InsertUsage(u).ok());
  u.at = 20;
  u.cost_usd = *Money::Parse("0.0005");
  ASSERT_TRUE(repo_->InsertUsage(u).ok());
  EXPECT_EQ(repo_->CostSince(bot, 0)->ToString(), "0.02");
  EXPECT_EQ(repo_->CostSince(bot, 15)->ToString(), "0.0005");
  // The budget's day is the wall clock's: a call made (called_at) late, for an early cycle (at).
  u.at = 5;
  u.called_at = 1000;
  u.cost_usd = *Money::Parse("0.25");
  ASSERT_TRUE(repo_->InsertUsage(u).ok());
  EXPECT_EQ(repo_->CostSince(bot, 15)->ToString(), "0.2505");
  EXPECT_EQ(repo_->CostSince(bot, 1001)->ToString(), "0");
  auto decisions = repo_->ListDecisions(bot);
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ((*decisions)[0].raw_answer, d.raw_answer);
  EXPECT_FALSE((*decisions)[0].prompt.has_value());
  EXPECT_FALSE((*decisions)[0].account_value.has_value());
}

DecisionRecord Decision(std::int64_t bot, std::int64_t cycle, bool dry_run = false) {
  DecisionRecord d;
  d.bot_id = bot;
  d.cycle = cycle;
  d.decided_at = 1000 * cycle;
  d.prompt_version = "aa-v1";
  d.prompt_hash = "h";
  d.raw_answer = "{}";
  d.decisions_json = "[]";
  d.verdicts_json = "[]";
  d.outcome = "hold";
  d.account_value = *Money::Parse("10000");
  d.dry_run = dry_run;
  return d;
}

// Dry runs are stored under the cycle they preview: any number of them beside the one real
// decision of that cycle, and none of them counts as a cycle (count, Sharpe's account values,
// the latest decision).
TEST_P(StoreTest, DryRunsShareTheirCycleAndAreNotCycles) {
  std::int64_t bot = MakeUserAndBot();
  ASSERT_TRUE(repo_->InsertDecision(Decision(bot, 1)).ok());
  ASSERT_TRUE(repo_->InsertDecision(Decision(bot, 2, true)).ok());
  Repository dry(*db_);
  dry.StoreDecisionsAsDryRuns();
  auto second = dry.InsertDecision(Decision(bot, 2));  // the record says real; the repository says dry
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(dry.last_decision_id(), *second);
  EXPECT_EQ(repo_->MaxDecisionCycle(bot).value(), 1) << "dry runs are not cycles";
  ASSERT_TRUE(repo_->InsertDecision(Decision(bot, 2)).ok()) << "the real cycle 2 after its dry runs";
  EXPECT_EQ(repo_->InsertDecision(Decision(bot, 2)).status().code(), StatusCode::kAlreadyExists)
      << "still one real decision per cycle";
  EXPECT_EQ(repo_->MaxDecisionCycle(bot).value(), 2);
  auto values = repo_->CycleAccountValues(bot);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->size(), 2u) << "the Sharpe ratio's history has the real cycles only";
  auto listed = repo_->ListDecisions(bot, 10);
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& d : *listed) EXPECT_FALSE(d.dry_run);
  auto stored = db_->QueryInt("SELECT COUNT(*) FROM llm_decisions WHERE dry_run = 1 AND account_value IS NULL");
  EXPECT_EQ(stored.value(), 2) << "a dry run stores no account value";
}

// Migration 7 on a database that has history: SQLite rebuilds llm_decisions and llm_usage,
// PostgreSQL drops the constraint; either way rows, ids and foreign keys stay.
TEST_P(StoreTest, Migration7KeepsDecisionsAndUsage) {
  const std::string url = NewDatabaseUrl();
  ASSERT_FALSE(url.empty());
  auto opened = OpenDatabase(url);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  std::vector<Migration> up_to_6;
  for (const auto& m : AllMigrations()) {
    if (m.version <= 6) up_to_6.push_back(m);
  }
  ASSERT_EQ(Migrate(db, up_to_6).value(), 6);
  Repository repo(db);
  auto uid = repo.CreateUser({0, "old@example.com", "h", 1});
  ASSERT_TRUE(uid.ok());
  BotRecord b;
  b.user_id = *uid;
  b.name = "old";
  b.provider = "anthropic";
  b.model = "claude";
  b.created_at = b.updated_at = 1;
  auto bot = repo.CreateBot(b);
  ASSERT_TRUE(bot.ok());
  // A v6 row, written as a v6 program writes it (no dry_run column yet).
  Value p[] = {Value{*bot}};
  auto decision = db.QueryInt(
      "INSERT INTO llm_decisions (bot_id, cycle, decided_at, prompt_version, prompt_hash, prompt, raw_answer, "
      "decisions_json, verdicts_json, outcome, error, latency_ms, account_value) "
      "VALUES (?, 7, 7000, 'aa-v1', 'h', NULL, 'answer', '[]', '[]', 'hold', NULL, 5, 10000000000000) RETURNING id",
      p);
  ASSERT_TRUE(decision.ok()) << decision.status().ToString();
  UsageRecord u;
  u.bot_id = *bot;
  u.decision_id = *decision;
  u.at = 7000;
  u.called_at = 8000;
  u.provider = "anthropic";
  u.model = "claude";
  u.input_tokens = 100;
  u.cost_usd = *Money::Parse("0.25");
  auto usage = repo.InsertUsage(u);
  ASSERT_TRUE(usage.ok());

  ASSERT_EQ(Migrate(db).value(), AllMigrations().back().version);
  auto kept = repo.ListDecisions(*bot, 10);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->front().id, *decision);
  EXPECT_EQ(kept->front().raw_answer, "answer");
  EXPECT_EQ(kept->front().account_value->ToString(), "10000");
  EXPECT_FALSE(kept->front().dry_run);
  EXPECT_EQ(repo.CostSince(*bot, 7999)->ToString(), "0.25");
  Value q[] = {Value{*usage}};
  EXPECT_EQ(db.QueryInt("SELECT decision_id FROM llm_usage WHERE id = ?", q).value(), *decision);
  EXPECT_EQ(repo.InsertDecision(Decision(*bot, 7)).status().code(), StatusCode::kAlreadyExists);
  auto dry = repo.InsertDecision(Decision(*bot, 8, true));
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_GT(*dry, *decision) << "ids continue after the rebuild";
  u.decision_id = 999999;  // the foreign key still holds
  EXPECT_FALSE(repo.InsertUsage(u).ok());
  u.decision_id = *dry;
  auto next = repo.InsertUsage(u);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, *usage);
}

TEST_P(StoreTest, EquityCandlesAndAlerts) {
  std::int64_t bot = MakeUserAndBot();
  ASSERT_TRUE(repo_->InsertEquity({bot, 100, *Money::Parse("10000"), *Money::Parse("10000"), {}}).ok());
  ASSERT_TRUE(repo_->InsertEquity({bot, 200, *Money::Parse("10012.5"), *Money::Parse("10000"), *Money::Parse("12.5")}).ok());
  auto eq = repo_->ListEquity(bot, 0, 1000);
  ASSERT_EQ(eq->size(), 2u);
  EXPECT_EQ((*eq)[1].equity.ToString(), "10012.5");

  std::vector<StoredCandle> candles = {
      {"BTCUSDT", 300000, 0, *Price::Parse("1"), *Price::Parse("2"), *Price::Parse("0.5"), *Price::Parse("1.5"), 10.25},
      {"BTCUSDT", 300000, 300000, *Price::Parse("1.5"), *Price::Parse("3"), *Price::Parse("1"), *Price::Parse("2"), 3}};
  ASSERT_TRUE(repo_->InsertCandles(candles).ok());
  ASSERT_TRUE(repo_->InsertCandles(candles).ok());  // duplicates ignored
  auto loaded = repo_->LoadCandles("BTCUSDT", 300000, 0, 600000);
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].close.ToString(), "1.5");
  EXPECT_EQ((*loaded)[0].volume, 10.25);

  auto user = repo_->FindUserByEmail("ana@example.com");
  AlertRecord a;
  a.user_id = user->id;
  a.bot_id = bot;
  a.at = 50;
  a.severity = "critical";
  a.kind = "emergency_stop";
  a.message = "all positions closed";
  auto aid = repo_->InsertAlert(a);
  ASSERT_TRUE(aid.ok());
  ASSERT_TRUE(repo_->AcknowledgeAlert(*aid).ok());
  auto alerts = repo_->ListAlerts(user->id);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_TRUE((*alerts)[0].acknowledged);
}

TEST_P(StoreTest, FailedTransactionLeavesNothingBehind) {
  std::int64_t bot = MakeUserAndBot();
  Status s = InTransaction(*db_, [&]() -> Status {
    AITRADER_RETURN_IF_ERROR(repo_->InsertEquity({bot, 100, *Money::Parse("1"), *Money::Parse("1"), {}}));
    OrderRecord orphan;
    orphan.bot_id = 999999;  // no such bot: a foreign key violation
    orphan.client_order_id = "x";
    orphan.symbol = "BTCUSDT";
    orphan.side = "BUY";
    orphan.type = "MARKET";
    orphan.status = "NEW";
    return repo_->UpsertOrder(orphan).status();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(repo_->ListEquity(bot, 0, 1000)->empty());
  Status ok = InTransaction(*db_, [&]() -> Status {
    return repo_->InsertEquity({bot, 100, *Money::Parse("1"), *Money::Parse("1"), {}});
  });
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(repo_->ListEquity(bot, 0, 1000)->size(), 1u);
}

TEST_P(StoreTest, BadSqlNamesTheStatement) {
  Status s = db_->Execute("SELEC nonsense");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("SELEC nonsense"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(StoreUrl, RejectsUnknownSchemes) {
  auto r = OpenDatabase("mysql://x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(OpenDatabase("sqlite:").ok());
  auto unreachable = OpenDatabase("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), StatusCode::kUnavailable);
}

TEST(StoreSql, NumbersPlaceholdersOutsideStrings) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? , '?' , ?"), "SELECT $1 , '?' , $2");
}

TEST(StoreSql, DialectBlocksKeepOnlyTheirBackend) {
  const std::string sql = "A {{id}};\n{{postgres}}P;\n{{end}}{{sqlite}}S {{id}};\n{{end}}Z;";
  EXPECT_EQ(ExpandDialect(sql, "sqlite"), "A INTEGER PRIMARY KEY AUTOINCREMENT;\nS INTEGER PRIMARY KEY AUTOINCREMENT;\nZ;");
  EXPECT_EQ(ExpandDialect(sql, "postgres"), "A BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY;\nP;\nZ;");
}

TEST_P(StoreTest, AnEventRecordedBeforeTheSubmissionKeepsTheTriggerPrice) {
  // A close-position stop: the venue's "new" event is recorded before the cycle writes the
  // submission (which carries the trigger); the trigger must not be lost, and a triggered
  // stop is still open.
  std::int64_t bot = MakeUserAndBot();
  OrderRecord o;
  o.bot_id = bot;
  o.client_order_id = "at1-1-BTC-sl";
  o.symbol = "BTCUSDT";
  o.side = "SELL";
  o.type = "STOP_MARKET";
  o.reduce_only = true;
  o.status = "NEW";
  o.created_at = o.updated_at = 10;
  ASSERT_TRUE(repo_->UpsertOrder(o).ok());
  o.stop_price = *Price::Parse("97000.5");
  ASSERT_TRUE(repo_->UpsertOrder(o).ok());
  auto stored = repo_->FindOrder("at1-1-BTC-sl");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->stop_price.has_value());
  EXPECT_EQ(stored->stop_price->ToString(), "97000.5");
  o.stop_price.reset();  // a later event without the trigger keeps it too
  o.status = "TRIGGERED";
  o.updated_at = 20;
  ASSERT_TRUE(repo_->UpsertOrder(o).ok());
  stored = repo_->FindOrder("at1-1-BTC-sl");
  ASSERT_TRUE(stored->stop_price.has_value());
  auto open = repo_->ListOrders(bot, true);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u) << "a triggered stop is still open";
}

TEST_P(StoreTest, PaperCheckpointsKeepTheNewestAndRefuseGarbage) {
  PaperCheckpoint c;
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));  // every byte value
  for (UnixMs t : {100, 200, 300}) {
    c.bar_time = t;
    c.journal_seq = t / 10;
    c.accounts = 3;
    c.data = binary + std::to_string(t);
    c.created_at = t;
    ASSERT_TRUE(repo_->SavePaperCheckpoint(c, /*keep=*/2).ok());
  }
  EXPECT_EQ(*db_->QueryInt("SELECT COUNT(*) FROM paper_checkpoints"), 2);
  auto latest = repo_->LatestPaperCheckpoint(1000);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->bar_time, 300);
  EXPECT_EQ((*latest)->journal_seq, 30);
  EXPECT_EQ((*latest)->data, binary + "300") << "binary bytes round-trip";
  auto before = repo_->LatestPaperCheckpoint(250);
  ASSERT_TRUE(before.ok() && before->has_value());
  EXPECT_EQ((*before)->bar_time, 200);
  auto none = repo_->LatestPaperCheckpoint(150);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "the one at 100 was dropped";
  ASSERT_TRUE(db_->Execute("UPDATE paper_checkpoints SET data = '%%%' WHERE bar_time = 300").ok());
  auto bad = repo_->LatestPaperCheckpoint(1000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kParseError);
  EXPECT_NE(bad.status().message().find("300"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::store

namespace aitrader::store {
namespace {

TEST_P(StoreTest, JournalRunStateAndCommands) {
  std::int64_t bot = MakeUserAndBot();
  ASSERT_TRUE(repo_->SavePaperAccount({bot, 0, *Money::Parse("10000"), 3, 1}, 1).ok());
  EXPECT_EQ(repo_->SavePaperAccount({bot, 1, *Money::Parse("1"), {}, {}}, 1).code(), StatusCode::kAlreadyExists);
  auto accounts = repo_->ListPaperAccounts();
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].deposit.ToString(), "10000");
  EXPECT_EQ((*accounts)[0].max_leverage, 3);
  EXPECT_EQ((*accounts)[0].default_leverage, 1);
  ASSERT_TRUE(repo_->AppendJournal({1, bot, 300000, "create_order", R"({"client_id":"x"})"}).ok());
  ASSERT_TRUE(repo_->AppendJournal({2, bot, 600000, "cancel_all", R"({"symbol":""})"}).ok());
  EXPECT_EQ(repo_->AppendJournal({2, bot, 600000, "cancel_all", "{}"}).code(), StatusCode::kAlreadyExists);
  auto journal = repo_->LoadJournal();
  ASSERT_EQ(journal->size(), 2u);
  EXPECT_EQ((*journal)[1].kind, "cancel_all");
  EXPECT_FALSE(repo_->GetRunState("last_bar")->has_value());
  ASSERT_TRUE(repo_->SetRunState("last_bar", 5).ok());
  ASSERT_TRUE(repo_->SetRunState("last_bar", 7).ok());
  EXPECT_EQ(**repo_->GetRunState("last_bar"), 7);
  auto c1 = repo_->AddBotCommand(bot, "pause", "operator", 10);
  auto c2 = repo_->AddBotCommand(std::nullopt, "emergency_stop", "panic", 11);
  ASSERT_TRUE(c1.ok() && c2.ok());
  auto pending = repo_->PendingCommands();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_FALSE((*pending)[1].bot_id.has_value());
  ASSERT_TRUE(repo_->MarkCommandDone(*c1, 12).ok());
  EXPECT_EQ(repo_->PendingCommands()->size(), 1u);
  ASSERT_TRUE(repo_->MarkCommandDone(*c2, 13, "not applicable: no bot of this run matches").ok());
  auto all = repo_->ListCommands();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].result, "applied");
  EXPECT_EQ((*all)[0].done_at, 12);
  EXPECT_EQ((*all)[1].result, "not applicable: no bot of this run matches");
  EXPECT_EQ(repo_->ListCommands(1)->front().id, *c2);
  EXPECT_EQ(repo_->FindBot(repo_->GetBot(bot)->user_id, "alpha")->id, bot);
  EXPECT_EQ(*repo_->MaxDecisionCycle(bot), 0);
}

}  // namespace
}  // namespace aitrader::store

namespace aitrader::store {
namespace {

TEST_P(StoreTest, TerminalOrderStatusNeverRegresses) {
  std::int64_t bot = MakeUserAndBot();
  OrderRecord o;
  o.bot_id = bot;
  o.client_order_id = "at1-1-BTC-e";
  o.symbol = "BTCUSDT";
  o.side = "BUY";
  o.type = "MARKET";
  o.quantity = *Quantity::Parse("0.01");
  o.status = "FILLED";
  o.filled_quantity = o.quantity;
  o.created_at = o.updated_at = 10;
  ASSERT_TRUE(repo_->UpsertOrder(o).ok());
  o.status = "NEW";  // the submission view arrives after the fill event
  o.filled_quantity = Quantity();
  o.updated_at = 5;
  auto id = repo_->UpsertOrder(o);
  ASSERT_TRUE(id.ok());
  auto stored = repo_->FindOrder("at1-1-BTC-e");
  EXPECT_EQ(stored->status, "FILLED");
  EXPECT_EQ(stored->filled_quantity.ToString(), "0.01");
  EXPECT_EQ(stored->updated_at, 10);
  EXPECT_EQ(repo_->OrderHistory(*id)->size(), 1u);
}

}  // namespace
}  // namespace aitrader::store
