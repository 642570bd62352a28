// ProviderConfig: how one bot reaches its model — provider, model, endpoint, credentials,
// sampling parameters, timeouts, limits, retries and the development cache.
//
// The API key comes either directly (api_key) or from an environment variable named in the
// config (api_key_env; each provider has a default name, see DefaultApiKeyEnv). The key is a
// SecretString: ToString()/Describe() and every error message print "[redacted]", never the key.
// Thread safety: plain value types and pure functions (ResolveApiKey reads the environment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"
#include "llm/secret.hpp"

namespace aitrader::llm {

enum class ProviderKind { kAnthropic, kOpenAi, kDeepSeek, kGemini, kOpenAiCompatible, kReplay };

// "anthropic", "openai", "deepseek", "gemini", "openai-compatible" (aliases: "compatible",
// "ollama", "vllm", "llamacpp", "openrouter", "lmstudio"), "replay".
Result<ProviderKind> ParseProviderKind(std::string_view name);
std::string_view ProviderKindName(ProviderKind kind);
// Default environment variable holding the key: ANTHROPIC_API_KEY, OPENAI_API_KEY,
// DEEPSEEK_API_KEY, GEMINI_API_KEY; empty for openai-compatible and replay (no key needed).
std::string_view DefaultApiKeyEnv(ProviderKind kind);
// Default base URL (no trailing slash): https://api.anthropic.com, https://api.openai.com/v1,
// https://api.deepseek.com, https://generativelanguage.googleapis.com; empty for
// openai-compatible (base_url is required there, e.g. http://localhost:11434/v1 for Ollama).
std::string_view DefaultBaseUrl(ProviderKind kind);

// How a provider is asked for JSON when the request has a schema.
enum class JsonMode {
  kAuto,        // provider default: json_schema (Anthropic output_config, OpenAI, Gemini
                // responseSchema, compatible), json_object (DeepSeek)
  kJsonSchema,  // response_format {type: json_schema, json_schema: {name, strict: true, schema}}
  kJsonObject,  // response_format {type: json_object}; the schema goes into the system prompt
                // (Anthropic, Gemini: same as kNone)
  kNone,        // no structured-output feature; the schema goes into the system prompt
};
Result<JsonMode> ParseJsonMode(std::string_view name);  // "auto" "json_schema" "json_object" "none"

struct RetryPolicy {
  int max_retries = 2;                  // attempts = 1 + max_retries (Anthropic SDK default)
  std::int64_t max_total_wait_ms = 60'000;  // cap on the sum of waits between attempts
  bool retry_on_timeout = false;        // a timed-out attempt is final by default (the cycle holds)
};

struct ProviderConfig {
  std::string provider = "anthropic";   // see ParseProviderKind
  std::string model;                    // used when Request::model is empty
  std::string base_url;                 // empty: DefaultBaseUrl(provider)
  SecretString api_key;                 // given directly (tests, secrets managers)
  std::string api_key_env;              // else read from this variable (empty: the default name)
  std::optional<double> temperature;    // used when Request::temperature is unset
  std::optional<int> max_tokens;        // caps Request::max_tokens when set
  JsonMode json_mode = JsonMode::kAuto; // native structured output or schema-in-prompt

  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 120'000;    // one HTTP attempt, connect to last byte
  std::size_t max_response_bytes = 4u << 20;
  std::string proxy;                    // empty: libcurl's standard variables (https_proxy, ...)
  std::string ca_file;                  // empty: the system CA store

  int requests_per_minute = 50;         // shared by every bot on the same provider + model
  int burst = 0;                        // bucket size; 0 = requests_per_minute
  RetryPolicy retry;

  std::string cache_dir;                // non-empty: CachingClient over this directory (development)
  std::string replay_file;              // provider "replay": the JSONL recording to answer from
  bool replay_by_sequence = false;      // replay in file order instead of by request key
  std::string record_file;              // non-empty: RecordingClient appends every answer here

  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. OpenRouter's HTTP-Referer

  // One line for logs: every field except the key, which shows as [redacted]/[not set].
  std::string Describe() const;
};

// The key to use: api_key if set, else the variable api_key_env (or the provider's default).
// Errors: kInvalidArgument naming the variable (never a value) when a provider that needs a key
// has none. openai-compatible and replay may return an empty key.
Result<SecretString> ResolveApiKey(const ProviderConfig& config);

// Parses a JSON object with the field names above ("provider", "model", "base_url", "api_key",
// "api_key_env", "temperature", "max_tokens", "json_mode", "connect_timeout_ms", "timeout_ms",
// "max_response_bytes", "proxy", "ca_file", "requests_per_minute", "burst", "max_retries",
// "max_retry_wait_ms", "retry_on_timeout", "cache_dir", "replay_file", "replay_by_sequence",
// "record_file", "extra_headers": {name: value}). Unknown fields are an error (typos must not
// silently fall back to defaults).
Result<ProviderConfig> ParseProviderConfig(std::string_view json_text);

// Who answers a request: provider, base URL (the default when empty; trailing slashes
// dropped) and the API key's fingerprint (SecretString::Fingerprint, never the key):
// "openai-compatible@http://127.0.0.1:8080/v1#3f2a9c0d1e4b5a6f". Rate-limit buckets and cache
// keys are per endpoint identity, so two endpoints (or two accounts' keys) of one provider and
// model neither share a budget nor each other's cached answers.
std::string EndpointIdentity(const ProviderConfig& config, const SecretString& key);

}  // namespace aitrader::llm
