// Usage cost: a table of list prices (USD per million tokens) per provider and model pattern,
// read from data/llm_prices.csv, and the exact fixed-point cost of one call's Usage.
//
// Cost = (input − cached) × input price + cached × cached-input price + output × output price,
// all per 1,000,000 tokens, computed in 128-bit integers and rounded once (half-even) to Money's
// 1e-9 USD. Reasoning tokens are part of output (all vendors bill them as output).
// Patterns: an exact model name, or a prefix ending in '*' ("claude-sonnet-4-5*" also matches
// the dated "claude-sonnet-4-5-20250929"); the longest matching pattern wins.
// Thread safety: immutable after loading; const methods from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"
#include "llm/client.hpp"

namespace aitrader::llm {

struct ModelPrice {
  std::string provider;        // "anthropic", "openai", ... ("*" matches any provider)
  std::string model_pattern;   // exact, or prefix + '*'
  Money input_per_mtok;        // USD per 1M uncached input tokens
  Money cached_input_per_mtok; // USD per 1M input tokens read from the vendor's cache
  Money output_per_mtok;       // USD per 1M output tokens (reasoning included)
};

class PriceTable {
 public:
  PriceTable() = default;
  explicit PriceTable(std::vector<ModelPrice> rows) : rows_(std::move(rows)) {}

  // CSV with header "provider,model_pattern,input_usd_per_mtok,cached_input_usd_per_mtok,
  // output_usd_per_mtok"; lines starting with '#' are comments. Errors name file:line.
  static Result<PriceTable> ParseCsv(std::string_view text, std::string_view source = "prices");
  static Result<PriceTable> LoadCsv(const std::string& path);
  // data/llm_prices.csv of this checkout (AITRADER_DATA_DIR).
  static Result<PriceTable> LoadDefault();

  // The best row for provider + model, or nullopt (unknown models cost zero: local models).
  std::optional<ModelPrice> Find(std::string_view provider, std::string_view model) const;
  // The cost of `usage` at `price`.
  static Money Cost(const ModelPrice& price, const Usage& usage);
  // Cost by lookup; zero when the model is unknown.
  Money Cost(std::string_view provider, std::string_view model, const Usage& usage) const;

  const std::vector<ModelPrice>& rows() const { return rows_; }

 private:
  std::vector<ModelPrice> rows_;
};

}  // namespace aitrader::llm
