#include "llm/cache.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include <filesystem>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm {
namespace json = boost::json;

namespace {

// A cached answer is a few KB; a file far larger is not ours (or is corrupt): a miss.
constexpr std::size_t kMaxCachedResponseBytes = 16u << 20;

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const int ok = EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  AITRADER_CHECK(ok == 1 && len == 32, "SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

}  // namespace

std::string CacheKey(std::string_view endpoint, const Request& request) {
  std::string data = "aitrader-llm-cache-v1;";
  AppendField(data, endpoint);
  AppendField(data, request.model);
  AppendField(data, std::to_string(request.messages.size()));
  for (const auto& m : request.messages) {
    AppendField(data, m.role == Role::kSystem ? "system" : m.role == Role::kUser ? "user" : "assistant");
    AppendField(data, m.content);
  }
  AppendField(data, request.temperature ? FormatDouble(*request.temperature) : "default");
  AppendField(data, std::to_string(request.max_tokens));
  AppendField(data, request.response_schema);
  AppendField(data, request.schema_name);
  return Sha256Hex(data);
}

json::object ResponseToJson(const Response& r) {
  return json::object{{"text", r.text},
                      {"reasoning", r.reasoning},
                      {"model", r.model},
                      {"finish_reason", r.finish_reason},
                      {"usage", json::object{{"input_tokens", r.usage.input_tokens},
                                             {"output_tokens", r.usage.output_tokens},
                                             {"reasoning_tokens", r.usage.reasoning_tokens},
                                             {"cached_tokens", r.usage.cached_tokens}}},
                      {"cost_usd", r.cost_usd.ToString()},
                      {"latency_ms", r.latency_ms}};
}

Result<Response> ResponseFromJson(const json::value& v) {
  using wire::IntOr;
  using wire::Member;
  using wire::StringOr;
  if (!v.is_object()) return ParseError("stored response is not a JSON object");
  const json::value* text = Member(v, "text");
  if (text == nullptr || !text->is_string()) return ParseError("stored response has no text string");
  Response r;
  r.text = std::string(text->as_string());
  r.reasoning = StringOr(Member(v, "reasoning"));
  r.model = StringOr(Member(v, "model"));
  r.finish_reason = StringOr(Member(v, "finish_reason"));
  if (const json::value* u = Member(v, "usage")) {
    r.usage.input_tokens = IntOr(Member(*u, "input_tokens"));
    r.usage.output_tokens = IntOr(Member(*u, "output_tokens"));
    r.usage.reasoning_tokens = IntOr(Member(*u, "reasoning_tokens"));
    r.usage.cached_tokens = IntOr(Member(*u, "cached_tokens"));
  }
  const std::string cost = StringOr(Member(v, "cost_usd"), "0");
  auto money = Money::Parse(cost);
  if (!money.ok()) return ParseError("stored response has a bad cost_usd '" + cost + "'");
  r.cost_usd = *money;
  r.latency_ms = IntOr(Member(v, "latency_ms"));
  return r;
}

Result<std::shared_ptr<FileResponseCache>> FileResponseCache::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create the LLM cache directory " + dir + ": " + ec.message());
  return std::shared_ptr<FileResponseCache>(new FileResponseCache(dir));
}

std::optional<Response> FileResponseCache::Get(const std::string& key) const {
  auto text = ReadFile(dir_ + "/" + key + ".json", kMaxCachedResponseBytes);
  if (!text.ok()) return std::nullopt;
  auto parsed = wire::ParseBody(*text);
  if (!parsed.ok()) return std::nullopt;
  auto response = ResponseFromJson(*parsed);
  if (!response.ok()) return std::nullopt;
  return std::move(response).value();
}

Status FileResponseCache::Put(const std::string& key, std::string_view provider, const Response& response) {
  json::object o = ResponseToJson(response);
  o["key"] = key;
  o["provider"] = provider;
  return WriteFileAtomic(dir_ + "/" + key + ".json", json::serialize(o) + "\n");
}

CachingClient::CachingClient(std::unique_ptr<Client> inner, std::shared_ptr<FileResponseCache> cache,
                             RequestResolver resolve, std::string endpoint)
    : inner_(std::move(inner)), cache_(std::move(cache)), resolve_(std::move(resolve)), endpoint_(std::move(endpoint)) {
  if (endpoint_.empty()) endpoint_ = inner_->provider();
}

Result<Response> CachingClient::Complete(const Request& request, const CancelToken* cancel) {
  const std::string key = CacheKey(endpoint_, resolve_ ? resolve_(request) : request);
  if (auto hit = cache_->Get(key)) {
    hit->from_cache = true;
    hit->cost_usd = Money::Zero();
    hit->attempts = 0;
    hit->latency_ms = 0;
    return std::move(*hit);
  }
  AITRADER_ASSIGN_OR_RETURN(Response response, inner_->Complete(request, cancel));
  (void)cache_->Put(key, inner_->provider(), response);
  return response;
}

}  // namespace aitrader::llm
