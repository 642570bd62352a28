// StreamingSet: the streaming states of an indicator list (spec.hpp), updated together.
//
// This is what a bot's (symbol, timeframe) keeps: build it once from a list such as
// kAlphaArenaList, feed it every closed candle once and in order, and read one value per
// output column (the columns and their order are those of ComputeIndicators and the CLI).
// Values equal ComputeIndicators' batch columns bitwise at every row. Update() never
// allocates.
//
// Thread safety: a plain value; use each object from one thread at a time.
#pragma once

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/status.hpp"
#include "indicators/spec.hpp"
#include "indicators/streaming.hpp"

namespace aitrader::indicators {

class StreamingSet {
 public:
  // Errors: InvalidArgument for out-of-range parameters (naming the entry).
  static Result<StreamingSet> Create(std::span<const IndicatorSpec> specs);
  // Parses `list` (ParseIndicatorList) and creates the set.
  static Result<StreamingSet> Create(std::string_view list);

  // Output column names, in output order.
  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t width() const { return columns_.size(); }

  // Feeds one closed candle and writes one value per column into out[0..width()) (NaN while a
  // column warms up). Aborts if out.size() < width() (a caller bug).
  void Update(double high, double low, double close, double volume, std::span<double> out);

 private:
  using State = std::variant<SmaState, EmaState, RsiState, MacdState, AtrState, TrangeState, BbandsState,
                             StdDevState, ObvState, DmiState, StochState, CciState>;
  struct Entry {
    IndicatorKind kind;
    State state;
  };
  std::vector<Entry> entries_;
  std::vector<std::string> columns_;
};

}  // namespace aitrader::indicators
