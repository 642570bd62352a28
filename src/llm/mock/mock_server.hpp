// MockServer: a local LLM vendor server for tests and for running aitrader offline. It listens
// on loopback (an ephemeral port by default) and speaks the vendors' real wire formats
// (reference/llm/wire_formats.md):
//   POST /v1/messages                           Anthropic Messages
//   POST /v1/chat/completions, /chat/completions OpenAI / DeepSeek / OpenAI-compatible
//   POST /v1beta/models/{model}:generateContent  Gemini
// Each answer's text comes from a pluggable Responder (default: a valid Alpha Arena "hold"
// decision); usage numbers are realistic (about 4 characters per token; DeepSeek cache-hit
// fields, Gemini thoughtsTokenCount, Anthropic cache fields).
//
// Misbehaviour: a FIFO of Faults, one consumed per vendor request (a script file, the control
// endpoint, or PushFault() in tests): 429 with retry-after / retry-after-ms / an HTTP date,
// 529 overloaded, 500, 401 (echoing the key, to test redaction), insufficient_quota, 400,
// a slow answer (the connection waits on a timer; other connections are not blocked), a
// truncated JSON body, prose around the JSON, a reasoning block before it, an object where the
// vendor envelope has an array, keep-alive blank lines before the body.
// Control endpoints: GET /mock/requests (recorded requests as JSON), POST /mock/faults (a
// fault script in the body), POST /mock/reset (clear faults and records), GET /health.
//
// Limits: request bodies over max_body_bytes get 413; idle connections close after 30 s;
// at most max_recorded requests are kept. Stop() (or the destructor) returns promptly even
// while slow answers are pending.
// Thread safety: all public methods may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/status.hpp"

namespace aitrader::llm::mock {

enum class Vendor { kAnthropic, kOpenAi, kGemini };
std::string_view VendorName(Vendor vendor);  // "anthropic", "openai", "gemini"

// What the responder sees of a request.
struct MockRequest {
  Vendor vendor = Vendor::kAnthropic;
  std::string model;
  std::string system;  // the system prompt (Anthropic system, OpenAI system/developer, Gemini systemInstruction)
  std::string user;    // the user messages' text, joined by blank lines
  std::string schema;  // the requested JSON schema, serialized ("" when none)
  std::int64_t sequence = 0;  // 1-based count of vendor requests served
  // Non-empty when the vendor would refuse the request's structured-output schema: the
  // vendor's own 400 message (see CheckVendorSchema). The reply is then that 400.
  std::string schema_rejection;
};

// How strictly the mock checks structured-output requests. Each vendor's real rules are
// always applied (reference/llm/structured_output_limits.md):
//  - Anthropic output_config.format.schema: minimum, maximum, exclusiveMinimum,
//    exclusiveMaximum, multipleOf, minLength, maxLength, maxItems, uniqueItems, minProperties,
//    maxProperties are rejected; every object needs "additionalProperties": false.
//  - OpenAI response_format json_schema with strict: the root is an object, every object has
//    "additionalProperties": false and lists every property in "required"; numeric and string
//    bounds are rejected (only some models accept them: never rely on them).
//  - Gemini generationConfig.responseSchema: only the Schema proto's fields (type, format,
//    title, description, nullable, enum, maxItems, minItems, properties, required,
//    minProperties, maxProperties, minLength, maxLength, pattern, example, anyOf,
//    propertyOrdering, default, items, minimum, maximum); any other key (additionalProperties,
//    $schema, $ref…) fails the request with 400 INVALID_ARGUMENT "Unknown name".
struct SchemaStrictness {
  // An OpenAI-compatible local server (llama.cpp, Ollama, vLLM builds) that rejects
  // response_format json_schema altogether with a 400.
  bool reject_json_schema = false;
};

// Returns the answer text (normally the decision JSON).
using Responder = std::function<std::string(const MockRequest&)>;

// A valid Alpha Arena-format hold for BTC (the agent engineer plugs in the baseline policy).
std::string DefaultHoldResponder(const MockRequest& request);

enum class FaultKind {
  kNone,               // answer normally ("ok" in scripts)
  kRateLimit,          // 429 (Anthropic rate_limit_error, OpenAI rate_limit_exceeded, Gemini RESOURCE_EXHAUSTED)
  kOverloaded,         // Anthropic 529 overloaded_error; OpenAI/Gemini 503
  kServerError,        // 500
  kUnauthorized,       // 401 (Gemini 403), message echoes the key the client sent
  kInsufficientQuota,  // OpenAI 429 insufficient_quota; Anthropic 400 credit balance; Gemini 429
  kBadRequest,         // 400 invalid_request_error
  kSlow,               // answer normally after delay_ms
  kTruncated,          // 200 with the JSON body cut in half
  kProse,              // 200, the answer text wrapped in prose
  kReasoning,          // 200 with a reasoning block first (thinking / reasoning_content / thought part)
  kWrongShape,         // 200, an object where the vendor format has an array (content/choices/candidates)
  kKeepAlive,          // 200 preceded by blank keep-alive lines
  kMaxTokens,          // 200, the answer cut off at the output-token budget: Anthropic stop_reason
                       // max_tokens, OpenAI finish_reason length, Gemini finishReason MAX_TOKENS
  kHold,               // the answer never comes (until Stop()): for timeouts and cancellation
};

struct Fault {
  FaultKind kind = FaultKind::kNone;
  std::optional<std::int64_t> retry_after_s;   // header retry-after: N
  std::optional<std::int64_t> retry_after_ms;  // header retry-after-ms: N
  std::string retry_after_date;                // header retry-after: <HTTP date>
  std::optional<bool> should_retry;            // header x-should-retry
  std::int64_t delay_ms = 0;                   // wait before answering (any kind)
};

// One script line: "<kind> [key=value ...]". Kinds: ok, rate_limit, overloaded, server_error,
// unauthorized, insufficient_quota, bad_request, slow, truncated, prose, reasoning,
// wrong_shape, keepalive, max_tokens, hold. Keys: retry_after (s), retry_after_ms, retry_after_date (rest of the
// line), should_retry (true|false), delay_ms, repeat (N copies).
Result<std::vector<Fault>> ParseFaultLine(std::string_view line);
// A whole script: one line per request in order; blank lines and '#' comments skipped.
Result<std::vector<Fault>> ParseFaultScript(std::string_view text);

struct RecordedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Vendor vendor = Vendor::kAnthropic;
  std::string model;
  int status = 0;  // the status the server answered (or will answer, if slow)
};

struct MockServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port (see port())
  std::size_t max_body_bytes = 1u << 20;
  std::int64_t latency_min_ms = 0;  // every vendor answer waits uniform [min, max] ms
  std::int64_t latency_max_ms = 0;
  int threads = 2;
  std::size_t max_recorded = 1000;
  SchemaStrictness strictness;
};

class MockServer {
 public:
  explicit MockServer(MockServerOptions options = {}, Responder responder = DefaultHoldResponder);
  ~MockServer();  // Stop()
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds and starts serving (again after a Stop(): the port may then differ when it was 0).
  // Errors: kIoError (bind/listen), kFailedPrecondition (already running).
  Status Start();
  // Stops accepting, drops open connections and pending slow answers, joins the threads.
  void Stop();

  std::uint16_t port() const;
  std::string BaseUrl() const;  // "http://127.0.0.1:<port>"

  void SetResponder(Responder responder);
  void PushFault(Fault fault);
  void PushFaults(const std::vector<Fault>& faults);
  void ClearFaults();
  std::size_t PendingFaults() const;

  std::vector<RecordedRequest> Requests() const;
  std::size_t RequestCount() const;
  void ClearRequests();
  // Waits until at least n vendor requests have arrived or the timeout passes; true if they did.
  bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// --- The vendor formats (mock_wire.cpp), exposed for tests and tools ---

// Vendor and model from a request target, or nullopt when the path is not a vendor endpoint.
// An absolute-form target ("http://host/v1/messages", sent when a client uses the server as its
// HTTP proxy) is routed by its path, so tests can check that proxy settings are honoured.
std::optional<std::pair<Vendor, std::string>> RouteVendor(std::string_view target);
// Extracts model, system, user text and schema from a vendor request body, and checks the
// structured-output schema as the vendor does (MockRequest::schema_rejection). Errors:
// kParseError.
Result<MockRequest> ParseVendorRequest(Vendor vendor, std::string model_from_path, std::string_view body,
                                       const SchemaStrictness& strictness = {});
// The vendor's 400 message for the structured-output part of a request body, "" when accepted.
std::string CheckVendorSchema(Vendor vendor, const boost::json::value& body, const SchemaStrictness& strictness = {});

struct MockReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
// The vendor's answer for `text` under `fault` (slow/delay is the server's business).
// `presented_key` is the credential the client sent (echoed by kUnauthorized).
MockReply BuildVendorReply(const MockRequest& request, const std::string& text, const Fault& fault,
                           const std::string& presented_key);

}  // namespace aitrader::llm::mock
