#include "engine/market_data.hpp"

#include <algorithm>

#include "market/data_dir.hpp"

namespace aitrader::engine {

Result<std::shared_ptr<const MarketData>> MarketData::Load(const std::string& data_dir,
                                                           const std::vector<std::string>& symbols, UnixMs interval,
                                                           const InstrumentTable& instruments) {
  market::DataDir dir(data_dir);
  std::vector<Series> all;
  for (const auto& sym : symbols) {
    const Instrument* ins = instruments.Find(sym);
    if (ins == nullptr) return NotFound("unknown instrument " + sym);
    Series s;
    s.symbol = ins->symbol;
    auto intraday = dir.LoadCandles(ins->symbol, interval);
    if (!intraday.ok()) return intraday.status().WithContext(ins->symbol + " " + FormatInterval(interval));
    s.intraday = std::move(*intraday);
    auto h4 = dir.LoadCandles(ins->symbol, 4 * kHourMs);
    if (!h4.ok()) return h4.status().WithContext(ins->symbol + " 4h");
    s.h4 = std::move(*h4);
    auto funding = dir.LoadFunding(ins->symbol);
    if (!funding.ok()) return funding.status().WithContext(ins->symbol + " funding");
    s.funding = std::move(*funding);
    all.push_back(std::move(s));
  }
  return FromSeries(std::move(all), interval, instruments);
}

Result<std::shared_ptr<const MarketData>> MarketData::FromSeries(std::vector<Series> series, UnixMs interval,
                                                                 const InstrumentTable& instruments) {
  auto md = std::make_shared<MarketData>();
  md->interval_ = interval;
  for (auto& s : series) {
    const Instrument* ins = instruments.Find(s.symbol);
    if (ins == nullptr) return NotFound("unknown instrument " + s.symbol);
    SymbolData d;
    d.symbol = ins->symbol;
    d.coin = ins->base;
    d.intraday = std::move(s.intraday);
    d.intraday.set_symbol(ins->symbol);
    d.intraday.set_interval(interval);
    d.h4 = std::move(s.h4);
    d.h4.set_symbol(ins->symbol);
    d.h4.set_interval(4 * kHourMs);
    d.funding = std::move(s.funding);
    const market::FundingSeries* events = d.FundingEvents();
    auto features = agent::CoinFeatures::Build(ins->base, ins->PriceDecimals(), d.intraday, d.h4, events);
    if (!features.ok()) return features.status().WithContext(ins->symbol + " features");
    d.features = std::make_unique<agent::CoinFeatures>(std::move(*features));
    md->symbols_.push_back(std::move(d));
  }
  return std::shared_ptr<const MarketData>(std::move(md));
}

const market::FundingSeries* SymbolData::FundingEvents() const {
  for (const auto& f : funding) {
    if (f.kind() == market::FundingSeries::Kind::kEvents) return &f;
  }
  return nullptr;
}

const SymbolData* MarketData::Find(std::string_view symbol) const {
  for (const auto& s : symbols_) {
    if (s.symbol == symbol || s.coin == symbol) return &s;
  }
  return nullptr;
}

std::vector<MergedBar> MarketData::Bars(UnixMs from, UnixMs to, const std::vector<std::string>& sim_symbols) const {
  // A k-way merge of the symbols' sorted series; within a bar, candles in sim_symbols order.
  struct Cursor {
    const market::CandleSeries* series = nullptr;
    std::size_t pos = 0, end = 0;
    exchange::paper::SymbolIndex index = 0;
  };
  std::vector<Cursor> cursors;
  std::size_t total = 0;
  for (std::size_t si = 0; si < sim_symbols.size(); ++si) {
    const SymbolData* d = Find(sim_symbols[si]);
    if (d == nullptr) continue;
    Cursor c;
    c.series = &d->intraday;
    c.pos = d->intraday.LowerBound(from);
    c.end = d->intraday.LowerBound(to);
    c.index = static_cast<exchange::paper::SymbolIndex>(si);
    total = std::max(total, c.end > c.pos ? c.end - c.pos : 0);
    cursors.push_back(c);
  }
  std::vector<MergedBar> out;
  out.reserve(total);
  while (true) {
    UnixMs t = INT64_MAX;
    for (const auto& c : cursors) {
      if (c.pos < c.end) t = std::min(t, c.series->open_time()[c.pos]);
    }
    if (t == INT64_MAX) break;
    MergedBar bar;
    bar.open_time = t;
    bar.bars.reserve(cursors.size());
    for (auto& c : cursors) {
      if (c.pos < c.end && c.series->open_time()[c.pos] == t) bar.bars.push_back({c.index, (*c.series)[c.pos++]});
    }
    out.push_back(std::move(bar));
  }
  return out;
}

Result<MarketData::Span> MarketData::DataSpan() const {
  if (symbols_.empty()) return InvalidArgument("no market data");
  Span span{INT64_MAX, INT64_MIN};
  for (const auto& d : symbols_) {
    if (d.intraday.empty()) return InvalidArgument(d.symbol + ": no candles");
    span.from = std::min(span.from, d.intraday.open_time().front());
    span.to = std::max(span.to, d.intraday.open_time().back() + interval_);
  }
  return span;
}

}  // namespace aitrader::engine
