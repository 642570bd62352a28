// The mock server's vendor formats and fault scripts (no networking here).
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "core/strings.hpp"
#include "llm/mock/mock_server.hpp"

namespace aitrader::llm::mock {
namespace json = boost::json;

std::string_view VendorName(Vendor vendor) {
  switch (vendor) {
    case Vendor::kAnthropic: return "anthropic";
    case Vendor::kOpenAi: return "openai";
    case Vendor::kGemini: return "gemini";
  }
  return "unknown";
}

std::string DefaultHoldResponder(const MockRequest&) {
  return R"({"BTC":{"trade_signal_args":{"coin":"BTC","signal":"hold","quantity":0,"leverage":5,)"
         R"("profit_target":0,"stop_loss":0,"invalidation_condition":"none","confidence":0.5,"risk_usd":0}}})";
}

// ---------------------------------------------------------------------------- fault scripts

namespace {

Result<FaultKind> ParseKind(std::string_view name) {
  static const std::pair<std::string_view, FaultKind> kKinds[] = {
      {"ok", FaultKind::kNone},
      {"none", FaultKind::kNone},
      {"rate_limit", FaultKind::kRateLimit},
      {"overloaded", FaultKind::kOverloaded},
      {"server_error", FaultKind::kServerError},
      {"unauthorized", FaultKind::kUnauthorized},
      {"insufficient_quota", FaultKind::kInsufficientQuota},
      {"bad_request", FaultKind::kBadRequest},
      {"slow", FaultKind::kSlow},
      {"truncated", FaultKind::kTruncated},
      {"prose", FaultKind::kProse},
      {"reasoning", FaultKind::kReasoning},
      {"wrong_shape", FaultKind::kWrongShape},
      {"keepalive", FaultKind::kKeepAlive},
      {"max_tokens", FaultKind::kMaxTokens},
      {"hold", FaultKind::kHold},
  };
  for (const auto& [n, k] : kKinds)
    if (n == name) return k;
  return InvalidArgument("unknown fault '" + std::string(name) + "'");
}

Result<std::int64_t> ParseInt(std::string_view key, std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || v < 0) {
    return InvalidArgument("fault option " + std::string(key) + " needs a non-negative integer, got '" + s + "'");
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

Result<std::vector<Fault>> ParseFaultLine(std::string_view line) {
  line = Trim(line);
  std::vector<std::string_view> words;
  for (std::string_view w : Split(line, ' '))
    if (!Trim(w).empty()) words.push_back(Trim(w));
  if (words.empty()) return InvalidArgument("empty fault line");
  Fault f;
  AITRADER_ASSIGN_OR_RETURN(f.kind, ParseKind(words[0]));
  std::int64_t repeat = 1;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    if (eq == std::string_view::npos) return InvalidArgument("fault option '" + std::string(words[i]) + "' is not key=value");
    const std::string_view key = words[i].substr(0, eq);
    const std::string_view value = words[i].substr(eq + 1);
    if (key == "retry_after") {
      AITRADER_ASSIGN_OR_RETURN(f.retry_after_s, ParseInt(key, value));
    } else if (key == "retry_after_ms") {
      AITRADER_ASSIGN_OR_RETURN(f.retry_after_ms, ParseInt(key, value));
    } else if (key == "retry_after_date") {
      // The date has spaces: take the rest of the line.
      const auto at = line.find("retry_after_date=");
      f.retry_after_date = std::string(Trim(line.substr(at + 17)));
      break;
    } else if (key == "should_retry") {
      if (value != "true" && value != "false") return InvalidArgument("should_retry must be true or false");
      f.should_retry = value == "true";
    } else if (key == "delay_ms") {
      AITRADER_ASSIGN_OR_RETURN(f.delay_ms, ParseInt(key, value));
    } else if (key == "repeat") {
      AITRADER_ASSIGN_OR_RETURN(repeat, ParseInt(key, value));
      if (repeat < 1 || repeat > 100000) return InvalidArgument("repeat must be in 1..100000");
    } else {
      return InvalidArgument("unknown fault option '" + std::string(key) + "'");
    }
  }
  if (f.kind == FaultKind::kSlow && f.delay_ms == 0) f.delay_ms = 5000;
  return std::vector<Fault>(static_cast<std::size_t>(repeat), f);
}

Result<std::vector<Fault>> ParseFaultScript(std::string_view text) {
  std::vector<Fault> out;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto faults = ParseFaultLine(line);
    if (!faults.ok()) return faults.status().WithContext("fault script line " + std::to_string(line_no));
    out.insert(out.end(), faults->begin(), faults->end());
  }
  return out;
}

// ---------------------------------------------------------------------------- requests

std::optional<std::pair<Vendor, std::string>> RouteVendor(std::string_view target) {
  // Absolute form ("http://host/v1/messages"): the server was used as an HTTP proxy.
  if (StartsWith(target, "http://")) {
    const auto slash = target.find('/', 7);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  const auto q = target.find('?');
  if (q != std::string_view::npos) target = target.substr(0, q);
  if (target == "/v1/messages") return std::make_pair(Vendor::kAnthropic, std::string());
  if (target == "/v1/chat/completions" || target == "/chat/completions") return std::make_pair(Vendor::kOpenAi, std::string());
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/"}) {
    if (StartsWith(target, prefix) && EndsWith(target, ":generateContent")) {
      std::string_view model = target.substr(prefix.size(), target.size() - prefix.size() - 16);
      if (!model.empty()) return std::make_pair(Vendor::kGemini, std::string(model));
    }
  }
  return std::nullopt;
}

namespace {

// Text of an Anthropic/OpenAI content value: a string or a list of {type:"text", text} blocks.
std::string ContentText(const json::value& content) {
  if (content.is_string()) return std::string(content.as_string());
  std::string out;
  if (content.is_array()) {
    for (const auto& block : content.as_array()) {
      if (const auto* t = block.is_object() ? block.as_object().if_contains("text") : nullptr; t && t->is_string())
        out += std::string(t->as_string());
    }
  }
  return out;
}

std::string PartsText(const json::value* v) {
  std::string out;
  if (v == nullptr || !v->is_object()) return out;
  const auto* parts = v->as_object().if_contains("parts");
  if (parts == nullptr || !parts->is_array()) return out;
  for (const auto& p : parts->as_array())
    if (const auto* t = p.is_object() ? p.as_object().if_contains("text") : nullptr; t && t->is_string())
      out += std::string(t->as_string());
  return out;
}

void Join(std::string& to, const std::string& text) {
  if (text.empty()) return;
  if (!to.empty()) to += "\n\n";
  to += text;
}

const json::value* Path(const json::value& v, std::initializer_list<std::string_view> keys) {
  const json::value* cur = &v;
  for (auto k : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

}  // namespace

namespace {

std::string SchemaTypeName(const json::object& node) {
  const json::value* t = node.if_contains("type");
  if (t != nullptr && t->is_string()) return std::string(t->as_string());
  return node.contains("properties") ? "object" : "schema";
}

// Children schemas of a node with the path step to each.
template <class F>
void ForEachChild(const json::object& node, F&& f) {
  if (const json::value* props = node.if_contains("properties"); props != nullptr && props->is_object()) {
    for (const auto& [k, sub] : props->as_object()) f(sub, "properties." + std::string(k));
  }
  if (const json::value* items = node.if_contains("items"); items != nullptr) f(*items, std::string("items"));
  for (const char* key : {"anyOf", "allOf", "oneOf"}) {
    if (const json::value* alts = node.if_contains(key); alts != nullptr && alts->is_array()) {
      std::size_t i = 0;
      for (const auto& sub : alts->as_array()) f(sub, std::string(key) + "[" + std::to_string(i++) + "]");
    }
  }
  for (const char* key : {"$defs", "definitions"}) {
    if (const json::value* defs = node.if_contains(key); defs != nullptr && defs->is_object()) {
      for (const auto& [k, sub] : defs->as_object()) f(sub, std::string(key) + "." + std::string(k));
    }
  }
}

std::string AnthropicSchemaError(const json::value& v, int depth) {
  if (!v.is_object() || depth > 64) return "";
  const json::object& node = v.as_object();
  static constexpr std::string_view kRejected[] = {"minimum",   "maximum",   "exclusiveMinimum", "exclusiveMaximum",
                                                   "multipleOf", "minLength", "maxLength",        "maxItems",
                                                   "uniqueItems", "minProperties", "maxProperties"};
  for (std::string_view k : kRejected) {
    if (node.contains(k)) {
      return "output_format.schema: For '" + SchemaTypeName(node) + "' type, property '" + std::string(k) +
             "' is not supported";
    }
  }
  if (SchemaTypeName(node) == "object") {
    const json::value* ap = node.if_contains("additionalProperties");
    if (ap == nullptr || !ap->is_bool() || ap->as_bool()) {
      return "output_format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false";
    }
  }
  std::string err;
  ForEachChild(node, [&](const json::value& sub, const std::string&) {
    if (err.empty()) err = AnthropicSchemaError(sub, depth + 1);
  });
  return err;
}

std::string OpenAiStrictError(const json::value& v, const std::string& context, int depth) {
  if (!v.is_object() || depth > 64) return "";
  const json::object& node = v.as_object();
  const std::string where = "In context=(" + context + "), ";
  static constexpr std::string_view kBounds[] = {"minimum",   "maximum",   "exclusiveMinimum", "exclusiveMaximum",
                                                 "multipleOf", "minLength", "maxLength",        "pattern"};
  for (std::string_view k : kBounds) {
    if (node.contains(k)) return where + "'" + std::string(k) + "' is not permitted.";
  }
  if (SchemaTypeName(node) == "object") {
    const json::value* ap = node.if_contains("additionalProperties");
    if (ap == nullptr || !ap->is_bool() || ap->as_bool()) {
      return where + "'additionalProperties' is required to be supplied and to be false.";
    }
    const json::value* req = node.if_contains("required");
    if (const json::value* props = node.if_contains("properties"); props != nullptr && props->is_object()) {
      for (const auto& [k, sub] : props->as_object()) {
        bool listed = false;
        if (req != nullptr && req->is_array()) {
          for (const auto& r : req->as_array()) listed = listed || (r.is_string() && r.as_string() == k);
        }
        if (!listed) {
          return where + "'required' is required to be supplied and to be an array including every key in properties. Missing '" +
                 std::string(k) + "'.";
        }
      }
    }
  }
  std::string err;
  ForEachChild(node, [&](const json::value& sub, const std::string& step) {
    if (err.empty()) err = OpenAiStrictError(sub, context.empty() ? step : context + ", " + step, depth + 1);
  });
  return err;
}

std::string SnakeCase(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string GeminiSchemaError(const json::value& v, const std::string& path, int depth) {
  if (!v.is_object() || depth > 64) return "";
  static constexpr std::string_view kFields[] = {
      "type",     "format",     "title",     "description",   "nullable",      "enum",      "maxItems", "minItems",
      "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern",  "example",
      "anyOf",    "propertyOrdering", "default", "items",         "minimum",       "maximum"};
  const json::object& node = v.as_object();
  for (const auto& [k, sub] : node) {
    bool known = false;
    for (std::string_view f : kFields) known = known || f == std::string_view(k);
    if (!known) {
      return "Invalid JSON payload received. Unknown name \"" + SnakeCase(k) + "\" at '" + path +
             "': Cannot find field.";
    }
  }
  std::string err;
  if (const json::value* props = node.if_contains("properties"); props != nullptr && props->is_object()) {
    for (const auto& [k, sub] : props->as_object()) {
      if (err.empty()) err = GeminiSchemaError(sub, path + ".properties[" + std::string(k) + "].value", depth + 1);
    }
  }
  if (const json::value* items = node.if_contains("items"); items != nullptr && err.empty()) {
    err = GeminiSchemaError(*items, path + ".items", depth + 1);
  }
  if (const json::value* alts = node.if_contains("anyOf"); alts != nullptr && alts->is_array()) {
    std::size_t i = 0;
    for (const auto& sub : alts->as_array()) {
      if (err.empty()) err = GeminiSchemaError(sub, path + ".any_of[" + std::to_string(i) + "]", depth + 1);
      ++i;
    }
  }
  return err;
}

}  // namespace

std::string CheckVendorSchema(Vendor vendor, const json::value& body, const SchemaStrictness& strictness) {
  if (!body.is_object()) return "";
  const json::object& o = body.as_object();
  switch (vendor) {
    case Vendor::kAnthropic: {
      const json::value* cfg = o.if_contains("output_config");
      const json::value* fmt = cfg != nullptr && cfg->is_object() ? cfg->as_object().if_contains("format") : nullptr;
      if (fmt == nullptr || !fmt->is_object()) return "";
      const json::value* schema = fmt->as_object().if_contains("schema");
      if (schema == nullptr) return "output_format.schema: Field required";
      return AnthropicSchemaError(*schema, 0);
    }
    case Vendor::kOpenAi: {
      const json::value* rf = o.if_contains("response_format");
      if (rf == nullptr || !rf->is_object()) return "";
      const json::value* type = rf->as_object().if_contains("type");
      if (type == nullptr || !type->is_string() || type->as_string() != "json_schema") return "";
      if (strictness.reject_json_schema) {
        return "response_format type 'json_schema' is not supported by this server; use 'json_object' or 'text'";
      }
      const json::value* js = rf->as_object().if_contains("json_schema");
      if (js == nullptr || !js->is_object()) return "Missing required parameter: 'response_format.json_schema'.";
      const json::object& j = js->as_object();
      const json::value* name = j.if_contains("name");
      if (name == nullptr || !name->is_string()) return "Missing required parameter: 'response_format.json_schema.name'.";
      const json::value* strict = j.if_contains("strict");
      const json::value* schema = j.if_contains("schema");
      if (strict == nullptr || !strict->is_bool() || !strict->as_bool() || schema == nullptr) return "";
      const std::string prefix = "Invalid schema for response_format '" + std::string(name->as_string()) + "': ";
      if (!schema->is_object() || SchemaTypeName(schema->as_object()) != "object") {
        return prefix + "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"" +
               (schema->is_object() ? SchemaTypeName(schema->as_object()) : std::string("none")) + "\"'.";
      }
      std::string err = OpenAiStrictError(*schema, "", 0);
      return err.empty() ? "" : prefix + err;
    }
    case Vendor::kGemini: {
      const json::value* cfg = o.if_contains("generationConfig");
      if (cfg == nullptr || !cfg->is_object()) return "";
      const json::value* schema = cfg->as_object().if_contains("responseSchema");
      if (schema == nullptr) return "";
      return GeminiSchemaError(*schema, "generation_config.response_schema", 0);
    }
  }
  return "";
}

Result<MockRequest> ParseVendorRequest(Vendor vendor, std::string model_from_path, std::string_view body,
                                       const SchemaStrictness& strictness) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return ParseError("request body is not a JSON object");
  const json::object& o = v.as_object();
  MockRequest r;
  r.vendor = vendor;
  r.schema_rejection = CheckVendorSchema(vendor, v, strictness);
  if (vendor == Vendor::kGemini) {
    r.model = std::move(model_from_path);
    r.system = PartsText(o.if_contains("systemInstruction"));
    if (const auto* contents = o.if_contains("contents"); contents && contents->is_array()) {
      for (const auto& c : contents->as_array()) {
        const auto* role = c.is_object() ? c.as_object().if_contains("role") : nullptr;
        if (role == nullptr || (role->is_string() && role->as_string() == "user")) Join(r.user, PartsText(&c));
      }
    }
    if (const auto* s = Path(v, {"generationConfig", "responseSchema"})) r.schema = json::serialize(*s);
    return r;
  }
  const auto* model = o.if_contains("model");
  if (model == nullptr || !model->is_string()) return ParseError("request has no model");
  r.model = std::string(model->as_string());
  if (const auto* system = o.if_contains("system")) r.system = ContentText(*system);
  const auto* messages = o.if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return ParseError("request has no messages array");
  for (const auto& m : messages->as_array()) {
    if (!m.is_object()) continue;
    const auto* role = m.as_object().if_contains("role");
    const auto* content = m.as_object().if_contains("content");
    if (role == nullptr || !role->is_string() || content == nullptr) continue;
    const std::string_view rn = role->as_string();
    if (rn == "system" || rn == "developer") Join(r.system, ContentText(*content));
    if (rn == "user") Join(r.user, ContentText(*content));
  }
  if (const auto* s = Path(v, {"output_config", "format", "schema"})) r.schema = json::serialize(*s);
  if (const auto* s = Path(v, {"response_format", "json_schema", "schema"})) r.schema = json::serialize(*s);
  return r;
}

// ---------------------------------------------------------------------------- replies

namespace {

std::int64_t Tokens(std::size_t chars) { return std::max<std::int64_t>(1, static_cast<std::int64_t>(chars + 3) / 4); }

constexpr std::string_view kThinking =
    "The user wants a trading decision. Trend indicators are mixed and no position is open, so holding is safest.";

void AddRetryHeaders(MockReply& reply, const Fault& f) {
  if (f.retry_after_ms) reply.headers.emplace_back("retry-after-ms", std::to_string(*f.retry_after_ms));
  if (f.retry_after_s) reply.headers.emplace_back("retry-after", std::to_string(*f.retry_after_s));
  if (!f.retry_after_date.empty()) reply.headers.emplace_back("retry-after", f.retry_after_date);
  if (f.should_retry) reply.headers.emplace_back("x-should-retry", *f.should_retry ? "true" : "false");
}

MockReply ErrorReply(const MockRequest& req, const Fault& f, const std::string& key) {
  MockReply reply;
  std::string type, code, message;
  switch (f.kind) {
    case FaultKind::kRateLimit:
      reply.status = 429;
      type = req.vendor == Vendor::kAnthropic ? "rate_limit_error" : req.vendor == Vendor::kOpenAi ? "requests" : "RESOURCE_EXHAUSTED";
      code = "rate_limit_exceeded";
      message = "This request would exceed your organization's rate limit (mock, model: " + req.model + ").";
      break;
    case FaultKind::kOverloaded:
      reply.status = req.vendor == Vendor::kAnthropic ? 529 : 503;
      type = req.vendor == Vendor::kAnthropic ? "overloaded_error" : req.vendor == Vendor::kOpenAi ? "server_error" : "UNAVAILABLE";
      message = "Overloaded";
      break;
    case FaultKind::kServerError:
      reply.status = 500;
      type = req.vendor == Vendor::kAnthropic ? "api_error" : req.vendor == Vendor::kOpenAi ? "server_error" : "INTERNAL";
      message = "Internal server error";
      break;
    case FaultKind::kUnauthorized:
      reply.status = req.vendor == Vendor::kGemini ? 403 : 401;
      type = req.vendor == Vendor::kAnthropic ? "authentication_error"
             : req.vendor == Vendor::kOpenAi  ? "invalid_request_error"
                                              : "PERMISSION_DENIED";
      code = "invalid_api_key";
      message = "Incorrect API key provided: " + key + ".";
      break;
    case FaultKind::kInsufficientQuota:
      reply.status = req.vendor == Vendor::kAnthropic ? 400 : 429;
      type = req.vendor == Vendor::kAnthropic ? "invalid_request_error"
             : req.vendor == Vendor::kOpenAi  ? "insufficient_quota"
                                              : "RESOURCE_EXHAUSTED";
      code = "insufficient_quota";
      message = req.vendor == Vendor::kAnthropic ? "Your credit balance is too low to access the Anthropic API."
                                                 : "You exceeded your current quota, please check your plan and billing details.";
      break;
    default:  // kBadRequest
      reply.status = 400;
      type = req.vendor == Vendor::kGemini ? "INVALID_ARGUMENT" : "invalid_request_error";
      message = "Invalid request (mock bad_request)";
      break;
  }
  json::object body;
  if (req.vendor == Vendor::kAnthropic) {
    body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}, {"request_id", "req_mock"}};
  } else if (req.vendor == Vendor::kOpenAi) {
    body = {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code.empty() ? json::value(nullptr) : json::value(code)}}}};
  } else {
    json::object err{{"code", reply.status}, {"message", message}, {"status", type}};
    if (f.kind == FaultKind::kRateLimit && f.retry_after_s) {
      err["details"] = json::array{json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                                {"retryDelay", std::to_string(*f.retry_after_s) + "s"}}};
    }
    body = {{"error", std::move(err)}};
  }
  reply.headers.emplace_back("content-type", "application/json");
  reply.headers.emplace_back("request-id", "req_mock");
  AddRetryHeaders(reply, f);
  reply.body = json::serialize(body);
  return reply;
}

// The vendor's 400 for a schema it does not accept, in its real error shape.
MockReply SchemaRejectionReply(const MockRequest& req) {
  MockReply reply;
  reply.status = 400;
  json::object body;
  if (req.vendor == Vendor::kAnthropic) {
    body = {{"type", "error"},
            {"error", {{"type", "invalid_request_error"}, {"message", req.schema_rejection}}},
            {"request_id", "req_mock"}};
  } else if (req.vendor == Vendor::kOpenAi) {
    body = {{"error",
             {{"message", req.schema_rejection}, {"type", "invalid_request_error"}, {"param", "response_format"},
              {"code", nullptr}}}};
  } else {
    body = {{"error",
             {{"code", 400},
              {"message", req.schema_rejection},
              {"status", "INVALID_ARGUMENT"},
              {"details", json::array{json::object{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
                                                   {"fieldViolations", json::array{json::object{
                                                                           {"field", "generation_config.response_schema"},
                                                                           {"description", req.schema_rejection}}}}}}}}}};
  }
  reply.headers.emplace_back("content-type", "application/json");
  reply.headers.emplace_back("request-id", "req_mock");
  reply.body = json::serialize(body);
  return reply;
}

json::value AnthropicBody(const MockRequest& req, const std::string& text, const Fault& f) {
  json::array content;
  const bool reasoning = f.kind == FaultKind::kReasoning;
  if (reasoning) content.push_back(json::object{{"type", "thinking"}, {"thinking", kThinking}, {"signature", "EqQBmock"}});
  content.push_back(json::object{{"type", "text"}, {"text", text}});
  const std::int64_t in = Tokens(req.system.size() + req.user.size());
  const std::int64_t out = Tokens(text.size()) + (reasoning ? Tokens(kThinking.size()) : 0);
  json::object o{{"model", req.model}, {"id", "msg_mock" + std::to_string(req.sequence)}, {"type", "message"},
                 {"role", "assistant"}};
  if (f.kind == FaultKind::kWrongShape) {
    o["content"] = content.back();
  } else {
    o["content"] = std::move(content);
  }
  o["stop_reason"] = f.kind == FaultKind::kMaxTokens ? "max_tokens" : "end_turn";
  o["stop_sequence"] = nullptr;
  o["usage"] = {{"input_tokens", in},
                {"cache_creation_input_tokens", 0},
                {"cache_read_input_tokens", 0},
                {"cache_creation", {{"ephemeral_5m_input_tokens", 0}, {"ephemeral_1h_input_tokens", 0}}},
                {"output_tokens", out},
                {"service_tier", "standard"}};
  return o;
}

json::value OpenAiBody(const MockRequest& req, const std::string& text, const Fault& f) {
  const bool deepseek = StartsWith(req.model, "deepseek");
  const bool reasoning = f.kind == FaultKind::kReasoning || req.model == "deepseek-reasoner";
  const std::int64_t in = Tokens(req.system.size() + req.user.size());
  const std::int64_t reasoning_tokens = reasoning ? Tokens(kThinking.size()) : 0;
  const std::int64_t out = Tokens(text.size()) + reasoning_tokens;
  // A stable system prompt is mostly served from the vendor's prompt cache.
  const std::int64_t cached = req.sequence > 1 ? Tokens(req.system.size()) / 64 * 64 : 0;
  json::object message{{"role", "assistant"}, {"content", text}};
  if (reasoning) message["reasoning_content"] = kThinking;
  if (!deepseek) {
    message["refusal"] = nullptr;
    message["annotations"] = json::array();
  }
  json::object choice{{"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr},
                      {"finish_reason", f.kind == FaultKind::kMaxTokens ? "length" : "stop"}};
  json::object usage{{"prompt_tokens", in}, {"completion_tokens", out}, {"total_tokens", in + out}};
  if (deepseek) {
    usage["prompt_cache_hit_tokens"] = cached;
    usage["prompt_cache_miss_tokens"] = in - cached;
    usage["completion_tokens_details"] = {{"reasoning_tokens", reasoning_tokens}};
  } else {
    usage["prompt_tokens_details"] = {{"cached_tokens", cached}, {"audio_tokens", 0}};
    usage["completion_tokens_details"] = {{"reasoning_tokens", reasoning_tokens},
                                          {"audio_tokens", 0},
                                          {"accepted_prediction_tokens", 0},
                                          {"rejected_prediction_tokens", 0}};
  }
  json::object o{{"id", "chatcmpl-mock" + std::to_string(req.sequence)},
                 {"object", "chat.completion"},
                 {"created", 1764028800 + req.sequence},
                 {"model", req.model}};
  if (f.kind == FaultKind::kWrongShape) {
    o["choices"] = std::move(choice);
  } else {
    o["choices"] = json::array{std::move(choice)};
  }
  o["usage"] = std::move(usage);
  if (deepseek) o["system_fingerprint"] = "fp_mock";
  return o;
}

json::value GeminiBody(const MockRequest& req, const std::string& text, const Fault& f) {
  const bool reasoning = f.kind == FaultKind::kReasoning;
  json::array parts;
  if (reasoning) parts.push_back(json::object{{"text", kThinking}, {"thought", true}});
  parts.push_back(json::object{{"text", text}});
  json::object candidate{{"content", {{"parts", std::move(parts)}, {"role", "model"}}}, {"finishReason", f.kind == FaultKind::kMaxTokens ? "MAX_TOKENS" : "STOP"},
                         {"index", 0}};
  const std::int64_t in = Tokens(req.system.size() + req.user.size());
  const std::int64_t out = Tokens(text.size());
  // Gemini 2.5 models think by default: thoughts are billed as output but not in candidatesTokenCount.
  const std::int64_t thoughts = reasoning || req.model.find("2.5") != std::string::npos ? Tokens(kThinking.size()) : 0;
  json::object usage{{"promptTokenCount", in},
                     {"candidatesTokenCount", out},
                     {"totalTokenCount", in + out + thoughts},
                     {"promptTokensDetails", json::array{json::object{{"modality", "TEXT"}, {"tokenCount", in}}}}};
  if (thoughts > 0) usage["thoughtsTokenCount"] = thoughts;
  json::object o;
  if (f.kind == FaultKind::kWrongShape) {
    o["candidates"] = std::move(candidate);
  } else {
    o["candidates"] = json::array{std::move(candidate)};
  }
  o["usageMetadata"] = std::move(usage);
  o["modelVersion"] = req.model;
  o["responseId"] = "mock" + std::to_string(req.sequence);
  return o;
}

}  // namespace

MockReply BuildVendorReply(const MockRequest& req, const std::string& text_in, const Fault& f, const std::string& key) {
  if (!req.schema_rejection.empty()) return SchemaRejectionReply(req);
  switch (f.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kOverloaded:
    case FaultKind::kServerError:
    case FaultKind::kUnauthorized:
    case FaultKind::kInsufficientQuota:
    case FaultKind::kBadRequest:
      return ErrorReply(req, f, key);
    default:
      break;
  }
  std::string text = text_in;
  if (f.kind == FaultKind::kMaxTokens) text.resize(text.size() / 3);  // cut off mid-JSON
  if (f.kind == FaultKind::kProse) {
    text = "Here is my decision based on the data:\n```json\n" + text + "\n```\nLet me know if you need anything else.";
  }
  json::value body = req.vendor == Vendor::kAnthropic ? AnthropicBody(req, text, f)
                     : req.vendor == Vendor::kOpenAi  ? OpenAiBody(req, text, f)
                                                      : GeminiBody(req, text, f);
  MockReply reply;
  reply.headers.emplace_back("content-type", "application/json");
  reply.headers.emplace_back("request-id", "req_mock" + std::to_string(req.sequence));
  AddRetryHeaders(reply, f);
  reply.body = json::serialize(body);
  if (f.kind == FaultKind::kTruncated) reply.body.resize(reply.body.size() / 2);
  if (f.kind == FaultKind::kKeepAlive) reply.body = "\n\n\n\n" + reply.body;
  return reply;
}

}  // namespace aitrader::llm::mock
