// Maintenance-margin brackets (Binance GET /fapi/v1/leverageBracket): per symbol, notional
// tiers, each with a maintenance margin rate and a maintenance amount ("cum"), so that
//   maintenance margin = notional × rate − amount   of the tier with floor <= notional < cap.
// The amounts make that function continuous across tiers (checked on load). Loaded from
// data/leverage_brackets.csv; the paper exchange liquidates with them and the risk engine checks
// a stop against the liquidation price they give.
// Thread safety: a MarginBracketTable is immutable after loading; share it freely.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/instrument.hpp"
#include "core/status.hpp"

namespace aitrader {

struct MarginBracket {
  Money notional_floor;     // inclusive
  Money notional_cap;       // exclusive (the last tier: its cap, used as "beyond" too)
  Ratio maint_margin_rate;
  Money maint_amount;       // "cum"
  int max_leverage = 1;
};

class MarginBracketTable {
 public:
  MarginBracketTable() = default;

  // CSV with header symbol,tier,notional_floor,notional_cap,maint_margin_rate,maint_amount,
  // max_leverage ('#' lines are comments); a symbol's rows in tier order 1, 2, 3… Refused (with
  // file, line and field): gaps between tiers, decreasing rates, amounts that make the
  // maintenance margin discontinuous, rates outside [0, 1).
  static Result<MarginBracketTable> ParseCsv(std::string_view text, std::string_view source_name);
  static Result<MarginBracketTable> LoadCsv(const std::string& path);
  // DataDir()/leverage_brackets.csv.
  static Result<MarginBracketTable> LoadDefault();

  // The symbol's tiers ("BTCUSDT", case-insensitive); empty when unknown.
  std::span<const MarginBracket> Find(std::string_view symbol) const;
  // The symbol's tiers, or one unbounded tier from the instrument's first-tier fields.
  std::vector<MarginBracket> TiersOr(const Instrument& instrument) const;

 private:
  std::vector<std::pair<std::string, std::vector<MarginBracket>>> symbols_;
};

// The tier a notional (>= 0) falls in; beyond the last cap, the last tier.
const MarginBracket& BracketFor(std::span<const MarginBracket> tiers, Money notional);
// notional × rate − amount of that tier (>= 0).
Money MaintenanceMargin(std::span<const MarginBracket> tiers, Money notional);

// The liquidation price of a position of `size` (> 0) entered at `entry` (> 0) holding
// `margin` (its wallet: isolated margin, or the cross wallet net of the other positions),
// by Binance's formula with the rate and amount of the tier the notional at that price falls
// in: LP = (margin + amount − side·size·entry) / (size·rate − side·size). Rounded toward the
// position (a long's up, a short's down) to the price unit. Returns 0 for a long that cannot be
// liquidated; a short with nothing left is liquidated at any price (the smallest price unit).
// kOutOfRange when a value is too large for the fixed-point types.
Result<Price> LiquidationPrice(std::span<const MarginBracket> tiers, Side side, Quantity size, Price entry,
                               Money margin);

}  // namespace aitrader
