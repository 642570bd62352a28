#include "agent/decision.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/strings.hpp"
#include "llm/client.hpp"

namespace aitrader::agent {

namespace json = boost::json;

std::string_view ToString(Signal s) {
  switch (s) {
    case Signal::kBuyToEnter: return "buy_to_enter";
    case Signal::kSellToEnter: return "sell_to_enter";
    case Signal::kHold: return "hold";
    case Signal::kClosePosition: return "close_position";
  }
  return "hold";
}

std::optional<Signal> ParseSignal(std::string_view text) {
  text = Trim(text);
  if (EqualsIgnoreCase(text, "buy_to_enter")) return Signal::kBuyToEnter;
  if (EqualsIgnoreCase(text, "sell_to_enter")) return Signal::kSellToEnter;
  if (EqualsIgnoreCase(text, "hold")) return Signal::kHold;
  if (EqualsIgnoreCase(text, "close_position") || EqualsIgnoreCase(text, "close")) return Signal::kClosePosition;
  return std::nullopt;
}

std::string_view FieldName(Field f) {
  switch (f) {
    case Field::kSignal: return "signal";
    case Field::kQuantity: return "quantity";
    case Field::kLeverage: return "leverage";
    case Field::kProfitTarget: return "profit_target";
    case Field::kStopLoss: return "stop_loss";
    case Field::kInvalidation: return "invalidation_condition";
    case Field::kConfidence: return "confidence";
    case Field::kRiskUsd: return "risk_usd";
    case Field::kJustification: return "justification";
  }
  return "?";
}

std::string_view ToString(DecisionReason r) {
  switch (r) {
    case DecisionReason::kNoDecisionFound: return "no_decision_found";
    case DecisionReason::kMalformedJson: return "malformed_json";
    case DecisionReason::kTooLarge: return "too_large";
    case DecisionReason::kTooDeep: return "too_deep";
    case DecisionReason::kBadShape: return "bad_shape";
    case DecisionReason::kUnknownCoin: return "unknown_coin";
    case DecisionReason::kDuplicateCoin: return "duplicate_coin";
    case DecisionReason::kInvalidSignal: return "invalid_signal";
    case DecisionReason::kMissingField: return "missing_field";
    case DecisionReason::kNonNumericField: return "non_numeric_field";
    case DecisionReason::kNegativeQuantity: return "negative_quantity";
    case DecisionReason::kZeroQuantity: return "zero_quantity";
    case DecisionReason::kLeverageOutOfRange: return "leverage_out_of_range";
    case DecisionReason::kConfidenceOutOfRange: return "confidence_out_of_range";
    case DecisionReason::kNegativeRisk: return "negative_risk";
    case DecisionReason::kStopLossWrongSide: return "stop_loss_wrong_side";
    case DecisionReason::kProfitTargetWrongSide: return "profit_target_wrong_side";
    case DecisionReason::kEntryWithOpenPosition: return "entry_with_open_position";
    case DecisionReason::kCloseWithoutPosition: return "close_without_position";
    case DecisionReason::kNoPrice: return "no_price";
    case DecisionReason::kQuantityOutOfRange: return "quantity_out_of_range";
    case DecisionReason::kPriceOutOfRange: return "price_out_of_range";
    case DecisionReason::kRiskOutOfRange: return "risk_out_of_range";
    case DecisionReason::kTruncatedAnswer: return "truncated_answer";
  }
  return "?";
}

namespace {

// ---- extraction -------------------------------------------------------------------------

struct Candidate {
  std::size_t begin = 0;   // offset in the visible text
  std::size_t length = 0;
  bool complete = true;    // false: ran off the end (truncated)
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The answer with reasoning blocks (<think>, <thinking>, <reasoning>, <reflection>) blanked
// out (replaced by spaces so offsets stay valid). An unclosed opening tag blanks to the end;
// a closing tag with no opening blanks everything before it (some vendors drop the opener).
std::string BlankReasoning(std::string_view answer) {
  std::string text(answer);
  if (answer.find('<') == std::string_view::npos) return text;
  std::string lower = ToLower(answer);  // tags are matched case-insensitively
  static constexpr std::array<std::string_view, 4> kOpen = {"<think>", "<thinking>", "<reasoning>", "<reflection>"};
  static constexpr std::array<std::string_view, 4> kClose = {"</think>", "</thinking>", "</reasoning>", "</reflection>"};
  auto blank = [&](std::size_t from, std::size_t to) {
    std::fill(text.begin() + static_cast<std::ptrdiff_t>(from), text.begin() + static_cast<std::ptrdiff_t>(to), ' ');
    std::fill(lower.begin() + static_cast<std::ptrdiff_t>(from), lower.begin() + static_cast<std::ptrdiff_t>(to), ' ');
  };
  for (std::size_t t = 0; t < kOpen.size(); ++t) {
    const std::string_view open = kOpen[t], close = kClose[t];
    std::string_view view(lower);
    std::size_t first_open = view.find(open);
    std::size_t first_close = view.find(close);
    if (first_close != std::string_view::npos && (first_open == std::string_view::npos || first_close < first_open)) {
      blank(0, first_close + close.size());
    }
    std::size_t pos = 0;
    while ((pos = view.find(open, pos)) != std::string_view::npos) {
      std::size_t end = view.find(close, pos + open.size());
      std::size_t stop = end == std::string_view::npos ? text.size() : end + close.size();
      blank(pos, stop);
      pos = stop;
    }
  }
  return text;
}

// From text[begin] ('{' or '['), the end of the balanced JSON value (string-aware), or npos.
std::size_t MatchBalanced(std::string_view text, std::size_t begin, std::size_t max_depth_scan) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = begin; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth_scan) return std::string_view::npos;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return std::string_view::npos;
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// An array is a decision candidate only when its first element is an object: a bare
// "[114050.0, ...]" from the reasoning never is.
bool ArrayOfObjects(std::string_view text, std::size_t begin) {
  std::size_t i = begin + 1;
  while (i < text.size() && IsSpace(text[i])) ++i;
  return i < text.size() && text[i] == '{';
}

// Top-level JSON-looking spans of `region` (offsets relative to `base`).
void ScanSpans(std::string_view text, std::size_t from, std::size_t to, std::vector<Candidate>& out) {
  std::size_t i = from;
  while (i < to) {
    char c = text[i];
    if (c == '{' || (c == '[' && ArrayOfObjects(text.substr(0, to), i))) {
      std::size_t end = MatchBalanced(text.substr(0, to), i, 1024);
      if (end == std::string_view::npos) {
        out.push_back({i, to - i, false});
        return;  // everything after an unbalanced opener belongs to it
      }
      out.push_back({i, end - i, true});
      i = end;
      continue;
    }
    ++i;
  }
}

// Candidates in preference order: fenced code blocks (last first), then bare spans outside
// fences (last first).
std::vector<Candidate> FindCandidates(std::string_view text) {
  std::vector<Candidate> fenced, bare;
  std::size_t pos = 0;
  std::size_t outside_from = 0;
  std::vector<std::pair<std::size_t, std::size_t>> outside;
  while (true) {
    std::size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    std::size_t body = open + 3;
    // Skip an info string ("json", "JSON", "jsonc") up to the end of the line.
    std::size_t eol = body;
    while (eol < text.size() && text[eol] != '\n' && text[eol] != '{' && text[eol] != '[') ++eol;
    std::string_view info = Trim(text.substr(body, eol - body));
    bool info_ok = info.size() <= 16 && std::all_of(info.begin(), info.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                   });
    if (!info_ok) eol = body;
    std::size_t close = text.find("```", eol);
    outside.emplace_back(outside_from, open);
    std::size_t body_end = close == std::string_view::npos ? text.size() : close;
    ScanSpans(text, eol, body_end, fenced);
    if (close == std::string_view::npos) {
      outside_from = text.size();
      break;
    }
    pos = close + 3;
    outside_from = pos;
  }
  if (outside_from < text.size()) outside.emplace_back(outside_from, text.size());
  for (auto [from, to] : outside) ScanSpans(text, from, to, bare);
  std::vector<Candidate> all;
  all.reserve(fenced.size() + bare.size());
  all.insert(all.end(), fenced.rbegin(), fenced.rend());
  all.insert(all.end(), bare.rbegin(), bare.rend());
  return all;
}

// ---- reading ----------------------------------------------------------------------------

// Upper case, quote suffixes removed until none is left (so normalising twice changes nothing:
// "btcusdt-perp" → "BTC").
std::string NormalizeCoin(std::string_view raw) {
  std::string_view coin = raw;
  bool stripped = true;
  while (stripped) {
    stripped = false;
    coin = Trim(coin);
    for (std::string_view suffix : {std::string_view("-PERP"), std::string_view("/USDT"), std::string_view("USDT"),
                                    std::string_view("/USDC"), std::string_view("USDC")}) {
      if (coin.size() > suffix.size() && EqualsIgnoreCase(coin.substr(coin.size() - suffix.size()), suffix)) {
        coin.remove_suffix(suffix.size());
        stripped = true;
        break;
      }
    }
  }
  return ToUpper(coin);
}

const json::object* Unwrap(const json::object& obj) {
  if (const json::value* inner = obj.if_contains("trade_signal_args")) {
    if (const json::object* o = inner->if_object()) return o;
  }
  return nullptr;
}

// An object that carries decision fields (a signal, or the wrapper, or an exit plan's numbers).
bool LooksLikeDecision(const json::object& obj) {
  for (const char* key : {"signal", "trade_signal_args", "quantity", "leverage", "profit_target", "stop_loss"}) {
    if (obj.contains(key)) return true;
  }
  return false;
}

// A number from a JSON number or a numeric string, as a decimal string-free double or exact
// fixed raw. Returns false with a message when not numeric.
template <class T>
bool ReadFixed(const json::value& v, std::optional<T>& out, std::string& why) {
  if (const std::int64_t* i = v.if_int64()) {
    if (*i > std::numeric_limits<std::int64_t>::max() / kFixedScale || *i < std::numeric_limits<std::int64_t>::min() / kFixedScale) {
      why = "is out of range";
      return false;
    }
    out = T::FromUnits(*i);
    return true;
  }
  if (v.is_uint64()) {
    why = "is out of range";
    return false;
  }
  if (const double* d = v.if_double()) {
    auto r = T::FromDouble(*d);
    if (!r.ok()) {
      why = "is out of range";
      return false;
    }
    out = *r;
    return true;
  }
  if (const json::string* s = v.if_string()) {
    std::string_view text = Trim(std::string_view(s->data(), s->size()));
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) {
      why = "is an empty string";
      return false;
    }
    auto exact = T::Parse(text);
    if (exact.ok()) {
      out = *exact;
      return true;
    }
    // More than nine decimals: round like a JSON number would be.
    double d = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(d)) {
      auto r = T::FromDouble(d);
      if (r.ok()) {
        out = *r;
        return true;
      }
      why = "is out of range";
      return false;
    }
    why = "is not a number";
    return false;
  }
  why = v.is_null() ? "is null" : "is not a number";
  return false;
}

bool ReadDouble(const json::value& v, double& out, std::string& why) {
  if (const std::int64_t* i = v.if_int64()) {
    out = static_cast<double>(*i);
    return true;
  }
  if (const std::uint64_t* u = v.if_uint64()) {
    out = static_cast<double>(*u);
    return true;
  }
  if (const double* d = v.if_double()) {
    if (!std::isfinite(*d)) {  // Boost.JSON reads 1e+320 as infinity
      why = "is out of range";
      return false;
    }
    out = *d;
    return true;
  }
  if (const json::string* s = v.if_string()) {
    std::string_view text = Trim(std::string_view(s->data(), s->size()));
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out)) return true;
  }
  why = v.is_null() ? "is null" : "is not a number";
  return false;
}

class Reader {
 public:
  Reader(ParsedAnswer& out, const ParseLimits& limits) : out_(out), limits_(limits) {}

  // Returns false when the value is not decision-shaped at all (so another candidate may be
  // tried); true when it was read (possibly with issues).
  bool ReadTop(const json::value& v) {
    if (const json::array* arr = v.if_array()) return ReadArray(*arr);
    const json::object* obj = v.if_object();
    if (obj == nullptr) return false;
    if (const json::value* d = obj->if_contains("decisions"); d != nullptr && obj->size() == 1) {
      if (d->is_array() || d->is_object()) return ReadTop(*d);
    }
    if (LooksLikeDecision(*obj)) {
      ReadOne(*obj, "");
      return true;
    }
    // Keyed by coin: decision-shaped when at least one value is an object that looks like a
    // decision.
    bool any = false;
    for (const auto& kv : *obj) {
      if (const json::object* inner = kv.value().if_object(); inner != nullptr && LooksLikeDecision(*inner)) any = true;
    }
    if (!any) return false;
    for (const auto& kv : *obj) {
      std::string key = NormalizeCoin(std::string_view(kv.key().data(), kv.key().size()));
      if (const json::object* inner = kv.value().if_object()) {
        ReadOne(*inner, key);
      } else if (const json::string* s = kv.value().if_string(); s != nullptr && ParseSignal(std::string_view(s->data(), s->size()))) {
        Decision d;
        d.coin = key;
        d.signal = ParseSignal(std::string_view(s->data(), s->size()));
        d.present = static_cast<std::uint32_t>(Field::kSignal);
        Add(std::move(d));
      } else {
        Issue(DecisionReason::kBadShape, key, "", key + ": the value must be an object with the decision fields");
      }
    }
    return true;
  }

 private:
  bool ReadArray(const json::array& arr) {
    bool any = false;
    for (const auto& e : arr) {
      if (const json::object* o = e.if_object(); o != nullptr && LooksLikeDecision(*o)) any = true;
    }
    if (!any) return false;
    for (const auto& e : arr) {
      if (const json::object* o = e.if_object()) {
        ReadOne(*o, "");
      } else {
        Issue(DecisionReason::kBadShape, "", "", "every element of the decision array must be an object");
      }
    }
    return true;
  }

  void ReadOne(const json::object& outer, const std::string& key_coin) {
    const json::object* inner = Unwrap(outer);
    const json::object& obj = inner != nullptr ? *inner : outer;
    Decision d;
    std::string coin_field;
    if (const json::value* c = obj.if_contains("coin"); c != nullptr) {
      if (const json::string* s = c->if_string()) coin_field = NormalizeCoin(std::string_view(s->data(), s->size()));
    }
    if (coin_field.empty() && inner != nullptr) {
      if (const json::value* c = outer.if_contains("coin"); c != nullptr) {
        if (const json::string* s = c->if_string()) coin_field = NormalizeCoin(std::string_view(s->data(), s->size()));
      }
    }
    if (!key_coin.empty()) {
      if (!coin_field.empty() && coin_field != key_coin) {
        Issue(DecisionReason::kBadShape, key_coin, "coin",
              key_coin + ": the entry's coin field says " + coin_field + "; it must match its key");
        return;
      }
      d.coin = key_coin;
    } else {
      if (coin_field.empty()) {
        Issue(DecisionReason::kMissingField, "", "coin", "a decision has no coin field (string) naming its coin");
        return;
      }
      d.coin = coin_field;
    }
    const std::string& coin = d.coin;
    if (coin.empty()) {
      Issue(DecisionReason::kUnknownCoin, "", "coin", "a decision has an empty coin name");
      return;
    }

    std::string why;
    auto field_issue = [&](Field f, DecisionReason r, const std::string& msg) {
      Issue(r, coin, std::string(FieldName(f)), coin + ": " + std::string(FieldName(f)) + " " + msg);
    };
    auto mark = [&](Field f) { d.present |= static_cast<std::uint32_t>(f); };

    if (const json::value* v = obj.if_contains("signal")) {
      mark(Field::kSignal);
      if (const json::string* s = v->if_string()) {
        d.signal = ParseSignal(std::string_view(s->data(), s->size()));
        if (!d.signal) {
          std::string shown(s->data(), std::min<std::size_t>(s->size(), 40));
          field_issue(Field::kSignal, DecisionReason::kInvalidSignal,
                      "'" + shown + "' is not one of buy_to_enter, sell_to_enter, hold, close_position");
        }
      } else {
        field_issue(Field::kSignal, DecisionReason::kInvalidSignal, "must be a string");
      }
    }
    auto read_fixed = [&](const char* key, Field f, auto& slot) {
      if (const json::value* v = obj.if_contains(key)) {
        mark(f);
        if (!ReadFixed(*v, slot, why)) field_issue(f, DecisionReason::kNonNumericField, why);
      }
    };
    read_fixed("quantity", Field::kQuantity, d.quantity);
    read_fixed("profit_target", Field::kProfitTarget, d.profit_target);
    read_fixed("stop_loss", Field::kStopLoss, d.stop_loss);
    read_fixed("risk_usd", Field::kRiskUsd, d.risk_usd);
    // nof1 nested the exit plan in positions; accept it in decisions too.
    if (const json::value* plan = obj.if_contains("exit_plan"); plan != nullptr && plan->is_object()) {
      const json::object& p = plan->get_object();
      if (!d.Has(Field::kProfitTarget)) {
        if (const json::value* v = p.if_contains("profit_target")) {
          mark(Field::kProfitTarget);
          if (!ReadFixed(*v, d.profit_target, why)) field_issue(Field::kProfitTarget, DecisionReason::kNonNumericField, why);
        }
      }
      if (!d.Has(Field::kStopLoss)) {
        if (const json::value* v = p.if_contains("stop_loss")) {
          mark(Field::kStopLoss);
          if (!ReadFixed(*v, d.stop_loss, why)) field_issue(Field::kStopLoss, DecisionReason::kNonNumericField, why);
        }
      }
      if (!obj.contains("invalidation_condition")) {
        if (const json::value* v = p.if_contains("invalidation_condition"); v != nullptr && v->is_string()) {
          mark(Field::kInvalidation);
          d.invalidation_condition = std::string(v->get_string().data(), v->get_string().size());
        }
      }
    }
    if (const json::value* v = obj.if_contains("leverage")) {
      mark(Field::kLeverage);
      double lev = 0;
      if (!ReadDouble(*v, lev, why)) {
        field_issue(Field::kLeverage, DecisionReason::kNonNumericField, why);
      } else if (lev != std::floor(lev)) {
        field_issue(Field::kLeverage, DecisionReason::kNonNumericField, "must be a whole number (got " + FormatDouble(lev) + ")");
      } else if (lev < -1e6 || lev > 1e6) {
        field_issue(Field::kLeverage, DecisionReason::kLeverageOutOfRange, FormatDouble(lev) + " is out of range");
      } else {
        d.leverage = static_cast<int>(lev);
      }
    }
    if (const json::value* v = obj.if_contains("confidence")) {
      mark(Field::kConfidence);
      double c = 0;
      if (ReadDouble(*v, c, why)) {
        d.confidence = c;
      } else {
        field_issue(Field::kConfidence, DecisionReason::kNonNumericField, why);
      }
    }
    auto read_text = [&](const char* key, Field f, std::string& slot) {
      if (const json::value* v = obj.if_contains(key)) {
        mark(f);
        if (const json::string* s = v->if_string()) {
          slot.assign(s->data(), s->size());
        } else if (!v->is_null()) {
          field_issue(f, DecisionReason::kBadShape, "must be a string");
        }
      }
    };
    if (!obj.contains("invalidation_condition") && d.Has(Field::kInvalidation)) {
      // taken from exit_plan above
    } else {
      read_text("invalidation_condition", Field::kInvalidation, d.invalidation_condition);
    }
    read_text("justification", Field::kJustification, d.justification);
    Add(std::move(d));
  }

  void Add(Decision d) {
    for (const Decision& e : out_.decisions) {
      if (e.coin == d.coin) {
        Issue(DecisionReason::kDuplicateCoin, d.coin, "", d.coin + ": more than one decision for this coin");
        return;
      }
    }
    if (out_.decisions.size() >= limits_.max_decisions) {
      if (!too_many_) Issue(DecisionReason::kTooLarge, "", "", "too many decisions in one answer");
      too_many_ = true;
      return;
    }
    out_.decisions.push_back(std::move(d));
  }

  void Issue(DecisionReason r, std::string coin, std::string field, std::string message) {
    if (out_.issues.size() >= 64) return;  // bounded: a hostile answer cannot balloon the record
    out_.issues.push_back({r, std::move(coin), std::move(field), std::move(message)});
  }

  ParsedAnswer& out_;
  const ParseLimits& limits_;
  bool too_many_ = false;
};

// Boost.JSON parse that never throws (allocation failure or a library limit become an error).
json::value SafeParse(std::string_view text, boost::system::error_code& ec, json::storage_ptr sp,
                      const json::parse_options& opt) {
  try {
    return json::parse(json::string_view(text.data(), text.size()), ec, std::move(sp), opt);
  } catch (const std::exception&) {
    ec = json::make_error_code(json::error::exception);
    return json::value();
  }
}

}  // namespace

ParsedAnswer ParseDecisionAnswer(std::string_view answer, const ParseLimits& limits) {
  ParsedAnswer out;
  if (answer.size() > limits.max_answer_bytes) {
    out.issues.push_back({DecisionReason::kTooLarge, "", "",
                          "the answer is " + std::to_string(answer.size()) + " bytes; the limit is " +
                              std::to_string(limits.max_answer_bytes)});
    return out;
  }
  std::string visible = BlankReasoning(answer);
  std::vector<Candidate> candidates = FindCandidates(visible);

  std::optional<DecisionIssue> first_error;
  alignas(std::max_align_t) unsigned char buffer[8192];
  for (const Candidate& c : candidates) {
    std::string_view text = std::string_view(visible).substr(c.begin, c.length);
    if (!c.complete) {
      if (!first_error) {
        first_error = DecisionIssue{DecisionReason::kMalformedJson, "", "",
                                    "the JSON starting at offset " + std::to_string(c.begin) +
                                        " is not closed (truncated answer?)"};
      }
      continue;
    }
    if (text.size() > limits.max_json_bytes) {
      if (!first_error) {
        first_error = DecisionIssue{DecisionReason::kTooLarge, "", "",
                                    "the JSON is " + std::to_string(text.size()) + " bytes; the limit is " +
                                        std::to_string(limits.max_json_bytes)};
      }
      continue;
    }
    json::monotonic_resource mr(buffer, sizeof buffer);
    json::parse_options opt;
    opt.max_depth = limits.max_depth;
    opt.allow_trailing_commas = true;  // a common LLM slip that changes nothing
    boost::system::error_code ec;
    json::value v = SafeParse(text, ec, json::storage_ptr(&mr), opt);
    if (ec) {
      if (!first_error) {
        DecisionReason r = ec == json::error::too_deep ? DecisionReason::kTooDeep : DecisionReason::kMalformedJson;
        first_error = DecisionIssue{r, "", "",
                                    "the JSON at offset " + std::to_string(c.begin) + " does not parse: " + ec.message()};
      }
      continue;
    }
    ParsedAnswer attempt;
    Reader reader(attempt, limits);
    bool shaped = false;
    try {
      shaped = reader.ReadTop(v);
    } catch (const std::exception&) {
      shaped = false;
    }
    if (!shaped) continue;
    attempt.json_offset = c.begin;
    attempt.json_length = c.length;
    if (attempt.decisions.empty() && attempt.issues.empty()) {
      attempt.issues.push_back({DecisionReason::kNoDecisionFound, "", "", "the decision JSON is empty"});
    }
    return attempt;
  }
  if (first_error) {
    out.issues.push_back(std::move(*first_error));
  } else {
    out.issues.push_back({DecisionReason::kNoDecisionFound, "", "",
                          "no JSON object with decisions (keyed by coin, each with a signal) was found"});
  }
  return out;
}

const CoinState* ValidationContext::Find(std::string_view coin) const {
  for (const CoinState& c : coins) {
    if (c.coin == coin) return &c;
  }
  return nullptr;
}

std::vector<DecisionIssue> ValidateDecisions(std::span<const Decision> decisions, const ValidationContext& ctx) {
  std::vector<DecisionIssue> issues;
  const int max_lev = std::clamp(ctx.max_leverage, 1, kMaxLeverageCap);
  const Money max_notional = std::clamp(ctx.max_notional, Money::Zero(), Money::FromUnits(kMaxDecisionNotionalUsd));
  auto add = [&](DecisionReason r, const Decision& d, Field f, std::string msg) {
    std::string field = f == Field{} ? std::string() : std::string(FieldName(f));
    issues.push_back({r, d.coin, std::move(field), d.coin + ": " + std::move(msg)});
  };
  for (const Decision& d : decisions) {
    const CoinState* state = ctx.Find(d.coin);
    if (state == nullptr) {
      std::string known;
      for (const CoinState& c : ctx.coins) known += (known.empty() ? "" : ", ") + c.coin;
      add(DecisionReason::kUnknownCoin, d, Field{}, "is not a traded coin (coins: " + known + ")");
      continue;
    }
    if (!d.signal) {
      if (!d.Has(Field::kSignal)) add(DecisionReason::kInvalidSignal, d, Field::kSignal, "signal is missing");
      continue;  // an unreadable signal was reported by the parser
    }
    const Signal sig = *d.signal;
    const bool entry = IsEntry(sig);
    const bool has_position = !state->position.IsZero();

    // Required fields for entries (absent keys; unreadable ones were reported by the parser).
    if (entry) {
      for (Field f : {Field::kQuantity, Field::kLeverage, Field::kProfitTarget, Field::kStopLoss, Field::kInvalidation,
                      Field::kConfidence, Field::kRiskUsd}) {
        if (!d.Has(f)) add(DecisionReason::kMissingField, d, f, std::string(FieldName(f)) + " is required for " + std::string(ToString(sig)));
      }
      if (d.Has(Field::kInvalidation) && Trim(d.invalidation_condition).empty()) {
        add(DecisionReason::kMissingField, d, Field::kInvalidation, "invalidation_condition must not be empty for an entry");
      }
    }
    // Ranges, whatever the signal.
    if (d.quantity) {
      if (d.quantity->IsNegative()) {
        add(DecisionReason::kNegativeQuantity, d, Field::kQuantity,
            "quantity " + d.quantity->ToString() + " is negative; give the size in coins, the signal gives the side");
      } else if (entry && d.quantity->IsZero()) {
        add(DecisionReason::kZeroQuantity, d, Field::kQuantity, "quantity must be > 0 for an entry");
      } else if (state->price && state->price->IsPositive()) {
        auto notional = CheckedNotional(*state->price, *d.quantity);
        if (!notional.ok() || *notional > max_notional) {
          add(DecisionReason::kQuantityOutOfRange, d, Field::kQuantity,
              "quantity " + d.quantity->ToString() + " at the current price " + state->price->ToString() +
                  " is a notional of " + (notional.ok() ? notional->ToString(2) : std::string("more than 9.2e9")) +
                  ", above the limit " + max_notional.ToString(2) + "; give the size in coins, not dollars");
        }
      }
    }
    if (d.leverage && (*d.leverage < 1 || *d.leverage > max_lev)) {
      add(DecisionReason::kLeverageOutOfRange, d, Field::kLeverage,
          "leverage " + std::to_string(*d.leverage) + " is outside 1.." + std::to_string(max_lev));
    }
    if (d.confidence && !(*d.confidence >= 0.0 && *d.confidence <= 1.0)) {
      add(DecisionReason::kConfidenceOutOfRange, d, Field::kConfidence,
          "confidence " + FormatDouble(*d.confidence) + " is outside [0, 1]");
    }
    if (d.risk_usd && d.risk_usd->IsNegative()) {
      add(DecisionReason::kNegativeRisk, d, Field::kRiskUsd, "risk_usd " + d.risk_usd->ToString() + " is negative");
    } else if (d.risk_usd && *d.risk_usd > max_notional) {
      add(DecisionReason::kRiskOutOfRange, d, Field::kRiskUsd,
          "risk_usd " + d.risk_usd->ToString() + " is above the limit " + max_notional.ToString(2));
    }
    // Position rules.
    if (entry && has_position) {
      add(DecisionReason::kEntryWithOpenPosition, d, Field::kSignal,
          std::string(ToString(sig)) + " while a position of " + state->position.ToString() +
              " is open; only hold or close_position are allowed for this coin");
    }
    if (sig == Signal::kClosePosition && !has_position) {
      add(DecisionReason::kCloseWithoutPosition, d, Field::kSignal, "close_position but there is no open position");
    }
    // Exit plan sides for entries.
    if (entry) {
      if (!state->price) {
        add(DecisionReason::kNoPrice, d, Field{}, "no current price is known; cannot check the exit plan");
        continue;
      }
      const Price px = *state->price;
      const bool is_long = sig == Signal::kBuyToEnter;
      // Sane magnitudes first: positive and within kMaxExitPriceFactor of the price (px is at
      // most 9.2e9 / max_notional-checked, so px × 10 is checked too).
      const Price lo = px.DivInt(kMaxExitPriceFactor, Rounding::kCeil);
      const auto hi = px.CheckedMul(kMaxExitPriceFactor);
      auto check_range = [&](const std::optional<Price>& x, Field f) {
        if (!x) return;
        if (!x->IsPositive() || *x < lo || (hi.ok() && *x > *hi)) {
          add(DecisionReason::kPriceOutOfRange, d, f,
              std::string(FieldName(f)) + " " + x->ToString() + " must be positive and within " +
                  std::to_string(kMaxExitPriceFactor) + "x of the current price " + px.ToString());
        }
      };
      check_range(d.stop_loss, Field::kStopLoss);
      check_range(d.profit_target, Field::kProfitTarget);
      if (d.stop_loss) {
        bool ok = is_long ? *d.stop_loss < px : *d.stop_loss > px;
        if (!ok) {
          add(DecisionReason::kStopLossWrongSide, d, Field::kStopLoss,
              "stop_loss " + d.stop_loss->ToString() + " must be " + (is_long ? "below" : "above") +
                  " the current price " + px.ToString() + " for a " + (is_long ? "long" : "short"));
        }
      }
      if (d.profit_target) {
        bool ok = is_long ? *d.profit_target > px : *d.profit_target < px;
        if (!ok) {
          add(DecisionReason::kProfitTargetWrongSide, d, Field::kProfitTarget,
              "profit_target " + d.profit_target->ToString() + " must be " + (is_long ? "above" : "below") +
                  " the current price " + px.ToString() + " for a " + (is_long ? "long" : "short"));
        }
      }
    }
  }
  return issues;
}

CheckedAnswer CheckDecisionAnswer(std::string_view answer, const ValidationContext& ctx, const ParseLimits& limits) {
  ParsedAnswer parsed = ParseDecisionAnswer(answer, limits);
  CheckedAnswer out;
  out.issues = std::move(parsed.issues);
  std::vector<DecisionIssue> more = ValidateDecisions(parsed.decisions, ctx);
  out.issues.insert(out.issues.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  out.decisions = std::move(parsed.decisions);
  return out;
}

Status IssuesToStatus(std::span<const DecisionIssue> issues) {
  if (issues.empty()) return Status::Ok();
  std::string msg;
  for (const DecisionIssue& i : issues) {
    if (!msg.empty()) msg += "; ";
    msg += i.message;
  }
  return ParseError(std::move(msg));
}


std::string DecisionsToJson(std::span<const Decision> decisions) {
  std::string out = "{";
  bool first = true;
  for (const Decision& d : decisions) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(out, d.coin);
    out += ":{\"trade_signal_args\":{\"coin\":";
    AppendJsonString(out, d.coin);
    if (d.signal) {
      out += ",\"signal\":";
      AppendJsonString(out, ToString(*d.signal));
    }
    auto num = [&](const char* key, const std::string& text) {
      out += ",\"";
      out += key;
      out += "\":";
      out += text;
    };
    if (d.quantity) num("quantity", d.quantity->ToString());
    if (d.leverage) num("leverage", std::to_string(*d.leverage));
    if (d.profit_target) num("profit_target", d.profit_target->ToString());
    if (d.stop_loss) num("stop_loss", d.stop_loss->ToString());
    if (d.Has(Field::kInvalidation)) {
      out += ",\"invalidation_condition\":";
      AppendJsonString(out, d.invalidation_condition);
    }
    if (d.confidence && std::isfinite(*d.confidence)) num("confidence", FormatDouble(*d.confidence));
    if (d.risk_usd) num("risk_usd", d.risk_usd->ToString());
    if (d.Has(Field::kJustification)) {
      out += ",\"justification\":";
      AppendJsonString(out, d.justification);
    }
    out += "}}";
  }
  out += "}";
  return out;
}

std::string DecisionJsonSchema(std::span<const std::string> coins, int max_leverage) {
  const int max_lev = std::clamp(max_leverage, 1, kMaxLeverageCap);
  std::string out;
  out += "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":\"trade_decision\",";
  out += "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{";
  for (std::size_t i = 0; i < coins.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, coins[i]);
    out += ":{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"trade_signal_args\"],";
    out += "\"properties\":{\"trade_signal_args\":{\"type\":\"object\",\"additionalProperties\":false,";
    out += "\"required\":[\"coin\",\"signal\",\"quantity\",\"leverage\",\"profit_target\",\"stop_loss\",";
    out += "\"invalidation_condition\",\"confidence\",\"risk_usd\",\"justification\"],\"properties\":{";
    out += "\"coin\":{\"type\":\"string\",\"enum\":[";
    AppendJsonString(out, coins[i]);
    out += "]},";
    out += "\"signal\":{\"type\":\"string\",\"enum\":[\"buy_to_enter\",\"sell_to_enter\",\"hold\",\"close_position\"]},";
    out += "\"quantity\":{\"type\":\"number\",\"minimum\":0,\"description\":\"size in coins; the full current size for hold/close\"},";
    out += "\"leverage\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + std::to_string(max_lev) + "},";
    out += "\"profit_target\":{\"type\":\"number\",\"description\":\"take-profit price\"},";
    out += "\"stop_loss\":{\"type\":\"number\",\"description\":\"stop-loss price\"},";
    out += "\"invalidation_condition\":{\"type\":\"string\"},";
    out += "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},";
    out += "\"risk_usd\":{\"type\":\"number\",\"minimum\":0,\"description\":\"dollars lost if the stop is hit\"},";
    out += "\"justification\":{\"type\":\"string\"}}}}}";
  }
  out += "},\"required\":[";
  for (std::size_t i = 0; i < coins.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, coins[i]);
  }
  out += "]}";
  return out;
}

// ---- retry protocol -------------------------------------------------------------------

std::string BuildRetryMessage(std::span<const DecisionIssue> issues) {
  std::string out = "Your previous answer could not be accepted:\n";
  for (const DecisionIssue& i : issues) {
    out += "- [";
    out += ToString(i.reason);
    out += "] ";
    out += i.message;
    out += '\n';
  }
  out +=
      "Answer again with the corrected decision as JSON only (an object keyed by coin, each with "
      "trade_signal_args), no prose. If a position is open in a coin, only hold or close_position are allowed "
      "for it.";
  return out;
}

std::vector<Decision> HoldAll(const ValidationContext& ctx) {
  std::vector<Decision> out;
  out.reserve(ctx.coins.size());
  for (const CoinState& c : ctx.coins) {
    Decision d;
    d.coin = c.coin;
    d.signal = Signal::kHold;
    d.quantity = c.position.Abs();
    d.present = static_cast<std::uint32_t>(Field::kSignal) | static_cast<std::uint32_t>(Field::kQuantity);
    out.push_back(std::move(d));
  }
  return out;
}

DecisionProtocol::DecisionProtocol(ValidationContext ctx, RetryPolicy policy, std::string prompt_version)
    : ctx_(std::move(ctx)), policy_(policy) {
  outcome_.prompt_version = std::move(prompt_version);
}

DecisionProtocol::Step DecisionProtocol::OnAnswer(std::string raw_text, std::string reasoning) {
  CheckedAnswer checked = CheckDecisionAnswer(raw_text, ctx_);
  DecisionAttempt attempt;
  attempt.raw_text = std::move(raw_text);
  attempt.reasoning = std::move(reasoning);
  attempt.issues = checked.issues;
  outcome_.attempts.push_back(std::move(attempt));
  if (checked.ok()) {
    // Coins the answer did not mention hold.
    std::vector<Decision> decisions = std::move(checked.decisions);
    for (Decision& hold : HoldAll(ctx_)) {
      bool mentioned = std::any_of(decisions.begin(), decisions.end(), [&](const Decision& d) { return d.coin == hold.coin; });
      if (!mentioned) decisions.push_back(std::move(hold));
    }
    outcome_.decisions = std::move(decisions);
    outcome_.fell_back_to_hold = false;
    retry_message_.clear();
    return Step::kAccepted;
  }
  if (retries_used_ < policy_.max_retries) {
    ++retries_used_;
    retry_message_ = BuildRetryMessage(checked.issues);
    return Step::kRetry;
  }
  outcome_.decisions = HoldAll(ctx_);
  outcome_.fell_back_to_hold = true;
  outcome_.fallback_reason = IssuesToStatus(checked.issues).message();
  retry_message_.clear();
  return Step::kFallback;
}

DecisionProtocol::Step DecisionProtocol::OnTransportError(Status status) {
  DecisionAttempt attempt;
  attempt.transport = status;
  outcome_.attempts.push_back(std::move(attempt));
  outcome_.decisions = HoldAll(ctx_);
  outcome_.fell_back_to_hold = true;
  outcome_.fallback_reason = status.ToString();
  retry_message_.clear();
  return Step::kFallback;
}

DecisionProtocol::Step DecisionProtocol::OnTruncated(std::string raw_text, std::string reasoning,
                                                     std::string finish_reason) {
  DecisionAttempt attempt;
  attempt.raw_text = std::move(raw_text);
  attempt.reasoning = std::move(reasoning);
  attempt.truncated = true;
  DecisionIssue issue{DecisionReason::kTruncatedAnswer, "", "",
                      "the answer was cut off at the output-token limit (finish_reason " + finish_reason +
                          "); raise max_tokens for this model"};
  attempt.finish_reason = std::move(finish_reason);
  attempt.issues.push_back(issue);
  outcome_.attempts.push_back(std::move(attempt));
  outcome_.decisions = HoldAll(ctx_);
  outcome_.fell_back_to_hold = true;
  outcome_.truncated = true;
  outcome_.fallback_reason = "truncated: " + issue.message;
  retry_message_.clear();
  return Step::kFallback;
}

DecisionOutcome DecideWithRetries(llm::Client& client, llm::Request request, const ValidationContext& ctx,
                                  const RetryPolicy& policy, std::string prompt_version,
                                  const llm::CancelToken* cancel) {
  DecisionProtocol protocol(ctx, policy, std::move(prompt_version));
  while (true) {
    Result<llm::Response> response = client.Complete(request, cancel);
    if (!response.ok()) {
      (void)protocol.OnTransportError(response.status());
      break;
    }
    if (llm::IsTruncatedFinish(response->finish_reason)) {
      (void)protocol.OnTruncated(response->text, response->reasoning, response->finish_reason);
      break;
    }
    std::string text = response->text;
    DecisionProtocol::Step step = protocol.OnAnswer(std::move(text), response->reasoning);
    if (step != DecisionProtocol::Step::kRetry) break;
    request.messages.push_back({llm::Role::kAssistant, response->text});
    request.messages.push_back({llm::Role::kUser, protocol.retry_message()});
  }
  return protocol.TakeOutcome();
}

}  // namespace aitrader::agent
