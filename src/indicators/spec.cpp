#include "indicators/spec.hpp"

#include <charconv>
#include <set>

#include "core/strings.hpp"
#include "indicators/batch.hpp"
#include "indicators/lookback.hpp"

namespace aitrader::indicators {
namespace {

struct KindInfo {
  std::string_view name;
  IndicatorKind kind;
  int min_params, max_params;
  std::string_view usage;
};

constexpr KindInfo kKinds[] = {
    {"sma", IndicatorKind::kSma, 1, 1, "sma:PERIOD"},
    {"ema", IndicatorKind::kEma, 1, 1, "ema:PERIOD"},
    {"rsi", IndicatorKind::kRsi, 1, 1, "rsi:PERIOD"},
    {"macd", IndicatorKind::kMacd, 3, 3, "macd:FAST:SLOW:SIGNAL"},
    {"atr", IndicatorKind::kAtr, 1, 1, "atr:PERIOD"},
    {"trange", IndicatorKind::kTrange, 0, 0, "trange"},
    {"bbands", IndicatorKind::kBbands, 2, 2, "bbands:PERIOD:DEV"},
    {"stddev", IndicatorKind::kStdDev, 1, 2, "stddev:PERIOD[:DEV]"},
    {"obv", IndicatorKind::kObv, 0, 0, "obv"},
    {"adx", IndicatorKind::kAdx, 1, 1, "adx:PERIOD"},
    {"plus_di", IndicatorKind::kPlusDi, 1, 1, "plus_di:PERIOD"},
    {"minus_di", IndicatorKind::kMinusDi, 1, 1, "minus_di:PERIOD"},
    {"stoch", IndicatorKind::kStoch, 3, 3, "stoch:FASTK:SLOWK:SLOWD"},
    {"cci", IndicatorKind::kCci, 1, 1, "cci:PERIOD"},
};

Status EntryError(std::string_view entry, std::string_view what) {
  return InvalidArgument("indicator '" + std::string(entry) + "': " + std::string(what));
}

Result<int> ParseInt(std::string_view entry, std::string_view text) {
  int v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return EntryError(entry, "parameter '" + std::string(text) + "' is not an integer");
  }
  return v;
}

Result<double> ParseDev(std::string_view entry, std::string_view text) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return EntryError(entry, "parameter '" + std::string(text) + "' is not a number");
  }
  return v;
}

Status Validate(const IndicatorSpec& s) {
  switch (s.kind) {
    case IndicatorKind::kSma: return CheckSma(s.p1);
    case IndicatorKind::kEma: return CheckEma(s.p1);
    case IndicatorKind::kRsi: return CheckRsi(s.p1);
    case IndicatorKind::kMacd: return CheckMacd(s.p1, s.p2, s.p3);
    case IndicatorKind::kAtr: return CheckAtr(s.p1);
    case IndicatorKind::kTrange: return Status::Ok();
    case IndicatorKind::kBbands: return CheckBbands(s.p1, s.dev, s.dev);
    case IndicatorKind::kStdDev: return CheckStdDev(s.p1, s.dev);
    case IndicatorKind::kObv: return Status::Ok();
    case IndicatorKind::kAdx:
    case IndicatorKind::kPlusDi:
    case IndicatorKind::kMinusDi: return CheckDmi(s.p1);
    case IndicatorKind::kStoch: return CheckStoch(s.p1, s.p2, s.p3);
    case IndicatorKind::kCci: return CheckCci(s.p1);
  }
  return Internal("unknown indicator kind");
}

std::string Suffix(const IndicatorSpec& s, int count) {
  std::string out;
  const int p[3] = {s.p1, s.p2, s.p3};
  for (int i = 0; i < count; ++i) out += "_" + std::to_string(p[i]);
  return out;
}

}  // namespace

Result<IndicatorSpec> ParseIndicatorSpec(std::string_view raw) {
  const std::string lowered = ToLower(Trim(raw));
  const std::string_view entry = lowered;
  if (entry.empty()) return InvalidArgument("empty indicator entry in the list");
  const std::vector<std::string_view> parts = Split(entry, ':');
  const KindInfo* info = nullptr;
  for (const KindInfo& k : kKinds) {
    if (k.name == parts[0]) info = &k;
  }
  if (info == nullptr) {
    std::string known;
    for (const KindInfo& k : kKinds) known += (known.empty() ? "" : ", ") + std::string(k.name);
    return EntryError(entry, "unknown indicator (known: " + known + ")");
  }
  const int nparams = static_cast<int>(parts.size()) - 1;
  if (nparams < info->min_params || nparams > info->max_params) {
    return EntryError(entry, "wrong number of parameters, expected " + std::string(info->usage));
  }
  IndicatorSpec spec;
  spec.kind = info->kind;
  spec.text = std::string(entry);
  const bool has_dev = info->kind == IndicatorKind::kBbands || info->kind == IndicatorKind::kStdDev;
  int* slots[3] = {&spec.p1, &spec.p2, &spec.p3};
  for (int i = 0; i < nparams; ++i) {
    const std::string_view text = parts[static_cast<std::size_t>(i) + 1];
    if (has_dev && i == 1) {
      AITRADER_ASSIGN_OR_RETURN(spec.dev, ParseDev(entry, text));
    } else {
      AITRADER_ASSIGN_OR_RETURN(*slots[i], ParseInt(entry, text));
    }
  }
  if (info->kind == IndicatorKind::kStdDev && nparams == 1) spec.dev = 1.0;
  Status valid = Validate(spec);
  if (!valid.ok()) return EntryError(entry, valid.message());
  return spec;
}

Result<std::vector<IndicatorSpec>> ParseIndicatorList(std::string_view list) {
  std::vector<IndicatorSpec> specs;
  std::set<std::string> seen;
  if (Trim(list).empty()) return InvalidArgument("the indicator list is empty");
  for (std::string_view entry : Split(list, ',')) {
    AITRADER_ASSIGN_OR_RETURN(IndicatorSpec spec, ParseIndicatorSpec(entry));
    for (const std::string& name : ColumnNames(spec)) {
      if (!seen.insert(name).second) return EntryError(spec.text, "duplicate column " + name);
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::vector<std::string> ColumnNames(const IndicatorSpec& s) {
  switch (s.kind) {
    case IndicatorKind::kSma: return {"sma" + Suffix(s, 1)};
    case IndicatorKind::kEma: return {"ema" + Suffix(s, 1)};
    case IndicatorKind::kRsi: return {"rsi" + Suffix(s, 1)};
    case IndicatorKind::kMacd:
      return {"macd" + Suffix(s, 3), "macd_signal" + Suffix(s, 3), "macd_hist" + Suffix(s, 3)};
    case IndicatorKind::kAtr: return {"atr" + Suffix(s, 1)};
    case IndicatorKind::kTrange: return {"trange"};
    case IndicatorKind::kBbands: {
      const std::string sfx = Suffix(s, 1) + "_" + FormatDouble(s.dev);
      return {"bb_upper" + sfx, "bb_middle" + sfx, "bb_lower" + sfx};
    }
    case IndicatorKind::kStdDev:
      return {"stddev" + Suffix(s, 1) + (s.dev == 1.0 ? std::string() : "_" + FormatDouble(s.dev))};
    case IndicatorKind::kObv: return {"obv"};
    case IndicatorKind::kAdx: return {"adx" + Suffix(s, 1)};
    case IndicatorKind::kPlusDi: return {"plus_di" + Suffix(s, 1)};
    case IndicatorKind::kMinusDi: return {"minus_di" + Suffix(s, 1)};
    case IndicatorKind::kStoch: return {"stoch_k" + Suffix(s, 3), "stoch_d" + Suffix(s, 3)};
    case IndicatorKind::kCci: return {"cci" + Suffix(s, 1)};
  }
  return {};
}

int Lookback(const IndicatorSpec& s) {
  switch (s.kind) {
    case IndicatorKind::kSma: return SmaLookback(s.p1);
    case IndicatorKind::kEma: return EmaLookback(s.p1);
    case IndicatorKind::kRsi: return RsiLookback(s.p1);
    case IndicatorKind::kMacd: return MacdLookback(s.p1, s.p2, s.p3);
    case IndicatorKind::kAtr: return AtrLookback(s.p1);
    case IndicatorKind::kTrange: return TrangeLookback();
    case IndicatorKind::kBbands: return BbandsLookback(s.p1);
    case IndicatorKind::kStdDev: return StdDevLookback(s.p1);
    case IndicatorKind::kObv: return ObvLookback();
    case IndicatorKind::kAdx: return AdxLookback(s.p1);
    case IndicatorKind::kPlusDi: return PlusDiLookback(s.p1);
    case IndicatorKind::kMinusDi: return MinusDiLookback(s.p1);
    case IndicatorKind::kStoch: return StochLookback(s.p1, s.p2, s.p3);
    case IndicatorKind::kCci: return CciLookback(s.p1);
  }
  return -1;
}

Result<std::vector<IndicatorColumn>> ComputeIndicators(std::span<const IndicatorSpec> specs,
                                                       const OhlcvColumns& c) {
  const std::size_t n = c.close.size();
  if (c.high.size() != n || c.low.size() != n || c.volume.size() != n) {
    return InvalidArgument("candle columns differ in length");
  }
  std::vector<IndicatorColumn> out;
  for (const IndicatorSpec& s : specs) {
    const std::size_t first = out.size();
    for (std::string& name : ColumnNames(s)) out.push_back({std::move(name), std::vector<double>(n)});
    auto col = [&](std::size_t k) { return std::span<double>(out[first + k].values); };
    Status st;
    switch (s.kind) {
      case IndicatorKind::kSma: st = Sma(c.close, s.p1, col(0)); break;
      case IndicatorKind::kEma: st = Ema(c.close, s.p1, col(0)); break;
      case IndicatorKind::kRsi: st = Rsi(c.close, s.p1, col(0)); break;
      case IndicatorKind::kMacd: st = Macd(c.close, s.p1, s.p2, s.p3, col(0), col(1), col(2)); break;
      case IndicatorKind::kAtr: st = Atr(c.high, c.low, c.close, s.p1, col(0)); break;
      case IndicatorKind::kTrange: st = Trange(c.high, c.low, c.close, col(0)); break;
      case IndicatorKind::kBbands: st = Bbands(c.close, s.p1, s.dev, s.dev, col(0), col(1), col(2)); break;
      case IndicatorKind::kStdDev: st = StdDev(c.close, s.p1, s.dev, col(0)); break;
      case IndicatorKind::kObv: st = Obv(c.close, c.volume, col(0)); break;
      case IndicatorKind::kAdx: st = Adx(c.high, c.low, c.close, s.p1, col(0)); break;
      case IndicatorKind::kPlusDi: st = PlusDi(c.high, c.low, c.close, s.p1, col(0)); break;
      case IndicatorKind::kMinusDi: st = MinusDi(c.high, c.low, c.close, s.p1, col(0)); break;
      case IndicatorKind::kStoch: st = Stoch(c.high, c.low, c.close, s.p1, s.p2, s.p3, col(0), col(1)); break;
      case IndicatorKind::kCci: st = Cci(c.high, c.low, c.close, s.p1, col(0)); break;
    }
    if (!st.ok()) return st.WithContext("indicator '" + s.text + "'");
  }
  return out;
}

Result<std::string> FormatIndicatorCsv(std::span<const std::int64_t> timestamps,
                                       std::span<const IndicatorColumn> columns) {
  const std::size_t n = timestamps.size();
  for (const IndicatorColumn& c : columns) {
    if (c.values.size() != n) {
      return InvalidArgument("column " + c.name + " has " + std::to_string(c.values.size()) + " rows, expected " +
                             std::to_string(n));
    }
  }
  std::string out = "timestamp";
  for (const IndicatorColumn& c : columns) {
    out += ',';
    out += c.name;
  }
  out += '\n';
  out.reserve(out.size() + n * (14 + 20 * columns.size()));
  char buf[24];
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = std::to_chars(buf, buf + sizeof buf, timestamps[i]);
    out.append(buf, r.ptr);
    for (const IndicatorColumn& c : columns) {
      out += ',';
      AppendDouble(out, c.values[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace aitrader::indicators
