#include "core/margin_brackets.hpp"

#include <algorithm>
#include <charconv>

#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader {
namespace {

constexpr __int128 kE9 = 1'000'000'000;
constexpr __int128 kE18 = kE9 * kE9;

}  // namespace

Result<MarginBracketTable> MarginBracketTable::LoadDefault() { return LoadCsv(DataDir() + "/leverage_brackets.csv"); }

Result<MarginBracketTable> MarginBracketTable::LoadCsv(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseCsv(*text, path);
}

Result<MarginBracketTable> MarginBracketTable::ParseCsv(std::string_view text, std::string_view source_name) {
  static constexpr std::string_view kHeader =
      "symbol,tier,notional_floor,notional_cap,maint_margin_rate,maint_amount,max_leverage";
  MarginBracketTable out;
  bool header_seen = false;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto where = [&](std::string_view field) {
      return std::string(source_name) + ":" + std::to_string(line_no) + ": " + std::string(field);
    };
    if (!header_seen) {
      if (line != kHeader) return ParseError(where("header") + " must be '" + std::string(kHeader) + "'");
      header_seen = true;
      continue;
    }
    auto f = Split(line, ',');
    if (f.size() != 7) return ParseError(where("row") + " has " + std::to_string(f.size()) + " fields, expected 7");
    auto integer = [](std::string_view s, int& v) {
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    };
    const std::string symbol = ToUpper(f[0]);
    int tier = 0, lev = 0;
    MarginBracket b;
    auto floor = Money::Parse(f[2]);
    auto cap = Money::Parse(f[3]);
    auto rate = Ratio::Parse(f[4]);
    auto amount = Money::Parse(f[5]);
    if (symbol.empty()) return ParseError(where("symbol") + " is empty");
    if (!integer(f[1], tier) || tier < 1) return ParseError(where("tier") + " must be an integer >= 1");
    if (!floor.ok() || floor->IsNegative()) return ParseError(where("notional_floor") + " must be a decimal >= 0");
    if (!cap.ok() || *cap <= *floor) return ParseError(where("notional_cap") + " must be a decimal above notional_floor");
    if (!rate.ok() || rate->IsNegative() || *rate >= Ratio::FromUnits(1)) {
      return ParseError(where("maint_margin_rate") + " must be in [0, 1)");
    }
    if (!amount.ok() || amount->IsNegative()) return ParseError(where("maint_amount") + " must be a decimal >= 0");
    if (!integer(f[6], lev) || lev < 1) return ParseError(where("max_leverage") + " must be an integer >= 1");
    b.notional_floor = *floor;
    b.notional_cap = *cap;
    b.maint_margin_rate = *rate;
    b.maint_amount = *amount;
    b.max_leverage = lev;
    auto it = std::find_if(out.symbols_.begin(), out.symbols_.end(), [&](const auto& p) { return p.first == symbol; });
    if (it == out.symbols_.end()) {
      if (tier != 1 || !b.notional_floor.IsZero() || !b.maint_amount.IsZero()) {
        return ParseError(where("tier") + ": " + symbol + " must start with tier 1 at notional 0 and amount 0");
      }
      out.symbols_.emplace_back(symbol, std::vector<MarginBracket>{b});
      continue;
    }
    std::vector<MarginBracket>& tiers = it->second;
    const MarginBracket& prev = tiers.back();
    if (tier != static_cast<int>(tiers.size()) + 1) {
      return ParseError(where("tier") + ": " + symbol + " tiers must follow 1, 2, 3…");
    }
    if (b.notional_floor != prev.notional_cap) return ParseError(where("notional_floor") + " must equal the previous cap");
    if (b.maint_margin_rate < prev.maint_margin_rate) return ParseError(where("maint_margin_rate") + " must not decrease");
    // Continuity at the floor: floor × rate − amount = floor × prev.rate − prev.amount.
    const __int128 lhs = static_cast<__int128>(b.notional_floor.raw()) * b.maint_margin_rate.raw() -
                         static_cast<__int128>(b.maint_amount.raw()) * kE9;
    const __int128 rhs = static_cast<__int128>(b.notional_floor.raw()) * prev.maint_margin_rate.raw() -
                         static_cast<__int128>(prev.maint_amount.raw()) * kE9;
    if (lhs != rhs) {
      return ParseError(where("maint_amount") + " makes the maintenance margin jump at notional " +
                        b.notional_floor.ToString());
    }
    tiers.push_back(b);
  }
  if (!header_seen) return ParseError(std::string(source_name) + ": no header");
  return out;
}

std::span<const MarginBracket> MarginBracketTable::Find(std::string_view symbol) const {
  for (const auto& [s, tiers] : symbols_) {
    if (EqualsIgnoreCase(s, symbol)) return tiers;
  }
  return {};
}

std::vector<MarginBracket> MarginBracketTable::TiersOr(const Instrument& ins) const {
  auto t = Find(ins.symbol);
  if (!t.empty()) return {t.begin(), t.end()};
  MarginBracket b;
  b.notional_cap = Money::FromRaw(INT64_MAX);
  b.maint_margin_rate = ins.maint_margin_rate;
  b.maint_amount = ins.maint_amount;
  b.max_leverage = std::max(1, ins.max_leverage);
  return {b};
}

const MarginBracket& BracketFor(std::span<const MarginBracket> tiers, Money notional) {
  AITRADER_CHECK(!tiers.empty(), "a symbol has at least one maintenance tier");
  std::size_t k = 0;
  while (k + 1 < tiers.size() && notional >= tiers[k + 1].notional_floor) ++k;
  return tiers[k];
}

Money MaintenanceMargin(std::span<const MarginBracket> tiers, Money notional) {
  const MarginBracket& b = BracketFor(tiers, notional);
  return ApplyRatio(notional, b.maint_margin_rate) - b.maint_amount;
}

Result<Price> LiquidationPrice(std::span<const MarginBracket> tiers, Side side, Quantity size, Price entry,
                               Money margin) {
  if (tiers.empty()) return InvalidArgument("liquidation price: no maintenance tiers");
  if (!size.IsPositive() || !entry.IsPositive()) return InvalidArgument("liquidation price: size and entry must be > 0");
  const __int128 q = size.raw();
  const __int128 e = entry.raw();
  // Notional (1e-18 USDT) at most 1e29, i.e. 1e11 USDT: every product below fits in 128 bits.
  if (q > static_cast<__int128>(100'000'000'000) * kE18 / e) return OutOfRange("liquidation price: notional too large");
  const int sd = side == Side::kBuy ? 1 : -1;
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    const MarginBracket& b = tiers[k];
    const __int128 n27 = (static_cast<__int128>(margin.raw()) + b.maint_amount.raw()) * kE18 - sd * q * e * kE9;
    const __int128 d18 = q * (b.maint_margin_rate.raw() - sd * kE9);
    const __int128 lp = fixed_detail::DivRound(n27, d18, sd > 0 ? Rounding::kCeil : Rounding::kFloor);
    if (k == 0 && lp <= 0) return Price::FromRaw(sd > 0 ? 0 : 1);
    if (lp > INT64_MAX) return OutOfRange("liquidation price out of range");
    // The root of this tier's line is the liquidation price if the notional there is in the
    // tier (within one price unit: the rounding). The maintenance margin is continuous and the
    // margin ratio monotone in the price, so exactly one tier's root qualifies.
    const __int128 n18 = q * lp;
    const __int128 lo = static_cast<__int128>(b.notional_floor.raw()) * kE9 - q;
    const __int128 hi = static_cast<__int128>(b.notional_cap.raw()) * kE9 + q;
    if ((n18 >= lo && n18 <= hi) || k + 1 == tiers.size()) return Price::FromRaw(static_cast<std::int64_t>(lp));
  }
  return Price::FromRaw(0);  // not reached: the last tier returns
}

}  // namespace aitrader
