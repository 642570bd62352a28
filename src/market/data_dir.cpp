#include "market/data_dir.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/strings.hpp"

namespace aitrader::market {
namespace fs = std::filesystem;

namespace {

// Interval sub-folders of root: (interval, path), ascending.
std::vector<std::pair<UnixMs, fs::path>> IntervalDirs(const std::string& root) {
  std::vector<std::pair<UnixMs, fs::path>> out;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    auto interval = ParseInterval(it->path().filename().string());
    if (interval.ok()) out.emplace_back(*interval, it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string CandleFileIn(const fs::path& dir, std::string_view symbol) {
  std::error_code ec;
  for (const char* ext : {".csv", ".csv.gz"}) {
    fs::path p = dir / (std::string(symbol) + ext);
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

}  // namespace

std::string DataDir::CandleFile(std::string_view symbol, UnixMs interval) const {
  for (const auto& [i, dir] : IntervalDirs(root_)) {
    if (i == interval) return CandleFileIn(dir, symbol);
  }
  return {};
}

std::vector<UnixMs> DataDir::Intervals(std::string_view symbol) const {
  std::vector<UnixMs> out;
  for (const auto& [i, dir] : IntervalDirs(root_)) {
    if (!CandleFileIn(dir, symbol).empty()) out.push_back(i);
  }
  return out;
}

std::vector<std::string> DataDir::Symbols() const {
  std::set<std::string> symbols;
  std::error_code ec;
  for (const auto& [i, dir] : IntervalDirs(root_)) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!it->is_regular_file(ec)) continue;
      if (EndsWith(name, ".csv")) symbols.insert(name.substr(0, name.size() - 4));
      if (EndsWith(name, ".csv.gz")) symbols.insert(name.substr(0, name.size() - 7));
    }
  }
  return {symbols.begin(), symbols.end()};
}

Result<CandleSeries> DataDir::LoadCandles(std::string_view symbol, UnixMs interval, const ResampleOptions& options,
                                          DirLoadReport* report) const {
  if (interval <= 0) return InvalidArgument("interval must be positive");
  DirLoadReport rep;
  // The requested interval itself, else the lowest available divisor of it.
  UnixMs from = 0;
  std::string path = CandleFile(symbol, interval);
  if (!path.empty()) {
    from = interval;
  } else {
    for (UnixMs i : Intervals(symbol)) {
      if (i < interval && interval % i == 0) {
        from = i;
        path = CandleFile(symbol, i);
        break;
      }
    }
  }
  if (path.empty()) {
    return NotFound(root_ + ": no candles for " + std::string(symbol) + " at " + FormatInterval(interval) +
                    " or at an interval dividing it");
  }
  ImportOptions import;
  import.symbol = std::string(symbol);
  import.interval = from;
  AITRADER_ASSIGN_OR_RETURN(CandleSeries series, LoadCandlesCsv(path, import, &rep.import));
  rep.path = path;
  rep.file_interval = from;
  if (from != interval) {
    rep.resampled = true;
    AITRADER_ASSIGN_OR_RETURN(series, Resample(series, interval, options, &rep.resample));
  }
  if (report != nullptr) *report = std::move(rep);
  return series;
}

Result<std::vector<FundingSeries>> DataDir::LoadFunding(std::string_view symbol) const {
  std::vector<std::string> files;
  const fs::path dir = fs::path(root_) / "funding";
  const std::string prefix = std::string(symbol) + "_";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(ec) || !StartsWith(name, prefix)) continue;
    if (EndsWith(name, ".csv") || EndsWith(name, ".csv.gz")) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<FundingSeries> out;
  for (const auto& f : files) {
    AITRADER_ASSIGN_OR_RETURN(FundingSeries s, LoadFundingCsv(f, std::string(symbol)));
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const FundingSeries& a, const FundingSeries& b) {
    return a.kind() == FundingSeries::Kind::kEvents && b.kind() != FundingSeries::Kind::kEvents;
  });
  return out;
}

}  // namespace aitrader::market
