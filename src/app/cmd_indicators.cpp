// `aitrader indicators`: computes TA-Lib-exact indicators over a candle CSV (docs/indicators.md).
//   aitrader indicators --input FILE [--indicators LIST] [--output FILE]
// LIST is comma-separated (sma:20,ema:20,rsi:14,macd:12:26:9,atr:14,trange,bbands:20:2,
// stddev:20,obv,adx:14,plus_di:14,minus_di:14,stoch:5:3:3,cci:14); the default is the Alpha
// Arena set. Output: CSV with `timestamp` (candle open time, ms) and one column per output,
// NaN before each indicator's first value, to stdout unless --output is given. Any error (a bad
// LIST entry, an unreadable or invalid input) is printed to stderr with exit code 1.
#include <cstdio>
#include <memory>
#include <string>

#include "app/command.hpp"
#include "core/io.hpp"
#include "indicators/spec.hpp"
#include "market/csv.hpp"

namespace aitrader::app {
namespace {

struct IndicatorsArgs {
  std::string input;
  std::string list{indicators::kAlphaArenaList};
  std::string output;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

int Run(const IndicatorsArgs& a) {
  auto specs = indicators::ParseIndicatorList(a.list);  // before reading: fail fast on a bad list
  if (!specs.ok()) return Fail(specs.status());
  auto series = market::LoadCandlesCsv(a.input);
  if (!series.ok()) return Fail(series.status());
  const std::vector<double> high = series->HighF64(), low = series->LowF64(), close = series->CloseF64();
  const indicators::OhlcvColumns columns{high, low, close, series->volume()};
  auto computed = indicators::ComputeIndicators(*specs, columns);
  if (!computed.ok()) return Fail(computed.status());
  auto csv = indicators::FormatIndicatorCsv(series->open_time(), *computed);
  if (!csv.ok()) return Fail(csv.status());
  if (a.output.empty()) {
    if (std::fwrite(csv->data(), 1, csv->size(), stdout) != csv->size() || std::fflush(stdout) != 0) {
      return Fail(IoError("writing to stdout failed"));
    }
    return 0;
  }
  Status written = WriteFileAtomic(a.output, *csv);
  if (!written.ok()) return Fail(written);
  std::fprintf(stderr, "wrote %zu rows x %zu indicator columns to %s\n", series->size(), computed->size(),
               a.output.c_str());
  return 0;
}

void Setup(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("indicators", "Compute TA-Lib-exact indicators over a candle CSV");
  auto args = std::make_shared<IndicatorsArgs>();
  cmd->add_option("--input", args->input, "Candle CSV (plain or .gz; Binance archive, headered or klines9)")
      ->required();
  cmd->add_option("--indicators", args->list,
                  "Comma-separated list, e.g. sma:20,ema:20,rsi:14,macd:12:26:9,atr:14,trange,bbands:20:2,"
                  "stddev:20,obv,adx:14,plus_di:14,minus_di:14,stoch:5:3:3,cci:14")
      ->capture_default_str();
  cmd->add_option("--output", args->output, "Output CSV file (default: stdout)");
  cmd->callback([args, &exit_code] { exit_code = Run(*args); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(indicators, Setup);
}  // namespace aitrader::app
