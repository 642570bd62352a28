// The prompt a bot sends each cycle: a versioned system prompt (a template in
// data/prompts/<version>.txt) and the Alpha Arena user prompt rendered from structured input
// (one MarketSnapshot per coin, the account, the open positions).
//
// User prompt layout: the Alpha Arena (nof1) Season 1 format — minutes since start, current
// time, invocation count, "ALL OF THE PRICE OR SIGNAL DATA BELOW IS ORDERED: OLDEST → NEWEST",
// a block per coin (current values, open interest and funding, intraday series, 4-hour
// context), then the account (total return, available cash, account value), the fee rates and
// hard limits nof1 found models need, the open positions as Python-dict lines with their exit
// plans, and the Sharpe ratio. Differences from nof1's text: ASCII hyphens instead of U+2011,
// the timeframe note names our interval (5-minute candles), mid price = candle close.
//
// Number formatting (deterministic, documented in docs/llm-integration.md):
//  - prices from candles and positions (fixed-point): the shortest exact decimal ("113975.5");
//  - price-like indicators (EMA, MACD, ATR): fixed, price_decimals + 2 places (BTC 3, DOGE 7);
//  - RSI and volumes: fixed, 3 places; funding rate: shortest round-trip double ("1.25e-05");
//  - dollars: 2 places; total return: 2 places; Sharpe: 3 places;
//  - an undefined value (NaN: too little history) prints "n/a"; a missing field "not available".
// Rounding of fixed places: the double scaled by 10^places, rounded half away from zero.
//
// Rendering appends to a caller-owned std::string (reserve once, reuse): no iostreams, no
// per-number allocation. The six-coin prompt renders in a few microseconds (bench/agent_bench).
//
// Thread safety: SystemPromptTemplate and PromptBuilder are immutable after creation; Build()
// and RenderUser() may run concurrently on distinct output strings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/snapshot.hpp"
#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::agent {

// The system prompt version every new bot gets.
inline constexpr std::string_view kDefaultPromptVersion = "aa-v1";

// A system prompt template: text with {{placeholders}}. Known placeholders: {{version}},
// {{coins}} ("BTC, ETH, ..."), {{coin_count}}, {{max_leverage}}, {{maker_fee_pct}},
// {{taker_fee_pct}}, {{interval}} ("5-minute"), {{example_coin}}.
struct SystemPromptTemplate {
  std::string version;  // "aa-v1": the file name without ".txt"
  std::string text;

  // dir/<version>.txt. Errors: NotFound, IoError; InvalidArgument for a version id that is not
  // [a-z0-9._-]+ or a template with an unknown or unclosed placeholder.
  static Result<SystemPromptTemplate> Load(const std::string& dir, std::string_view version);
  // DataDir()/prompts/<version>.txt.
  static Result<SystemPromptTemplate> LoadDefault(std::string_view version = kDefaultPromptVersion);
  static Result<SystemPromptTemplate> FromText(std::string version, std::string text);
};

struct PromptConfig {
  std::vector<std::string> coins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  int max_leverage = 10;  // clamped to 1..kMaxLeverageCap (10)
  Ratio maker_fee = Ratio::FromRaw(200'000);  // 0.02 %
  Ratio taker_fee = Ratio::FromRaw(500'000);  // 0.05 %
  UnixMs interval = 5 * kMinuteMs;            // intraday interval the snapshots use
};

struct AccountState {
  Money initial_value = Money::FromUnits(10000);
  Money available_cash = Money::FromUnits(10000);
  Money account_value = Money::FromUnits(10000);  // equity: cash + margin + unrealized PnL
  std::optional<double> sharpe;                   // nullopt = not available (too few returns)
};

// An open position as the prompt shows it (nof1's position record).
struct PositionInfo {
  std::string coin;
  Quantity quantity;  // signed: negative = short
  Price entry_price;
  Price current_price;
  std::optional<Price> liquidation_price;
  Money unrealized_pnl;
  int leverage = 1;
  std::optional<Price> profit_target;
  std::optional<Price> stop_loss;
  std::string invalidation_condition;
  double confidence = 0;
  Money risk_usd;
  std::int64_t sl_oid = -1, tp_oid = -1, entry_oid = -1;
  bool wait_for_fill = false;
  Money notional_usd;
};

struct PromptState {
  UnixMs started_at = 0;           // when the bot started trading
  UnixMs now = 0;                  // decision time
  std::int64_t invocation_count = 0;
  std::span<const MarketSnapshot> coins;  // in the order to print
  AccountState account;
  std::span<const PositionInfo> positions;
};

struct BuiltPrompt {
  std::string version;  // system prompt version ("aa-v1"), stored with every decision
  std::string system;
  std::string user;
};

class PromptBuilder {
 public:
  // Renders the system prompt once. Errors: InvalidArgument (no coins, bad template).
  static Result<PromptBuilder> Create(PromptConfig config, const SystemPromptTemplate& system_template);

  const std::string& version() const { return version_; }
  const std::string& system_prompt() const { return system_; }
  const PromptConfig& config() const { return config_; }

  // Replaces `out` with the user prompt (keeps its capacity).
  void RenderUser(const PromptState& state, std::string& out) const;
  BuiltPrompt Build(const PromptState& state) const;

 private:
  PromptConfig config_;
  std::string version_;
  std::string system_;
  std::string limits_line_;  // fees and hard limits, rendered once
};

// Renders a template with the config's values (what PromptBuilder::Create does).
Result<std::string> RenderSystemPrompt(const SystemPromptTemplate& t, const PromptConfig& config);

// Appenders used by the renderer (exposed for tests and the baseline's prompt reader).
void AppendFixed(std::string& out, double v, int places);  // "n/a" for NaN/inf
void AppendPrice(std::string& out, Price p);               // shortest exact decimal
// "2025-10-28 00:41:07"
void AppendUtcSeconds(std::string& out, UnixMs t);
// A Python repr of a str: single quotes unless the text has ' and no ".
void AppendPythonString(std::string& out, std::string_view s);
// One position as nof1's Python-dict line (no newline).
void AppendPositionLine(std::string& out, const PositionInfo& p);

}  // namespace aitrader::agent
