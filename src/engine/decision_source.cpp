#include "engine/decision_source.hpp"

#include <algorithm>
#include <chrono>

namespace aitrader::engine {
namespace {

class BaselineSource final : public DecisionSource {
 public:
  BaselineSource(agent::BaselinePolicy policy, bool keep_raw) : policy_(std::move(policy)), keep_raw_(keep_raw) {}
  std::string provider() const override { return "baseline"; }
  std::string model() const override { return std::string(agent::kBaselineModel); }
  bool needs_prompt() const override { return false; }

  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage& usage, const llm::CancelToken*) override {
    usage.model = model();
    agent::DecisionOutcome out;
    // Reuses the previous cycle's decisions (and their strings' capacity) when recycled.
    policy_.DecideInto(in.coins, *in.account, in.positions, spare_);
    out.decisions = std::move(spare_);
    spare_.clear();
    agent::DecisionAttempt attempt;
    if (keep_raw_) attempt.raw_text = agent::DecisionsToJson(out.decisions);
    attempt.issues = agent::ValidateDecisions(out.decisions, *in.context);
    if (!attempt.issues.empty()) {
      // The baseline is code: a refused decision is a bug to see, but the bot still only holds.
      out.fell_back_to_hold = true;
      out.fallback_reason = agent::IssuesToStatus(attempt.issues).message();
      out.decisions = agent::HoldAll(*in.context);
    }
    out.attempts.push_back(std::move(attempt));
    return out;
  }

  void Recycle(agent::DecisionOutcome&& old) override { spare_ = std::move(old.decisions); }

 private:
  agent::BaselinePolicy policy_;
  bool keep_raw_;
  std::vector<agent::Decision> spare_;
};

// Counts usage and cost of every call through it (one cycle at a time).
class MeteredClient final : public llm::Client {
 public:
  MeteredClient(llm::Client& inner, CycleUsage& usage, CallBudget* budget, const Clock* wall)
      : inner_(inner), usage_(usage), budget_(budget), wall_(wall) {}
  std::string provider() const override { return inner_.provider(); }
  Result<llm::Response> Complete(const llm::Request& request, const llm::CancelToken* cancel) override {
    if (budget_ != nullptr) {
      if (Status s = budget_->BeforeCall(); !s.ok()) {
        usage_.budget_refused = true;
        return s;
      }
    }
    CallUsage call;
    call.called_at = wall_ != nullptr ? wall_->NowMs() : 0;
    call.model = request.model;
    auto r = inner_.Complete(request, cancel);
    ++usage_.calls;
    if (r.ok()) {
      call.ok = true;
      call.usage = r->usage;
      call.cost_usd = r->cost_usd;
      if (!r->model.empty()) call.model = r->model;
      if (budget_ != nullptr) budget_->AfterCall(r->cost_usd);
      usage_.usage.input_tokens += r->usage.input_tokens;
      usage_.usage.output_tokens += r->usage.output_tokens;
      usage_.usage.reasoning_tokens += r->usage.reasoning_tokens;
      usage_.usage.cached_tokens += r->usage.cached_tokens;
      usage_.cost_usd += r->cost_usd;
      if (!r->model.empty()) usage_.model = r->model;
    }
    usage_.per_call.push_back(std::move(call));
    return r;
  }

 private:
  llm::Client& inner_;
  CycleUsage& usage_;
  CallBudget* budget_;
  const Clock* wall_;
};

class LlmSource final : public DecisionSource {
 public:
  LlmSource(std::shared_ptr<llm::Client> client, std::string model, int max_tokens, std::optional<double> temperature,
            int retries)
      : client_(std::move(client)), model_(std::move(model)), max_tokens_(max_tokens), temperature_(temperature) {
    policy_.max_retries = retries;
  }
  std::string provider() const override { return client_->provider(); }
  std::string model() const override { return model_; }
  bool needs_prompt() const override { return true; }

  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage& usage, const llm::CancelToken* cancel) override {
    usage.model = model_;
    // The schema names every coin of this cycle: rebuilt when the coin set or the leverage
    // cap changes (a bot's symbols can change between cycles), reused otherwise.
    const auto& ctx_coins = in.context->coins;
    const bool same = schema_max_leverage_ == in.context->max_leverage && schema_coins_.size() == ctx_coins.size() &&
                      std::equal(schema_coins_.begin(), schema_coins_.end(), ctx_coins.begin(),
                                 [](const std::string& a, const agent::CoinState& b) { return a == b.coin; });
    if (schema_.empty() || !same) {
      schema_coins_.clear();
      for (const auto& c : ctx_coins) schema_coins_.push_back(c.coin);
      schema_max_leverage_ = in.context->max_leverage;
      schema_ = agent::DecisionJsonSchema(schema_coins_, schema_max_leverage_);
    }
    llm::Request req;
    req.model = model_;
    req.max_tokens = max_tokens_;
    req.temperature = temperature_;
    req.response_schema = schema_;
    req.messages.push_back({llm::Role::kSystem, in.prompt->system});
    req.messages.push_back({llm::Role::kUser, in.prompt->user});
    MeteredClient metered(*client_, usage, in.budget, in.wall_clock);
    return agent::DecideWithRetries(metered, std::move(req), *in.context, policy_, in.prompt->version, cancel);
  }

 private:
  std::shared_ptr<llm::Client> client_;
  std::string model_;
  int max_tokens_;
  std::optional<double> temperature_;
  agent::RetryPolicy policy_;
  std::string schema_;
  std::vector<std::string> schema_coins_;  // the coins schema_ was built for
  int schema_max_leverage_ = 0;
};

}  // namespace

std::unique_ptr<DecisionSource> MakeBaselineSource(agent::BaselinePolicy policy, bool keep_raw) {
  return std::make_unique<BaselineSource>(std::move(policy), keep_raw);
}

std::unique_ptr<DecisionSource> MakeLlmSource(std::shared_ptr<llm::Client> client, std::string model, int max_tokens,
                                              std::optional<double> temperature, int retries) {
  return std::make_unique<LlmSource>(std::move(client), std::move(model), max_tokens, temperature, retries);
}

}  // namespace aitrader::engine
