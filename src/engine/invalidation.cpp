#include "engine/invalidation.hpp"

#include <array>
#include <cctype>

#include "core/strings.hpp"

namespace aitrader::engine {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads a number at text[i…] allowing "$", "," thousands separators and decimals.
std::optional<Price> ReadNumber(std::string_view text, std::size_t& i) {
  while (i < text.size() && (IsSpace(text[i]) || text[i] == '$')) ++i;
  std::string digits;
  std::size_t j = i;
  bool seen_digit = false;
  for (; j < text.size(); ++j) {
    char c = text[j];
    if (c >= '0' && c <= '9') {
      digits += c;
      seen_digit = true;
    } else if (c == ',' && seen_digit && j + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
      continue;
    } else if (c == '.' && j + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
      digits += c;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  auto p = Price::Parse(digits);
  if (!p.ok() || !p->IsPositive()) return std::nullopt;
  i = j;
  return *p;
}

std::optional<UnixMs> ReadInterval(std::string_view lower) {
  // "3-minute", "5 minute", "1-hour", "4h", "15m", "4-hour"
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(lower[i]))) continue;
    if (i > 0 && (std::isdigit(static_cast<unsigned char>(lower[i - 1])) || lower[i - 1] == '.')) continue;
    std::size_t j = i;
    std::int64_t n = 0;
    while (j < lower.size() && std::isdigit(static_cast<unsigned char>(lower[j])) && n < 100000) {
      n = n * 10 + (lower[j] - '0');
      ++j;
    }
    if (j < lower.size() && (lower[j] == '-' || lower[j] == ' ')) ++j;
    std::string_view rest = lower.substr(j);
    if (n <= 0) continue;
    if (StartsWith(rest, "minute") || StartsWith(rest, "min") || (StartsWith(rest, "m") && (rest.size() == 1 || !std::isalpha(static_cast<unsigned char>(rest[1]))))) {
      return n * kMinuteMs;
    }
    if (StartsWith(rest, "hour") || (StartsWith(rest, "h") && (rest.size() == 1 || !std::isalpha(static_cast<unsigned char>(rest[1]))))) {
      return n * kHourMs;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Invalidation> ParseInvalidation(std::string_view text) {
  std::string lower = ToLower(text);
  struct Pattern {
    std::string_view words;
    Invalidation::Direction dir;
  };
  static constexpr std::array<Pattern, 14> kPatterns = {{
      {"closes below", Invalidation::Direction::kBelow},  {"close below", Invalidation::Direction::kBelow},
      {"closes under", Invalidation::Direction::kBelow},  {"close under", Invalidation::Direction::kBelow},
      {"breaks below", Invalidation::Direction::kBelow},  {"falls below", Invalidation::Direction::kBelow},
      {"drops below", Invalidation::Direction::kBelow},   {"closes above", Invalidation::Direction::kAbove},
      {"close above", Invalidation::Direction::kAbove},   {"closes over", Invalidation::Direction::kAbove},
      {"close over", Invalidation::Direction::kAbove},    {"breaks above", Invalidation::Direction::kAbove},
      {"rises above", Invalidation::Direction::kAbove},   {"moves above", Invalidation::Direction::kAbove},
  }};
  std::size_t best = std::string::npos;
  const Pattern* found = nullptr;
  for (const auto& p : kPatterns) {
    std::size_t at = lower.find(p.words);
    if (at != std::string::npos && (best == std::string::npos || at < best)) {
      best = at;
      found = &p;
    }
  }
  if (found == nullptr) return std::nullopt;
  std::size_t i = best + found->words.size();
  auto level = ReadNumber(text, i);
  if (!level) return std::nullopt;
  Invalidation inv;
  inv.direction = found->dir;
  inv.level = *level;
  inv.interval = ReadInterval(std::string_view(lower).substr(i)).value_or(0);
  inv.text = std::string(text);
  return inv;
}

}  // namespace aitrader::engine
