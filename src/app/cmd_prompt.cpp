// `aitrader prompt`: prints the system and user prompt a fresh bot would send at a given time,
// built from a market-data folder (see agent/fresh_prompt.hpp).
#include <cstdio>
#include <memory>
#include <string>

#include "agent/fresh_prompt.hpp"
#include "app/command.hpp"
#include "core/instrument.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"

namespace aitrader::app {
namespace {

struct PromptArgs {
  std::string data;
  std::string at;
  std::string symbols = "BTC,ETH,SOL,BNB,XRP,DOGE";
  std::string interval = "5m";
  std::string capital = "10000";
  std::string version = std::string(agent::kDefaultPromptVersion);
  std::string only;
};

int Run(const PromptArgs& a) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  };
  agent::FreshPromptOptions opt;
  opt.data_dir = a.data.empty() ? DataDir() + "/binance-usdm" : a.data;
  auto at = ParseUtc(a.at);
  if (!at.ok()) return fail(at.status());
  opt.at = *at;
  auto interval = ParseInterval(a.interval);
  if (!interval.ok()) return fail(interval.status());
  opt.interval = *interval;
  auto capital = Money::Parse(a.capital);
  if (!capital.ok() || !capital->IsPositive()) return fail(InvalidArgument("--capital must be a positive amount"));
  opt.capital = *capital;
  opt.prompt_version = a.version;
  opt.coins.clear();
  for (std::string_view s : Split(a.symbols, ',')) {
    std::string coin = ToUpper(Trim(s));
    if (EndsWith(coin, "USDT")) coin.resize(coin.size() - 4);
    if (!coin.empty()) opt.coins.push_back(coin);
  }
  auto instruments = InstrumentTable::LoadDefault();
  if (!instruments.ok()) return fail(instruments.status());
  auto prompt = agent::BuildFreshPrompt(opt, *instruments);
  if (!prompt.ok()) return fail(prompt.status());
  if (a.only == "system") {
    std::fputs(prompt->system.c_str(), stdout);
  } else if (a.only == "user") {
    std::fputs(prompt->user.c_str(), stdout);
  } else {
    std::printf("=== SYSTEM PROMPT (version %s) ===\n%s\n=== USER PROMPT ===\n%s", prompt->version.c_str(),
                prompt->system.c_str(), prompt->user.c_str());
  }
  return 0;
}

void Setup(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("prompt", "Print the system and user prompt a fresh bot would send at a given time");
  auto args = std::make_shared<PromptArgs>();
  cmd->add_option("--data", args->data,
                  "Market data folder laid out like data/binance-usdm/ (<interval>/<SYMBOL>.csv[.gz], 4h/...); "
                  "default: the bundled data");
  cmd->add_option("--at", args->at, "Decision time, UTC (\"2025-10-20 12:00\")")->required();
  cmd->add_option("--symbols", args->symbols, "Coins, comma-separated")->capture_default_str();
  cmd->add_option("--interval", args->interval, "Intraday interval")->capture_default_str();
  cmd->add_option("--capital", args->capital, "Starting capital in USDT")->capture_default_str();
  cmd->add_option("--prompt-version", args->version, "System prompt version (data/prompts/<version>.txt)")
      ->capture_default_str();
  cmd->add_option("--only", args->only, "Print only the system or the user prompt")
      ->check(CLI::IsMember({"system", "user"}));
  cmd->callback([args, &exit_code] { exit_code = Run(*args); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(prompt, Setup);
}  // namespace aitrader::app
