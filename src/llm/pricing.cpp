#include "llm/pricing.hpp"

#include <algorithm>

#include "core/io.hpp"
#include "core/strings.hpp"

#ifndef AITRADER_DATA_DIR
#define AITRADER_DATA_DIR "data"
#endif

namespace aitrader::llm {

Result<PriceTable> PriceTable::ParseCsv(std::string_view text, std::string_view source) {
  std::vector<ModelPrice> rows;
  bool header_seen = false;
  int line_no = 0;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return std::string(source) + ":" + std::to_string(line_no) + ": "; };
    auto fields = Split(line, ',');
    if (fields.size() != 5) return ParseError(where() + "expected 5 comma-separated fields");
    if (!header_seen) {
      if (Trim(fields[0]) != "provider" || Trim(fields[1]) != "model_pattern")
        return ParseError(where() + "expected the header provider,model_pattern,...");
      header_seen = true;
      continue;
    }
    ModelPrice p;
    p.provider = ToLower(Trim(fields[0]));
    p.model_pattern = std::string(Trim(fields[1]));
    if (p.provider.empty() || p.model_pattern.empty()) return ParseError(where() + "empty provider or model");
    Money* targets[3] = {&p.input_per_mtok, &p.cached_input_per_mtok, &p.output_per_mtok};
    for (int i = 0; i < 3; ++i) {
      auto m = Money::Parse(Trim(fields[2 + i]));
      if (!m.ok()) return ParseError(where() + "bad price '" + std::string(Trim(fields[2 + i])) + "'");
      if (m->IsNegative()) return ParseError(where() + "negative price");
      *targets[i] = *m;
    }
    rows.push_back(std::move(p));
  }
  if (!header_seen) return ParseError(std::string(source) + ": no header line");
  return PriceTable(std::move(rows));
}

Result<PriceTable> PriceTable::LoadCsv(const std::string& path) {
  AITRADER_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseCsv(text, path);
}

Result<PriceTable> PriceTable::LoadDefault() { return LoadCsv(std::string(AITRADER_DATA_DIR) + "/llm_prices.csv"); }

namespace {

// Length of the literal part matched, or -1 for no match.
int MatchLength(std::string_view pattern, std::string_view model) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return StartsWith(model, pattern) ? static_cast<int>(pattern.size()) : -1;
  }
  // An exact name outranks any prefix of the same length.
  return pattern == model ? static_cast<int>(pattern.size()) + 1 : -1;
}

}  // namespace

std::optional<ModelPrice> PriceTable::Find(std::string_view provider, std::string_view model) const {
  const std::string p = ToLower(provider);
  const ModelPrice* best = nullptr;
  int best_len = -1;
  for (const auto& row : rows_) {
    if (row.provider != "*" && row.provider != p) continue;
    const int len = MatchLength(row.model_pattern, model);
    if (len > best_len) {
      best = &row;
      best_len = len;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

Money PriceTable::Cost(const ModelPrice& price, const Usage& usage) {
  const std::int64_t cached = std::clamp<std::int64_t>(usage.cached_tokens, 0, std::max<std::int64_t>(usage.input_tokens, 0));
  const std::int64_t uncached = std::max<std::int64_t>(usage.input_tokens, 0) - cached;
  const std::int64_t output = std::max<std::int64_t>(usage.output_tokens, 0);
  const __int128 raw = static_cast<__int128>(uncached) * price.input_per_mtok.raw() +
                       static_cast<__int128>(cached) * price.cached_input_per_mtok.raw() +
                       static_cast<__int128>(output) * price.output_per_mtok.raw();
  const __int128 q = fixed_detail::DivRound(raw, 1'000'000, Rounding::kHalfEven);
  AITRADER_CHECK(q <= INT64_MAX, "LLM cost overflow");
  return Money::FromRaw(static_cast<std::int64_t>(q));
}

Money PriceTable::Cost(std::string_view provider, std::string_view model, const Usage& usage) const {
  auto price = Find(provider, model);
  return price ? Cost(*price, usage) : Money::Zero();
}

}  // namespace aitrader::llm
