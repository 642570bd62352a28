// The per-vendor adapters: URL and headers here, JSON shapes in llm/wire/.
#include "llm/provider_client.hpp"
#include "llm/wire/anthropic_wire.hpp"
#include "llm/wire/gemini_wire.hpp"
#include "llm/wire/openai_wire.hpp"

#include "core/strings.hpp"

namespace aitrader::llm {
namespace {

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

class AnthropicAdapter final : public ProviderAdapter {
 public:
  AnthropicAdapter(std::string base, SecretString key, bool schema_in_prompt)
      : base_(std::move(base)), key_(std::move(key)), schema_in_prompt_(schema_in_prompt) {}
  std::string provider() const override { return "anthropic"; }
  Result<HttpRequest> Build(const Request& request) const override {
    AITRADER_ASSIGN_OR_RETURN(std::string body, wire::BuildAnthropicRequest(request, schema_in_prompt_));
    HttpRequest h;
    h.url = base_ + (EndsWith(base_, "/v1") ? "/messages" : "/v1/messages");
    h.headers = {{"x-api-key", key_.Reveal()},
                 {"anthropic-version", "2023-06-01"},
                 {"content-type", "application/json"},
                 {"accept", "application/json"}};
    h.body = std::move(body);
    return h;
  }
  Result<wire::Reply> ParseSuccess(std::string_view body) const override { return wire::ParseAnthropicResponse(body); }
  wire::VendorError ParseError(std::string_view body) const override { return wire::ParseAnthropicError(body); }

 private:
  std::string base_;
  SecretString key_;
  bool schema_in_prompt_;
};

class OpenAiAdapter final : public ProviderAdapter {
 public:
  OpenAiAdapter(std::string name, std::string base, SecretString key, wire::OpenAiWireOptions options)
      : name_(std::move(name)), base_(std::move(base)), key_(std::move(key)), options_(std::move(options)) {}
  std::string provider() const override { return name_; }
  Result<HttpRequest> Build(const Request& request) const override {
    AITRADER_ASSIGN_OR_RETURN(std::string body, wire::BuildOpenAiRequest(request, options_));
    HttpRequest h;
    h.url = base_ + "/chat/completions";
    if (!key_.empty()) h.headers.emplace_back("Authorization", "Bearer " + key_.Reveal());
    h.headers.emplace_back("Content-Type", "application/json");
    h.headers.emplace_back("Accept", "application/json");
    h.body = std::move(body);
    return h;
  }
  Result<wire::Reply> ParseSuccess(std::string_view body) const override { return wire::ParseOpenAiResponse(body); }
  wire::VendorError ParseError(std::string_view body) const override { return wire::ParseOpenAiError(body); }

 private:
  std::string name_;
  std::string base_;
  SecretString key_;
  wire::OpenAiWireOptions options_;
};

class GeminiAdapter final : public ProviderAdapter {
 public:
  GeminiAdapter(std::string base, SecretString key, bool schema_in_prompt)
      : base_(std::move(base)), key_(std::move(key)), schema_in_prompt_(schema_in_prompt) {}
  std::string provider() const override { return "gemini"; }
  Result<HttpRequest> Build(const Request& request) const override {
    AITRADER_ASSIGN_OR_RETURN(std::string body, wire::BuildGeminiRequest(request, schema_in_prompt_));
    HttpRequest h;
    const bool versioned = EndsWith(base_, "/v1beta") || EndsWith(base_, "/v1");
    h.url = base_ + (versioned ? "" : "/v1beta") + "/models/" + request.model + ":generateContent";
    h.headers = {{"x-goog-api-key", key_.Reveal()}, {"Content-Type", "application/json"}};
    h.body = std::move(body);
    return h;
  }
  Result<wire::Reply> ParseSuccess(std::string_view body) const override { return wire::ParseGeminiResponse(body); }
  wire::VendorError ParseError(std::string_view body) const override { return wire::ParseGeminiError(body); }

 private:
  std::string base_;
  SecretString key_;
  bool schema_in_prompt_;
};

}  // namespace

Result<std::unique_ptr<ProviderAdapter>> MakeProviderAdapter(const ProviderConfig& config, SecretString key) {
  AITRADER_ASSIGN_OR_RETURN(ProviderKind kind, ParseProviderKind(config.provider));
  std::string base = TrimSlash(config.base_url.empty() ? std::string(DefaultBaseUrl(kind)) : config.base_url);
  if (base.empty()) {
    return InvalidArgument(std::string(ProviderKindName(kind)) +
                           ": base_url is required (e.g. http://localhost:11434/v1 for Ollama)");
  }
  if (!StartsWith(base, "http://") && !StartsWith(base, "https://")) {
    return InvalidArgument("base_url must start with http:// or https://: " + base);
  }
  wire::OpenAiWireOptions options;
  auto mode = [&](JsonMode fallback) { return config.json_mode == JsonMode::kAuto ? fallback : config.json_mode; };
  // Anthropic and Gemini: json_schema/auto use the native feature, anything else the prompt.
  const bool schema_in_prompt = mode(JsonMode::kJsonSchema) != JsonMode::kJsonSchema;
  switch (kind) {
    case ProviderKind::kAnthropic:
      return std::unique_ptr<ProviderAdapter>(std::make_unique<AnthropicAdapter>(base, std::move(key), schema_in_prompt));
    case ProviderKind::kGemini:
      return std::unique_ptr<ProviderAdapter>(std::make_unique<GeminiAdapter>(base, std::move(key), schema_in_prompt));
    case ProviderKind::kOpenAi:
      options.json_mode = mode(JsonMode::kJsonSchema);
      options.system_role = "developer";
      options.use_max_completion_tokens = true;
      return std::unique_ptr<ProviderAdapter>(std::make_unique<OpenAiAdapter>("openai", base, std::move(key), options));
    case ProviderKind::kDeepSeek:
      options.json_mode = mode(JsonMode::kJsonObject);
      return std::unique_ptr<ProviderAdapter>(std::make_unique<OpenAiAdapter>("deepseek", base, std::move(key), options));
    case ProviderKind::kOpenAiCompatible:
      // Many local servers (llama.cpp, Ollama, vLLM builds) reject strict json_schema: JSON
      // mode with the schema in the prompt works everywhere; json_schema is opt-in.
      options.json_mode = mode(JsonMode::kJsonObject);
      return std::unique_ptr<ProviderAdapter>(
          std::make_unique<OpenAiAdapter>("openai-compatible", base, std::move(key), options));
    case ProviderKind::kReplay:
      break;
  }
  return InvalidArgument("provider 'replay' has no HTTP adapter (use MakeClient)");
}

}  // namespace aitrader::llm
