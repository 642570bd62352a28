#include "indicators/streaming_set.hpp"

namespace aitrader::indicators {
Result<StreamingSet> StreamingSet::Create(std::string_view list) {
  AITRADER_ASSIGN_OR_RETURN(std::vector<IndicatorSpec> specs, ParseIndicatorList(list));
  return Create(specs);
}

Result<StreamingSet> StreamingSet::Create(std::span<const IndicatorSpec> specs) {
  StreamingSet set;
  for (const IndicatorSpec& s : specs) {
    Status st;
    auto add = [&](auto result) {
      if (!result.ok()) {
        st = result.status();
        return;
      }
      set.entries_.push_back(Entry{s.kind, State(std::move(result).value())});
    };
    switch (s.kind) {
      case IndicatorKind::kSma: add(SmaState::Create(s.p1)); break;
      case IndicatorKind::kEma: add(EmaState::Create(s.p1)); break;
      case IndicatorKind::kRsi: add(RsiState::Create(s.p1)); break;
      case IndicatorKind::kMacd: add(MacdState::Create(s.p1, s.p2, s.p3)); break;
      case IndicatorKind::kAtr: add(AtrState::Create(s.p1)); break;
      case IndicatorKind::kTrange: add(TrangeState::Create()); break;
      case IndicatorKind::kBbands: add(BbandsState::Create(s.p1, s.dev, s.dev)); break;
      case IndicatorKind::kStdDev: add(StdDevState::Create(s.p1, s.dev)); break;
      case IndicatorKind::kObv: add(ObvState::Create()); break;
      case IndicatorKind::kAdx:
      case IndicatorKind::kPlusDi:
      case IndicatorKind::kMinusDi: add(DmiState::Create(s.p1)); break;
      case IndicatorKind::kStoch: add(StochState::Create(s.p1, s.p2, s.p3)); break;
      case IndicatorKind::kCci: add(CciState::Create(s.p1)); break;
    }
    if (!st.ok()) return st.WithContext("indicator '" + s.text + "'");
    for (std::string& name : ColumnNames(s)) set.columns_.push_back(std::move(name));
  }
  return set;
}

void StreamingSet::Update(double high, double low, double close, double volume, std::span<double> out) {
  AITRADER_CHECK(out.size() >= columns_.size(), "StreamingSet::Update: output span too small");
  double* o = out.data();
  for (Entry& e : entries_) {
    switch (e.kind) {
      case IndicatorKind::kSma: *o++ = std::get<SmaState>(e.state).Update(close); break;
      case IndicatorKind::kEma: *o++ = std::get<EmaState>(e.state).Update(close); break;
      case IndicatorKind::kRsi: *o++ = std::get<RsiState>(e.state).Update(close); break;
      case IndicatorKind::kMacd: {
        const MacdValue v = std::get<MacdState>(e.state).Update(close);
        *o++ = v.macd;
        *o++ = v.signal;
        *o++ = v.hist;
        break;
      }
      case IndicatorKind::kAtr: *o++ = std::get<AtrState>(e.state).Update(high, low, close); break;
      case IndicatorKind::kTrange: *o++ = std::get<TrangeState>(e.state).Update(high, low, close); break;
      case IndicatorKind::kBbands: {
        const BbandsValue v = std::get<BbandsState>(e.state).Update(close);
        *o++ = v.upper;
        *o++ = v.middle;
        *o++ = v.lower;
        break;
      }
      case IndicatorKind::kStdDev: *o++ = std::get<StdDevState>(e.state).Update(close); break;
      case IndicatorKind::kObv: *o++ = std::get<ObvState>(e.state).Update(close, volume); break;
      case IndicatorKind::kAdx: *o++ = std::get<DmiState>(e.state).Update(high, low, close).adx; break;
      case IndicatorKind::kPlusDi: *o++ = std::get<DmiState>(e.state).Update(high, low, close).plus_di; break;
      case IndicatorKind::kMinusDi: *o++ = std::get<DmiState>(e.state).Update(high, low, close).minus_di; break;
      case IndicatorKind::kStoch: {
        const StochValue v = std::get<StochState>(e.state).Update(high, low, close);
        *o++ = v.slow_k;
        *o++ = v.slow_d;
        break;
      }
      case IndicatorKind::kCci: *o++ = std::get<CciState>(e.state).Update(high, low, close); break;
    }
  }
}

}  // namespace aitrader::indicators
