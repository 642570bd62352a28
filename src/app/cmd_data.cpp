// `aitrader data`: checks and converts market-data files (docs/market-data.md).
//   aitrader data check --input FILE [--interval 5m] [--format auto] [--symbol S]
//   aitrader data resample --input FILE --interval 1h --output FILE [--keep-incomplete]
// `check` reads candle CSV (any supported format) or funding CSV, prints what it found, or
// the precise error ("file:line: rule") with exit code 1.
#include <cstdio>
#include <memory>
#include <string>

#include "app/command.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "market/csv.hpp"
#include "market/funding.hpp"
#include "market/resample.hpp"

namespace aitrader::app {
namespace {

constexpr std::size_t kMaxGapsShown = 20;

struct DataArgs {
  std::string input;
  std::string output;
  std::string interval;
  std::string format = "auto";
  std::string symbol;
  bool keep_incomplete = false;
};

std::string TimeText(UnixMs t) { return FormatUtc(t) + " (" + std::to_string(t) + ")"; }

Result<market::CsvFormat> FormatFromName(const std::string& name) {
  for (auto f : {market::CsvFormat::kAuto, market::CsvFormat::kBinanceArchive, market::CsvFormat::kHeadered,
                 market::CsvFormat::kKlines9}) {
    if (name == market::ToString(f)) return f;
  }
  return InvalidArgument("--format " + name + ": expected auto, binance-archive, headered or klines9");
}

Result<market::ImportOptions> ImportOptionsFrom(const DataArgs& a) {
  market::ImportOptions o;
  AITRADER_ASSIGN_OR_RETURN(o.format, FormatFromName(a.format));
  o.symbol = a.symbol;
  if (!a.interval.empty()) {
    AITRADER_ASSIGN_OR_RETURN(o.interval, ParseInterval(a.interval));
  }
  return o;
}

// A funding file is recognised by its header.
bool LooksLikeFunding(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  std::string lower = ToLower(first);
  return lower.find("funding") != std::string::npos;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

int CheckFunding(const DataArgs& a, const std::string& text) {
  market::FundingImportReport rep;
  auto series = market::ParseFundingCsv(text, a.input, a.symbol, &rep);
  if (!series.ok()) return Fail(series.status());
  std::printf("file:       %s\n", a.input.c_str());
  std::printf("kind:       funding %s\n", std::string(market::ToString(rep.kind)).c_str());
  std::printf("symbol:     %s\n", series->symbol().c_str());
  std::printf("rows:       %zu\n", rep.rows);
  std::printf("first:      %s\n", TimeText(series->funding_time().front()).c_str());
  std::printf("last:       %s\n", TimeText(series->funding_time().back()).c_str());
  std::printf("interval:   %s\n", rep.interval > 0 ? FormatInterval(rep.interval).c_str() : "unknown");
  std::printf("max offset: %lld ms from the hour\n", static_cast<long long>(rep.max_time_offset));
  std::printf("rounded:    %zu rates with more than 9 decimals (rounded half-even)\n", rep.rounded_values);
  return 0;
}

int Check(const DataArgs& a) {
  auto opts = ImportOptionsFrom(a);
  if (!opts.ok()) return Fail(opts.status());
  auto text = ReadFile(a.input);
  if (!text.ok()) return Fail(text.status());
  if (LooksLikeFunding(*text)) return CheckFunding(a, *text);
  if (opts->symbol.empty()) opts->symbol = market::SymbolFromPath(a.input);
  market::ImportReport rep;
  auto series = market::ParseCandlesCsv(*text, a.input, *opts, &rep);
  if (!series.ok()) return Fail(series.status());
  std::printf("file:       %s\n", a.input.c_str());
  std::printf("format:     %s\n", std::string(market::ToString(rep.format)).c_str());
  std::printf("symbol:     %s\n", series->symbol().c_str());
  std::printf("rows:       %zu\n", rep.rows);
  std::printf("first:      %s\n", TimeText(series->open_time().front()).c_str());
  std::printf("last:       %s\n", TimeText(series->open_time().back()).c_str());
  std::printf("interval:   %s%s\n", rep.interval > 0 ? FormatInterval(rep.interval).c_str() : "unknown",
              a.interval.empty() ? " (detected)" : "");
  std::printf("timestamps: %s\n", rep.microseconds ? "microseconds (normalised to ms)" : "milliseconds");
  std::int64_t missing = 0;
  for (const auto& g : rep.gaps) missing += g.missing;
  std::printf("gaps:       %zu (%lld missing candles)\n", rep.gaps.size(), static_cast<long long>(missing));
  for (std::size_t i = 0; i < rep.gaps.size() && i < kMaxGapsShown; ++i) {
    const auto& g = rep.gaps[i];
    std::printf("  %s .. %s: %lld missing\n", FormatUtc(g.from).c_str(), FormatUtc(g.to - rep.interval).c_str(),
                static_cast<long long>(g.missing));
  }
  if (rep.gaps.size() > kMaxGapsShown) std::printf("  ... %zu more\n", rep.gaps.size() - kMaxGapsShown);
  return 0;
}

int ResampleCmd(const DataArgs& a) {
  auto target = ParseInterval(a.interval);
  if (!target.ok()) return Fail(target.status());
  DataArgs in = a;
  in.interval.clear();  // --interval is the target; the source interval is detected
  auto opts = ImportOptionsFrom(in);
  if (!opts.ok()) return Fail(opts.status());
  market::ImportReport import;
  auto series = market::LoadCandlesCsv(a.input, *opts, &import);
  if (!series.ok()) return Fail(series.status());
  market::ResampleOptions ro;
  ro.keep_incomplete = a.keep_incomplete;
  market::ResampleReport rep;
  auto out = market::Resample(*series, *target, ro, &rep);
  if (!out.ok()) return Fail(out.status());
  Status s = market::SaveCandlesCsv(a.output, *out);
  if (!s.ok()) return Fail(s);
  std::printf("%s: %zu %s candles -> %s: %zu %s candles (%zu incomplete buckets %s)\n", a.input.c_str(),
              series->size(), FormatInterval(series->interval()).c_str(), a.output.c_str(), out->size(),
              FormatInterval(*target).c_str(), rep.incomplete, a.keep_incomplete ? "kept" : "dropped");
  return 0;
}

void Setup(CLI::App& root, int& exit_code) {
  auto* data = root.add_subcommand("data", "Check and convert market-data files (candles, funding)");
  data->require_subcommand(1);
  auto args = std::make_shared<DataArgs>();

  auto* check = data->add_subcommand("check", "Validate a candle or funding CSV (plain or .gz) and summarise it");
  check->add_option("--input", args->input, "CSV file (.csv or .csv.gz)")->required();
  check->add_option("--interval", args->interval, "Expected interval (e.g. 5m); default: detected");
  check->add_option("--format", args->format, "auto, binance-archive, headered or klines9");
  check->add_option("--symbol", args->symbol, "Symbol; default: from the file name");
  check->callback([args, &exit_code] { exit_code = Check(*args); });

  auto* resample = data->add_subcommand("resample", "Resample candles to a coarser interval; writes headered CSV");
  resample->add_option("--input", args->input, "Candle CSV (.csv or .csv.gz)")->required();
  resample->add_option("--interval", args->interval, "Target interval (e.g. 1h)")->required();
  resample->add_option("--output", args->output, "Output CSV (gzip-compressed when it ends in .gz)")->required();
  resample->add_option("--format", args->format, "Input format: auto, binance-archive, headered or klines9");
  resample->add_option("--symbol", args->symbol, "Symbol; default: from the file name");
  resample->add_flag("--keep-incomplete", args->keep_incomplete,
                     "Keep buckets with missing candles (default: drop them)");
  resample->callback([args, &exit_code] { exit_code = ResampleCmd(*args); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(data, Setup);
}  // namespace aitrader::app
