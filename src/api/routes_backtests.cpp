// POST /api/backtests, GET /api/backtests, GET /api/backtests/{id}: paper backtests of a bot
// spec (or one of the caller's bots) over the market feed's candles, run by
// engine::RunBacktest on a worker thread of the Api (one thread per backtest, at most
// limits.backtests_per_user per user and limits.backtests_total in all: 429 beyond). The
// period must lie inside the candles of every symbol the bot trades (422 naming from/to). A
// bot on a paid LLM model needs "confirm_cost": true (422 with engine::EstimateLlmCost's
// estimate otherwise, as the CLI's --yes). A bot on one of the caller's prompt templates
// prompts with its text (engine::ResolvePromptTemplate, as a live bot on it). Progress
// (thousandths) and the report (engine::ReportToJson) are stored in api_backtests; GET polls
// them. Another user's backtest is 404.
#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/stream.hpp"
#include "api/json_util.hpp"
#include "core/strings.hpp"
#include "engine/backtest.hpp"
#include "engine/cost_estimate.hpp"
#include "engine/service.hpp"
#include "engine/user_prompts.hpp"
#include "llm/secret.hpp"
#include "store/api_repository.hpp"
#include "store/secret_box.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }
ApiError BacktestNotFound() { return ApiError{404, "not_found", "backtest not found", ""}; }

json::object BacktestJson(const store::BacktestRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["status"] = r.status;
  o["progress"] = static_cast<double>(r.progress_permille) / 1000.0;
  o["from"] = r.from;
  o["to"] = r.to;
  o["created_at"] = r.created_at;
  o["finished_at"] = r.finished_at ? json::value(*r.finished_at) : json::value(nullptr);
  o["error"] = r.error ? json::value(*r.error) : json::value(nullptr);
  return o;
}

}  // namespace

void Api::ReapBacktests() {
  std::lock_guard<std::mutex> lock(bt_mu_);
  for (auto it = bt_threads_.begin(); it != bt_threads_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = bt_threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void Api::StopBacktests() {
  bt_stopping_.store(true);
  std::vector<BacktestThread> threads;
  {
    std::lock_guard<std::mutex> lock(bt_mu_);
    threads.swap(bt_threads_);
  }
  for (auto& t : threads) t.thread.join();
}

void Api::AddBacktestRoutes() {
  {
    // A previous process cannot finish what it left running.
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    (void)repo.FailUnfinishedBacktests("the server stopped before the backtest finished", Now());
  }

  router_.Add("POST", "/api/backtests", true, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    const auto& o = std::get<json::object>(body);
    for (const auto& kv : o) {
      if (kv.key() != "bot" && kv.key() != "bot_id" && kv.key() != "from" && kv.key() != "to" &&
          kv.key() != "confirm_cost") {
        return ErrorResponse(422, "invalid_value", std::string(kv.key()) + ": unknown key", std::string(kv.key()));
      }
    }
    const json::value* bot = o.if_contains("bot");
    const json::value* bot_id = o.if_contains("bot_id");
    if ((bot == nullptr) == (bot_id == nullptr)) {
      return ErrorResponse(422, "invalid_value", "give exactly one of bot (a bot spec) and bot_id", bot ? "bot_id" : "bot");
    }
    if (bot != nullptr && !bot->is_object()) return ErrorResponse(BadField("bot", "bot must be an object"));
    if (bot_id != nullptr && !bot_id->is_int64()) return ErrorResponse(BadField("bot_id", "bot_id must be an integer"));
    UnixMs period[2] = {0, 0};
    const char* names[2] = {"from", "to"};
    for (int i = 0; i < 2; ++i) {
      const json::value* v = o.if_contains(names[i]);
      if (v == nullptr) return ErrorResponse(BadField(names[i], std::string(names[i]) + " is required"));
      if (!v->is_int64()) {
        return ErrorResponse(BadField(names[i], std::string(names[i]) + " must be an integer (ms since the epoch)"));
      }
      period[i] = v->as_int64();
    }
    bool confirm = false;
    if (const json::value* c = o.if_contains("confirm_cost")) {
      if (!c->is_bool()) return ErrorResponse(BadField("confirm_cost", "confirm_cost must be true or false"));
      confirm = c->as_bool();
    }
    if (hooks_.service == nullptr) return ErrorResponse(503, "not_ready", "the runtime is not running");

    // The bot: a spec, or one of the caller's bots (404 for anyone else's).
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    json::object spec;
    std::string prefix = "bot.";
    if (bot != nullptr) {
      spec = bot->as_object();
    } else {
      auto r = repo.GetUserBot(req.user_id, bot_id->as_int64());
      if (!r.ok()) {
        return ErrorResponse(r.status().code() == StatusCode::kNotFound ? ApiError{404, "not_found", "bot not found", ""}
                                                                        : ServerError());
      }
      boost::system::error_code ec;
      json::value stored = json::parse(r->config_json, ec);
      if (ec || !stored.is_object()) return ErrorResponse(ServerError());
      spec = stored.as_object();
      prefix = "";
    }
    auto valid = ValidateBotSpec(spec);
    if (auto* e = std::get_if<ApiError>(&valid)) {
      ApiError err = *e;
      if (bot_id != nullptr) err = ApiError{409, "invalid_state", e->message, e->field};
      else err.field = err.field.empty() ? "bot" : prefix + err.field;
      return ErrorResponse(err);
    }
    engine::BotConfig cfg = std::move(std::get<engine::BotConfig>(valid));
    if (auto e = CheckPromptVersion(lease->db(), req.user_id, cfg.prompt_version, prefix + "prompt_version")) {
      return ErrorResponse(*e);
    }
    // A template of the caller's (another user's, a deleted or an unknown one: the same 422
    // above, nothing says which) resolved as the runtime resolves a live bot's, so the backtest
    // prompts with exactly its text.
    if (Status s = engine::ResolvePromptTemplate(lease->db(), req.user_id, cfg); !s.ok()) {
      switch (s.code()) {
        case StatusCode::kNotFound:  // deleted since the check above
          return ErrorResponse(422, "invalid_value", "prompt_version: you have no prompt template " + cfg.prompt_version,
                               prefix + "prompt_version");
        case StatusCode::kFailedPrecondition:
          return ErrorResponse(409, "invalid_state", s.message(), prefix + "prompt_version");
        default: return ErrorResponse(ServerError());
      }
    }

    // The period: inside the candles of every symbol the bot trades, at least two bars.
    const auto market = hooks_.service->shared_market();
    const UnixMs interval = hooks_.service->interval();
    UnixMs data_from = INT64_MIN, data_to = INT64_MAX;
    for (const auto& s : cfg.symbols) {
      const engine::SymbolData* d = market->Find(s);
      if (d == nullptr || d->intraday.empty()) {
        return ErrorResponse(422, "invalid_value", "no candles for " + s, prefix + "symbols");
      }
      data_from = std::max(data_from, d->intraday.open_time().front());
      data_to = std::min(data_to, d->intraday.open_time().back() + interval);
    }
    const std::string range = " (the data covers " + FormatUtc(data_from) + " → " + FormatUtc(data_to) + ")";
    if (period[0] < data_from || period[0] >= data_to) {
      return ErrorResponse(422, "invalid_value", "from is outside the data" + range, "from");
    }
    if (period[1] > data_to || period[1] <= data_from) {
      return ErrorResponse(422, "invalid_value", "to is outside the data" + range, "to");
    }
    if (period[1] < period[0] + 2 * interval) {
      return ErrorResponse(422, "invalid_value", "to must be at least two bars after from", "to");
    }
    engine::RunConfig to_estimate;
    to_estimate.from = period[0];
    to_estimate.to = period[1];
    to_estimate.bots.push_back(cfg);
    auto estimate = engine::EstimateLlmCost(to_estimate);  // the CLI's estimate for --yes
    if (!estimate.ok()) return ErrorResponse(ServerError());
    const Money cost = estimate->total;
    if (cost.IsPositive() && !confirm) {
      return ErrorResponse(422, "cost_not_confirmed",
                           "this backtest is estimated to cost $" + cost.ToString(2) +
                               " of LLM calls; send \"confirm_cost\": true to spend it",
                           "confirm_cost");
    }
    if (cfg.model == engine::ModelKind::kLlm) {
      // The owner's stored key for the provider (or the server's environment, if allowed).
      auto sealed = lease->repo().LoadCredentials(req.user_id, cfg.llm->provider, "default");
      if (sealed.ok()) {
        auto key = secret_box_->Open(sealed->first);
        if (!key.ok()) return ErrorResponse(ServerError());
        cfg.llm->api_key = llm::SecretString(*key);
      } else if (!config_.allow_server_llm_keys && cfg.llm->provider != "openai-compatible") {
        return ErrorResponse(409, "missing_credential", "store a key first: PUT /api/credentials/" + cfg.llm->provider);
      }
    }

    ReapBacktests();
    std::int64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(bt_mu_);
      int& mine = bt_per_user_[req.user_id];
      if (bt_stopping_.load()) return ErrorResponse(503, "not_ready", "the server is stopping");
      if (mine >= config_.limits.backtests_per_user || bt_running_ >= config_.limits.backtests_total) {
        ApiResponse r = ErrorResponse(429, "too_many_backtests",
                                      mine >= config_.limits.backtests_per_user
                                          ? "at most " + std::to_string(config_.limits.backtests_per_user) +
                                                " backtests of yours may run at once"
                                          : "the server is running as many backtests as it may");
        r.headers.emplace_back("Retry-After", "5");
        return r;
      }
      auto inserted = repo.InsertBacktest(req.user_id, json::serialize(spec), period[0], period[1], Now());
      if (!inserted.ok()) return ErrorResponse(ServerError());
      id = *inserted;
      ++mine;
      ++bt_running_;
      auto done = std::make_shared<std::atomic<bool>>(false);
      engine::BacktestOptions opts;
      opts.config.from = period[0];
      opts.config.to = period[1];
      opts.config.bots.push_back(std::move(cfg));
      opts.market = market;
      opts.timing = true;
      const std::int64_t user_id = req.user_id;
      bt_threads_.push_back(BacktestThread{
          std::thread([this, id, user_id, done, opts = std::move(opts)]() mutable { RunOneBacktest(id, user_id, opts, *done); }),
          done});
    }
    json::object out;
    out["id"] = id;
    return JsonResponse(202, out);
  });

  router_.Add("GET", "/api/backtests", true, [this](ApiRequest& req) {
    auto page = ParsePage(req);
    if (auto* e = std::get_if<ApiError>(&page)) return ErrorResponse(*e);
    const auto& p = std::get<PageRequest>(page);
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto rows = repo.BacktestsPage(req.user_id, p.cursor.value_or(0), p.limit + 1);
    if (!rows.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int>(i) < p.limit; ++i) items.push_back(BacktestJson((*rows)[i]));
    json::object out;
    out["items"] = std::move(items);
    if (static_cast<int>(rows->size()) > p.limit) {
      out["next_cursor"] = std::to_string((*rows)[static_cast<std::size_t>(p.limit) - 1].id);
    } else {
      out["next_cursor"] = nullptr;
    }
    return JsonResponse(200, out);
  });

  router_.Add("GET", "/api/backtests/{id}", true, [this](ApiRequest& req) {
    auto id = PathId(req);
    if (!id) return ErrorResponse(BacktestNotFound());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto r = repo.GetUserBacktest(req.user_id, *id, /*with_report=*/true);
    if (!r.ok()) return ErrorResponse(r.status().code() == StatusCode::kNotFound ? BacktestNotFound() : ServerError());
    json::object o = BacktestJson(*r);
    o["report"] = nullptr;
    if (r->report) {
      boost::system::error_code ec;
      json::value report = json::parse(*r->report, ec);
      if (!ec) o["report"] = std::move(report);
    }
    return JsonResponse(200, o);
  });
}

void Api::RunOneBacktest(std::int64_t id, std::int64_t user_id, engine::BacktestOptions& opts, std::atomic<bool>& done) {
  // Progress on the owner's streams: `backtest` events with seq 0 (not stored, not replayed by
  // `since`; GET /api/backtests/{id} has the state), at the runtime's market time.
  auto publish = [this, id, user_id](std::string_view status, double progress, const std::string* error) {
    json::object d;
    d["id"] = id;
    d["status"] = status;
    d["progress"] = progress;
    if (error != nullptr) d["error"] = *error;
    engine::ServiceEvent e;
    e.user_id = user_id;
    e.type = "backtest";
    e.at = hooks_.market_time ? hooks_.market_time().value_or(0) : 0;
    e.data = json::serialize(d);
    streams_->Publish({e});
  };
  publish("running", 0, nullptr);
  {
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    (void)repo.UpdateBacktestProgress(id, "running", 0);
  }
  std::int64_t last_permille = -1;
  opts.cancelled = [this] { return bt_stopping_.load(); };
  opts.progress = [this, id, &last_permille, &publish](double f) {
    const auto permille = static_cast<std::int64_t>(f * 1000.0);
    if (permille >= 1000 || permille < last_permille + 10) return;  // at most ~100 writes; done sets 1000
    last_permille = permille;
    {
      auto lease = db_->Acquire();
      store::ApiRepository repo(lease->db());
      (void)repo.UpdateBacktestProgress(id, "running", permille);
    }
    publish("running", static_cast<double>(permille) / 1000.0, nullptr);
  };
  auto report = engine::RunBacktest(opts);
  {
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (report.ok()) {
      (void)repo.FinishBacktest(id, "done", engine::ReportToJson(*report), std::nullopt, Now());
    } else {
      const std::string why = report.status().code() == StatusCode::kCancelled
                                  ? "the server stopped before the backtest finished"
                                  : report.status().message();
      (void)repo.FinishBacktest(id, "failed", std::nullopt, why, Now());
    }
  }
  if (report.ok()) {
    publish("done", 1.0, nullptr);
  } else {
    const std::string why = report.status().message();
    publish("failed", 0, &why);
  }
  {
    std::lock_guard<std::mutex> lock(bt_mu_);
    if (--bt_per_user_[user_id] <= 0) bt_per_user_.erase(user_id);
    --bt_running_;
  }
  done.store(true);
}

}  // namespace aitrader::api
