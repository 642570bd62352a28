#include "core/instrument.hpp"

#include <cstdlib>

#include "core/io.hpp"
#include "core/strings.hpp"

#ifndef AITRADER_DATA_DIR
#define AITRADER_DATA_DIR "data"
#endif

namespace aitrader {

namespace {
int DecimalsOf(std::int64_t raw) {
  if (raw == 0) return 0;
  int d = kFixedDecimals;
  while (d > 0 && raw % 10 == 0) {
    raw /= 10;
    --d;
  }
  return d;
}
}  // namespace

int Instrument::PriceDecimals() const { return DecimalsOf(tick_size.raw()); }
int Instrument::QuantityDecimals() const { return DecimalsOf(step_size.raw()); }

std::string DataDir() {
  if (const char* env = std::getenv("AITRADER_DATA"); env != nullptr && *env != '\0') return env;
  return AITRADER_DATA_DIR;
}

Result<InstrumentTable> InstrumentTable::LoadDefault() { return LoadCsv(DataDir() + "/instruments.csv"); }

Result<InstrumentTable> InstrumentTable::LoadCsv(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseCsv(*text, path);
}

Result<InstrumentTable> InstrumentTable::ParseCsv(std::string_view text, std::string_view source_name) {
  static constexpr std::string_view kHeader =
      "symbol,base,quote,tick_size,step_size,min_qty,min_notional,max_leverage,maint_margin_rate,"
      "maint_amount,liquidation_fee_rate";
  std::vector<Instrument> out;
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
    if (f.size() != 11) return ParseError(where("row") + " has " + std::to_string(f.size()) + " fields, expected 11");
    Instrument ins;
    ins.symbol = ToUpper(f[0]);
    ins.base = ToUpper(f[1]);
    ins.quote = ToUpper(f[2]);
    auto price = Price::Parse(f[3]);
    auto step = Quantity::Parse(f[4]);
    auto min_qty = Quantity::Parse(f[5]);
    auto min_notional = Money::Parse(f[6]);
    auto mmr = Ratio::Parse(f[8]);
    auto maint_amount = Money::Parse(f[9]);
    auto liq_fee = Ratio::Parse(f[10]);
    if (!price.ok() || !price->IsPositive()) return ParseError(where("tick_size") + " must be a positive decimal");
    if (!step.ok() || !step->IsPositive()) return ParseError(where("step_size") + " must be a positive decimal");
    if (!min_qty.ok() || min_qty->IsNegative()) return ParseError(where("min_qty") + " must be a decimal >= 0");
    if (!min_notional.ok() || min_notional->IsNegative()) return ParseError(where("min_notional") + " must be a decimal >= 0");
    if (!mmr.ok() || mmr->IsNegative() || *mmr >= Ratio::FromUnits(1)) return ParseError(where("maint_margin_rate") + " must be in [0, 1)");
    if (!maint_amount.ok()) return ParseError(where("maint_amount") + " must be a decimal");
    if (!liq_fee.ok() || liq_fee->IsNegative()) return ParseError(where("liquidation_fee_rate") + " must be a decimal >= 0");
    int lev = 0;
    for (char c : f[7]) {
      if (c < '0' || c > '9' || lev > 1000) return ParseError(where("max_leverage") + " must be an integer");
      lev = lev * 10 + (c - '0');
    }
    if (lev < 1) return ParseError(where("max_leverage") + " must be >= 1");
    ins.tick_size = *price;
    ins.step_size = *step;
    ins.min_qty = *min_qty;
    ins.min_notional = *min_notional;
    ins.max_leverage = lev;
    ins.maint_margin_rate = *mmr;
    ins.maint_amount = *maint_amount;
    ins.liquidation_fee_rate = *liq_fee;
    for (const auto& prev : out) {
      if (prev.symbol == ins.symbol) return ParseError(where("symbol") + " " + ins.symbol + " is listed twice");
    }
    out.push_back(std::move(ins));
  }
  if (!header_seen) return ParseError(std::string(source_name) + ": empty instrument file");
  return InstrumentTable(std::move(out));
}

const Instrument* InstrumentTable::Find(std::string_view symbol_or_coin) const {
  for (const auto& ins : instruments_) {
    if (EqualsIgnoreCase(ins.symbol, symbol_or_coin) || EqualsIgnoreCase(ins.base, symbol_or_coin)) return &ins;
  }
  return nullptr;
}

}  // namespace aitrader
