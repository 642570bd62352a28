// POST/GET /api/bots, GET/PATCH/DELETE /api/bots/{id}: bots as stored, owned by the caller.
// The bot spec is the run config's bot object, validated by the run config's own parser
// (engine::ParseBotConfig) plus what only the API restricts (the llm keys a user may set, the
// base_url allow-list, the market feed's interval).
#include <boost/json.hpp>

#include "agent/baseline.hpp"
#include "api/api.hpp"
#include "api/json_util.hpp"
#include "core/strings.hpp"
#include "engine/config.hpp"
#include "store/api_repository.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }
ApiError BotNotFound() { return ApiError{404, "not_found", "bot not found", ""}; }

// The value at "a.b[2].c" in root, or nullptr.
const json::value* At(const json::value& root, std::string_view path) {
  const json::value* v = &root;
  std::size_t i = 0;
  while (i < path.size() && v != nullptr) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      std::size_t end = path.find(']', i);
      if (end == std::string_view::npos || !v->is_array()) return nullptr;
      std::size_t idx = static_cast<std::size_t>(std::atoll(std::string(path.substr(i + 1, end - i - 1)).c_str()));
      v = idx < v->as_array().size() ? &v->as_array()[idx] : nullptr;
      i = end + 1;
      continue;
    }
    std::size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    if (!v->is_object()) return nullptr;
    v = v->as_object().if_contains(path.substr(i, end - i));
    i = end;
  }
  return v;
}

// A config-loader error as the API answers it: 400 when the value has the wrong JSON type,
// 422 when it is well-typed but not acceptable.
ApiError FromConfigError(const Status& s, const std::string& path, const json::value& root) {
  std::string message = s.message();
  if (StartsWith(message, "bot: ")) message = message.substr(5);
  const std::string field = path == "(top)" ? "" : path;
  const json::value* v = field.empty() ? &root : At(root, field);
  bool type_error = false;
  if (v != nullptr) {
    auto has = [&](std::string_view phrase) { return message.find(phrase) != std::string::npos; };
    if (has("must be a string")) type_error = !v->is_string();
    else if (has("must be true or false")) type_error = !v->is_bool();
    else if (has("must be an object")) type_error = !v->is_object();
    else if (has("must be an integer")) type_error = !v->is_number();
    else if (has("must be a decimal number or a string")) type_error = !v->is_number() && !v->is_string();
    else if (has("must be a non-empty array")) type_error = !v->is_array();
  }
  if (type_error) return ApiError{400, "invalid_type", message, field};
  return ApiError{422, "invalid_value", message, field};
}

std::string BotProvider(const engine::BotConfig& b) {
  return b.model == engine::ModelKind::kBaseline ? "baseline" : b.llm->provider;
}
std::string BotModel(const engine::BotConfig& b) {
  return b.model == engine::ModelKind::kBaseline ? std::string(agent::kBaselineModel) : b.llm->model;
}

// RFC 7386 JSON merge patch.
void MergePatch(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object{};
  auto& t = target.as_object();
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      t.erase(kv.key());
    } else {
      json::value& slot = t[kv.key()];
      MergePatch(slot, kv.value());
    }
  }
}

}  // namespace

engine::BotConfig Api::BotDefaults() const {
  engine::BotConfig defaults = engine::DefaultBotConfig();
  defaults.interval = hooks_.feed_interval;
  defaults.cadence = hooks_.feed_interval;
  return defaults;
}

std::variant<engine::BotConfig, ApiError> Api::ValidateBotSpec(const json::object& spec) const {
  const json::value root(spec);
  if (const json::value* l = spec.if_contains("llm"); l != nullptr && l->is_object()) {
    // What a user may set of the provider config: nothing that reads server files or
    // environment variables, writes files, or reaches arbitrary hosts.
    static const std::vector<std::string_view> kAllowed = {"provider", "model", "base_url", "temperature",
                                                           "max_tokens", "json_mode", "timeout_ms", "max_retries"};
    for (const auto& kv : l->as_object()) {
      if (std::find(kAllowed.begin(), kAllowed.end(), kv.key()) == kAllowed.end()) {
        return ApiError{422, "invalid_value", "llm." + std::string(kv.key()) + " cannot be set through the API",
                        "llm." + std::string(kv.key())};
      }
    }
    if (const json::value* p = l->as_object().if_contains("provider"); p != nullptr && p->is_string()) {
      if (p->as_string() == "replay") {
        return ApiError{422, "invalid_value", "llm.provider replay is not available through the API", "llm.provider"};
      }
    }
    if (const json::value* u = l->as_object().if_contains("base_url")) {
      if (!u->is_string()) return ApiError{400, "invalid_type", "llm.base_url must be a string", "llm.base_url"};
      const auto& allow = config_.llm_base_url_allow;
      if (std::find(allow.begin(), allow.end(), std::string(u->as_string())) == allow.end()) {
        return ApiError{422, "invalid_value", "llm.base_url is not on this server's allow-list", "llm.base_url"};
      }
    }
  }
  if (const json::value* i = spec.if_contains("interval"); i != nullptr && i->is_string()) {
    auto interval = ParseInterval(std::string_view(i->as_string()));
    if (interval.ok() && *interval != hooks_.feed_interval) {
      return ApiError{422, "invalid_value",
                      "interval: the market feed runs " + FormatInterval(hooks_.feed_interval) + " candles", "interval"};
    }
  }
  std::string path;
  auto b = engine::ParseBotConfig(json::serialize(root), BotDefaults(), "bot", &path);
  if (!b.ok()) return FromConfigError(b.status(), path, root);
  if (b->interval != hooks_.feed_interval) {
    return ApiError{422, "invalid_value",
                    "interval: the market feed runs " + FormatInterval(hooks_.feed_interval) + " candles", "interval"};
  }
  return std::move(*b);
}

std::optional<json::object> Api::BotJson(store::Database& db, const store::BotRecord& r) {
  store::ApiRepository repo(db);
  auto summary = repo.GetBotSummary(r.id);
  if (!summary.ok()) return std::nullopt;
  boost::system::error_code ec;
  json::value spec = json::parse(r.config_json, ec);
  if (ec || !spec.is_object()) spec = json::object{};
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  const json::value* label = spec.as_object().if_contains("label");
  o["label"] = label != nullptr && label->is_string() ? label->as_string() : json::string(r.name);
  o["status"] = r.status;
  o["mode"] = r.mode;
  o["model"] = r.model;
  o["provider"] = r.provider;
  json::array symbols;
  auto cfg = engine::ParseBotConfig(r.config_json, BotDefaults(), "bot");
  if (cfg.ok()) {
    for (const auto& s : cfg->symbols) symbols.emplace_back(s);
  }
  o["symbols"] = std::move(symbols);
  o["capital"] = r.capital.ToString();
  const Money equity = summary->equity.value_or(r.capital);
  o["equity"] = equity.ToString();
  o["pnl"] = (equity - r.capital).ToString();
  o["open_positions"] = summary->open_positions;
  if (summary->last_decision_at) o["last_decision_at"] = *summary->last_decision_at;
  else o["last_decision_at"] = nullptr;
  o["created_at"] = r.created_at;
  o["spec"] = std::move(spec);
  return o;
}

void Api::AddBotRoutes() {
  router_.Add("POST", "/api/bots", true, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    const auto& spec = std::get<json::object>(body);
    auto valid = ValidateBotSpec(spec);
    if (auto* e = std::get_if<ApiError>(&valid)) return ErrorResponse(*e);
    const auto& b = std::get<engine::BotConfig>(valid);
    const UnixMs now = Now();
    store::BotRecord r;
    r.user_id = req.user_id;
    r.name = b.name;
    r.provider = BotProvider(b);
    r.model = BotModel(b);
    r.mode = std::string(ToString(b.mode));
    r.status = "created";
    r.capital = b.capital;
    r.config_json = json::serialize(spec);
    r.created_at = r.updated_at = now;
    auto lease = db_->Acquire();
    if (auto e = CheckPromptVersion(lease->db(), req.user_id, b.prompt_version, "prompt_version")) return ErrorResponse(*e);
    auto id = lease->repo().CreateBot(r);
    if (!id.ok()) {
      if (id.status().code() == StatusCode::kAlreadyExists) {
        return ErrorResponse(409, "conflict", "you have a bot named '" + b.name + "' already", "name");
      }
      return ErrorResponse(ServerError());
    }
    r.id = *id;
    auto o = BotJson(lease->db(), r);
    if (!o) return ErrorResponse(ServerError());
    ApiResponse resp = JsonResponse(201, *o);
    resp.headers.emplace_back("Location", "/api/bots/" + std::to_string(*id));
    return resp;
  });

  router_.Add("GET", "/api/bots", true, [this](ApiRequest& req) {
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto rows = repo.ListUserBots(req.user_id, p.cursor.value_or(0), p.limit + 1);
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    const bool more = static_cast<int>(rows->size()) > p.limit;
    if (more) rows->pop_back();
    for (const auto& r : *rows) {
      auto o = BotJson(lease->db(), r);
      if (!o) return ErrorResponse(ServerError());
      items.push_back(std::move(*o));
    }
    json::object out;
    out["items"] = std::move(items);
    if (more) out["next_cursor"] = std::to_string(rows->back().id);
    else out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("GET", "/api/bots/{id}", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto r = repo.GetUserBot(req.user_id, *id);
    if (!r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    auto o = BotJson(lease->db(), *r);
    if (!o) return ErrorResponse(ServerError());
    return JsonResponse(200, *o);
  });

  router_.Add("PATCH", "/api/bots/{id}", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto r = repo.GetUserBot(req.user_id, *id);
    if (!r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    if (r->status == "running" || r->status == "paused") {
      return ErrorResponse(409, "bot_running", "the bot is " + r->status + ": stop it before changing its spec");
    }
    boost::system::error_code ec;
    json::value spec = json::parse(r->config_json, ec);
    if (ec || !spec.is_object()) spec = json::object{};
    MergePatch(spec, json::value(std::get<json::object>(body)));
    auto valid = ValidateBotSpec(spec.as_object());
    if (auto* e = std::get_if<ApiError>(&valid)) return ErrorResponse(*e);
    const auto& b = std::get<engine::BotConfig>(valid);
    if (auto e = CheckPromptVersion(lease->db(), req.user_id, b.prompt_version, "prompt_version")) return ErrorResponse(*e);
    r->name = b.name;
    r->provider = BotProvider(b);
    r->model = BotModel(b);
    r->mode = std::string(ToString(b.mode));
    r->capital = b.capital;
    r->config_json = json::serialize(spec);
    r->updated_at = Now();
    Status s = repo.UpdateBotSpec(*r);
    if (!s.ok()) {
      if (s.code() == StatusCode::kAlreadyExists) {
        return ErrorResponse(409, "conflict", "you have a bot named '" + b.name + "' already", "name");
      }
      return ErrorResponse(ServerError());
    }
    auto o = BotJson(lease->db(), *r);
    if (!o) return ErrorResponse(ServerError());
    return JsonResponse(200, *o);
  });

  router_.Add("DELETE", "/api/bots/{id}", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto r = repo.GetUserBot(req.user_id, *id);
    if (!r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    if (r->status == "running" || r->status == "paused") {
      return ErrorResponse(409, "bot_running", "the bot is " + r->status + ": stop it first");
    }
    auto summary = repo.GetBotSummary(r->id);
    if (!summary.ok()) return ErrorResponse(ServerError());
    if (summary->open_positions > 0) {
      return ErrorResponse(409, "open_positions", "the bot still has open positions: close them first");
    }
    // Deleted: no longer listed; its history stays; its name is free again.
    const UnixMs now = Now();
    r->name = r->name + "~deleted~" + std::to_string(r->id);
    r->updated_at = now;
    Status s = store::InTransaction(lease->db(), [&]() -> Status {
      AITRADER_RETURN_IF_ERROR(repo.UpdateBotSpec(*r));
      return lease->repo().UpdateBotStatus(r->id, "deleted", now);
    });
    if (!s.ok()) return ErrorResponse(ServerError());
    bots_epoch_.fetch_add(1);  // answers built before the deletion are no longer current
    ApiResponse resp;
    resp.status = 204;
    resp.content_type.clear();
    return resp;
  });
}

}  // namespace aitrader::api
