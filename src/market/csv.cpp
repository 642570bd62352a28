#include "market/csv.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "market/decimal.hpp"

namespace aitrader::market {
namespace {

// Timestamps at or above this are microseconds (see csv.hpp).
constexpr std::int64_t kMicrosecondThreshold = 100'000'000'000'000;  // 1e14
constexpr int kMaxTimestampDigits = 18;
constexpr std::string_view kColumnNames[6] = {"timestamp", "open", "high", "low", "close", "volume"};

struct Layout {
  CsvFormat format = CsvFormat::kAuto;
  std::size_t columns = 0;        // every row has exactly this many
  bool header = false;
};

std::string Quote(std::string_view text) {
  std::string s = "'";
  if (text.size() > 40) {
    s.append(text.substr(0, 40));
    s += "...";
  } else {
    s.append(text);
  }
  s += "'";
  return s;
}

std::string Where(std::string_view source, std::size_t line) {
  std::string s(source);
  s += ':';
  s += std::to_string(line);
  s += ": ";
  return s;
}

std::string TimeText(UnixMs t) { return std::to_string(t) + " (" + FormatUtc(t) + ")"; }

// One line of text without its '\n' and an optional trailing '\r'.
std::string_view LineAt(const char* p, const char* end, const char** next) {
  const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const char* le = nl == nullptr ? end : nl;
  *next = nl == nullptr ? end : nl + 1;
  if (le > p && le[-1] == '\r') --le;
  return {p, static_cast<std::size_t>(le - p)};
}

bool OnlyBlankLinesFrom(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t') return false;
  }
  return true;
}

std::string NormaliseHeaderName(std::string_view name) {
  name = Trim(name);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  std::string out = ToLower(Trim(name));
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

bool IsTimeColumnName(std::string_view n) {
  return n == "timestamp" || n == "open_time" || n == "opentime" || n == "time" || n == "ts";
}

// Reads the header line (if any) and decides the layout. `line` is the first line.
Result<Layout> DetectLayout(std::string_view line, std::string_view source, CsvFormat wanted) {
  Layout layout;
  const bool header = !line.empty() && !(line[0] >= '0' && line[0] <= '9');
  std::vector<std::string_view> fields = Split(line, ',');
  layout.columns = fields.size();
  layout.header = header;
  if (!header) {
    if (wanted == CsvFormat::kHeadered || wanted == CsvFormat::kKlines9) {
      return ParseError(Where(source, 1) + "expected a header line 'timestamp,open,high,low,close,volume...' for the " +
                        std::string(ToString(wanted)) + " format");
    }
    if (fields.size() != 12) {
      return ParseError(Where(source, 1) + "wrong column count: a file without a header must be a Binance archive "
                        "with 12 columns, found " + std::to_string(fields.size()));
    }
    layout.format = CsvFormat::kBinanceArchive;
    return layout;
  }
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (auto f : fields) names.push_back(NormaliseHeaderName(f));
  if (names.size() < 6) {
    return ParseError(Where(source, 1) + "header has " + std::to_string(names.size()) +
                      " columns, expected at least timestamp,open,high,low,close,volume");
  }
  if (!IsTimeColumnName(names[0])) {
    return ParseError(Where(source, 1) + "header column 1 is " + Quote(names[0]) +
                      ", expected 'timestamp' (or 'open_time')");
  }
  for (std::size_t c = 1; c < 6; ++c) {
    if (names[c] != kColumnNames[c]) {
      return ParseError(Where(source, 1) + "header column " + std::to_string(c + 1) + " is " + Quote(names[c]) +
                        ", expected " + Quote(kColumnNames[c]));
    }
  }
  CsvFormat found = CsvFormat::kHeadered;
  if (names.size() == 12 && (names[11] == "ignore" || names[0] == "open_time")) {
    found = CsvFormat::kBinanceArchive;
  } else if (names.size() == 9 && names[6] == "quote_volume" && names[7] == "trades" && names[8] == "close_time") {
    found = CsvFormat::kKlines9;
  }
  if (wanted != CsvFormat::kAuto && wanted != found) {
    // An explicit format is honoured when the columns allow it (a 12-column headered file
    // read as the archive, a 9-column file read as headered); otherwise say why not.
    const bool fits = wanted == CsvFormat::kHeadered ||
                      (wanted == CsvFormat::kBinanceArchive && names.size() == 12) ||
                      (wanted == CsvFormat::kKlines9 && names.size() == 9);
    if (!fits) {
      return ParseError(Where(source, 1) + "header has " + std::to_string(names.size()) + " columns, not the " +
                        std::string(ToString(wanted)) + " format");
    }
    found = wanted;
  }
  layout.format = found;
  return layout;
}

// Slow, precise diagnosis of a row the fast path rejected: returns the first broken rule.
Status DiagnoseRow(std::string_view line, std::size_t line_no, std::string_view source, std::size_t columns) {
  if (line.empty()) return ParseError(Where(source, line_no) + "wrong column count: empty line");
  std::vector<std::string_view> fields = Split(line, ',');
  if (fields.size() != columns) {
    return ParseError(Where(source, line_no) + "wrong column count: expected " + std::to_string(columns) +
                      " columns, found " + std::to_string(fields.size()));
  }
  {
    std::string_view f = fields[0];
    bool ok = !f.empty() && f.size() <= static_cast<std::size_t>(kMaxTimestampDigits);
    for (char c : f) ok = ok && c >= '0' && c <= '9';
    if (!ok) {
      return ParseError(Where(source, line_no) + "column 'timestamp': unparsable number " + Quote(f) +
                        " (expected integer ms or µs since the epoch)");
    }
  }
  for (std::size_t c = 1; c < 5; ++c) {
    auto r = fixed_detail::ParseRaw(fields[c]);
    if (!r.ok()) {
      return Status(r.status().code(), Where(source, line_no) + "column '" + std::string(kColumnNames[c]) +
                                           "': unparsable number: " + r.status().message());
    }
  }
  {
    std::string_view f = fields[5];
    double v = 0;
    auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || ptr != f.data() + f.size() || !std::isfinite(v)) {
      return ParseError(Where(source, line_no) + "column 'volume': unparsable number " + Quote(f));
    }
  }
  return Internal(Where(source, line_no) + "row rejected but no rule found broken: " + Quote(line));
}


inline bool ParseTimestamp(const char*& p, const char* le, std::int64_t* out) {
  const char* start = p;
  std::int64_t v = 0;
  while (p < le && static_cast<unsigned>(*p - '0') < 10u) {
    if (p - start == kMaxTimestampDigits) return false;  // 19 digits may overflow int64
    v = v * 10 + (*p - '0');
    ++p;
  }
  if (p == start) return false;
  *out = v;
  return true;
}

// A price field: the inline fast path, else the general exact parser on the whole field.
inline bool ParsePrice(const char*& p, const char* le, std::int64_t* raw) {
  const char* q = ScanPriceFast(p, le, raw);
  if (q != nullptr && q < le && *q == ',') {
    p = q + 1;
    return true;
  }
  const char* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(le - p)));
  if (comma == nullptr) return false;
  auto r = fixed_detail::ParseRaw(std::string_view(p, static_cast<std::size_t>(comma - p)));
  if (!r.ok()) return false;
  *raw = *r;
  p = comma + 1;
  return true;
}

}  // namespace

std::string_view ToString(CsvFormat f) {
  switch (f) {
    case CsvFormat::kAuto: return "auto";
    case CsvFormat::kBinanceArchive: return "binance-archive";
    case CsvFormat::kHeadered: return "headered";
    case CsvFormat::kKlines9: return "klines9";
  }
  return "?";
}

std::string SymbolFromPath(std::string_view path) {
  std::size_t slash = path.find_last_of("/\\");
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t stop = name.find_first_of(".-_");
  return std::string(name.substr(0, stop));
}

Result<CandleSeries> ParseCandlesCsv(std::string_view text, std::string_view source_name, const ImportOptions& options,
                                     ImportReport* report) {
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  if (text.size() >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
  if (OnlyBlankLinesFrom(p, end)) return ParseError(std::string(source_name) + ": empty file (no candles)");
  if (options.interval < 0) return InvalidArgument("interval must not be negative");

  const char* next = nullptr;
  std::string_view first = LineAt(p, end, &next);
  AITRADER_ASSIGN_OR_RETURN(Layout layout, DetectLayout(first, source_name, options.format));
  std::size_t line_no = 1;
  if (layout.header) {
    p = next;
    ++line_no;
  }
  const std::size_t first_data_line = line_no;

  CandleSeries series(options.symbol.empty() ? SymbolFromPath(source_name) : options.symbol, options.interval);
  series.reserve(static_cast<std::size_t>(std::count(p, end, '\n')) + 1);
  const std::size_t extra_commas = layout.columns - 6;
  bool microseconds = false;
  UnixMs prev = 0;
  bool have_prev = false;

  for (; p < end; ++line_no) {
    std::string_view line = LineAt(p, end, &next);
    if (line.empty()) {
      if (OnlyBlankLinesFrom(p, end)) break;
      return DiagnoseRow(line, line_no, source_name, layout.columns);
    }
    const char* q = line.data();
    const char* const le = q + line.size();
    std::int64_t ts = 0, o = 0, h = 0, l = 0, c = 0;
    double v = 0;
    bool ok = ParseTimestamp(q, le, &ts) && q < le && *q == ',';
    if (ok) {
      ++q;
      ok = ParsePrice(q, le, &o) && ParsePrice(q, le, &h) && ParsePrice(q, le, &l) && ParsePrice(q, le, &c);
    }
    if (ok) {
      auto [ptr, ec] = std::from_chars(q, le, v);
      ok = ec == std::errc() && std::isfinite(v) && (ptr == le || *ptr == ',');
      q = ptr;
    }
    if (ok) {
      std::size_t commas = 0;
      for (const char* r = q; r < le; ++r) commas += (*r == ',');
      ok = commas == extra_commas;
    }
    if (!ok) return DiagnoseRow(line, line_no, source_name, layout.columns);

    if (ts >= kMicrosecondThreshold) {
      ts /= 1000;
      microseconds = true;
    }
    if (have_prev && ts <= prev) {
      return InvalidArgument(Where(source_name, line_no) + (ts == prev ? "duplicate timestamp " : "non-increasing timestamp ") +
                             TimeText(ts) + (ts == prev ? "" : " is before the previous " + TimeText(prev)));
    }
    const Price po = Price::FromRaw(o), ph = Price::FromRaw(h), pl = Price::FromRaw(l), pc = Price::FromRaw(c);
    if (l <= 0 || o <= 0 || c <= 0 || h <= 0) {
      const char* which = o <= 0 ? "open" : h <= 0 ? "high" : l <= 0 ? "low" : "close";
      const Price bad = o <= 0 ? po : h <= 0 ? ph : l <= 0 ? pl : pc;
      return InvalidArgument(Where(source_name, line_no) + "price not positive: " + which + " " + bad.ToString());
    }
    if (h < l) {
      return InvalidArgument(Where(source_name, line_no) + "high " + ph.ToString() + " < low " + pl.ToString());
    }
    if (o < l || o > h) {
      return InvalidArgument(Where(source_name, line_no) + "open " + po.ToString() + " outside [low " + pl.ToString() +
                             ", high " + ph.ToString() + "]");
    }
    if (c < l || c > h) {
      return InvalidArgument(Where(source_name, line_no) + "close " + pc.ToString() + " outside [low " +
                             pl.ToString() + ", high " + ph.ToString() + "]");
    }
    if (v < 0) {
      return InvalidArgument(Where(source_name, line_no) + "negative volume " + FormatDouble(v));
    }
    if (v == 0) v = 0;  // "-0" is zero volume, not negative zero
    series.push_back(Candle{ts, po, ph, pl, pc, v});
    prev = ts;
    have_prev = true;
    p = next;
  }
  if (series.empty()) return ParseError(std::string(source_name) + ": empty file (no candles)");

  const std::vector<UnixMs>& t = series.open_time();
  UnixMs interval = options.interval > 0 ? options.interval : MostCommonStep(t);
  std::vector<Gap> gaps;
  if (interval > 0) {
    for (std::size_t i = 1; i < t.size(); ++i) {
      const UnixMs step = t[i] - t[i - 1];
      if (step == interval) continue;
      if (step % interval != 0) {
        return InvalidArgument(Where(source_name, first_data_line + i) + "step of " + std::to_string(step) +
                               " ms from the previous candle is not a multiple of the interval " +
                               FormatInterval(interval));
      }
      gaps.push_back(Gap{t[i - 1] + interval, t[i], step / interval - 1});
    }
  }
  series.set_interval(interval);
  if (report != nullptr) {
    report->source = std::string(source_name);
    report->format = layout.format;
    report->microseconds = microseconds;
    report->rows = series.size();
    report->interval = interval;
    report->gaps = std::move(gaps);
  }
  return series;
}

Result<CandleSeries> LoadCandlesCsv(const std::string& path, const ImportOptions& options, ImportReport* report) {
  AITRADER_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ImportOptions opts = options;
  if (opts.symbol.empty()) opts.symbol = SymbolFromPath(path);
  return ParseCandlesCsv(text, path, opts, report);
}

std::string FormatCandlesCsv(const CandleSeries& series) {
  std::string out;
  out.reserve(64 + series.size() * 64);
  out += "timestamp,open,high,low,close,volume\n";
  char buf[32];
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, series.open_time()[i]);
    (void)ec;
    out.append(buf, ptr);
    out += ',';
    out += series.open()[i].ToString();
    out += ',';
    out += series.high()[i].ToString();
    out += ',';
    out += series.low()[i].ToString();
    out += ',';
    out += series.close()[i].ToString();
    out += ',';
    AppendDouble(out, series.volume()[i]);
    out += '\n';
  }
  return out;
}

Status SaveCandlesCsv(const std::string& path, const CandleSeries& series) {
  const std::string text = FormatCandlesCsv(series);
  if (!EndsWith(path, ".gz")) return WriteFileAtomic(path, text);
  const std::string tmp = path + ".tmp";
  gzFile f = gzopen(tmp.c_str(), "wb9");
  if (f == nullptr) return IoError(path + ": cannot write: " + std::strerror(errno));
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(text.size() - done, 1u << 20));
    ok = gzwrite(f, text.data() + done, chunk) == static_cast<int>(chunk);
    done += chunk;
  }
  ok = (gzclose(f) == Z_OK) && ok;
  if (!ok) return IoError(path + ": write failed");
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError(path + ": rename failed: " + ec.message());
  return Status::Ok();
}

UnixMs MostCommonStep(const std::vector<UnixMs>& t) {
  // Steps are nearly all equal in real data: a small table of distinct steps is enough;
  // fall back to sorting when there are many.
  struct Count {
    UnixMs step;
    std::size_t n;
  };
  std::vector<Count> counts;
  for (std::size_t i = 1; i < t.size(); ++i) {
    const UnixMs step = t[i] - t[i - 1];
    auto it = std::find_if(counts.begin(), counts.end(), [step](const Count& c) { return c.step == step; });
    if (it != counts.end()) {
      ++it->n;
    } else if (counts.size() < 64) {
      counts.push_back({step, 1});
    } else {
      std::vector<UnixMs> steps;
      steps.reserve(t.size() - 1);
      for (std::size_t k = 1; k < t.size(); ++k) steps.push_back(t[k] - t[k - 1]);
      std::sort(steps.begin(), steps.end());
      UnixMs best = 0;
      std::size_t best_n = 0;
      for (std::size_t a = 0; a < steps.size();) {
        std::size_t b = a;
        while (b < steps.size() && steps[b] == steps[a]) ++b;
        if (b - a > best_n) {
          best_n = b - a;
          best = steps[a];
        }
        a = b;
      }
      return best;
    }
  }
  UnixMs best = 0;
  std::size_t best_n = 0;
  for (const Count& c : counts) {
    if (c.n > best_n || (c.n == best_n && c.step < best)) {
      best = c.step;
      best_n = c.n;
    }
  }
  return best;
}

}  // namespace aitrader::market
