// Prompts: the versioned system prompts bots may name in prompt_version (data/prompts/
// <version>.txt, validated as the engine loads them) and the caller's own prompt templates.
// GET /api/prompts lists both; POST /api/prompts stores a template — checked as the engine
// checks a system prompt template (agent::SystemPromptTemplate: known placeholders only) and,
// on top, that it keeps the answer format the decision parser reads (every field and signal of
// the decision schema is named) — which bots then name "user:<id>"; DELETE /api/prompts/{id}
// removes one no bot uses. Templates never change once stored (a decision's prompt_version
// keeps meaning the text it was made with).
// POST /api/prompts/preview {bot}: the system and user prompt the bot would send if started
// now — a fresh bot at the runtime's market time (agent::BuildFreshPrompt over the feed's
// candles, with the prompt config engine::MakeBotParts gives a bot; a template's text in place
// of the system prompt), and a token estimate.
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "agent/decision.hpp"
#include "agent/fresh_prompt.hpp"
#include "agent/prompt.hpp"
#include "api/api.hpp"
#include "api/json_util.hpp"
#include "core/instrument.hpp"
#include "engine/service.hpp"
#include "engine/user_prompts.hpp"
#include "store/api_repository.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTemplateBytes = 32 * 1024;  // aa-v1 is under 4 KiB
constexpr std::int64_t kMaxTemplatesPerUser = 50;
constexpr std::size_t kMaxNameChars = 64;

ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }
ApiError TemplateNotFound() {
  return ApiError{404, "not_found", "prompt template not found (system prompts cannot be deleted)", ""};
}

// The system prompt versions of data/prompts that load, sorted.
std::vector<agent::SystemPromptTemplate> SystemPrompts() {
  std::vector<std::string> versions;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(DataDir() + "/prompts", ec)) {
    if (entry.path().extension() == ".txt") versions.push_back(entry.path().stem().string());
  }
  std::sort(versions.begin(), versions.end());
  std::vector<agent::SystemPromptTemplate> out;
  for (const auto& v : versions) {
    auto t = agent::SystemPromptTemplate::LoadDefault(v);
    if (t.ok()) out.push_back(std::move(*t));  // not a valid template: never offered
  }
  return out;
}

json::object TemplateJson(const store::PromptTemplateRecord& t) {
  json::object o;
  o["id"] = store::PromptTemplateId(t.id);
  o["kind"] = "template";
  o["name"] = t.name;
  o["default"] = false;
  o["text"] = t.text;
  o["created_at"] = t.created_at;
  return o;
}

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// What a template must keep so the decision parser can read the answers it asks for: the
// decision schema's field names and signals, and that the answer is JSON. The 422 naming
// `text` with what is missing, or nullopt.
std::optional<ApiError> CheckDecisionSchemaKept(std::string_view text) {
  std::vector<std::string> missing;
  for (std::uint32_t bit = 1; bit <= agent::kAllFields; bit <<= 1) {
    const std::string_view name = agent::FieldName(static_cast<agent::Field>(bit));
    if (text.find(name) == std::string_view::npos) missing.emplace_back(name);
  }
  for (auto sig : {agent::Signal::kBuyToEnter, agent::Signal::kSellToEnter, agent::Signal::kHold,
                   agent::Signal::kClosePosition}) {
    if (text.find(agent::ToString(sig)) == std::string_view::npos) missing.emplace_back(agent::ToString(sig));
  }
  if (text.find("JSON") == std::string_view::npos && text.find("json") == std::string_view::npos) {
    missing.emplace_back("JSON");
  }
  if (missing.empty()) return std::nullopt;
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  return ApiError{422, "invalid_value",
                  "text must keep the answer format (the decision schema: one JSON object whose decisions name the "
                  "fields and signals the parser reads); missing: " + list,
                  "text"};
}

}  // namespace

std::optional<ApiError> Api::CheckPromptVersion(store::Database& db, std::int64_t user_id, const std::string& version,
                                                const std::string& field) const {
  if (version.empty()) return std::nullopt;  // the default system prompt
  if (auto id = store::ParsePromptTemplateId(version)) {
    store::ApiRepository repo(db);
    auto t = repo.GetUserPromptTemplate(user_id, *id);
    if (t.ok()) return std::nullopt;
    if (t.status().code() != StatusCode::kNotFound) return ServerError();
    return ApiError{422, "invalid_value", "prompt_version: you have no prompt template " + version, field};
  }
  if (agent::SystemPromptTemplate::LoadDefault(version).ok()) return std::nullopt;
  return ApiError{422, "invalid_value",
                  "prompt_version: no system prompt '" + version + "' (GET /api/prompts lists the prompts)", field};
}

void Api::AddPromptRoutes() {
  router_.Add("GET", "/api/prompts", true, [this](ApiRequest& req) {
    json::array items;
    for (const auto& t : SystemPrompts()) {
      json::object o;
      o["id"] = t.version;
      o["kind"] = "system";
      o["name"] = t.version;
      o["default"] = t.version == agent::kDefaultPromptVersion;
      o["text"] = t.text;
      items.push_back(std::move(o));
    }
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto mine = repo.ListUserPromptTemplates(req.user_id);
    if (!mine.ok()) return ErrorResponse(ServerError());
    for (const auto& t : *mine) items.push_back(TemplateJson(t));
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("POST", "/api/prompts", true, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    const auto& o = std::get<json::object>(body);
    for (const auto& kv : o) {
      if (kv.key() != "name" && kv.key() != "text") {
        return ErrorResponse(422, "unknown_field", std::string(kv.key()) + ": unknown key", std::string(kv.key()));
      }
    }
    std::string name, text;
    if (auto e = GetString(o, "name", name, false)) return ErrorResponse(*e);
    if (auto e = GetString(o, "text", text, false)) return ErrorResponse(*e);
    if (!o.contains("name")) return ErrorResponse(422, "missing_field", "name is required", "name");
    if (!o.contains("text")) return ErrorResponse(422, "missing_field", "text is required", "text");
    const bool control = std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (name.empty() || CodePoints(name) > kMaxNameChars || control) {
      return ErrorResponse(422, "invalid_value", "name must be 1..64 characters without control characters", "name");
    }
    if (text.size() > kMaxTemplateBytes) {
      return ErrorResponse(422, "invalid_value", "text must be at most " + std::to_string(kMaxTemplateBytes) + " bytes",
                           "text");
    }
    // As the engine checks a system prompt template: known {{placeholders}} only, all closed.
    auto checked = agent::SystemPromptTemplate::FromText("user", text);
    if (!checked.ok()) return ErrorResponse(422, "invalid_value", "text: " + checked.status().message(), "text");
    if (auto e = CheckDecisionSchemaKept(text)) return ErrorResponse(*e);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto count = repo.CountUserPromptTemplates(req.user_id);
    if (!count.ok()) return ErrorResponse(ServerError());
    if (*count >= kMaxTemplatesPerUser) {
      return ErrorResponse(409, "too_many_templates",
                           "you have " + std::to_string(*count) + " prompt templates, the most there may be: delete one first");
    }
    const UnixMs now = Now();
    auto id = repo.InsertPromptTemplate(req.user_id, name, text, now);
    if (!id.ok()) {
      if (id.status().code() == StatusCode::kAlreadyExists) {
        return ErrorResponse(409, "conflict", "you have a prompt template named '" + name + "' already", "name");
      }
      return ErrorResponse(ServerError());
    }
    ApiResponse resp = JsonResponse(201, TemplateJson({*id, req.user_id, name, text, now}));
    resp.headers.emplace_back("Location", "/api/prompts/" + store::PromptTemplateId(*id));
    return resp;
  });

  router_.Add("DELETE", "/api/prompts/{id}", true, [this](ApiRequest& req) {
    auto id = store::ParsePromptTemplateId(req.params["id"]);
    if (!id) return ErrorResponse(TemplateNotFound());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (auto t = repo.GetUserPromptTemplate(req.user_id, *id); !t.ok()) {
      return ErrorResponse(t.status().code() == StatusCode::kNotFound ? TemplateNotFound() : ServerError());
    }
    // Not while one of the caller's bots names it (it could not start again).
    const std::string version = store::PromptTemplateId(*id);
    std::string users;
    std::int64_t after = 0;
    while (true) {
      auto page = repo.ListUserBots(req.user_id, after, 1000);
      if (!page.ok()) return ErrorResponse(ServerError());
      for (const auto& b : *page) {
        boost::system::error_code ec;
        json::value spec = json::parse(b.config_json, ec);
        const json::value* v = !ec && spec.is_object() ? spec.as_object().if_contains("prompt_version") : nullptr;
        if (v != nullptr && v->is_string() && v->as_string() == version) users += (users.empty() ? "" : ", ") + b.name;
      }
      if (page->size() < 1000) break;
      after = page->back().id;
    }
    if (!users.empty()) {
      return ErrorResponse(409, "template_in_use", "the template is the prompt_version of your bots: " + users);
    }
    auto deleted = repo.DeleteUserPromptTemplate(req.user_id, *id);
    if (!deleted.ok()) return ErrorResponse(ServerError());
    if (!*deleted) return ErrorResponse(TemplateNotFound());
    ApiResponse resp;
    resp.status = 204;
    resp.content_type.clear();
    return resp;
  });

  router_.Add("POST", "/api/prompts/preview", true, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    const auto& o = std::get<json::object>(body);
    for (const auto& kv : o) {
      if (kv.key() != "bot") {
        return ErrorResponse(422, "invalid_value", std::string(kv.key()) + ": unknown key", std::string(kv.key()));
      }
    }
    const json::value* bot = o.if_contains("bot");
    if (bot == nullptr) return ErrorResponse(422, "invalid_value", "bot (a bot spec) is required", "bot");
    if (!bot->is_object()) return ErrorResponse(BadField("bot", "bot must be an object"));
    auto valid = ValidateBotSpec(bot->as_object());
    if (auto* e = std::get_if<ApiError>(&valid)) {
      ApiError err = *e;
      err.field = err.field.empty() ? "bot" : "bot." + err.field;
      return ErrorResponse(err);
    }
    const auto& b = std::get<engine::BotConfig>(valid);
    // A template of the caller in place of the system prompt, resolved as a bot on it resolves it.
    std::shared_ptr<const agent::SystemPromptTemplate> user_template;
    {
      auto lease = db_->Acquire();
      if (auto e = CheckPromptVersion(lease->db(), req.user_id, b.prompt_version, "bot.prompt_version")) {
        return ErrorResponse(*e);
      }
      engine::BotConfig resolved = b;
      Status st = engine::ResolvePromptTemplate(lease->db(), req.user_id, resolved);
      if (st.code() == StatusCode::kFailedPrecondition) return ErrorResponse(409, "invalid_state", st.message());
      if (st.code() == StatusCode::kNotFound) {  // deleted since the check above
        return ErrorResponse(422, "invalid_value", "prompt_version: you have no prompt template " + b.prompt_version,
                             "bot.prompt_version");
      }
      if (!st.ok()) return ErrorResponse(ServerError());
      user_template = resolved.prompt_template;
    }
    if (hooks_.service == nullptr || hooks_.service->market_time() == 0) {
      return ErrorResponse(503, "not_ready", "the runtime is not running");
    }
    static const auto instruments = InstrumentTable::LoadDefault();
    if (!instruments.ok()) return ErrorResponse(500, "internal_error", "the server failed to answer this request");
    agent::FreshPromptOptions opt;
    opt.data_dir = config_.data_dir.empty() ? DataDir() + "/binance-usdm" : config_.data_dir;
    opt.at = hooks_.service->market_time();
    opt.coins.clear();
    for (const auto& s : b.symbols) {
      const Instrument* ins = instruments->Find(s);
      opt.coins.push_back(ins != nullptr ? ins->base : s);
    }
    opt.interval = b.interval;
    opt.capital = b.capital;
    if (!b.prompt_version.empty() && !user_template) opt.prompt_version = b.prompt_version;
    const engine::RunConfig run;  // the service's fees (engine/service.cpp: the run defaults)
    opt.config.max_leverage = b.risk.max_leverage;
    opt.config.maker_fee = run.maker_fee;
    opt.config.taker_fee = run.taker_fee;
    auto prompt = agent::BuildFreshPrompt(opt, *instruments);
    if (!prompt.ok()) {
      return ErrorResponse(409, "no_market_data", "no prompt at the market time: " + prompt.status().message());
    }
    if (user_template) {
      // The user prompt does not depend on the system prompt: render the template with the
      // config BuildFreshPrompt gave the default one (the bot's coins and interval).
      agent::PromptConfig pc = opt.config;
      pc.coins = opt.coins;
      pc.interval = opt.interval;
      auto system = agent::RenderSystemPrompt(*user_template, pc);
      if (!system.ok()) return ErrorResponse(409, "invalid_state", "prompt template " + b.prompt_version + ": " + system.status().message());
      prompt->system = std::move(*system);
      prompt->version = user_template->version;
    }
    // Tokens: about four characters each (the vendors' rule of thumb for English and JSON).
    auto tokens = [](const std::string& t) { return static_cast<std::int64_t>((t.size() + 3) / 4); };
    json::object out;
    out["at"] = opt.at;
    out["version"] = prompt->version;
    // The baseline decides by rule: it sends no prompt (this is what an LLM would be sent).
    out["sent_to_model"] = b.model == engine::ModelKind::kLlm;
    out["system"] = prompt->system;
    out["user"] = prompt->user;
    out["token_estimate"] = tokens(prompt->system) + tokens(prompt->user);
    return JsonResponse(200, out);
  });
}

}  // namespace aitrader::api
