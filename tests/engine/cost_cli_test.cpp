// Runs the built `aitrader backtest` on a paid model and checks that it never starts unasked:
// with a period it prints the estimate and stops (exit 3) without --yes; without a period (the
// data's whole span, which the estimate does not count) it stops too, saying why. No model is
// called in either case (no key is set: a started run would fail on the missing key instead).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace aitrader::engine {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string err;
};

class CostCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("aitrader_cost_cli_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CliRun Backtest(const std::string& args) {
    const std::string err = (dir_ / "stderr.txt").string();
    // No vendor key in the environment: a run that started would stop on it, not on the cost.
    const std::string cmd = std::string("env -u ANTHROPIC_API_KEY '") + AITRADER_BIN + "' backtest " + args +
                            " > /dev/null 2> '" + err + "'";
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
  }

  std::filesystem::path dir_;
};

TEST_F(CostCli, APaidModelOverAPeriodShowsTheEstimateAndStopsWithoutYes) {
  auto r = Backtest("--model anthropic:claude-sonnet-4-5 --from 2025-10-01 --to 2025-10-02");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("Estimated LLM cost of this run: $"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Re-run with --yes"), std::string::npos) << r.err;
}

TEST_F(CostCli, APaidModelWithoutAPeriodStopsWithoutYesSayingWhy) {
  auto r = Backtest("--model anthropic:claude-sonnet-4-5");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("whole span (no --from/--to)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Estimated LLM cost"), std::string::npos) << "nothing was counted: " << r.err;
}

}  // namespace
}  // namespace aitrader::engine
