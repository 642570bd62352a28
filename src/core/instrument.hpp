// Instruments: the trading rules of a perpetual contract (tick and step sizes, minimum
// notional, maximum leverage, first-tier maintenance margin). Loaded from a data file
// (data/instruments.csv), never hard-coded.
// Thread safety: an InstrumentTable is immutable after loading; share it freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"

namespace aitrader {

struct Instrument {
  std::string symbol;       // "BTCUSDT"
  std::string base;         // "BTC" (the coin name the LLM sees)
  std::string quote;        // "USDT"
  Price tick_size;          // price increment
  Quantity step_size;       // quantity increment
  Quantity min_qty;         // smallest order quantity
  Money min_notional;       // smallest order notional (price × quantity)
  int max_leverage = 1;     // venue maximum for the first bracket (aitrader caps at 10 anyway)
  Ratio maint_margin_rate;  // first-tier maintenance margin rate
  Money maint_amount;       // first-tier maintenance amount ("cum")
  Ratio liquidation_fee_rate;  // clearance fee charged on liquidation

  int PriceDecimals() const;     // decimals of tick_size ("0.10" → 1)
  int QuantityDecimals() const;  // decimals of step_size
};

class InstrumentTable {
 public:
  InstrumentTable() = default;
  explicit InstrumentTable(std::vector<Instrument> instruments) : instruments_(std::move(instruments)) {}

  // CSV with header: symbol,base,quote,tick_size,step_size,min_qty,min_notional,max_leverage,
  // maint_margin_rate,maint_amount,liquidation_fee_rate ('#' lines are comments).
  // Errors name the file, the line and the field.
  static Result<InstrumentTable> LoadCsv(const std::string& path);
  static Result<InstrumentTable> ParseCsv(std::string_view text, std::string_view source_name);
  // data/instruments.csv of the repository (or $AITRADER_DATA/instruments.csv).
  static Result<InstrumentTable> LoadDefault();

  // By symbol ("BTCUSDT") or by base coin ("BTC"), case-insensitive.
  const Instrument* Find(std::string_view symbol_or_coin) const;
  const std::vector<Instrument>& all() const { return instruments_; }

 private:
  std::vector<Instrument> instruments_;
};

// The data directory: $AITRADER_DATA if set, else the repository's data/ (compiled in).
std::string DataDir();

}  // namespace aitrader
