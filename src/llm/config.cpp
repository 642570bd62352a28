#include "llm/config.hpp"

#include <boost/json.hpp>

#include <cstdlib>

#include "core/strings.hpp"

namespace aitrader::llm {
namespace json = boost::json;

Result<ProviderKind> ParseProviderKind(std::string_view name) {
  const std::string n = ToLower(Trim(name));
  if (n == "anthropic" || n == "claude") return ProviderKind::kAnthropic;
  if (n == "openai") return ProviderKind::kOpenAi;
  if (n == "deepseek") return ProviderKind::kDeepSeek;
  if (n == "gemini" || n == "google") return ProviderKind::kGemini;
  if (n == "openai-compatible" || n == "compatible" || n == "ollama" || n == "vllm" || n == "llamacpp" ||
      n == "llama.cpp" || n == "openrouter" || n == "lmstudio")
    return ProviderKind::kOpenAiCompatible;
  if (n == "replay") return ProviderKind::kReplay;
  return InvalidArgument("unknown LLM provider '" + std::string(name) +
                         "' (expected anthropic, openai, deepseek, gemini, openai-compatible or replay)");
}

std::string_view ProviderKindName(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kAnthropic: return "anthropic";
    case ProviderKind::kOpenAi: return "openai";
    case ProviderKind::kDeepSeek: return "deepseek";
    case ProviderKind::kGemini: return "gemini";
    case ProviderKind::kOpenAiCompatible: return "openai-compatible";
    case ProviderKind::kReplay: return "replay";
  }
  return "unknown";
}

std::string_view DefaultApiKeyEnv(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kAnthropic: return "ANTHROPIC_API_KEY";
    case ProviderKind::kOpenAi: return "OPENAI_API_KEY";
    case ProviderKind::kDeepSeek: return "DEEPSEEK_API_KEY";
    case ProviderKind::kGemini: return "GEMINI_API_KEY";
    case ProviderKind::kOpenAiCompatible:
    case ProviderKind::kReplay: return "";
  }
  return "";
}

std::string_view DefaultBaseUrl(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kAnthropic: return "https://api.anthropic.com";
    case ProviderKind::kOpenAi: return "https://api.openai.com/v1";
    case ProviderKind::kDeepSeek: return "https://api.deepseek.com";
    case ProviderKind::kGemini: return "https://generativelanguage.googleapis.com";
    case ProviderKind::kOpenAiCompatible:
    case ProviderKind::kReplay: return "";
  }
  return "";
}

Result<JsonMode> ParseJsonMode(std::string_view name) {
  const std::string n = ToLower(Trim(name));
  if (n == "auto" || n.empty()) return JsonMode::kAuto;
  if (n == "json_schema") return JsonMode::kJsonSchema;
  if (n == "json_object") return JsonMode::kJsonObject;
  if (n == "none") return JsonMode::kNone;
  return InvalidArgument("unknown json_mode '" + std::string(name) + "' (auto, json_schema, json_object, none)");
}

std::string ProviderConfig::Describe() const {
  std::string s = "provider=" + provider + " model=" + model + " base_url=" + base_url +
                  " api_key=" + api_key.ToString() + " api_key_env=" + api_key_env;
  if (temperature) s += " temperature=" + FormatDouble(*temperature);
  if (max_tokens) s += " max_tokens=" + std::to_string(*max_tokens);
  s += " connect_timeout_ms=" + std::to_string(connect_timeout_ms) + " timeout_ms=" + std::to_string(timeout_ms) +
       " max_response_bytes=" + std::to_string(max_response_bytes) + " rpm=" + std::to_string(requests_per_minute) +
       " max_retries=" + std::to_string(retry.max_retries);
  if (!proxy.empty()) s += " proxy=" + proxy;
  if (!cache_dir.empty()) s += " cache_dir=" + cache_dir;
  if (!replay_file.empty()) s += " replay_file=" + replay_file;
  if (!record_file.empty()) s += " record_file=" + record_file;
  return s;
}

Result<SecretString> ResolveApiKey(const ProviderConfig& config) {
  AITRADER_ASSIGN_OR_RETURN(ProviderKind kind, ParseProviderKind(config.provider));
  if (!config.api_key.empty()) return config.api_key;
  std::string env = config.api_key_env.empty() ? std::string(DefaultApiKeyEnv(kind)) : config.api_key_env;
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value != nullptr && *value != '\0') return SecretString(value);
    if (kind == ProviderKind::kGemini && config.api_key_env.empty()) {
      const char* google = std::getenv("GOOGLE_API_KEY");
      if (google != nullptr && *google != '\0') return SecretString(google);
    }
  }
  if (kind == ProviderKind::kOpenAiCompatible || kind == ProviderKind::kReplay) return SecretString();
  return InvalidArgument(std::string(ProviderKindName(kind)) + ": no API key: set the environment variable " + env +
                         " or api_key_env/api_key in the bot's LLM config");
}

namespace {

Status Want(bool ok, std::string_view field, std::string_view what) {
  if (ok) return Status::Ok();
  return InvalidArgument("LLM config: field '" + std::string(field) + "' must be " + std::string(what));
}

}  // namespace

Result<ProviderConfig> ParseProviderConfig(std::string_view json_text) {
  boost::system::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec) return ParseError("LLM config: invalid JSON: " + ec.message());
  if (!root.is_object()) return ParseError("LLM config: expected a JSON object");
  ProviderConfig c;
  for (const auto& [key_sv, v] : root.as_object()) {
    const std::string key(key_sv);
    auto str = [&](std::string& out) -> Status {
      AITRADER_RETURN_IF_ERROR(Want(v.is_string(), key, "a string"));
      out = std::string(v.as_string());
      return Status::Ok();
    };
    auto integer = [&](std::int64_t& out) -> Status {
      AITRADER_RETURN_IF_ERROR(Want(v.is_int64() || v.is_uint64(), key, "an integer"));
      out = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
      return Want(out >= 0, key, "non-negative");
    };
    auto boolean = [&](bool& out) -> Status {
      AITRADER_RETURN_IF_ERROR(Want(v.is_bool(), key, "true or false"));
      out = v.as_bool();
      return Status::Ok();
    };
    std::int64_t n = 0;
    if (key == "provider") {
      AITRADER_RETURN_IF_ERROR(str(c.provider));
      AITRADER_RETURN_IF_ERROR(ParseProviderKind(c.provider).status());
    } else if (key == "model") {
      AITRADER_RETURN_IF_ERROR(str(c.model));
    } else if (key == "base_url") {
      AITRADER_RETURN_IF_ERROR(str(c.base_url));
    } else if (key == "api_key") {
      std::string k;
      AITRADER_RETURN_IF_ERROR(str(k));
      c.api_key = SecretString(std::move(k));
    } else if (key == "api_key_env") {
      AITRADER_RETURN_IF_ERROR(str(c.api_key_env));
    } else if (key == "temperature") {
      AITRADER_RETURN_IF_ERROR(Want(v.is_number(), key, "a number"));
      c.temperature = v.to_number<double>();
    } else if (key == "max_tokens") {
      AITRADER_RETURN_IF_ERROR(integer(n));
      AITRADER_RETURN_IF_ERROR(Want(n > 0 && n < (1 << 24), key, "in 1..16777215"));
      c.max_tokens = static_cast<int>(n);
    } else if (key == "json_mode") {
      std::string m;
      AITRADER_RETURN_IF_ERROR(str(m));
      AITRADER_ASSIGN_OR_RETURN(c.json_mode, ParseJsonMode(m));
    } else if (key == "connect_timeout_ms") {
      AITRADER_RETURN_IF_ERROR(integer(c.connect_timeout_ms));
    } else if (key == "timeout_ms") {
      AITRADER_RETURN_IF_ERROR(integer(c.timeout_ms));
    } else if (key == "max_response_bytes") {
      AITRADER_RETURN_IF_ERROR(integer(n));
      c.max_response_bytes = static_cast<std::size_t>(n);
    } else if (key == "proxy") {
      AITRADER_RETURN_IF_ERROR(str(c.proxy));
    } else if (key == "ca_file") {
      AITRADER_RETURN_IF_ERROR(str(c.ca_file));
    } else if (key == "requests_per_minute") {
      AITRADER_RETURN_IF_ERROR(integer(n));
      AITRADER_RETURN_IF_ERROR(Want(n > 0 && n <= 1'000'000, key, "in 1..1000000"));
      c.requests_per_minute = static_cast<int>(n);
    } else if (key == "burst") {
      AITRADER_RETURN_IF_ERROR(integer(n));
      AITRADER_RETURN_IF_ERROR(Want(n <= 1'000'000, key, "in 0..1000000"));
      c.burst = static_cast<int>(n);
    } else if (key == "max_retries") {
      AITRADER_RETURN_IF_ERROR(integer(n));
      AITRADER_RETURN_IF_ERROR(Want(n <= 10, key, "in 0..10"));
      c.retry.max_retries = static_cast<int>(n);
    } else if (key == "max_retry_wait_ms") {
      AITRADER_RETURN_IF_ERROR(integer(c.retry.max_total_wait_ms));
    } else if (key == "retry_on_timeout") {
      AITRADER_RETURN_IF_ERROR(boolean(c.retry.retry_on_timeout));
    } else if (key == "cache_dir") {
      AITRADER_RETURN_IF_ERROR(str(c.cache_dir));
    } else if (key == "replay_file") {
      AITRADER_RETURN_IF_ERROR(str(c.replay_file));
    } else if (key == "replay_by_sequence") {
      AITRADER_RETURN_IF_ERROR(boolean(c.replay_by_sequence));
    } else if (key == "record_file") {
      AITRADER_RETURN_IF_ERROR(str(c.record_file));
    } else if (key == "extra_headers") {
      AITRADER_RETURN_IF_ERROR(Want(v.is_object(), key, "an object of strings"));
      for (const auto& [h, hv] : v.as_object()) {
        AITRADER_RETURN_IF_ERROR(Want(hv.is_string(), key, "an object of strings"));
        c.extra_headers.emplace_back(std::string(h), std::string(hv.as_string()));
      }
    } else {
      return InvalidArgument("LLM config: unknown field '" + key + "'");
    }
  }
  return c;
}

std::string EndpointIdentity(const ProviderConfig& config, const SecretString& key) {
  std::string base = config.base_url;
  if (base.empty()) {
    auto kind = ParseProviderKind(config.provider);
    if (kind.ok()) base = std::string(DefaultBaseUrl(*kind));
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return config.provider + "@" + base + "#" + key.Fingerprint();
}

}  // namespace aitrader::llm
