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

#include "agent/baseline.hpp"
#include "llm/mock/mock_server.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"
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
           "SELECT bot_id, cycle, decided_at, prompt_hash, account_value, decisions_json, verdicts_json, outcome "
           "FROM llm_decisions ORDER BY bot_id, cycle",
           "SELECT bot_id, COUNT(*), SUM(input_tokens) FROM llm_usage GROUP BY bot_id ORDER BY bot_id",
           "SELECT bot_id, user_id, command, reason, result FROM bot_commands ORDER BY id",
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

// Runs `config` until it finishes, killed at seeded random points; returns the kills.
int RunWithCrashes(const std::string& config, std::mt19937& rng, int max_bar) {
  int kills = 0;
  for (int attempt = 0; attempt < 60; ++attempt) {
    std::string site = rng() % 2 == 0 ? "bar" : "commit";
    std::string crash = site + ":" + std::to_string(1 + static_cast<int>(rng() % static_cast<unsigned>(max_bar)));
    int status = RunAitrader({"run", "--config", config}, crash);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++kills;
      continue;
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "run after " << kills << " kills failed: " << status;
    return kills;
  }
  ADD_FAILURE() << "the run never finished";
  return kills;
}

void Queue(const std::string& url, const std::string& bot, const std::string& command) {
  auto db = store::OpenDatabase(url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  store::Repository repo(**db);
  auto user = repo.FindUserByEmail("local@aitrader");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  auto b = repo.FindBot(user->id, bot);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(repo.AddBotCommand(b->id, command, "recovery test", 0).ok());
}

// LLM bots deciding on the worker pool (answers from the local vendor server through the
// OpenAI and Anthropic wire formats), with operator commands arriving between the phases of
// the run: killed at random points in every phase, the run ends as the uninterrupted one —
// prompts (hence the restored Sharpe ratio) and LLM usage included.
TEST_P(RecoveryTest, AsyncLlmBotsAndCommandsMidRunEndAsIfNeverInterrupted) {
  llm::mock::MockServer server({}, [](const llm::mock::MockRequest& r) {
    return agent::BaselineAnswerForPrompt(r.system, r.user);
  });
  ASSERT_TRUE(server.Start().ok());
  const std::string ref_url = NewDatabase("llm_reference");
  const std::string crash_url = NewDatabase("llm_crashed");
  ASSERT_FALSE(ref_url.empty());
  ASSERT_FALSE(crash_url.empty());
  auto config = [&](const std::string& name, const std::string& url, const char* to) {
    std::string path = (dir_ / (name + ".json")).string();
    std::ofstream(path) << R"({"database": ")" << url << R"(", "from": "2025-10-20", "to": ")" << to << R"(",
      "bots": [{"name": "gpt", "model": "llm", "llm": {"provider": "openai", "model": "gpt-5", "base_url": ")"
                        << server.BaseUrl() << R"(/v1", "api_key": "k", "requests_per_minute": 100000}},
               {"name": "claude", "model": "llm", "symbols": ["BTC", "ETH"], "risk": {"max_leverage": 3},
                "llm": {"provider": "anthropic", "model": "claude-sonnet-4-5", "base_url": ")"
                        << server.BaseUrl() << R"(", "api_key": "k", "requests_per_minute": 100000}},
               {"name": "base"}]})";
    return path;
  };
  struct Phase {
    const char* to;
    std::vector<std::pair<std::string, std::string>> commands_after;
  };
  const std::vector<Phase> phases = {
      {"2025-10-20T16:00", {{"gpt", "pause"}, {"claude", "emergency_stop"}}},
      {"2025-10-21T04:00", {{"gpt", "resume"}, {"claude", "resume"}, {"base", "stop"}}},
      {"2025-10-21T16:00", {}},
  };
  for (const auto& ph : phases) {
    int status = RunAitrader({"run", "--config", config("ref", ref_url, ph.to)}, "");
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "reference run failed, status " << status;
    for (const auto& [bot, cmd] : ph.commands_after) Queue(ref_url, bot, cmd);
  }
  std::mt19937 rng(GetParam() == "sqlite" ? 20251201 : 20251202);
  int kills = 0;
  for (const auto& ph : phases) {
    kills += RunWithCrashes(config("crash", crash_url, ph.to), rng, 150);
    for (const auto& [bot, cmd] : ph.commands_after) Queue(crash_url, bot, cmd);
  }
  server.Stop();
  EXPECT_GE(kills, 3);
  const std::string a = Dump(ref_url), b = Dump(crash_url);
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("emergency_stop|recovery test|applied"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecoveryTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace aitrader::engine
