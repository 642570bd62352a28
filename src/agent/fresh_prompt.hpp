// The prompt a fresh bot would send at time t, built from a market-data folder: what
// `aitrader prompt` prints and what the golden-file test pins down.
//
// A fresh bot: started at t, first invocation, cash = account value = capital, no positions,
// Sharpe not available. Candles come from DIR/<interval>/<SYMBOL>.csv[.gz] and
// DIR/4h/<SYMBOL>.csv[.gz] (market::DataDir), funding from DIR/funding/ when present; each
// coin's snapshot is BuildSnapshot() at t (only candles closed by t).
//
// Thread safety: a pure function over files (reads the file system).
#pragma once

#include <string>
#include <vector>

#include "agent/prompt.hpp"
#include "core/instrument.hpp"

namespace aitrader::agent {

struct FreshPromptOptions {
  std::string data_dir;                // laid out like data/binance-usdm/
  UnixMs at = 0;                       // decision time
  std::vector<std::string> coins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  UnixMs interval = 5 * kMinuteMs;     // intraday interval
  Money capital = Money::FromUnits(10000);
  std::string prompt_version = std::string(kDefaultPromptVersion);
  std::string prompt_dir;              // empty = DataDir()/prompts
  PromptConfig config;                 // fees and leverage cap (coins and interval are set from above)
};

// Errors: NotFound (a coin's candle file, no candle closed by t, or the newest closed candle older
// than two intervals before t: the data ended), the loaders' parse
// errors, InvalidArgument (unknown coin in the instrument table, bad template).
Result<BuiltPrompt> BuildFreshPrompt(const FreshPromptOptions& options, const InstrumentTable& instruments);

}  // namespace aitrader::agent
