#include "engine/bot.hpp"

#include <algorithm>
#include <cmath>

#include "core/hash.hpp"
#include "engine/client_ids.hpp"

namespace aitrader::engine {
namespace {

ExitReason ReasonForLeg(OrderLeg leg) {
  switch (leg) {
    case OrderLeg::kStopLoss: return ExitReason::kStopLoss;
    case OrderLeg::kTakeProfit: return ExitReason::kTakeProfit;
    case OrderLeg::kInvalidation: return ExitReason::kInvalidation;
    case OrderLeg::kStopClose: return ExitReason::kStop;
    case OrderLeg::kEndOfRun: return ExitReason::kEndOfTest;
    case OrderLeg::kEmergencyClose: return ExitReason::kEmergencyStop;
    case OrderLeg::kEntry:
    case OrderLeg::kClose: return ExitReason::kSignal;
  }
  return ExitReason::kSignal;
}

OrderLeg LegForReason(ExitReason r) {
  switch (r) {
    case ExitReason::kInvalidation: return OrderLeg::kInvalidation;
    case ExitReason::kStop: return OrderLeg::kStopClose;
    case ExitReason::kEndOfTest: return OrderLeg::kEndOfRun;
    case ExitReason::kEmergencyStop: return OrderLeg::kEmergencyClose;
    default: return OrderLeg::kClose;
  }
}

// "a; b": a verdict's detail, its parts in the order they arose.
void AppendDetail(std::string& detail, const std::string& part) {
  if (!detail.empty()) detail += "; ";
  detail += part;
}

// The entry the risk engine checks: the decision's quantity on the instrument's step (toward
// zero), at the price the decision saw.
risk::EntryProposal ProposeEntry(const agent::Decision& d, const Instrument& ins, Price price) {
  risk::EntryProposal prop;
  prop.symbol = ins.symbol;
  prop.side = *d.signal == agent::Signal::kBuyToEnter ? Side::kBuy : Side::kSell;
  prop.quantity = d.quantity->RoundToStep(ins.step_size, Rounding::kTowardZero);
  prop.leverage = *d.leverage;
  prop.price = price;
  prop.stop_loss = d.stop_loss;
  prop.take_profit = d.profit_target;
  return prop;
}

// The approved entry as the executor sends it (the risk engine refused any entry without a
// stop-loss or take-profit).
EntryRequest MakeEntryRequest(std::int64_t cycle, const agent::Decision& d, const Instrument& ins,
                              const risk::EntryProposal& prop) {
  EntryRequest er;
  er.cycle = cycle;
  er.symbol = ins.symbol;
  er.coin = ins.base;
  er.side = prop.side;
  er.quantity = prop.quantity;
  er.leverage = prop.leverage;
  er.stop_loss = *d.stop_loss;
  er.take_profit = *d.profit_target;
  return er;
}

// A cycle record's status: why the decision fell back to hold, else what the rulings came to —
// `acted_status` ("executed"; a dry run's "would_execute") when an order went through.
const char* CycleStatus(const agent::DecisionOutcome& outcome, const CycleUsage& usage, bool acted, bool denied,
                        const char* acted_status) {
  if (!outcome.fell_back_to_hold) return acted ? acted_status : (denied ? "denied" : "hold");
  if (usage.budget_refused) return "budget_exhausted";
  if (outcome.attempts.empty()) return "hold";
  if (outcome.truncated) return "truncated";
  return outcome.attempts.back().transport.ok() ? "parse_failed" : "llm_error";
}

}  // namespace

std::string_view ToString(BotStatus s) {
  switch (s) {
    case BotStatus::kCreated: return "created";
    case BotStatus::kRunning: return "running";
    case BotStatus::kPaused: return "paused";
    case BotStatus::kStopped: return "stopped";
    case BotStatus::kHalted: return "halted";
  }
  return "unknown";
}

std::optional<BotStatus> ParseBotStatus(std::string_view s) {
  for (auto v : {BotStatus::kCreated, BotStatus::kRunning, BotStatus::kPaused, BotStatus::kStopped, BotStatus::kHalted}) {
    if (ToString(v) == s) return v;
  }
  return std::nullopt;
}

std::string_view ToString(ExitReason r) {
  switch (r) {
    case ExitReason::kSignal: return "signal";
    case ExitReason::kStopLoss: return "stop_loss";
    case ExitReason::kTakeProfit: return "take_profit";
    case ExitReason::kInvalidation: return "invalidation";
    case ExitReason::kLiquidation: return "liquidation";
    case ExitReason::kEndOfTest: return "end_of_test";
    case ExitReason::kEmergencyStop: return "emergency_stop";
    case ExitReason::kStop: return "bot_stopped";
  }
  return "unknown";
}

Bot::Bot(std::int64_t id, BotConfig config, exchange::Exchange& venue, std::shared_ptr<const MarketData> market,
         const InstrumentTable& instruments, std::unique_ptr<DecisionSource> source, risk::RiskEngine risk,
         const Clock& clock, BotOptions options)
    : id_(id),
      config_(std::move(config)),
      venue_(venue),
      market_(std::move(market)),
      instruments_(instruments),
      source_(std::move(source)),
      risk_(std::move(risk)),
      clock_(clock),
      options_(std::move(options)),
      executor_(venue, instruments, id) {
  AITRADER_CHECK(source_ != nullptr, "a bot needs a decision source");
  AITRADER_CHECK(!source_->needs_prompt() || options_.prompt_builder.has_value(),
                 "an LLM decision source needs a prompt builder");
  last_equity_ = peak_equity_ = day_start_equity_ = sharpe_prev_ = config_.capital;
  for (const auto& sym : config_.symbols) {
    symbol_data_.push_back(market_ ? market_->Find(sym) : nullptr);
    symbol_instruments_.push_back(instruments_.Find(sym));
    if (symbol_instruments_.back() != nullptr) coins_.push_back(symbol_instruments_.back()->base);
  }
}

void Bot::SetMarket(std::shared_ptr<const MarketData> market) {
  market_ = std::move(market);
  for (std::size_t i = 0; i < config_.symbols.size(); ++i) {
    symbol_data_[i] = market_ ? market_->Find(config_.symbols[i]) : nullptr;
  }
}

InvalidationParse Bot::ParseInvalidationFor(const std::string& text, const std::string& coin) const {
  return ParseInvalidation(text, coin, coins_, config_.interval);
}

void Bot::RestoreSharpe(const std::vector<Money>& values) {
  sharpe_ = SharpeAccumulator();
  sharpe_prev_ = config_.capital;
  for (Money v : values) {
    if (sharpe_prev_.IsPositive()) sharpe_.Add(v.ToDouble() / sharpe_prev_.ToDouble() - 1.0);
    sharpe_prev_ = v;
  }
}

const Instrument* Bot::InstrumentFor(std::string_view coin_or_symbol) const {
  for (const Instrument* ins : symbol_instruments_) {
    if (ins != nullptr && (ins->base == coin_or_symbol || ins->symbol == coin_or_symbol)) return ins;
  }
  return instruments_.Find(coin_or_symbol);
}

void Bot::SetStatus(BotStatus s) {
  if (s == status_) return;
  BotStatus from = status_;
  status_ = s;
  for (auto* o : observers_) o->OnStatus(*this, from, s);
}

void Bot::Alert(std::string_view severity, std::string_view kind, const std::string& message) {
  for (auto* o : observers_) o->OnAlert(*this, severity, kind, message);
}

void Bot::Start(UnixMs now) {
  if (status_ == BotStatus::kRunning) return;
  if (started_at_ == 0) started_at_ = now;
  SetStatus(BotStatus::kRunning);
}

void Bot::Resume(UnixMs started_at, std::int64_t cycle, BotStatus status) {
  started_at_ = started_at;
  cycle_ = cycle;
  status_ = status;
}

void Bot::Pause() {
  if (status_ == BotStatus::kRunning) SetStatus(BotStatus::kPaused);
}

void Bot::Unpause() {
  if (status_ == BotStatus::kPaused) SetStatus(BotStatus::kRunning);
}

Status Bot::ResumeTrading(UnixMs now) {
  switch (status_) {
    case BotStatus::kRunning: return FailedPrecondition("already running");
    case BotStatus::kHalted:
      return FailedPrecondition("halted by the drawdown rule (equity " + last_equity_.ToString(2) + ", peak " +
                                peak_equity_.ToString(2) + "): the drawdown that halted it is still there; a halted "
                                "bot is not resumed");
    case BotStatus::kCreated: Start(now); return Status::Ok();
    case BotStatus::kPaused:
    case BotStatus::kStopped: SetStatus(BotStatus::kRunning); return Status::Ok();
  }
  return Status::Ok();
}

void Bot::Stop(UnixMs now) {
  if (status_ == BotStatus::kStopped) return;
  SetStatus(BotStatus::kStopped);
  if (config_.close_on_stop) CloseAll(now, ExitReason::kStop);
}

std::vector<std::string> Bot::EmergencyStop(UnixMs now, const std::string& reason) {
  SetStatus(BotStatus::kStopped);
  for (auto& [sym, t] : open_) t.pending_exit = ExitReason::kEmergencyStop;
  ExecutionReport rep = executor_.FlattenAll(cycle_);
  ProcessVenueEvents(now);
  std::vector<std::string> problems = rep.problems;
  auto positions = venue_.FetchPositions();
  auto orders = venue_.FetchOpenOrders("");
  std::string pending;
  if (!orders.ok()) problems.push_back("verify flat: open orders: " + orders.status().message());
  if (!positions.ok()) {
    problems.push_back("verify flat: " + positions.status().message());
  } else {
    for (const auto& p : *positions) {
      // Our own reduce-only close may still be waiting for the venue's next price (next-open
      // venues); a position without one is still open and unprotected by this stop.
      bool closing = false;
      if (orders.ok()) {
        for (const auto& o : *orders) {
          closing = closing || (o.reduce_only && o.type == OrderType::kMarket && o.symbol == p.symbol);
        }
      }
      if (closing) {
        pending += (pending.empty() ? "" : ", ") + p.symbol + " " + p.quantity.ToString();
      } else {
        problems.push_back("position still open: " + p.symbol + " " + p.quantity.ToString() + " (no closing order)");
      }
    }
  }
  std::size_t resting = 0;
  if (orders.ok()) {
    for (const auto& o : *orders) {
      if (!o.reduce_only) ++resting;
    }
  }
  if (resting > 0) problems.push_back(std::to_string(resting) + " non-closing orders still open");
  std::string msg = "emergency stop (" + reason + "): orders cancelled, positions closed reduce-only";
  if (!pending.empty()) msg += "; closing at the venue's next price: " + pending;
  if (!problems.empty()) {
    msg += "; problems: ";
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
  }
  Alert("critical", "emergency_stop", msg);
  return problems;
}

agent::ValidationContext Bot::MakeContext(const std::vector<agent::MarketSnapshot>& coins,
                                          const std::vector<const Instrument*>& coin_instruments,
                                          const std::vector<exchange::Position>& positions) const {
  agent::ValidationContext ctx;
  ctx.max_leverage = config_.risk.max_leverage;
  ctx.coins.reserve(coins.size());
  for (std::size_t i = 0; i < coins.size(); ++i) {
    const auto& s = coins[i];
    agent::CoinState cs;
    cs.coin = s.coin;
    cs.price = s.current_price;
    const Instrument* ins = coin_instruments[i];
    for (const auto& p : positions) {
      if (ins != nullptr && p.symbol == ins->symbol) cs.position = p.quantity;
    }
    ctx.coins.push_back(std::move(cs));
  }
  return ctx;
}

risk::AccountView Bot::MakeAccountView(const exchange::Balance& b, const std::vector<exchange::Position>& positions,
                                       UnixMs now) const {
  risk::AccountView a;
  a.equity = b.margin_balance;
  a.available_margin = b.available_balance;
  a.day_start_equity = day_start_equity_;
  a.peak_equity = peak_equity_;
  for (const auto& p : positions) a.open_symbols.push_back(p.symbol);
  a.last_loss_at = last_loss_;
  a.now = now;
  return a;
}

void Bot::ObserveEquity(UnixMs now, const exchange::Balance& b) {
  last_equity_ = b.margin_balance;
  if (last_equity_ > peak_equity_) peak_equity_ = last_equity_;
  std::int64_t day = now / kDayMs;
  if (day != day_) {
    day_ = day;
    day_start_equity_ = last_equity_;
  }
  if (equity_curve_.empty() || equity_curve_.back().first != now) equity_curve_.emplace_back(now, last_equity_);
  for (auto* o : observers_) o->OnEquity(*this, now, b);
}

std::optional<PendingCycle> Bot::BeginCycle(UnixMs now) {
  if (status_ != BotStatus::kRunning) return std::nullopt;
  PendingCycle p;
  p.time = now;
  p.coins.reserve(symbol_data_.size());
  p.coin_instruments.reserve(symbol_data_.size());
  for (std::size_t i = 0; i < symbol_data_.size(); ++i) {
    const SymbolData* d = symbol_data_[i];
    if (d == nullptr || !d->features) continue;
    p.coins.emplace_back();
    if (!d->features->At(now, p.coins.back()).ok()) {
      p.coins.pop_back();
      continue;
    }
    // The snapshot's coin is the symbol's base: the same instrument a lookup would find.
    const Instrument* ins = symbol_instruments_[i];
    p.coin_instruments.push_back(ins != nullptr && ins->base == p.coins.back().coin ? ins
                                                                                     : InstrumentFor(p.coins.back().coin));
  }
  if (p.coins.empty()) return std::nullopt;
  auto balance = venue_.FetchBalance();
  auto positions = venue_.FetchPositions();
  if (!balance.ok() || !positions.ok()) {
    Alert("warning", "venue_error",
          "cycle skipped: " + (balance.ok() ? positions.status().message() : balance.status().message()));
    return std::nullopt;
  }
  p.cycle = ++cycle_;
  p.account.initial_value = config_.capital;
  p.account.available_cash = balance->available_balance;
  p.account.account_value = balance->margin_balance;
  // Per-cycle returns of the account value shown (engine/sharpe.hpp).
  if (sharpe_prev_.IsPositive()) sharpe_.Add(balance->margin_balance.ToDouble() / sharpe_prev_.ToDouble() - 1.0);
  sharpe_prev_ = balance->margin_balance;
  p.account.sharpe = Sharpe();
  p.positions.reserve(positions->size());
  // The stops the prompt shows are the ones working at the venue, not the plan: a stop the venue
  // dropped (expired, cancelled by a liquidation) and could not be restored is not shown.
  std::vector<exchange::Order> resting;
  if (!positions->empty()) {
    if (auto oo = venue_.FetchOpenOrders(""); oo.ok()) resting = std::move(*oo);
  }
  for (const auto& pos : *positions) {
    const Instrument* ins = InstrumentFor(pos.symbol);
    agent::PositionInfo info;
    info.coin = ins ? ins->base : pos.symbol;
    info.quantity = pos.quantity;
    info.entry_price = pos.entry_price;
    info.current_price = pos.mark_price;
    if (pos.liquidation_price.IsPositive()) info.liquidation_price = pos.liquidation_price;
    info.unrealized_pnl = pos.unrealized_pnl;
    info.leverage = pos.leverage;
    info.notional_usd = pos.notional;
    if (auto it = open_.find(pos.symbol); it != open_.end()) {
      const VenueProtection vp = ProtectionAt(resting, pos.symbol, pos.quantity);
      info.profit_target = vp.take_profit;
      info.stop_loss = vp.stop_loss;
      info.invalidation_condition = it->second.invalidation_text;
      info.confidence = it->second.trade.confidence;
      info.risk_usd = it->second.risk_usd;
    }
    p.positions.push_back(std::move(info));
  }
  p.context = MakeContext(p.coins, p.coin_instruments, *positions);
  p.balance = std::move(*balance);
  p.venue_positions = std::move(*positions);

  // The daily LLM budget (wall clock; also asked before every call, retries included):
  // exhausted → everyone holds, and one alert per budget day.
  if (source_->needs_prompt() && options_.budget) {
    p.budget = options_.budget.get();
    p.wall_clock = options_.wall_clock;
    if (Status b = options_.budget->Check(); !b.ok()) {
      p.outcome.decisions = agent::HoldAll(p.context);
      p.outcome.fell_back_to_hold = true;
      p.outcome.fallback_reason = b.message();
      p.usage.budget_refused = true;
      p.decided = true;
      if (options_.budget->Day() != budget_alert_day_) {
        budget_alert_day_ = options_.budget->Day();
        Alert("warning", "budget_exhausted", p.outcome.fallback_reason);
      }
      return p;
    }
  }
  if (source_->needs_prompt()) p.wall_clock = options_.wall_clock;
  if (source_->needs_prompt()) {
    agent::PromptState state;
    state.started_at = started_at_;
    state.now = now;
    state.invocation_count = p.cycle;
    state.coins = p.coins;
    state.account = p.account;
    state.positions = p.positions;
    p.prompt = options_.prompt_builder->Build(state);
  }
  return p;
}

void Bot::Decide(DecisionSource& source, PendingCycle& pending, const llm::CancelToken* cancel) {
  if (pending.decided) return;
  DecisionInput in;
  in.coins = pending.coins;
  in.account = &pending.account;
  in.positions = pending.positions;
  in.prompt = pending.prompt ? &*pending.prompt : nullptr;
  in.context = &pending.context;
  in.budget = pending.budget;
  in.wall_clock = pending.wall_clock;
  pending.outcome = source.Decide(in, pending.usage, cancel);
  pending.decided = true;
}

// ---- the cycle's steps ---------------------------------------------------------------------
//
// After the decision (steps 1–5: BeginCycle, Decide), FinishCycle runs steps 6b–9 as the
// functions below, in this order; EvaluateCycle (a dry run) runs the same ones up to the
// rulings and previews instead of executing:
//
//   OpenRecord       the record's header                                   FinishCycle, dry run
//   CountDecision    the decision's statistics, the mid-cycle budget alert FinishCycle
//   RereadVenue      balance and positions as the rulings meet them        FinishCycle (async), dry run
//   RuleOnDecisions  6b: RuleOn per decision (risk verdicts), then         FinishCycle, dry run
//                    7: ExecuteClose / ExecuteEntry (PreviewRuling in a dry run)
//   SettleCycle      immediate fills, equity, HaltOnDrawdown               FinishCycle
//   CycleStatus      the record's status                                   FinishCycle, dry run
//   observers        8–9: the store first, then the event hub              FinishCycle

CycleRecord Bot::FinishCycle(PendingCycle pending) { return FinishCycleImpl(std::move(pending), false); }

// `venue_unchanged`: the cycle ran synchronously (RunCycle), so the venue state BeginCycle read
// is still the state now (same clock, no venue call in between) and is not read again.
CycleRecord Bot::FinishCycleImpl(PendingCycle pending, bool venue_unchanged) {
  CycleRecord rec = OpenRecord(pending);
  CountDecision(pending);
  const bool venue_ok = venue_unchanged || RereadVenue(pending);
  CycleTally tally;
  if (venue_ok && status_ == BotStatus::kRunning) {
    tally = RuleOnDecisions(pending, rec, [&](const agent::Decision& d, const Ruling& r, risk::AccountView& view,
                                              CoinVerdict& v) {
      return r.kind == Ruling::Kind::kClose ? ExecuteClose(pending.cycle, r.instrument->symbol, v, rec.orders)
                                            : ExecuteEntry(pending.cycle, d, r, view, v, rec.orders);
    });
    stats_.risk_denials += tally.entry_denials;
  }
  SettleCycle(pending, venue_ok, tally);
  rec.equity = last_equity_;
  rec.status = CycleStatus(pending.outcome, pending.usage, tally.acted, tally.denied, "executed");
  rec.outcome = std::move(pending.outcome);
  for (auto* o : observers_) o->OnCycle(*this, rec);
  return rec;
}

CycleRecord Bot::OpenRecord(const PendingCycle& pending) const {
  CycleRecord rec;
  rec.cycle = pending.cycle;
  rec.time = pending.time;
  rec.usage = pending.usage;
  rec.account_value = pending.account.account_value;
  rec.sharpe = pending.account.sharpe;
  rec.latency_ms = std::max<std::int64_t>(0, clock_.NowMs() - pending.time);
  if (pending.prompt) {
    rec.prompt_version = pending.prompt->version;
    rec.prompt_hash = Sha256Hex(pending.prompt->system + "\n" + pending.prompt->user);
    if (options_.keep_prompts) {
      rec.system_prompt = pending.prompt->system;
      rec.user_prompt = pending.prompt->user;
    }
  } else {
    rec.prompt_version = "baseline";
  }
  return rec;
}

void Bot::CountDecision(const PendingCycle& pending) {
  ++stats_.cycles;
  stats_.llm_calls += pending.usage.calls;
  stats_.llm_cost += pending.usage.cost_usd;
  const auto& outcome = pending.outcome;
  const bool refused_at_once = pending.usage.budget_refused && outcome.attempts.size() <= 1;
  if (outcome.fell_back_to_hold && pending.decided && !outcome.attempts.empty() && !refused_at_once) {
    // A cut-off answer (the model spent its output budget, often on reasoning) is its own
    // outcome: the model did not answer badly, it was not given room to answer.
    if (outcome.truncated) ++stats_.truncated_answers;
    else ++stats_.parse_failures;
  }
  if (pending.usage.budget_refused && !outcome.attempts.empty() && options_.budget &&
      options_.budget->Day() != budget_alert_day_) {
    budget_alert_day_ = options_.budget->Day();
    Alert("warning", "budget_exhausted", options_.budget->Check().message() + " (during the cycle's retries)");
  }
}

bool Bot::RereadVenue(PendingCycle& pending) const {
  auto b = venue_.FetchBalance();
  auto p = venue_.FetchPositions();
  if (!b.ok() || !p.ok()) return false;
  pending.balance = std::move(*b);
  pending.venue_positions = std::move(*p);
  return true;
}

template <typename Dispose>
Bot::CycleTally Bot::RuleOnDecisions(const PendingCycle& pending, CycleRecord& rec, Dispose&& dispose) const {
  CycleTally tally;
  std::optional<risk::AccountView> view;  // built on the first decision that is not a hold
  const auto& decisions = pending.outcome.decisions;
  rec.verdicts.reserve(decisions.size());
  for (std::size_t di = 0; di < decisions.size(); ++di) {
    CoinVerdict v;
    const Ruling r = RuleOn(pending, di, view, v);
    if (r.kind == Ruling::Kind::kDenied) {
      tally.denied = true;
      if (r.entry) ++tally.entry_denials;
    } else if (r.kind == Ruling::Kind::kClose || r.kind == Ruling::Kind::kEnter) {
      tally.venue_touched = true;
      if (dispose(decisions[di], r, *view, v)) tally.acted = true;
    }
    rec.verdicts.push_back(std::move(v));
  }
  return tally;
}

Bot::Ruling Bot::RuleOn(const PendingCycle& pending, std::size_t di, std::optional<risk::AccountView>& view,
                        CoinVerdict& v) const {
  const agent::Decision& d = pending.outcome.decisions[di];
  Ruling r;
  v.coin = d.coin;
  v.signal = d.signal ? std::string(agent::ToString(*d.signal)) : "";
  // Decisions usually come in the snapshots' order: try that instrument first.
  const Instrument* hint = di < pending.coin_instruments.size() ? pending.coin_instruments[di] : nullptr;
  r.instrument = hint != nullptr && hint->base == d.coin ? hint : InstrumentFor(d.coin);
  if (!d.signal || r.instrument == nullptr || *d.signal == agent::Signal::kHold) {
    v.action = "held";
    return r;
  }
  if (!view) view = MakeAccountView(pending.balance, pending.venue_positions, pending.time);
  if (*d.signal == agent::Signal::kClosePosition) {
    r.kind = Ruling::Kind::kClose;
    Judge(risk_.CheckClose(r.instrument->symbol, *view), r, v);
    return r;
  }
  r.entry = true;
  const agent::MarketSnapshot* snap = nullptr;
  for (const auto& s : pending.coins) {
    if (s.coin == d.coin) snap = &s;
  }
  auto mark = venue_.FetchMarkPrice(r.instrument->symbol);
  if (snap == nullptr || !mark.ok() || !d.quantity || !d.leverage) {
    r.kind = Ruling::Kind::kSkipped;
    v.action = "skipped";
    v.detail = "no market price for the entry";
    return r;
  }
  r.kind = Ruling::Kind::kEnter;
  r.proposal = ProposeEntry(d, *r.instrument, snap->current_price);
  Judge(risk_.CheckEntry(r.proposal, *view, *mark), r, v);
  return r;
}

void Bot::Judge(const risk::Verdict& rv, Ruling& r, CoinVerdict& v) {
  if (rv.approved()) return;
  r.kind = Ruling::Kind::kDenied;
  v.action = "denied";
  v.detail = rv.Summary();
  for (const auto& den : rv.denials) v.denials.push_back(den.reason);
}

Bot::OpenTrade Bot::PlanEntry(const agent::Decision& d, const Ruling& r, std::string& note) const {
  const Instrument& ins = *r.instrument;
  OpenTrade plan;
  plan.trade.symbol = ins.symbol;
  plan.trade.coin = ins.base;
  plan.trade.side = r.proposal.side;
  plan.trade.leverage = r.proposal.leverage;
  plan.trade.confidence = d.confidence.value_or(0);
  plan.stop_loss = d.stop_loss;
  plan.take_profit = d.profit_target;
  plan.invalidation_text = d.invalidation_condition;
  InvalidationParse inv = ParseInvalidationFor(d.invalidation_condition, ins.base);
  plan.invalidation = std::move(inv.check);
  if (!plan.invalidation) note = "invalidation not machine-checked: " + inv.unchecked_reason;
  plan.risk_usd = d.risk_usd.value_or(Money());
  return plan;
}

bool Bot::ExecuteClose(std::int64_t cycle, const std::string& symbol, CoinVerdict& v,
                       std::vector<exchange::Order>& orders) {
  if (auto it = open_.find(symbol); it != open_.end()) it->second.pending_exit = ExitReason::kSignal;
  ExecutionReport rep = executor_.Close(cycle, symbol, OrderLeg::kClose);
  v.action = rep.ok() ? "closed" : "failed";
  for (const auto& prob : rep.problems) AppendDetail(v.detail, prob);
  for (auto& o : rep.orders) orders.push_back(std::move(o));
  return rep.ok();
}

bool Bot::ExecuteEntry(std::int64_t cycle, const agent::Decision& d, const Ruling& r, risk::AccountView& view,
                       CoinVerdict& v, std::vector<exchange::Order>& orders) {
  const Instrument& ins = *r.instrument;
  std::string note;
  open_[ins.symbol] = PlanEntry(d, r, note);
  ExecutionReport rep = executor_.Enter(MakeEntryRequest(cycle, d, ins, r.proposal));
  const bool entered = !rep.orders.empty() && rep.orders.front().status != exchange::OrderStatus::kRejected;
  if (!entered) open_.erase(ins.symbol);
  v.action = entered ? "entered" : "failed";
  for (const auto& prob : rep.problems) AppendDetail(v.detail, prob);
  if (entered && !note.empty()) AppendDetail(v.detail, note);
  for (auto& o : rep.orders) orders.push_back(std::move(o));
  if (entered) {
    ++stats_.entries;
    stats_.confidence_sum += d.confidence.value_or(0);
    view.open_symbols.push_back(ins.symbol);  // later decisions this cycle see it
  }
  return entered;
}

bool Bot::PreviewRuling(const agent::Decision& d, const Ruling& r, risk::AccountView& view, CoinVerdict& v) const {
  if (r.kind == Ruling::Kind::kClose) {
    v.action = "would_close";
    return true;
  }
  std::string note;
  (void)PlanEntry(d, r, note);
  v.action = "would_enter";
  if (!note.empty()) AppendDetail(v.detail, note);
  view.open_symbols.push_back(r.instrument->symbol);  // later decisions see it, as in a real cycle
  return true;
}

void Bot::SettleCycle(const PendingCycle& pending, bool venue_ok, const CycleTally& tally) {
  const std::size_t events = DrainVenueEvents();
  const bool reuse = venue_ok && !tally.venue_touched && events == 0;
  Result<exchange::Balance> after = reuse ? Result<exchange::Balance>(pending.balance) : venue_.FetchBalance();
  if (!after.ok()) return;
  ObserveEquity(pending.time, *after);
  const bool positions_ok = reuse || venue_.FetchPositions().ok();
  if (positions_ok && status_ == BotStatus::kRunning) HaltOnDrawdown(pending.time, *after);
}

void Bot::HaltOnDrawdown(UnixMs now, const exchange::Balance& b) {
  // StateFor reads equity, peak and day-start equity only (risk/risk_engine.hpp).
  risk::AccountView state_view;
  state_view.equity = b.margin_balance;
  state_view.available_margin = b.available_balance;
  state_view.day_start_equity = day_start_equity_;
  state_view.peak_equity = peak_equity_;
  state_view.now = now;
  if (risk_.StateFor(state_view) != risk::TradingState::kHalted) return;
  Alert("critical", "drawdown_halt",
        "equity " + last_equity_.ToString(2) + " is " + config_.risk.drawdown_halt.ToString() +
            " or more below the peak " + peak_equity_.ToString(2) + ": bot halted, positions closed");
  SetStatus(BotStatus::kHalted);
  CloseAll(now, ExitReason::kStop);
}

CycleRecord Bot::RunCycle(UnixMs now) {
  auto pending = BeginCycle(now);
  if (!pending) return {};
  Decide(*source_, *pending, nullptr);
  return FinishCycleImpl(std::move(*pending), /*venue_unchanged=*/true);
}

void Bot::RunCycleAndRecycle(UnixMs now) {
  CycleRecord rec = RunCycle(now);
  source_->Recycle(std::move(rec.outcome));
}

void Bot::OnBarClosed(UnixMs close_time) {
  ProcessVenueEvents(close_time);
  if (status_ == BotStatus::kRunning || status_ == BotStatus::kPaused) CheckInvalidations(close_time);
  if (status_ == BotStatus::kRunning && close_time % config_.cadence == 0) {
    RunCycleAndRecycle(close_time);
  } else if (auto b = venue_.FetchBalance(); b.ok()) {
    ObserveEquity(close_time, *b);
  }
}

bool Bot::OnBarClosedWithoutCycle(UnixMs close_time) {
  ProcessVenueEvents(close_time);
  if (status_ == BotStatus::kRunning || status_ == BotStatus::kPaused) CheckInvalidations(close_time);
  if (auto b = venue_.FetchBalance(); b.ok()) ObserveEquity(close_time, *b);
  return status_ == BotStatus::kRunning && close_time % config_.cadence == 0;
}

void Bot::ProcessVenueEvents(UnixMs now) {
  (void)now;
  (void)DrainVenueEvents();
}

std::size_t Bot::DrainVenueEvents() {
  std::size_t handled = 0;
  // A protective order can end without filling while its position stays open: expired (a venue
  // that evaluated it before the entry existed), cancelled by a cross liquidation of another
  // symbol (Binance cancels the account's open orders), or rejected. Then the position is
  // re-protected after the events are handled (RestoreProtection), and the events that causes
  // are drained in turn — a bounded number of rounds.
  for (int round = 0; round < 4; ++round) {
    bool protection_lost = false;
    handled += DrainVenueEventsOnce(protection_lost);
    if (!protection_lost) break;
    RestoreProtection();
  }
  return handled;
}

std::size_t Bot::DrainVenueEventsOnce(bool& protection_lost) {
  std::size_t handled = 0;
  while (true) {
    event_buffer_.clear();
    if (venue_.PollEvents(event_buffer_, 256) == 0) break;
    handled += event_buffer_.size();
    for (const auto& e : event_buffer_) {
      for (auto* o : observers_) o->OnExecutionEvent(*this, e);
      switch (e.kind) {
        case exchange::EventKind::kOrderFilled:
          OnFill(e);
          break;
        case exchange::EventKind::kOrderExpired:
        case exchange::EventKind::kOrderCanceled:
        case exchange::EventKind::kOrderRejected: {
          auto id = ParseClientOrderId(e.client_id.value());
          if (!id || (id->leg != OrderLeg::kStopLoss && id->leg != OrderLeg::kTakeProfit)) break;
          auto it = open_.find(e.symbol);
          // A trade being closed by the bot cancels its own stops: nothing to restore.
          if (it != open_.end() && !it->second.pending_exit && !it->second.open_qty.IsZero()) protection_lost = true;
          break;
        }
        case exchange::EventKind::kLiquidation: {
          protection_lost = true;  // the liquidation cancelled the other positions' orders too
          auto it = open_.find(e.symbol);
          if (it == open_.end()) break;
          auto& t = it->second;
          t.pending_exit = ExitReason::kLiquidation;
          t.exit_qty += e.quantity;
          t.exit_notional += Notional(e.price, e.quantity);
          // The insurance fund's credit (a gap past the bankruptcy price) is part of the trade's
          // outcome: the account lost no more than it had.
          t.trade.realized_pnl += e.realized_pnl + e.insurance;
          t.trade.fees += e.fee;
          t.open_qty = e.position_after;
          Alert("critical", "liquidation", t.trade.coin + " position liquidated at " + e.price.ToString());
          if (e.position_after.IsZero()) FinishTrade(e.symbol, e.time);
          break;
        }
        case exchange::EventKind::kFundingPaid:
          if (auto it = open_.find(e.symbol); it != open_.end()) it->second.trade.funding += e.funding;
          break;
        case exchange::EventKind::kEventsDropped:
          Alert("warning", "events_dropped",
                std::to_string(e.count) + " venue events were dropped; positions reconciled from the venue");
          break;
        default:
          break;
      }
    }
  }
  return handled;
}

Bot::VenueProtection Bot::ProtectionAt(const std::vector<exchange::Order>& resting, const std::string& symbol,
                                       Quantity position) {
  VenueProtection vp;
  if (position.IsZero()) return vp;
  const Side exit_side = position.IsPositive() ? Side::kSell : Side::kBuy;
  for (const auto& o : resting) {
    if (o.symbol != symbol || exchange::IsTerminal(o.status)) continue;
    if (o.type == OrderType::kMarket && o.reduce_only) vp.closing = true;
    if (o.side != exit_side || !(o.close_position || o.reduce_only)) continue;
    if (o.type == OrderType::kStopMarket) vp.stop_loss = o.stop_price;
    if (o.type == OrderType::kTakeProfitMarket) vp.take_profit = o.stop_price;
  }
  return vp;
}

Bot::PlaceResult Bot::PlaceProtective(const OpenTrade& t, const std::string& symbol, Side exit_side, OrderLeg leg,
                                      Price level, std::string& why) {
  const Instrument* ins = InstrumentFor(symbol);
  exchange::OrderRequest r;
  r.symbol = symbol;
  r.side = exit_side;
  r.type = leg == OrderLeg::kStopLoss ? OrderType::kStopMarket : OrderType::kTakeProfitMarket;
  r.stop_price = ins != nullptr ? level.RoundToStep(ins->tick_size, Rounding::kHalfEven) : level;
  r.close_position = true;
  for (int attempt = 0; attempt < 4; ++attempt) {
    r.client_id = MakeClientOrderId(id_, cycle_, t.trade.coin, leg, ++renewals_);
    auto o = venue_.CreateOrder(r);
    if (!o.ok()) {
      why = o.status().message();
      return PlaceResult::kFailed;
    }
    if (o->status == exchange::OrderStatus::kRejected) {
      why = "[" + std::to_string(exchange::RejectCode(o->reason)) + "] " + std::string(exchange::RejectMessage(o->reason));
      return o->reason == exchange::RejectReason::kOrderWouldTrigger ? PlaceResult::kWouldTrigger : PlaceResult::kFailed;
    }
    if (!exchange::IsTerminal(o->status)) return PlaceResult::kPlaced;
    // The id was used before a restart by an order that is over: take the next one.
  }
  why = "no unused client order id";
  return PlaceResult::kFailed;
}

void Bot::RestoreProtection() {
  auto positions = venue_.FetchPositions();
  auto resting = venue_.FetchOpenOrders("");
  if (!positions.ok() || !resting.ok()) {
    Alert("critical", "protection_unknown",
          "a stop-loss or take-profit ended at the venue and the venue cannot be read to restore it: " +
              (positions.ok() ? resting.status().message() : positions.status().message()));
    return;
  }
  for (const auto& pos : *positions) {
    if (pos.quantity.IsZero()) continue;
    auto it = open_.find(pos.symbol);
    if (it == open_.end() || it->second.pending_exit) continue;
    OpenTrade& t = it->second;
    const VenueProtection vp = ProtectionAt(*resting, pos.symbol, pos.quantity);
    if (vp.closing) continue;  // a reduce-only close is already on its way
    const Side exit_side = pos.quantity.IsPositive() ? Side::kSell : Side::kBuy;
    auto close = [&](ExitReason reason, const std::string& why) {
      t.pending_exit = reason;
      ExecutionReport rep = executor_.Close(cycle_, pos.symbol, OrderLeg::kClose);
      Alert("critical", "stop_lost",
            t.trade.coin + ": " + why + "; position closed at market" + (rep.ok() ? "" : ": " + rep.problems.front()));
    };
    if (!vp.stop_loss) {
      std::string why;
      const PlaceResult res = t.stop_loss ? PlaceProtective(t, pos.symbol, exit_side, OrderLeg::kStopLoss, *t.stop_loss, why)
                                          : PlaceResult::kFailed;
      if (!t.stop_loss) why = "no stop-loss price known";
      if (res == PlaceResult::kWouldTrigger) {
        close(ExitReason::kStopLoss, "stop-loss " + t.stop_loss->ToString() +
                                         " was dropped by the venue and the price is already past it " + why);
        continue;
      }
      if (res == PlaceResult::kFailed) {
        close(ExitReason::kStopLoss, "stop-loss dropped by the venue and cannot be re-placed (" + why + ")");
        continue;
      }
      Alert("warning", "stop_replaced",
            t.trade.coin + ": stop-loss " + t.stop_loss->ToString() + " was dropped by the venue; re-placed");
    }
    if (!vp.take_profit && t.take_profit) {
      std::string why;
      const PlaceResult res = PlaceProtective(t, pos.symbol, exit_side, OrderLeg::kTakeProfit, *t.take_profit, why);
      if (res == PlaceResult::kWouldTrigger) {
        close(ExitReason::kTakeProfit, "take-profit " + t.take_profit->ToString() +
                                           " was dropped by the venue and the price is already past it " + why);
      } else if (res == PlaceResult::kFailed) {
        // The stop protects the position; a missing target is reported, not fatal.
        Alert("warning", "take_profit_lost",
              t.trade.coin + ": take-profit " + t.take_profit->ToString() + " dropped by the venue, not re-placed (" +
                  why + ")");
      } else {
        Alert("warning", "stop_replaced",
              t.trade.coin + ": take-profit " + t.take_profit->ToString() + " was dropped by the venue; re-placed");
      }
    }
  }
}

void Bot::OnFill(const exchange::ExecutionEvent& e) {
  auto id = ParseClientOrderId(e.client_id.value());
  OrderLeg leg = id ? id->leg : OrderLeg::kClose;
  auto it = open_.find(e.symbol);
  if (leg == OrderLeg::kEntry) {
    if (it == open_.end()) {
      OpenTrade t;  // an entry fill without a plan (e.g. replayed after a restart)
      t.trade.symbol = e.symbol;
      const Instrument* ins = instruments_.Find(e.symbol);
      t.trade.coin = ins ? ins->base : e.symbol;
      t.trade.side = e.side;
      it = open_.emplace(e.symbol, std::move(t)).first;
    }
    auto& t = it->second;
    const bool first = t.trade.quantity.IsZero();
    if (first) t.trade.entry_time = e.time;
    t.trade.quantity += e.quantity;
    t.trade.entry_price = e.entry_after;
    t.trade.fees += e.fee;
    t.open_qty = e.position_after;
    if (first) {
      for (auto* o : observers_) o->OnTradeOpened(*this, t.trade);
    }
    return;
  }
  if (it == open_.end()) return;
  auto& t = it->second;
  if (!t.pending_exit || leg == OrderLeg::kStopLoss || leg == OrderLeg::kTakeProfit) t.pending_exit = ReasonForLeg(leg);
  t.exit_qty += e.quantity;
  t.exit_notional += Notional(e.price, e.quantity);
  t.trade.realized_pnl += e.realized_pnl;
  t.trade.fees += e.fee;
  t.open_qty = e.position_after;
  if (e.position_after.IsZero()) FinishTrade(e.symbol, e.time);
}

void Bot::FinishTrade(const std::string& symbol, UnixMs time) {
  auto it = open_.find(symbol);
  if (it == open_.end()) return;
  OpenTrade t = std::move(it->second);
  open_.erase(it);
  ClosedTrade c = std::move(t.trade);
  c.exit_time = time;
  c.exit_reason = t.pending_exit.value_or(ExitReason::kSignal);
  if (t.exit_qty.IsPositive()) {
    c.exit_price = AveragePrice(t.exit_notional, t.exit_qty);
  }
  if (c.net().IsNegative()) {
    auto l = std::find_if(last_loss_.begin(), last_loss_.end(), [&](const auto& p) { return p.first == symbol; });
    if (l != last_loss_.end()) l->second = time;
    else last_loss_.emplace_back(symbol, time);
  } else if (c.net().IsPositive()) {
    ++stats_.confident_wins;
  }
  if (c.exit_reason == ExitReason::kInvalidation) ++stats_.invalidations;
  // The sibling stop-loss or take-profit of a closed position has nothing left to protect.
  (void)venue_.CancelAllOrders(symbol);
  for (auto* o : observers_) o->OnTradeClosed(*this, c);
  closed_.push_back(std::move(c));
}

void Bot::CheckInvalidations(UnixMs close_time) {
  if (!market_) return;
  for (auto& [symbol, t] : open_) {
    if (!t.invalidation || t.pending_exit || t.open_qty.IsZero()) continue;
    // The quantity the condition names, of the coin it names (engine/invalidation.hpp).
    auto reading = EvaluateInvalidation(*t.invalidation, *market_, close_time, config_.interval);
    if (!reading || !reading->broken) continue;
    t.pending_exit = ExitReason::kInvalidation;
    ExecutionReport rep = executor_.Close(cycle_, symbol, OrderLeg::kInvalidation);
    Alert("info", "invalidation",
          t.trade.coin + ": \"" + t.invalidation_text + "\" met (" + t.invalidation->Describe() + " " +
              reading->value + "), closing" + (rep.ok() ? "" : ": " + rep.problems.front()));
  }
}

void Bot::CloseAll(UnixMs now, ExitReason reason) {
  ProcessVenueEvents(now);
  auto positions = venue_.FetchPositions();
  if (!positions.ok()) return;
  for (const auto& p : *positions) {
    if (auto it = open_.find(p.symbol); it != open_.end()) it->second.pending_exit = reason;
    (void)executor_.Close(cycle_, p.symbol, LegForReason(reason));
  }
}

void Bot::RestoreOpenTrade(const ClosedTrade& open, Quantity open_qty, std::optional<Price> stop_loss,
                           std::optional<Price> take_profit, const std::string& invalidation, Money risk_usd) {
  OpenTrade t;
  t.trade = open;
  t.open_qty = open_qty;
  t.stop_loss = stop_loss;
  t.take_profit = take_profit;
  t.invalidation_text = invalidation;
  t.invalidation = ParseInvalidationFor(invalidation, open.coin).check;
  t.risk_usd = risk_usd;
  open_[open.symbol] = std::move(t);
}

void Bot::RestoreRiskState(Money peak_equity, Money day_start_equity, UnixMs now, Money equity) {
  peak_equity_ = std::max(peak_equity, equity);
  day_start_equity_ = day_start_equity;
  day_ = now / kDayMs;
  last_equity_ = equity;
}


// ---- dry runs ------------------------------------------------------------------------------

void Bot::MirrorForDryRun(const Bot& from) {
  started_at_ = from.started_at_;
  cycle_ = from.cycle_;
  status_ = BotStatus::kRunning;  // set directly: a dry run has no observers to tell
  open_ = from.open_;
  last_loss_ = from.last_loss_;
  peak_equity_ = from.peak_equity_;
  day_start_equity_ = from.day_start_equity_;
  day_ = from.day_;
  last_equity_ = from.last_equity_;
  budget_alert_day_ = from.budget_alert_day_;
  sharpe_ = from.sharpe_;
  sharpe_prev_ = from.sharpe_prev_;
  options_.budget = from.options_.budget;
}

CycleRecord Bot::EvaluateCycle(PendingCycle pending) const {
  CycleRecord rec = OpenRecord(pending);
  // The venue as it is now (the model may have taken a while): what FinishCycle would check.
  const bool venue_ok = RereadVenue(pending);
  CycleTally tally;
  if (venue_ok && status_ == BotStatus::kRunning) {
    tally = RuleOnDecisions(pending, rec, [this](const agent::Decision& d, const Ruling& r, risk::AccountView& view,
                                                 CoinVerdict& v) { return PreviewRuling(d, r, view, v); });
  }
  rec.equity = venue_ok ? pending.balance.margin_balance : last_equity_;
  rec.status = CycleStatus(pending.outcome, pending.usage, tally.acted, tally.denied, "would_execute");
  rec.outcome = std::move(pending.outcome);
  return rec;
}

}  // namespace aitrader::engine
