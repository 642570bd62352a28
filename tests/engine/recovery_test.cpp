// Crash recovery, for real: `aitrader run` is killed with SIGKILL at seeded random points of a
// bar (half processed, or just committed) and restarted until it finishes. The database must
// end up exactly as after an uninterrupted run — every fill, order, position, decision and
// equity point — on SQLite and on PostgreSQL. The runtime itself checks every paper ledger
// after each rebuild and at the end (a failed check exits non-zero).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "store/database.hpp"
#include "support/postgres_server.hpp"

extern char** environ;

namespace aitrader::engine {
namespace {

// Runs the binary with `args`; returns the wait status.
int RunAitrader(const std::vector<std::string>& args, const std::string& crash_at) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("AITRADER_CRASH_AT=", 0) != 0) env_store.emplace_back(*e);
  }
  if (!crash_at.empty()) env_store.push_back("AITRADER_CRASH_AT=" + crash_at);
  std::vector<char*> envp;
  for (auto& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = {AITRADER_BINARY};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, AITRADER_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::string Dump(const std::string& url) {
  auto db = store::OpenDatabase(url);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return "";
  std::string out;
  for (const char* q : {
           "SELECT bot_id, symbol, side, quantity, price, fee, realized_pnl, at FROM trades ORDER BY bot_id, at, venue_trade_id",
           "SELECT bot_id, symbol, side, quantity, entry_price, opened_at, closed_at, exit_price, exit_reason, "
           "realized_pnl, fees, funding, exit_plan_json FROM positions ORDER BY bot_id, opened_at, symbol",
           "SELECT bot_id, cycle, decided_at, decisions_json, verdicts_json, outcome FROM llm_decisions ORDER BY bot_id, cycle",
           "SELECT bot_id, at, equity, wallet_balance FROM equity_snapshots ORDER BY bot_id, at",
           "SELECT bot_id, client_order_id, type, status, filled_quantity, avg_price FROM orders ORDER BY client_order_id",
           "SELECT name, status FROM bots ORDER BY name",
       }) {
    auto rows = (*db)->Query(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) continue;
    out += std::string(q) + "\n";
    for (const auto& r : *rows) {
      for (std::size_t i = 0; i < r.size(); ++i) out += r.Text(i) + "|";
      out += "\n";
    }
  }
  return out;
}

class RecoveryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("aitrader_recovery_" + std::to_string(::getpid()) + "_" + GetParam());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string NewDatabase(const std::string& name) {
    if (GetParam() == "sqlite") return "sqlite:" + (dir_ / (name + ".db")).string();
    std::string why;
    auto* server = aitrader::testing::PostgresServer::Shared(&why);
    EXPECT_NE(server, nullptr) << why;
    if (server == nullptr) return "";
    std::string url = server->CreateDatabase(&why);
    EXPECT_FALSE(url.empty()) << why;
    return url;
  }

  std::string WriteConfig(const std::string& name, const std::string& url) {
    std::string path = (dir_ / (name + ".json")).string();
    std::ofstream(path) << R"({"database": ")" << url << R"(", "from": "2025-10-20", "to": "2025-10-26",
      "bots": [{"name": "all-six"}, {"name": "majors", "symbols": ["BTC", "ETH"], "risk": {"max_leverage": 3}}]})";
    return path;
  }

  std::filesystem::path dir_;
};

TEST_P(RecoveryTest, KilledAtRandomPointsTheRunEndsAsIfNeverInterrupted) {
  const std::string ref_url = NewDatabase("reference");
  const std::string crash_url = NewDatabase("crashed");
  ASSERT_FALSE(ref_url.empty());
  ASSERT_FALSE(crash_url.empty());
  int status = RunAitrader({"run", "--config", WriteConfig("reference", ref_url)}, "");
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "reference run failed, status " << status;

  std::mt19937 rng(GetParam() == "sqlite" ? 20251017 : 20251103);
  const std::string config = WriteConfig("crashed", crash_url);
  int kills = 0;
  bool finished = false;
  for (int attempt = 0; attempt < 60 && !finished; ++attempt) {
    std::string site = rng() % 2 == 0 ? "bar" : "commit";
    std::string crash = site + ":" + std::to_string(1 + rng() % 400);
    status = RunAitrader({"run", "--config", config}, crash);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++kills;
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "run after " << kills << " kills failed";
      finished = true;
    }
  }
  ASSERT_TRUE(finished);
  EXPECT_GE(kills, 3) << "the crash points should interrupt the run several times";
  const std::string a = Dump(ref_url), b = Dump(crash_url);
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
  // Nothing placed twice: client order ids are unique by schema; every fill belongs to one.
  auto db = store::OpenDatabase(crash_url);
  ASSERT_TRUE(db.ok());
  auto orphan = (*db)->QueryInt("SELECT COUNT(*) FROM trades WHERE order_id IS NULL");
  ASSERT_TRUE(orphan.ok());
  EXPECT_EQ(*orphan, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecoveryTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace aitrader::engine
