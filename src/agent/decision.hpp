// The trading decision an LLM (or the baseline policy) returns, and how aitrader reads and
// checks it.
//
// The model proposes, the runtime disposes: an answer is untrusted text. Reading it is two
// steps, each returning data (never throwing, never aborting on bad input):
//  1. ParseDecisionAnswer() finds the decision JSON in the answer (code fences, prose before
//     and after, <think>…</think> reasoning blocks are handled; a bare indicator array such as
//     "[114050.0, 114084.5]" is never taken) and reads it into Decision values. Accepted
//     shapes: {"BTC": {...}, "ETH": {...}} (keyed by coin), the same with each value wrapped in
//     {"trade_signal_args": {...}}, an array [{"coin": "BTC", ...}, ...], a single object with
//     a "coin" field, and {"decisions": <any of those>}. Numbers may be JSON numbers or
//     numeric strings; prices, quantities and dollars become fixed-point values.
//  2. ValidateDecisions() checks the decisions against the market (current prices), the open
//     positions and the hard limits (coins, leverage cap).
// Every problem is a DecisionIssue: a reason enum plus a message naming the coin and field.
//
// DecisionProtocol drives one decision cycle: answer → issues → one follow-up message listing
// the issues (up to RetryPolicy::max_retries times) → otherwise every coin holds. The whole
// history (raw answers, issues, the final decisions, whether it fell back to hold) is the
// DecisionOutcome the engine stores.
//
// Thread safety: pure functions and value types; a DecisionProtocol is used by one thread (a
// bot's strand) at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"

namespace aitrader::llm {
class Client;
class CancelToken;
struct Request;
}  // namespace aitrader::llm

namespace aitrader::agent {

// The hard cap on leverage whatever a configuration says.
inline constexpr int kMaxLeverageCap = 10;

enum class Signal { kBuyToEnter, kSellToEnter, kHold, kClosePosition };

// "buy_to_enter", "sell_to_enter", "hold", "close_position".
std::string_view ToString(Signal s);
// Accepts the four names and "close" (case-insensitive, surrounding spaces ignored).
std::optional<Signal> ParseSignal(std::string_view text);
constexpr bool IsEntry(Signal s) { return s == Signal::kBuyToEnter || s == Signal::kSellToEnter; }

// Fields of a decision, as bits of Decision::present.
enum class Field : std::uint32_t {
  kSignal = 1u << 0,
  kQuantity = 1u << 1,
  kLeverage = 1u << 2,
  kProfitTarget = 1u << 3,
  kStopLoss = 1u << 4,
  kInvalidation = 1u << 5,
  kConfidence = 1u << 6,
  kRiskUsd = 1u << 7,
  kJustification = 1u << 8,
};
std::string_view FieldName(Field f);  // the JSON key: "profit_target"
inline constexpr std::uint32_t kAllFields = 0x1ff;  // every Field bit

// One coin's decision as read from the answer. A field that was absent, or present but not
// readable (reported as an issue by the parser), is nullopt / empty; `present` records which
// keys the answer had at all.
struct Decision {
  std::string coin;  // upper case, "USDT" suffix removed ("btcusdt" → "BTC")
  std::optional<Signal> signal;
  std::optional<Quantity> quantity;  // coin units; for hold/close the current size
  std::optional<int> leverage;
  std::optional<Price> profit_target;
  std::optional<Price> stop_loss;
  std::string invalidation_condition;
  std::optional<double> confidence;  // 0..1 (a statistic, not money)
  std::optional<Money> risk_usd;     // dollars lost if the stop is hit
  std::string justification;
  std::uint32_t present = 0;  // Field bits

  bool Has(Field f) const { return (present & static_cast<std::uint32_t>(f)) != 0; }
  friend bool operator==(const Decision&, const Decision&) = default;
};

// Why an answer or one of its decisions was refused.
enum class DecisionReason {
  kNoDecisionFound,      // no JSON object that looks like a decision
  kMalformedJson,        // JSON that does not parse (truncated, syntax error)
  kTooLarge,             // answer or JSON over the size limit
  kTooDeep,              // JSON nested deeper than the limit
  kBadShape,             // JSON of the wrong shape (a coin's value is not an object, ...)
  kUnknownCoin,          // a coin that is not traded by this bot
  kDuplicateCoin,        // the same coin twice
  kInvalidSignal,        // signal missing or not one of the four
  kMissingField,         // a field required for this signal is absent
  kNonNumericField,      // a numeric field is not a number (or out of range, or not whole)
  kNegativeQuantity,     // quantity < 0
  kZeroQuantity,         // entry with quantity 0
  kLeverageOutOfRange,   // leverage outside 1..max
  kConfidenceOutOfRange, // confidence outside [0, 1]
  kNegativeRisk,         // risk_usd < 0
  kStopLossWrongSide,    // long: stop >= price; short: stop <= price
  kProfitTargetWrongSide,// long: target <= price; short: target >= price
  kEntryWithOpenPosition,// buy/sell_to_enter while a position in that coin is open
  kCloseWithoutPosition, // close_position with no open position
  kNoPrice,              // no current price for the coin (cannot check the exit plan)
  kQuantityOutOfRange,   // quantity × current price above ValidationContext::max_notional (dollars given as coins?)
  kPriceOutOfRange,      // an entry's profit_target/stop_loss not positive or not within 10× of the current price
  kRiskOutOfRange,       // risk_usd above ValidationContext::max_notional
  kTruncatedAnswer,      // the vendor cut the answer off at the output-token budget (not a parse failure)
  kLast = kTruncatedAnswer,
};
std::string_view ToString(DecisionReason r);  // "stop_loss_wrong_side"

struct DecisionIssue {
  DecisionReason reason = DecisionReason::kNoDecisionFound;
  std::string coin;     // empty when the issue is about the whole answer
  std::string field;    // empty when not about one field
  std::string message;  // "BTC: stop_loss 115000 must be below the current price 113975.5 for a long"

  friend bool operator==(const DecisionIssue&, const DecisionIssue&) = default;
};

struct ParseLimits {
  std::size_t max_answer_bytes = 256 * 1024;  // whole answer (reasoning included)
  std::size_t max_json_bytes = 64 * 1024;     // the decision JSON itself
  std::size_t max_depth = 8;                  // JSON nesting
  std::size_t max_decisions = 64;
};

struct ParsedAnswer {
  std::vector<Decision> decisions;
  std::vector<DecisionIssue> issues;  // empty = the answer was read cleanly
  std::size_t json_offset = 0;        // where the decision JSON starts in the answer
  std::size_t json_length = 0;        // 0 when none was found
  bool ok() const { return issues.empty(); }
};

// Step 1: extraction and reading (see the header comment). Never throws, for any input.
ParsedAnswer ParseDecisionAnswer(std::string_view answer, const ParseLimits& limits = {});

// What the validator needs to know about one coin the bot trades.
struct CoinState {
  std::string coin;              // "BTC"
  std::optional<Price> price;    // current (mid/last) price
  Quantity position;             // signed open size; zero = no position
};

// The sanity cap on one decision's notional (quantity × current price) and risk_usd: far above
// any bot's real limit (the risk engine applies those against equity) and far below the
// fixed-point range (9.2e9), so nothing downstream can overflow on a model's number.
inline constexpr std::int64_t kMaxDecisionNotionalUsd = 1'000'000'000;
// An entry's stop_loss / profit_target must lie within price / 10 .. price × 10.
inline constexpr int kMaxExitPriceFactor = 10;

struct ValidationContext {
  std::vector<CoinState> coins;  // the coins the bot trades; others are unknown
  int max_leverage = kMaxLeverageCap;  // clamped to 1..kMaxLeverageCap
  Money max_notional = Money::FromUnits(kMaxDecisionNotionalUsd);  // capped at that value too
  const CoinState* Find(std::string_view coin) const;
};

// Step 2: checks decisions (already read) against the market, the positions and the limits.
// Rules: coin known; signal present; entries need quantity > 0, leverage 1..max, profit_target,
// stop_loss on the correct sides of the current price (long: stop < price < target; short:
// target < price < stop) and within kMaxExitPriceFactor of it, invalidation_condition,
// confidence in [0, 1], 0 <= risk_usd <= max_notional, quantity × price <= max_notional; an
// entry is refused while a position in that coin is open (only hold/close are allowed then);
// close_position needs an open position. Fields given with hold/close are range-checked too.
std::vector<DecisionIssue> ValidateDecisions(std::span<const Decision> decisions, const ValidationContext& ctx);

// Both steps; `issues` is empty when the answer is accepted.
struct CheckedAnswer {
  std::vector<Decision> decisions;
  std::vector<DecisionIssue> issues;
  bool ok() const { return issues.empty(); }
};
CheckedAnswer CheckDecisionAnswer(std::string_view answer, const ValidationContext& ctx,
                                  const ParseLimits& limits = {});

// A kParseError Status whose message lists the issues ("; "-separated); OK when empty.
Status IssuesToStatus(std::span<const DecisionIssue> issues);

// The canonical JSON of decisions: {"BTC":{"trade_signal_args":{"coin":"BTC","signal":...}}}.
// Absent fields are omitted; numbers are exact decimals. ParseDecisionAnswer() reads it back to
// equal decisions.
std::string DecisionsToJson(std::span<const Decision> decisions);

// The JSON Schema (draft 2020-12) of an answer for these coins: an object with one required
// property per coin, each {"trade_signal_args": {...all fields...}}; signal is an enum,
// leverage an integer 1..max_leverage, confidence 0..1. This is the full schema; each vendor
// adapter sends only the subset that vendor accepts (llm/wire/wire_common.hpp: Anthropic and
// OpenAI strict get no numeric bounds, Gemini's responseSchema no additionalProperties) and
// ValidateDecisions enforces every bound after parsing.
std::string DecisionJsonSchema(std::span<const std::string> coins, int max_leverage);

// ---- retry protocol -------------------------------------------------------------------

struct RetryPolicy {
  int max_retries = 1;  // follow-up messages after a refused answer; then everyone holds
};

struct DecisionAttempt {
  std::string raw_text;    // the answer, verbatim
  std::string reasoning;   // vendor-separated reasoning, when any
  std::string finish_reason;  // the vendor's, verbatim (when there was an answer)
  bool truncated = false;  // cut off at the output-token budget (llm::IsTruncatedFinish)
  Status transport;        // the client's error when there was no answer
  std::vector<DecisionIssue> issues;
};

struct DecisionOutcome {
  std::string prompt_version;          // the system prompt version that produced the request
  std::vector<DecisionAttempt> attempts;
  std::vector<Decision> decisions;     // what the runtime acts on (all holds after a fallback)
  bool fell_back_to_hold = false;
  std::string fallback_reason;         // why, when it did
  // The cycle ended because the answer was cut off at the output-token budget (a reasoning
  // model spent it thinking): its own outcome, not a parse failure; fallback_reason starts
  // with "truncated:". Retrying the same budget would be cut off again, so it is not retried.
  bool truncated = false;
};

// The follow-up user message after a refused answer: the issues, one per line, and the
// instruction to answer again with JSON only.
std::string BuildRetryMessage(std::span<const DecisionIssue> issues);

// Hold for every coin of the context (quantity = the open size, absolute).
std::vector<Decision> HoldAll(const ValidationContext& ctx);

// One decision cycle as a state machine, for callers that run the LLM call elsewhere (the
// engine posts it to a worker): feed each answer or transport error; follow the Step.
class DecisionProtocol {
 public:
  enum class Step { kAccepted, kRetry, kFallback };

  DecisionProtocol(ValidationContext ctx, RetryPolicy policy, std::string prompt_version);

  // kAccepted: outcome().decisions holds the decisions. kRetry: send retry_message() as the
  // next user message (after the assistant's answer). kFallback: everyone holds.
  Step OnAnswer(std::string raw_text, std::string reasoning = {});
  // A transport failure (timeout, network, cancel) ends the cycle with hold: no retry.
  Step OnTransportError(Status status);
  // An answer cut off at the output budget (finish_reason length / max_tokens / MAX_TOKENS):
  // recorded as truncated (kTruncatedAnswer), everyone holds, no retry.
  Step OnTruncated(std::string raw_text, std::string reasoning, std::string finish_reason);

  const std::string& retry_message() const { return retry_message_; }
  const DecisionOutcome& outcome() const { return outcome_; }
  DecisionOutcome TakeOutcome() { return std::move(outcome_); }

 private:
  ValidationContext ctx_;
  RetryPolicy policy_;
  DecisionOutcome outcome_;
  std::string retry_message_;
  int retries_used_ = 0;
};

// Blocking convenience over an llm::Client (call it on a worker thread): sends `request`,
// appends the assistant answer and the retry message on refusal, and returns the outcome.
DecisionOutcome DecideWithRetries(llm::Client& client, llm::Request request, const ValidationContext& ctx,
                                  const RetryPolicy& policy, std::string prompt_version,
                                  const llm::CancelToken* cancel = nullptr);

}  // namespace aitrader::agent
