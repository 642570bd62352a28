// The runtime through the API: bot commands (start, pause, resume, stop, emergency stop),
// dry runs (one real decision that places no order), the caller's global emergency stop, and
// the trading data of a bot (positions, trades, orders, decisions, equity, performance), the
// market (symbols, candles) and alerts (with their acknowledgement).
// Commands and live venue state go through engine::Service (its executor: the API never
// touches a Bot); history is read from the store on the handler's own connection.
#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/json_util.hpp"
#include "core/instrument.hpp"
#include "engine/bot.hpp"
#include "engine/report.hpp"
#include "engine/service.hpp"
#include "engine/venue_factory.hpp"
#include "llm/secret.hpp"
#include "store/api_repository.hpp"
#include "store/secret_box.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }
ApiError BotNotFound() { return ApiError{404, "not_found", "bot not found", ""}; }
ApiError NoRuntime() { return ApiError{503, "not_ready", "the runtime is not running", ""}; }

ApiError FromRuntime(const Status& s) {
  switch (s.code()) {
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInvalidArgument: return ApiError{409, "invalid_state", s.message(), ""};
    case StatusCode::kTimeout:
    case StatusCode::kCancelled:
    case StatusCode::kUnavailable: return ApiError{503, "not_ready", s.message(), ""};
    default: return ServerError();
  }
}

json::value OptPrice(const std::optional<Price>& p) { return p ? json::value(p->ToString()) : json::value(nullptr); }

json::value ParsedOr(const std::string& text, json::value fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

template <class T>
json::object Page(json::array items, const std::vector<T>& rows, int limit) {
  json::object out;
  const bool more = static_cast<int>(rows.size()) > limit;
  out["items"] = std::move(items);
  if (more) out["next_cursor"] = std::to_string(rows[static_cast<std::size_t>(limit) - 1].id);
  else out["next_cursor"] = nullptr;
  return out;
}

// A decision as GET /api/bots/{id}/decisions lists it (nullopt when the database fails).
std::optional<json::object> DecisionJson(store::ApiRepository& repo, const store::DecisionRecord& d, bool with_prompt) {
  auto usage = repo.DecisionUsage(d.id);
  if (!usage.ok()) return std::nullopt;
  json::object o;
  o["id"] = d.id;
  o["cycle"] = d.cycle;
  o["decided_at"] = d.decided_at;
  o["prompt_version"] = d.prompt_version;
  o["prompt_hash"] = d.prompt_hash;
  if (with_prompt) o["prompt"] = d.prompt ? json::value(*d.prompt) : json::value(nullptr);
  o["raw_answer"] = d.raw_answer;
  o["decisions"] = ParsedOr(d.decisions_json, json::array{});
  o["verdicts"] = ParsedOr(d.verdicts_json, json::array{});
  o["outcome"] = d.outcome;
  o["error"] = d.error ? json::value(*d.error) : json::value(nullptr);
  o["latency_ms"] = d.latency_ms;
  o["input_tokens"] = usage->input_tokens;
  o["output_tokens"] = usage->output_tokens;
  o["cost_usd"] = usage->cost_usd.ToString();
  o["dry_run"] = d.dry_run;
  return o;
}

// ?name=true|false (400 naming it otherwise); nullopt when absent.
std::variant<std::optional<bool>, ApiError> QueryBool(const ApiRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return std::optional<bool>();
  if (it->second != "true" && it->second != "false") return BadField(name, name + " must be true or false");
  return std::optional<bool>(it->second == "true");
}

// ?include=prompt (422 for anything else).
std::variant<bool, ApiError> IncludePrompt(const ApiRequest& req) {
  auto it = req.query.find("include");
  if (it == req.query.end()) return false;
  if (it->second != "prompt") return BadField("include", "include may only be 'prompt'", 422);
  return true;
}

json::object AlertJson(const store::AlertRecord& a) {
  json::object o;
  o["id"] = a.id;
  o["bot_id"] = a.bot_id ? json::value(*a.bot_id) : json::value(nullptr);
  o["at"] = a.at;
  o["severity"] = a.severity;
  o["kind"] = a.kind;
  o["message"] = a.message;
  o["acknowledged"] = a.acknowledged;
  o["acknowledged_at"] = a.acknowledged_at ? json::value(*a.acknowledged_at) : json::value(nullptr);
  return o;
}

// How long a dry run may wait for its model: every attempt of every retry at the client's
// timeouts, plus slack; capped at 10 minutes (the baseline answers at once).
std::chrono::milliseconds DryRunTimeout(const engine::BotConfig& cfg) {
  if (cfg.model != engine::ModelKind::kLlm || !cfg.llm) return std::chrono::seconds(30);
  const std::int64_t per_call = cfg.llm->connect_timeout_ms + cfg.llm->timeout_ms;
  const std::int64_t attempts = static_cast<std::int64_t>(cfg.llm->retry.max_retries + 1) * (cfg.max_decision_retries + 1);
  const std::int64_t waits = cfg.llm->retry.max_total_wait_ms * (cfg.max_decision_retries + 1);
  return std::chrono::milliseconds(std::min<std::int64_t>(per_call * attempts + waits + 10'000, 600'000));
}

}  // namespace

std::variant<engine::BotConfig, ApiError> Api::RunnableConfig(store::Database& db, std::int64_t user_id,
                                                              const std::string& config_json) {
  boost::system::error_code ec;
  json::value stored = json::parse(config_json, ec);
  if (ec || !stored.is_object()) return ServerError();
  auto valid = ValidateBotSpec(stored.as_object());
  if (auto* e = std::get_if<ApiError>(&valid)) return ApiError{409, "invalid_state", e->message, e->field};
  engine::BotConfig cfg = std::move(std::get<engine::BotConfig>(valid));
  if (cfg.model == engine::ModelKind::kLlm) {
    // The owner's stored key for the provider (or the server's environment, if allowed).
    store::Repository repo(db);
    auto sealed = repo.LoadCredentials(user_id, cfg.llm->provider, "default");
    if (sealed.ok()) {
      auto key = secret_box_->Open(sealed->first);
      if (!key.ok()) return ServerError();
      cfg.llm->api_key = llm::SecretString(*key);
    } else if (!config_.allow_server_llm_keys && cfg.llm->provider != "openai-compatible") {
      return ApiError{409, "missing_credential", "store a key first: PUT /api/credentials/" + cfg.llm->provider, ""};
    }
  }
  return cfg;
}

std::variant<std::optional<exchange::binance::BinanceCredentials>, ApiError> Api::VenueCredentials(
    store::Database& db, std::int64_t user_id, TradingMode mode) {
  if (mode == TradingMode::kPaper) return std::optional<exchange::binance::BinanceCredentials>();
  const std::string name = mode == TradingMode::kTestnet ? "binance-testnet" : "binance";
  store::Repository repo(db);
  auto sealed = repo.LoadCredentials(user_id, name, "default");
  if (!sealed.ok()) {
    if (sealed.status().code() != StatusCode::kNotFound) return ServerError();
    return ApiError{409, "missing_credential", "store the key pair first: PUT /api/credentials/" + name, "mode"};
  }
  auto key = secret_box_->Open(sealed->first);
  auto secret = sealed->second.empty() ? Result<std::string>(std::string()) : secret_box_->Open(sealed->second);
  if (!key.ok() || !secret.ok()) return ServerError();
  if (secret->empty()) return ApiError{409, "missing_credential", name + " has no api_secret: store it again", "mode"};
  return std::optional<exchange::binance::BinanceCredentials>(
      exchange::binance::BinanceCredentials{std::move(*key), exchange::binance::Secret(std::move(*secret))});
}

Result<engine::Service::BotSpec> Api::StoredBotSpec(const store::BotRecord& r) {
  auto lease = db_->Acquire();
  auto cfg = RunnableConfig(lease->db(), r.user_id, r.config_json);
  if (auto* e = std::get_if<ApiError>(&cfg)) return FailedPrecondition(e->message);
  auto venue = VenueCredentials(lease->db(), r.user_id, std::get<engine::BotConfig>(cfg).mode);
  if (auto* e = std::get_if<ApiError>(&venue)) return FailedPrecondition(e->message);
  return engine::Service::BotSpec{std::move(std::get<engine::BotConfig>(cfg)), r.config_json,
                                  std::move(std::get<0>(venue))};
}

void Api::AddRuntimeRoutes() {
  using engine::BotCommandKind;
  const std::vector<std::pair<std::string, BotCommandKind>> commands = {
      {"start", BotCommandKind::kStart},
      {"pause", BotCommandKind::kPause},
      {"resume", BotCommandKind::kResume},
      {"stop", BotCommandKind::kStop},
      {"emergency-stop", BotCommandKind::kEmergencyStop}};
  for (const auto& [name, kind] : commands) {
    router_.Add("POST", "/api/bots/{id}/" + name, true, [this, kind = kind](ApiRequest& req) {
      auto id = PathId(req);
      if (!id) return ErrorResponse(BotNotFound());
      std::optional<engine::Service::BotSpec> spec;
      {
        auto lease = db_->Acquire();
        store::ApiRepository repo(lease->db());
        auto r = repo.GetUserBot(req.user_id, *id);
        if (!r.ok()) return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
        if (kind == BotCommandKind::kStart) {
          auto cfg = RunnableConfig(lease->db(), req.user_id, r->config_json);
          if (auto* e = std::get_if<ApiError>(&cfg)) return ErrorResponse(*e);
          if (std::get<engine::BotConfig>(cfg).mode == TradingMode::kLive) {
            // The paper-first rule, with the reason a promotion is refused.
            store::Value p[] = {std::int64_t{*id}};
            auto first = lease->db().Query("SELECT MIN(at) FROM trades WHERE bot_id = ?", p);
            if (!first.ok()) return ErrorResponse(ServerError());
            std::optional<UnixMs> first_trade;
            if (!first->empty() && !first->front().IsNull(0)) first_trade = first->front().Int(0);
            Status promotion =
                engine::CheckLivePromotion(config_.allow_live, first_trade, Now(), config_.live_min_record_days);
            if (!promotion.ok()) return ErrorResponse(409, "live_refused", promotion.message(), "mode");
          }
          // On the replayed feed the runtime refuses testnet/live bots itself, saying why; the
          // key pair matters only on the live feed.
          const bool live_feed = hooks_.service != nullptr && hooks_.service->feed() != "replay";
          auto venue = live_feed ? VenueCredentials(lease->db(), req.user_id, std::get<engine::BotConfig>(cfg).mode)
                                 : decltype(VenueCredentials(lease->db(), 0, TradingMode::kPaper))(std::nullopt);
          if (auto* e = std::get_if<ApiError>(&venue)) return ErrorResponse(*e);
          spec = engine::Service::BotSpec{std::move(std::get<engine::BotConfig>(cfg)), r->config_json,
                                          std::move(std::get<0>(venue))};
        }
      }
      if (hooks_.service == nullptr) return ErrorResponse(NoRuntime());
      auto status = hooks_.service->Command(*id, req.user_id, kind, spec);
      if (!status.ok()) return ErrorResponse(FromRuntime(status.status()));
      json::object o;
      o["id"] = *id;
      o["status"] = *status;
      return JsonResponse(202, o);
    });
  }

  // One real decision that places no order (engine::Service::DryRun), stored as a dry run.
  router_.Add("POST", "/api/bots/{id}/dry-run", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto include = IncludePrompt(req);
    if (auto* e = std::get_if<ApiError>(&include)) return ErrorResponse(*e);
    std::optional<engine::Service::BotSpec> spec;
    {
      auto lease = db_->Acquire();
      store::ApiRepository repo(lease->db());
      auto r = repo.GetUserBot(req.user_id, *id);
      if (!r.ok()) return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
      auto cfg = RunnableConfig(lease->db(), req.user_id, r->config_json);
      if (auto* e = std::get_if<ApiError>(&cfg)) return ErrorResponse(*e);
      spec = engine::Service::BotSpec{std::move(std::get<engine::BotConfig>(cfg)), r->config_json, std::nullopt};
    }
    if (hooks_.service == nullptr) return ErrorResponse(NoRuntime());
    // Each dry run holds this handler thread until its model answered: a bounded number.
    const int limit = std::max(1, config_.workers / 2);
    if (dry_runs_.fetch_add(1) >= limit) {
      dry_runs_.fetch_sub(1);
      ApiResponse resp = ErrorResponse(429, "too_many_dry_runs",
                                       "the server runs " + std::to_string(limit) + " dry runs at once; try again shortly");
      resp.headers.emplace_back("Retry-After", "5");
      return resp;
    }
    auto decision_id = hooks_.service->DryRun(*id, req.user_id, *spec, DryRunTimeout(spec->config));
    dry_runs_.fetch_sub(1);
    if (!decision_id.ok()) {
      const Status& s = decision_id.status();
      switch (s.code()) {
        case StatusCode::kAlreadyExists: return ErrorResponse(409, "dry_run_in_progress", s.message());
        case StatusCode::kNotFound: return ErrorResponse(409, "no_market_data", s.message());
        default: return ErrorResponse(FromRuntime(s));
      }
    }
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto d = repo.GetDecision(*id, *decision_id, std::get<bool>(include));
    if (!d.ok()) return ErrorResponse(ServerError());
    auto o = DecisionJson(repo, *d, std::get<bool>(include));
    if (!o) return ErrorResponse(ServerError());
    return JsonResponse(200, *o);
  });

  router_.Add("POST", "/api/emergency-stop", true, [this](ApiRequest& req) {
    if (hooks_.service == nullptr) return ErrorResponse(NoRuntime());
    auto n = hooks_.service->EmergencyStopUser(req.user_id);
    if (!n.ok()) return ErrorResponse(FromRuntime(n.status()));
    json::object o;
    o["bots"] = *n;
    return JsonResponse(202, o);
  });

  // Dashboards poll this: an answer is kept per bot while it is current (api.hpp
  // CachedPositions) and a repeat is answered from memory on the I/O thread.
  constexpr auto kPositionsMaxAge = std::chrono::seconds(1);
  constexpr std::size_t kPositionsMaxCached = 10'000;
  auto positions_fast = [this, kPositionsMaxAge](ApiRequest& req) -> std::optional<ApiResponse> {
    if (hooks_.service == nullptr) return std::nullopt;
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const std::uint64_t commit = hooks_.service->CommitVersion(), epoch = bots_epoch_.load();
    std::lock_guard lock(positions_mu_);
    auto it = positions_cache_.find(*id);
    if (it == positions_cache_.end() || it->second.commit != commit || it->second.epoch != epoch ||
        std::chrono::steady_clock::now() - it->second.at > kPositionsMaxAge) {
      return std::nullopt;
    }
    if (it->second.user_id != req.user_id) return ErrorResponse(BotNotFound());
    ApiResponse r;
    r.body = it->second.body;
    return r;
  };
  router_.AddWithFastPath("GET", "/api/bots/{id}/positions", true, positions_fast, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    // Read before the store and the snapshot: a commit after this makes the answer stale.
    const std::uint64_t commit = hooks_.service != nullptr ? hooks_.service->CommitVersion() : 0;
    const std::uint64_t epoch = bots_epoch_.load();
    std::vector<store::PositionRecord> open;
    {
      auto lease = db_->Acquire();
      store::ApiRepository repo(lease->db());
      auto rows = repo.UserBotOpenPositions(req.user_id, *id);
      if (!rows.ok()) return ErrorResponse(rows.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
      open = std::move(*rows);
    }
    std::vector<exchange::Position> venue;
    if (hooks_.service != nullptr && !open.empty()) venue = hooks_.service->Positions(*id);
    json::array items;
    for (const auto& p : open) {
      json::object o;
      o["symbol"] = p.symbol;
      o["side"] = p.side;
      o["quantity"] = p.quantity.ToString();
      o["entry_price"] = p.entry_price.ToString();
      o["leverage"] = p.leverage;
      o["mark_price"] = nullptr;
      o["unrealized_pnl"] = nullptr;
      o["liquidation_price"] = nullptr;
      for (const auto& v : venue) {
        if (v.symbol != p.symbol) continue;
        o["mark_price"] = v.mark_price.ToString();
        o["unrealized_pnl"] = v.unrealized_pnl.ToString();
        o["liquidation_price"] = v.liquidation_price.IsZero() ? json::value(nullptr) : json::value(v.liquidation_price.ToString());
      }
      json::value plan = ParsedOr(p.exit_plan_json, json::object{});
      auto get = [&](std::string_view k) -> json::value {
        if (!plan.is_object()) return nullptr;
        auto* v = plan.as_object().if_contains(k);
        return v != nullptr && v->is_string() ? *v : json::value(nullptr);
      };
      o["stop_loss"] = get("stop_loss");
      o["take_profit"] = get("profit_target");
      o["invalidation"] = get("invalidation_condition");
      o["opened_at"] = p.opened_at;
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    ApiResponse resp = JsonResponse(200, out);
    if (hooks_.service != nullptr) {
      std::lock_guard lock(positions_mu_);
      if (positions_cache_.size() >= kPositionsMaxCached) positions_cache_.clear();
      positions_cache_[*id] = CachedPositions{commit, epoch, req.user_id, std::chrono::steady_clock::now(), resp.body};
    }
    return resp;
  });

  // The history routes: ownership, a page, and a row → JSON mapping.
  router_.Add("GET", "/api/bots/{id}/trades", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (auto r = repo.GetUserBot(req.user_id, *id); !r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    auto rows = repo.TradesPage(*id, p.cursor.value_or(0), p.limit + 1);
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) {
      const auto& t = (*rows)[i];
      json::object o;
      o["id"] = t.id;
      o["symbol"] = t.symbol;
      o["side"] = t.side;
      o["quantity"] = t.quantity.ToString();
      o["price"] = t.price.ToString();
      o["fee"] = t.fee.ToString();
      o["realized_pnl"] = t.realized_pnl.ToString();
      o["is_maker"] = t.is_maker;
      o["at"] = t.at;
      items.push_back(std::move(o));
    }
    return JsonResponse(200, Page(std::move(items), *rows, p.limit));
  });

  router_.Add("GET", "/api/bots/{id}/orders", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    bool open_only = false;
    if (auto it = req.query.find("open"); it != req.query.end()) {
      if (it->second != "true" && it->second != "false") return ErrorResponse(BadField("open", "open must be true or false"));
      open_only = it->second == "true";
    }
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (auto r = repo.GetUserBot(req.user_id, *id); !r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    auto rows = repo.OrdersPage(*id, p.cursor.value_or(0), p.limit + 1, open_only);
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) {
      const auto& o = (*rows)[i];
      json::object j;
      j["id"] = o.id;
      j["client_order_id"] = o.client_order_id;
      j["symbol"] = o.symbol;
      j["side"] = o.side;
      j["type"] = o.type;
      j["quantity"] = o.quantity.ToString();
      j["price"] = OptPrice(o.price);
      j["stop_price"] = OptPrice(o.stop_price);
      j["reduce_only"] = o.reduce_only;
      j["status"] = o.status;
      j["filled_quantity"] = o.filled_quantity.ToString();
      j["avg_price"] = OptPrice(o.avg_price);
      j["created_at"] = o.created_at;
      j["updated_at"] = o.updated_at;
      items.push_back(std::move(j));
    }
    return JsonResponse(200, Page(std::move(items), *rows, p.limit));
  });

  router_.Add("GET", "/api/bots/{id}/decisions", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto include = IncludePrompt(req);
    if (auto* e = std::get_if<ApiError>(&include)) return ErrorResponse(*e);
    const bool with_prompt = std::get<bool>(include);
    auto dry_run = QueryBool(req, "dry_run");
    if (auto* e = std::get_if<ApiError>(&dry_run)) return ErrorResponse(*e);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (auto r = repo.GetUserBot(req.user_id, *id); !r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    auto rows = repo.DecisionsPage(*id, p.cursor.value_or(0), p.limit + 1, with_prompt,
                                   std::get<std::optional<bool>>(dry_run));
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) {
      auto o = DecisionJson(repo, (*rows)[i], with_prompt);
      if (!o) return ErrorResponse(ServerError());
      items.push_back(std::move(*o));
    }
    return JsonResponse(200, Page(std::move(items), *rows, p.limit));
  });

  router_.Add("GET", "/api/bots/{id}/equity", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto from = QueryInt(req, "from");
    if (auto* e = std::get_if<ApiError>(&from)) return ErrorResponse(*e);
    auto to = QueryInt(req, "to");
    if (auto* e = std::get_if<ApiError>(&to)) return ErrorResponse(*e);
    // The cursor of the curve is the time of the last point handed out (oldest first).
    UnixMs after = std::get<std::optional<std::int64_t>>(from).value_or(0) - 1;
    if (p.cursor) after = std::max(after, *p.cursor);
    const UnixMs until = std::get<std::optional<std::int64_t>>(to).value_or(INT64_MAX);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (auto r = repo.GetUserBot(req.user_id, *id); !r.ok()) {
      return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    }
    auto rows = repo.EquityPage(*id, after, until, p.limit + 1);
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) {
      const auto& e = (*rows)[i];
      json::object o;
      o["at"] = e.at;
      o["equity"] = e.equity.ToString();
      o["wallet_balance"] = e.wallet_balance.ToString();
      o["unrealized_pnl"] = e.unrealized_pnl.ToString();
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    if (static_cast<int>(rows->size()) > p.limit) out["next_cursor"] = std::to_string((*rows)[p.limit - 1].at);
    else out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("GET", "/api/bots/{id}/performance", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BotNotFound());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto r = repo.GetUserBot(req.user_id, *id);
    if (!r.ok()) return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BotNotFound() : ServerError());
    auto eq = lease->repo().ListEquity(*id, 0, INT64_MAX);
    auto positions = lease->repo().ListPositions(*id, false);
    if (!eq.ok() || !positions.ok()) return ErrorResponse(ServerError());
    std::vector<std::pair<UnixMs, Money>> curve;
    curve.reserve(eq->size());
    for (const auto& e : *eq) curve.emplace_back(e.at, e.equity);
    std::vector<engine::ClosedTrade> trades;
    for (const auto& p : *positions) {
      if (!p.closed_at) continue;
      engine::ClosedTrade t;
      t.symbol = p.symbol;
      t.side = p.side == "LONG" ? Side::kBuy : Side::kSell;
      t.quantity = p.quantity;
      t.entry_time = p.opened_at;
      t.entry_price = p.entry_price;
      t.exit_time = *p.closed_at;
      t.exit_price = p.exit_price.value_or(p.entry_price);
      t.realized_pnl = p.realized_pnl;
      t.fees = p.fees;
      t.funding = p.funding;
      t.leverage = p.leverage;
      trades.push_back(std::move(t));
    }
    auto m = engine::ComputeMetrics(r->capital, curve, trades, hooks_.feed_interval);
    json::object o;
    o["initial_equity"] = m.initial_equity.ToString();
    o["final_equity"] = m.final_equity.ToString();
    o["total_return_pct"] = m.total_return_pct;
    o["sharpe"] = m.sharpe ? json::value(*m.sharpe) : json::value(nullptr);
    o["sortino"] = m.sortino ? json::value(*m.sortino) : json::value(nullptr);
    o["max_drawdown_pct"] = m.max_drawdown_pct;
    o["trades"] = m.trades;
    o["win_rate"] = m.win_rate ? json::value(*m.win_rate) : json::value(nullptr);
    o["profit_factor"] = m.profit_factor ? json::value(*m.profit_factor) : json::value(nullptr);
    o["net_pnl"] = m.net_pnl.ToString();
    o["fees_paid"] = m.fees_paid.ToString();
    o["funding_paid"] = m.funding_paid.ToString();
    o["equity_points"] = static_cast<std::int64_t>(curve.size());
    return JsonResponse(200, o);
  });

  router_.Add("GET", "/api/market/symbols", true, [this](ApiRequest&) {
    if (hooks_.service == nullptr) return ErrorResponse(NoRuntime());
    static const auto table = InstrumentTable::LoadDefault();
    json::array items;
    const auto market = hooks_.service->shared_market();  // held: the live feed replaces it at every bar
    for (const auto& d : market->symbols()) {
      json::object o;
      o["symbol"] = d.symbol;
      const Instrument* ins = table.ok() ? table->Find(d.symbol) : nullptr;
      o["base"] = ins ? ins->base : d.symbol;
      if (ins) {
        o["tick_size"] = ins->tick_size.ToString();
        o["step_size"] = ins->step_size.ToString();
      }
      o["intervals"] = json::array{FormatInterval(hooks_.service->interval())};
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("GET", "/api/market/{symbol}/candles", true, [this](ApiRequest& req) {
    if (hooks_.service == nullptr) return ErrorResponse(NoRuntime());
    auto sym = engine::ResolveSymbol(req.params["symbol"]);
    const engine::SymbolData* data = nullptr;
    const auto market = hooks_.service->shared_market();  // held while `data` is read
    if (sym.ok()) {
      for (const auto& d : market->symbols()) {
        if (d.symbol == *sym) data = &d;
      }
    }
    if (data == nullptr) return ErrorResponse(404, "not_found", "no candles for this symbol");
    if (auto it = req.query.find("interval"); it != req.query.end() && !it->second.empty()) {
      auto i = ParseInterval(it->second);
      if (!i.ok()) return ErrorResponse(BadField("interval", "interval is not an interval like 1h"));
      if (*i != hooks_.service->interval()) {
        return ErrorResponse(422, "invalid_value", "the market feed has " + FormatInterval(hooks_.service->interval()) +
                                                       " candles only", "interval");
      }
    }
    auto from = QueryInt(req, "from");
    if (auto* e = std::get_if<ApiError>(&from)) return ErrorResponse(*e);
    auto to = QueryInt(req, "to");
    if (auto* e = std::get_if<ApiError>(&to)) return ErrorResponse(*e);
    auto limit = QueryInt(req, "limit");
    if (auto* e = std::get_if<ApiError>(&limit)) return ErrorResponse(*e);
    const std::int64_t n = std::get<std::optional<std::int64_t>>(limit).value_or(500);
    if (n < 1 || n > 1000) return ErrorResponse(BadField("limit", "limit must be in 1..1000", 422));
    // Nothing after the market time: the replay must not show the future.
    const UnixMs now = hooks_.service->market_time();
    const UnixMs interval = hooks_.service->interval();
    const UnixMs until = std::min(std::get<std::optional<std::int64_t>>(to).value_or(INT64_MAX), now);
    const UnixMs since = std::get<std::optional<std::int64_t>>(from).value_or(INT64_MIN);
    const auto& s = data->intraday;
    const auto& open_time = s.open_time();
    // The last n candles closed by `until` with open_time >= since.
    std::size_t end = static_cast<std::size_t>(
        std::upper_bound(open_time.begin(), open_time.end(), until - interval) - open_time.begin());
    std::size_t begin = static_cast<std::size_t>(std::lower_bound(open_time.begin(), open_time.end(), since) - open_time.begin());
    if (end > begin + static_cast<std::size_t>(n)) begin = end - static_cast<std::size_t>(n);
    json::array items;
    for (std::size_t i = begin; i < end; ++i) {
      json::object o;
      o["open_time"] = open_time[i];
      o["open"] = s.open()[i].ToString();
      o["high"] = s.high()[i].ToString();
      o["low"] = s.low()[i].ToString();
      o["close"] = s.close()[i].ToString();
      o["volume"] = s.volume()[i];
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  // The caller's bots ranked as the arena leaderboard ranks: by PnL net of LLM cost.
  router_.Add("GET", "/api/arena", true, [this](ApiRequest& req) {
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    struct Entry {
      store::BotRecord bot;
      Money equity, pnl, cost, net;
    };
    std::vector<Entry> entries;
    std::int64_t after = 0;
    while (true) {
      auto page = repo.ListUserBots(req.user_id, after, 1000);
      if (!page.ok()) return ErrorResponse(ServerError());
      for (auto& b : *page) {
        auto summary = repo.GetBotSummary(b.id);
        auto cost = repo.BotLlmCost(b.id);
        if (!summary.ok() || !cost.ok()) return ErrorResponse(ServerError());
        Entry e;
        e.equity = summary->equity.value_or(b.capital);
        e.pnl = e.equity - b.capital;
        e.cost = *cost;
        e.net = e.pnl - e.cost;
        e.bot = std::move(b);
        entries.push_back(std::move(e));
      }
      if (page->size() < 1000) break;
      after = entries.back().bot.id;
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.net > b.net; });
    json::array items;
    int rank = 0;
    for (const auto& e : entries) {
      json::object o;
      o["rank"] = ++rank;
      o["bot_id"] = e.bot.id;
      boost::system::error_code ec;
      json::value spec = json::parse(e.bot.config_json, ec);
      const json::value* label = !ec && spec.is_object() ? spec.as_object().if_contains("label") : nullptr;
      o["label"] = label != nullptr && label->is_string() ? label->as_string() : json::string(e.bot.name);
      o["equity"] = e.equity.ToString();
      o["pnl"] = e.pnl.ToString();
      o["llm_cost_usd"] = e.cost.ToString();
      o["net_pnl"] = e.net.ToString();
      o["return_pct"] = e.bot.capital.IsZero() ? 0.0 : e.net.ToDouble() / e.bot.capital.ToDouble() * 100.0;
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("GET", "/api/alerts", true, [this](ApiRequest& req) {
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto unacknowledged = QueryBool(req, "unacknowledged");
    if (auto* e = std::get_if<ApiError>(&unacknowledged)) return ErrorResponse(*e);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto rows = repo.AlertsPage(req.user_id, p.cursor.value_or(0), p.limit + 1,
                                std::get<std::optional<bool>>(unacknowledged).value_or(false));
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) items.push_back(AlertJson((*rows)[i]));
    return JsonResponse(200, Page(std::move(items), *rows, p.limit));
  });

  // Acknowledges one of the caller's alerts (idempotent: a second time keeps the first time).
  router_.Add("POST", "/api/alerts/{id}/ack", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(404, "not_found", "alert not found");
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto a = repo.AcknowledgeUserAlert(req.user_id, *id, Now());
    if (!a.ok()) {
      return ErrorResponse(a.status().code() == StatusCode::kNotFound ? ApiError{404, "not_found", "alert not found", ""}
                                                                      : ServerError());
    }
    return JsonResponse(200, AlertJson(*a));
  });
}

}  // namespace aitrader::api
