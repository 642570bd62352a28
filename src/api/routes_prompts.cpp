// GET /api/prompts: the versioned system prompts bots may name in prompt_version
// (data/prompts/<version>.txt, validated as the engine loads them). User templates
// (POST /api/prompts) are not served yet.
// POST /api/prompts/preview {bot}: the system and user prompt the bot would send if started
// now — a fresh bot at the runtime's market time (agent::BuildFreshPrompt over the feed's
// candles, with the prompt config engine::MakeBotParts gives a bot), and a token estimate.
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "agent/fresh_prompt.hpp"
#include "agent/prompt.hpp"
#include "api/api.hpp"
#include "api/json_util.hpp"
#include "core/instrument.hpp"
#include "engine/service.hpp"

namespace aitrader::api {
namespace json = boost::json;

void Api::AddPromptRoutes() {
  router_.Add("GET", "/api/prompts", true, [](ApiRequest&) {
    std::vector<std::string> versions;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(DataDir() + "/prompts", ec)) {
      if (entry.path().extension() == ".txt") versions.push_back(entry.path().stem().string());
    }
    std::sort(versions.begin(), versions.end());
    json::array items;
    for (const auto& v : versions) {
      auto t = agent::SystemPromptTemplate::LoadDefault(v);
      if (!t.ok()) continue;  // not a valid template: never offered
      json::object o;
      o["id"] = t->version;
      o["kind"] = "system";
      o["default"] = t->version == agent::kDefaultPromptVersion;
      o["text"] = t->text;
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
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
    if (!b.prompt_version.empty()) opt.prompt_version = b.prompt_version;
    const engine::RunConfig run;  // the service's fees (engine/service.cpp: the run defaults)
    opt.config.max_leverage = b.risk.max_leverage;
    opt.config.maker_fee = run.maker_fee;
    opt.config.taker_fee = run.taker_fee;
    auto prompt = agent::BuildFreshPrompt(opt, *instruments);
    if (!prompt.ok()) {
      return ErrorResponse(409, "no_market_data", "no prompt at the market time: " + prompt.status().message());
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
