// The LLM client interface: one call = one request (system + user messages, optional JSON
// schema for structured output) → one Response (text, optional reasoning, token usage, cost).
//
// Implementations: the HTTP providers (Anthropic, OpenAI, DeepSeek, Gemini, generic
// OpenAI-compatible), the replay and cache wrappers, and the rule-based baseline (agent/).
//
// Contract: Complete() blocks the calling thread (the engine calls it on a worker, never on a
// bot strand) and returns within the client's total timeout. It returns an error Status, never
// throws: kUnavailable (network, 5xx, 429 after the retry budget), kTimeout, kCancelled (the
// token fired: the bot stopped), kPermissionDenied (401/403; also 402 and OpenAI's 429
// insufficient_quota — billing, a human must act), kInvalidArgument (4xx that cannot succeed),
// kParseError (a response body that is not the vendor's format, or larger than the limit).
// Thread safety: implementations are safe to call from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"

namespace aitrader::llm {

enum class Role { kSystem, kUser, kAssistant };

struct Message {
  Role role = Role::kUser;
  std::string content;
};

struct Request {
  std::string model;
  std::vector<Message> messages;  // a leading kSystem message is the system prompt
  std::optional<double> temperature;
  int max_tokens = 4096;
  // JSON Schema (text) the answer must follow; empty = free text. Providers map it to their
  // structured-output feature (OpenAI response_format json_schema, Gemini responseSchema,
  // Anthropic output_config) or, where there is none, to JSON mode plus client-side checks.
  std::string response_schema;
  std::string schema_name = "trade_decision";
};

struct Usage {
  std::int64_t input_tokens = 0;      // all prompt tokens, cached ones included
  std::int64_t output_tokens = 0;     // all completion tokens, reasoning included
  std::int64_t reasoning_tokens = 0;  // part of output_tokens spent on hidden reasoning
  std::int64_t cached_tokens = 0;     // part of input_tokens served from the vendor's cache
};

// True when a vendor's finish reason says the answer was cut off at the output budget:
// OpenAI/DeepSeek/compatible "length", Anthropic "max_tokens", Gemini "MAX_TOKENS".
inline bool IsTruncatedFinish(std::string_view finish_reason) {
  auto eq = [&](std::string_view want) {
    if (finish_reason.size() != want.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i) {
      char c = finish_reason[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != want[i]) return false;
    }
    return true;
  };
  return eq("length") || eq("max_tokens");
}

struct Response {
  std::string text;          // the answer (text blocks concatenated)
  std::string reasoning;     // reasoning_content / thinking blocks, when the vendor returns them
  std::string model;         // the model the vendor says answered
  std::string finish_reason; // vendor's stop/finish reason, verbatim
  Usage usage;
  Money cost_usd;            // from the price table; zero when unknown or free
  std::int64_t latency_ms = 0;
  int attempts = 1;          // HTTP attempts including retries
  bool from_cache = false;
};

// Cooperative cancellation: the owner sets it, the client checks it between and during
// attempts (the HTTP transfer aborts within ~100 ms).
class CancelToken {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

class Client {
 public:
  virtual ~Client() = default;
  // "anthropic", "openai", "deepseek", "gemini", "openai-compatible", "baseline", "replay"...
  virtual std::string provider() const = 0;
  virtual Result<Response> Complete(const Request& request, const CancelToken* cancel = nullptr) = 0;
};

}  // namespace aitrader::llm
