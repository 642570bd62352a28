#include "exchange/paper/simulator.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/strings.hpp"

namespace aitrader::exchange::paper {

namespace {

constexpr __int128 kE9 = 1'000'000'000;
constexpr __int128 kE10 = 10'000'000'000LL;
constexpr __int128 kE18 = kE9 * kE9;
constexpr __int128 kE19 = kE18 * 10;

int Sign(std::int64_t v) { return (v > 0) - (v < 0); }
std::int64_t Abs64(std::int64_t v) { return v < 0 ? -v : v; }

std::int64_t ToI64(__int128 v, const char* what) {
  AITRADER_CHECK(v <= INT64_MAX && v >= INT64_MIN, what);
  return static_cast<std::int64_t>(v);
}

// A value in 1e-18 USDT to Money raw quantized to 1e-8 USDT.
std::int64_t Q8From18(__int128 v18, Rounding mode) {
  return ToI64(fixed_detail::DivRound(v18, kE10, mode) * 10, "money out of range");
}
// A value in 1e-27 USDT to Money raw quantized to 1e-8 USDT.
std::int64_t Q8From27(__int128 v27, Rounding mode) {
  return ToI64(fixed_detail::DivRound(v27, kE19, mode) * 10, "money out of range");
}

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

bool IsTrigger(OrderType t) { return t == OrderType::kStopMarket || t == OrderType::kTakeProfitMarket; }

// Whether an order's trigger level fires on a falling price (true) or a rising one (false).
bool FiresOnFall(const Order& o) {
  switch (o.type) {
    case OrderType::kLimit: return o.side == Side::kBuy;
    case OrderType::kStopMarket: return o.side == Side::kSell;
    case OrderType::kTakeProfitMarket: return o.side == Side::kBuy;
    case OrderType::kMarket: return false;
  }
  return false;
}

std::int64_t Level(const Order& o) { return o.type == OrderType::kLimit ? o.price.raw() : o.stop_price.raw(); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction and setup

Result<std::unique_ptr<PaperSimulator>> PaperSimulator::Create(const Clock& clock, const InstrumentTable& instruments,
                                                                SimulatorConfig config,
                                                                std::unique_ptr<SlippageModel> slippage,
                                                                std::unique_ptr<FeeModel> fees,
                                                                std::unique_ptr<FundingModel> funding) {
  if (config.symbols.empty()) return InvalidArgument("paper simulator: no symbols");
  if (config.symbols.size() > 1024) return InvalidArgument("paper simulator: too many symbols");
  if (config.bar_interval <= 0) return InvalidArgument("paper simulator: bar_interval must be > 0");
  if (config.funding_interval <= 0) return InvalidArgument("paper simulator: funding_interval must be > 0");
  if (config.event_queue_capacity == 0) return InvalidArgument("paper simulator: event_queue_capacity must be > 0");
  std::vector<Instrument> ins;
  for (auto& sym : config.symbols) {
    const Instrument* i = instruments.Find(sym);
    if (i == nullptr || !EqualsIgnoreCase(i->symbol, sym)) return InvalidArgument("paper simulator: unknown symbol '" + sym + "'");
    for (const auto& prev : ins) {
      if (prev.symbol == i->symbol) return InvalidArgument("paper simulator: duplicate symbol '" + sym + "'");
    }
    sym = i->symbol;
    ins.push_back(*i);
  }
  std::shared_ptr<const MarginBracketTable> brackets = config.brackets;
  if (!brackets) {
    auto loaded = MarginBracketTable::LoadDefault();
    if (!loaded.ok()) return loaded.status();
    brackets = std::make_shared<const MarginBracketTable>(std::move(*loaded));
  }
  std::vector<std::vector<MarginBracket>> tiers;
  for (const auto& i : ins) tiers.push_back(brackets->TiersOr(i));
  if (!slippage) slippage = std::make_unique<FixedBpsSlippage>();
  if (!fees) fees = std::make_unique<RateFeeModel>();
  if (!funding) funding = std::make_unique<SeriesFundingModel>();
  auto sim = std::unique_ptr<PaperSimulator>(new PaperSimulator(clock, std::move(config), std::move(ins),
                                                                std::move(slippage), std::move(fees), std::move(funding)));
  sim->tiers_ = std::move(tiers);
  return sim;
}

PaperSimulator::PaperSimulator(const Clock& clock, SimulatorConfig config, std::vector<Instrument> instruments,
                               std::unique_ptr<SlippageModel> slippage, std::unique_ptr<FeeModel> fees,
                               std::unique_ptr<FundingModel> funding)
    : clock_(clock),
      config_(std::move(config)),
      instruments_(std::move(instruments)),
      nsym_(instruments_.size()),
      slippage_(std::move(slippage)),
      fees_(std::move(fees)),
      funding_(std::move(funding)),
      marks_(nsym_, 0),
      last_candle_(nsym_),
      history_(nsym_),
      open_interest_(nsym_),
      worst_low_(nsym_, 0),
      worst_high_(nsym_, 0),
      scratch_marks_(nsym_, 0) {
  view_marks_ = marks_.data();
  for (std::size_t s = 0; s < nsym_; ++s) {
    history_[s].set_symbol(instruments_[s].symbol);
    history_[s].set_interval(config_.bar_interval);
  }
}

PaperSimulator::~PaperSimulator() = default;

void PaperSimulator::ReserveAccounts(std::size_t n) {
  accounts_.reserve(n);
  positions_.reserve(n * nsym_);
  bands_.reserve(n * nsym_);
  cross_a_.reserve(n * nsym_);
  cross_lo_.reserve(n * nsym_);
  cross_hi_.reserve(n * nsym_);
  cross_c_.reserve(n);
  cross_active_.reserve(n);
}

Result<AccountIndex> PaperSimulator::AddAccount(const AccountConfig& config) {
  if (config.max_leverage < 1 || config.max_leverage > kHardLeverageCap) {
    return InvalidArgument("account max_leverage must be in 1.." + std::to_string(kHardLeverageCap));
  }
  if (config.deposit.IsNegative()) return InvalidArgument("account deposit must be >= 0");
  if (config.fees.maker.IsNegative() || config.fees.taker.IsNegative()) return InvalidArgument("fee rates must be >= 0");
  const auto a = static_cast<AccountIndex>(accounts_.size());
  accounts_.emplace_back();
  Account& acc = accounts_.back();
  acc.config = config;
  for (std::size_t s = 0; s < nsym_; ++s) {
    PositionState p;
    const int cap = std::min(config.max_leverage, std::max(1, instruments_[s].max_leverage));
    p.leverage = std::clamp(config.default_leverage, 1, cap);
    p.mode = config.default_margin_mode;
    positions_.push_back(p);
    bands_.push_back(Band{});
    cross_a_.push_back(0);
    cross_lo_.push_back(INT64_MIN);
    cross_hi_.push_back(INT64_MAX);
  }
  cross_c_.push_back(0);
  cross_active_.push_back(0);
  if (config.deposit.IsPositive()) acc.ledger.Append(clock_.NowMs(), LedgerKind::kDeposit, -1, config.deposit, 0);
  Refresh(a);
  return a;
}

Status PaperSimulator::CheckAccount(AccountIndex a) const {
  if (a >= accounts_.size()) return InvalidArgument("unknown paper account " + std::to_string(a));
  return Status::Ok();
}

Status PaperSimulator::Deposit(AccountIndex a, Money amount) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  if (!amount.IsPositive()) return InvalidArgument("deposit must be > 0");
  accounts_[a].ledger.Append(clock_.NowMs(), LedgerKind::kDeposit, -1, amount, 0);
  Refresh(a);
  return Status::Ok();
}

std::optional<SymbolIndex> PaperSimulator::FindSymbol(std::string_view symbol) const {
  for (std::size_t s = 0; s < nsym_; ++s) {
    if (EqualsIgnoreCase(instruments_[s].symbol, symbol)) return static_cast<SymbolIndex>(s);
  }
  return std::nullopt;
}

Result<SymbolIndex> PaperSimulator::SymbolOr(std::string_view symbol) const {
  auto s = FindSymbol(symbol);
  if (!s) return RejectStatus(RejectReason::kUnknownSymbol, symbol);
  return *s;
}

// ---------------------------------------------------------------------------------------------
// Money math

std::int64_t PaperSimulator::UnrealizedRaw(const PositionState& p, std::int64_t mark) const {
  if (p.qty == 0) return 0;
  const __int128 v18 = static_cast<__int128>(p.qty) * (mark - p.entry);
  return ToI64(fixed_detail::DivRound(v18, kE9, Rounding::kHalfEven), "unrealized PnL out of range");
}

std::int64_t PaperSimulator::CrossWalletRaw(AccountIndex a) const {
  std::int64_t w = accounts_[a].ledger.balance().raw();
  for (std::size_t s = 0; s < nsym_; ++s) w -= positions_[std::size_t{a} * nsym_ + s].iso_margin;
  return w;
}

PaperSimulator::PostTrade PaperSimulator::ComputePostTrade(const PositionState& p, std::int64_t dq,
                                                           std::int64_t price) const {
  PostTrade t;
  const bool iso = p.mode == MarginMode::kIsolated;
  const std::int64_t q = p.qty;
  auto margin_for = [&](std::int64_t qty_abs) -> std::int64_t {
    if (!iso) return 0;
    const __int128 n18 = static_cast<__int128>(qty_abs) * price;
    return ToI64(fixed_detail::DivRound(n18, kE10 * p.leverage, Rounding::kCeil) * 10, "margin out of range");
  };
  if (q == 0 || Sign(q) == Sign(dq)) {
    const std::int64_t nq = q + dq;
    t.qty = nq;
    const __int128 cost = static_cast<__int128>(Abs64(q)) * p.entry + static_cast<__int128>(Abs64(dq)) * price;
    t.entry = ToI64(fixed_detail::DivRound(cost, Abs64(nq), Rounding::kHalfEven), "entry out of range");
    t.iso_margin = p.iso_margin + margin_for(Abs64(dq));
    t.increases = true;
    return t;
  }
  const std::int64_t close = std::min(Abs64(q), Abs64(dq));
  t.realized = Q8From18(static_cast<__int128>(Sign(q)) * close * (price - p.entry), Rounding::kHalfEven);
  const std::int64_t rem = Abs64(dq) - close;
  if (rem == 0) {
    t.qty = q + dq;
    t.entry = t.qty == 0 ? 0 : p.entry;
    const std::int64_t released =
        close == Abs64(q) ? p.iso_margin
                          : ToI64(static_cast<__int128>(p.iso_margin) * close / Abs64(q) / 10 * 10,
                                  "margin out of range");  // stays on 1e-8, like every ledger amount
    t.iso_margin = p.iso_margin - released;
    t.increases = false;
  } else {
    t.qty = Sign(dq) * rem;
    t.entry = price;
    t.iso_margin = margin_for(rem);
    t.increases = true;
  }
  return t;
}

bool PaperSimulator::MarginOk(AccountIndex a, SymbolIndex s, const PostTrade& t, std::int64_t fee,
                              const std::int64_t* marks, bool include_open_orders, std::uint32_t exclude_order) const {
  const Account& acc = accounts_[a];
  const std::int64_t wallet = acc.ledger.balance().raw() + t.realized - fee;
  __int128 equity18 = static_cast<__int128>(wallet) * kE9;
  __int128 cross18 = 0;
  __int128 im_all18 = 0, im_cross18 = 0;
  std::int64_t iso_total = 0;
  for (std::size_t j = 0; j < nsym_; ++j) {
    const PositionState& p = Pos(a, static_cast<SymbolIndex>(j));
    const std::int64_t q = j == s ? t.qty : p.qty;
    const std::int64_t e = j == s ? t.entry : p.entry;
    iso_total += j == s ? t.iso_margin : p.iso_margin;
    if (q == 0) continue;
    const std::int64_t m = marks[j];
    const __int128 upnl18 = static_cast<__int128>(q) * (m - e);
    const __int128 im18 = fixed_detail::DivRound(static_cast<__int128>(Abs64(q)) * m, p.leverage, Rounding::kCeil);
    equity18 += upnl18;
    im_all18 += im18;
    if (p.mode == MarginMode::kCross) {
      cross18 += upnl18;
      im_cross18 += im18;
    }
  }
  __int128 reserved18 = 0;
  if (include_open_orders) {
    for (std::uint32_t idx : acc.open) {
      if (idx == exclude_order) continue;
      const OrderRecord& r = acc.orders[idx];
      const Order& o = r.order;
      if (o.reduce_only || o.close_position) continue;
      if (o.type != OrderType::kLimit && o.type != OrderType::kMarket) continue;
      const std::int64_t px = o.type == OrderType::kLimit ? o.price.raw() : marks[r.symbol];
      reserved18 += fixed_detail::DivRound(static_cast<__int128>(o.quantity.raw()) * px, Pos(a, r.symbol).leverage,
                                           Rounding::kCeil);
    }
  }
  if (equity18 - reserved18 < im_all18) return false;
  const __int128 avail18 = static_cast<__int128>(wallet - iso_total) * kE9 + cross18 - im_cross18 - reserved18;
  return avail18 >= 0;
}

const MarginBracket& PaperSimulator::Tier(SymbolIndex s, __int128 notional18) const {
  const std::vector<MarginBracket>& tiers = tiers_[s];
  std::size_t k = 0;
  while (k + 1 < tiers.size() && notional18 >= static_cast<__int128>(tiers[k + 1].notional_floor.raw()) * kE9) ++k;
  return tiers[k];
}

__int128 PaperSimulator::CrossTerm27(SymbolIndex j, const PositionState& o, const std::int64_t* marks) const {
  const std::int64_t m = marks[j];
  const MarginBracket& b = Tier(j, static_cast<__int128>(Abs64(o.qty)) * m);
  return static_cast<__int128>(o.qty) * (m - o.entry) * kE9 -
         (static_cast<__int128>(Abs64(o.qty)) * m * b.maint_margin_rate.raw() -
          static_cast<__int128>(b.maint_amount.raw()) * kE18);
}

std::int64_t PaperSimulator::LiquidationRaw(AccountIndex a, SymbolIndex s, const std::int64_t* marks) const {
  const PositionState& p = Pos(a, s);
  if (p.qty == 0) return 0;
  __int128 others27 = 0;
  if (p.mode != MarginMode::kIsolated) {
    for (std::size_t j = 0; j < nsym_; ++j) {
      if (j == s) continue;
      const PositionState& o = Pos(a, static_cast<SymbolIndex>(j));
      if (o.qty == 0 || o.mode != MarginMode::kCross) continue;
      others27 += CrossTerm27(static_cast<SymbolIndex>(j), o, marks);
    }
  }
  return LiquidationFromOthers(a, s, p.mode == MarginMode::kIsolated ? 0 : CrossWalletRaw(a), others27);
}

std::int64_t PaperSimulator::LiquidationFromOthers(AccountIndex a, SymbolIndex s, std::int64_t cross_wallet,
                                                   __int128 others27) const {
  const PositionState& p = Pos(a, s);
  const int side = Sign(p.qty);
  const std::int64_t size = Abs64(p.qty);
  // Binance's cross formula: WB = cross wallet, minus the other positions' maintenance
  // margin, plus their unrealized PnL (both at their marks): others27. Exact integer sums,
  // so the order of the terms does not matter. Isolated: WB = the position's margin.
  const __int128 wb27 = p.mode == MarginMode::kIsolated ? static_cast<__int128>(p.iso_margin) * kE18
                                                        : static_cast<__int128>(cross_wallet) * kE18 + others27;
  // The rate and amount are those of the tier the notional at the liquidation price falls in:
  // each tier's line is solved, and the root lying in its own tier (within one price unit of
  // rounding) is the answer. The maintenance margin is continuous in the notional and the
  // margin left is monotone in the price, so one tier qualifies (ties at a boundary agree).
  const std::vector<MarginBracket>& tiers = tiers_[s];
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    const MarginBracket& b = tiers[k];
    const __int128 n27 = wb27 + static_cast<__int128>(b.maint_amount.raw()) * kE18 -
                         static_cast<__int128>(side) * size * p.entry * kE9;
    const __int128 d18 = static_cast<__int128>(size) * (b.maint_margin_rate.raw() - side * kE9);
    const __int128 lp = fixed_detail::DivRound(n27, d18, side > 0 ? Rounding::kCeil : Rounding::kFloor);
    if (k == 0 && lp <= 0) return side > 0 ? 0 : 1;  // a long that cannot be liquidated / a short with nothing left
    const __int128 n18 = static_cast<__int128>(size) * lp;
    const bool in_tier = n18 >= static_cast<__int128>(b.notional_floor.raw()) * kE9 - size &&
                         n18 <= static_cast<__int128>(b.notional_cap.raw()) * kE9 + size;
    if (in_tier || k + 1 == tiers.size()) {
      if (side > 0) return ToI64(std::min<__int128>(lp, INT64_MAX), "liquidation price");
      return static_cast<std::int64_t>(std::min<__int128>(lp, INT64_MAX));
    }
  }
  return 0;  // not reached: the last tier returns
}

// ---------------------------------------------------------------------------------------------
// Events

void PaperSimulator::Emit(AccountIndex a, ExecutionEvent e) {
  Account& acc = accounts_[a];
  e.seq = ++acc.event_seq;
  if (acc.events.size() >= config_.event_queue_capacity) {
    acc.events.pop_front();
    ++acc.events_dropped;
  }
  acc.events.push_back(std::move(e));
  if (observer_) observer_(a, acc.events.back());
}

ExecutionEvent PaperSimulator::OrderEvent(EventKind kind, const OrderRecord& r, UnixMs time) const {
  ExecutionEvent e;
  e.kind = kind;
  e.time = time;
  e.symbol = r.order.symbol;
  e.order_id = r.order.id;
  e.client_id = r.order.client_id;
  e.order_status = r.order.status;
  e.reason = r.order.reason;
  e.side = r.order.side;
  e.quantity = r.order.quantity;
  e.price = r.order.type == OrderType::kLimit ? r.order.price : r.order.stop_price;
  return e;
}

void PaperSimulator::EmitPosition(AccountIndex a, SymbolIndex s, UnixMs time) {
  const PositionState& p = Pos(a, s);
  ExecutionEvent e;
  e.kind = EventKind::kPositionChanged;
  e.time = time;
  e.symbol = instruments_[s].symbol;
  e.position_after = Quantity::FromRaw(p.qty);
  e.entry_after = Price::FromRaw(p.entry);
  Emit(a, std::move(e));
}

std::size_t PaperSimulator::PollEvents(AccountIndex a, std::vector<ExecutionEvent>& out, std::size_t max_events) {
  if (a >= accounts_.size()) return 0;
  Account& acc = accounts_[a];
  std::size_t n = 0;
  if (acc.events_dropped > 0 && n < max_events) {
    ExecutionEvent e;
    e.kind = EventKind::kEventsDropped;
    e.time = clock_.NowMs();
    e.count = acc.events_dropped;
    acc.events_dropped = 0;
    out.push_back(std::move(e));
    ++n;
  }
  while (n < max_events && !acc.events.empty()) {
    out.push_back(std::move(acc.events.front()));
    acc.events.pop_front();
    ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Orders

std::int64_t PaperSimulator::ProjectedQty(AccountIndex a, SymbolIndex s) const {
  std::int64_t q = Pos(a, s).qty;
  const Account& acc = accounts_[a];
  for (std::uint32_t idx : acc.open) {
    const OrderRecord& r = acc.orders[idx];
    if (r.symbol != s || !r.pending_taker || r.order.reduce_only) continue;
    q += r.order.side == Side::kBuy ? r.order.quantity.raw() : -r.order.quantity.raw();
  }
  return q;
}

RejectReason PaperSimulator::Validate(AccountIndex a, SymbolIndex s, const OrderRequest& r, bool* marketable) const {
  const Instrument& ins = instruments_[s];
  const std::int64_t mark = marks_[s];
  *marketable = false;
  const bool trigger = IsTrigger(r.type);
  if (r.close_position) {
    if (!trigger || !r.quantity.IsZero() || r.reduce_only) return RejectReason::kParamNotRequired;
  } else {
    if (!r.quantity.IsPositive()) return RejectReason::kQuantityNotPositive;
    if (!r.quantity.IsMultipleOf(ins.step_size)) return RejectReason::kQuantityNotStepMultiple;
    if (r.quantity < ins.min_qty) return RejectReason::kQuantityBelowMin;
  }
  if (r.type == OrderType::kLimit) {
    if (r.price.IsZero()) return RejectReason::kMandatoryParam;
    if (r.price.IsNegative()) return RejectReason::kPriceNotPositive;
    if (!r.price.IsMultipleOf(ins.tick_size)) return RejectReason::kPriceNotTickMultiple;
  } else {
    if (!r.price.IsZero()) return RejectReason::kParamNotRequired;
    if (r.time_in_force != TimeInForce::kGtc) return RejectReason::kInvalidTimeInForce;
  }
  if (trigger) {
    if (r.stop_price.IsZero()) return RejectReason::kMandatoryParam;
    if (r.stop_price.IsNegative()) return RejectReason::kStopPriceNotPositive;
    if (!r.stop_price.IsMultipleOf(ins.tick_size)) return RejectReason::kPriceNotTickMultiple;
    const std::int64_t sp = r.stop_price.raw();
    const bool fall = (r.type == OrderType::kStopMarket) == (r.side == Side::kSell);
    if (fall ? mark <= sp : mark >= sp) return RejectReason::kOrderWouldTrigger;
  } else if (!r.stop_price.IsZero()) {
    return RejectReason::kParamNotRequired;
  }
  if (r.type == OrderType::kLimit) {
    *marketable = r.side == Side::kBuy ? r.price.raw() >= mark : r.price.raw() <= mark;
    if (*marketable && r.time_in_force == TimeInForce::kGtx) return RejectReason::kPostOnlyRejected;
  }
  if (r.reduce_only || r.close_position) {
    const std::int64_t projected = ProjectedQty(a, s);
    const int side = r.side == Side::kBuy ? 1 : -1;
    if (projected == 0 || Sign(projected) == side) return RejectReason::kReduceOnlyRejected;
  } else {
    const std::int64_t ref = r.type == OrderType::kLimit ? r.price.raw() : trigger ? r.stop_price.raw() : mark;
    if (Notional(Price::FromRaw(ref), r.quantity) < ins.min_notional) return RejectReason::kNotionalTooSmall;
  }
  if (accounts_[a].open.size() >= config_.max_open_orders) return RejectReason::kTooManyOpenOrders;
  return RejectReason::kNone;
}

Order& PaperSimulator::Reject(AccountIndex a, std::uint32_t idx, RejectReason reason) {
  OrderRecord& r = accounts_[a].orders[idx];
  r.order.status = OrderStatus::kRejected;  // a new order may start rejected (see the table)
  r.order.reason = reason;
  Emit(a, OrderEvent(EventKind::kOrderRejected, r, r.order.created_at));
  return r.order;
}

void PaperSimulator::Close(AccountIndex a, std::uint32_t idx, OrderStatus to, RejectReason reason, UnixMs time) {
  Account& acc = accounts_[a];
  OrderRecord& r = acc.orders[idx];
  const bool was_pending_entry = r.pending_taker && !r.order.reduce_only;
  TransitionOrder(r.order, to);
  r.order.reason = reason;
  r.order.updated_at = time;
  r.pending_taker = false;
  auto it = std::find(acc.open.begin(), acc.open.end(), idx);
  AITRADER_CHECK(it != acc.open.end(), "closing an order that is not open");
  acc.open.erase(it);
  EventKind kind = EventKind::kOrderCanceled;
  if (to == OrderStatus::kExpired) kind = EventKind::kOrderExpired;
  if (to == OrderStatus::kFilled) kind = EventKind::kOrderFilled;
  if (kind != EventKind::kOrderFilled) Emit(a, OrderEvent(kind, r, time));
  // A bracket whose pending entry is cancelled or expires has nothing left to reduce.
  if (was_pending_entry && to != OrderStatus::kFilled) ExpireReduceOnlyIfFlat(a, r.symbol, time);
}

void PaperSimulator::ExpireReduceOnlyIfFlat(AccountIndex a, SymbolIndex s, UnixMs time) {
  if (ProjectedQty(a, s) != 0) return;
  Account& acc = accounts_[a];
  // Collect first: Close() edits acc.open. (Allocates only when there is something to expire.)
  std::vector<std::uint32_t> victims;
  for (std::uint32_t idx : acc.open) {
    const OrderRecord& r = acc.orders[idx];
    if (r.symbol == s && (r.order.reduce_only || r.order.close_position)) victims.push_back(idx);
  }
  for (std::uint32_t idx : victims) Close(a, idx, OrderStatus::kExpired, RejectReason::kReduceOnlyRejected, time);
}

Result<Order> PaperSimulator::CreateOrder(AccountIndex a, const OrderRequest& req) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  Account& acc = accounts_[a];
  const UnixMs now = clock_.NowMs();
  if (!IsValidClientOrderId(req.client_id.value())) {
    // Not recorded: an invalid id cannot be looked up again.
    Order o;
    o.client_id = req.client_id;
    o.symbol = req.symbol;
    o.side = req.side;
    o.type = req.type;
    o.status = OrderStatus::kRejected;
    o.reason = RejectReason::kIllegalClientOrderId;
    o.created_at = o.updated_at = now;
    OrderRecord tmp{o, 0, false};
    Emit(a, OrderEvent(EventKind::kOrderRejected, tmp, now));
    return o;
  }
  if (auto it = acc.by_client_id.find(req.client_id.value()); it != acc.by_client_id.end()) {
    return acc.orders[it->second].order;  // idempotent: the first order, never a second one
  }
  const auto sym = FindSymbol(req.symbol);
  if (sym && marks_[*sym] == 0) return FailedPrecondition("paper exchange: no market data for " + req.symbol + " yet");

  const auto idx = static_cast<std::uint32_t>(acc.orders.size());
  OrderRecord rec;
  Order& o = rec.order;
  o.id = OrderId(static_cast<std::int64_t>(idx) + 1);
  o.client_id = req.client_id;
  o.symbol = sym ? instruments_[*sym].symbol : req.symbol;
  o.side = req.side;
  o.type = req.type;
  o.time_in_force = req.time_in_force;
  o.quantity = req.quantity;
  o.price = req.price;
  o.stop_price = req.stop_price;
  o.reduce_only = req.reduce_only;
  o.close_position = req.close_position;
  o.status = OrderStatus::kNew;
  o.created_at = o.updated_at = now;
  rec.symbol = sym ? *sym : 0;
  acc.orders.push_back(std::move(rec));
  acc.by_client_id.emplace(req.client_id.value(), idx);
  if (!sym) return Reject(a, idx, RejectReason::kUnknownSymbol);
  const SymbolIndex s = *sym;

  bool marketable = false;
  RejectReason reason = Validate(a, s, req, &marketable);
  if (reason != RejectReason::kNone) return Reject(a, idx, reason);

  const bool needs_margin = !req.reduce_only && !req.close_position &&
                            (req.type == OrderType::kMarket || req.type == OrderType::kLimit);
  if (needs_margin) {
    const std::int64_t ref = req.type == OrderType::kLimit ? req.price.raw() : marks_[s];
    const std::int64_t dq = req.side == Side::kBuy ? req.quantity.raw() : -req.quantity.raw();
    const PostTrade t = ComputePostTrade(Pos(a, s), dq, ref);
    const Money fee = fees_->Fee(FeeParams{acc.config.fees, Liquidity::kTaker, Price::FromRaw(ref), req.quantity});
    scratch_marks_ = marks_;
    scratch_marks_[s] = ref;
    if (t.increases && !MarginOk(a, s, t, fee.raw(), scratch_marks_.data(), true, UINT32_MAX)) {
      return Reject(a, idx, RejectReason::kMarginInsufficient);
    }
  }

  acc.open.push_back(idx);
  Emit(a, OrderEvent(EventKind::kOrderAccepted, acc.orders[idx], now));
  OrderRecord& r = acc.orders[idx];
  const bool immediate = config_.market_fill == MarketFillMode::kImmediate;
  if (req.type == OrderType::kMarket || (req.type == OrderType::kLimit && marketable)) {
    if (immediate) {
      scratch_marks_ = marks_;
      const std::int64_t px = SlippedPrice(a, s, req.side, marks_[s], req.quantity.raw(), last_candle_[s]);
      const bool within = req.type == OrderType::kMarket ||
                          (req.side == Side::kBuy ? px <= req.price.raw() : px >= req.price.raw());
      if (within) {
        view_marks_ = scratch_marks_.data();
        ExecuteFill(a, idx, px, Liquidity::kTaker, scratch_marks_.data(), now);
        view_marks_ = marks_.data();
      } else if (req.time_in_force == TimeInForce::kGtc) {
        // rests as a maker order
      } else {
        Close(a, idx, OrderStatus::kExpired, RejectReason::kNone, now);
      }
    } else {
      r.pending_taker = true;
    }
  } else if (req.type == OrderType::kLimit &&
             (req.time_in_force == TimeInForce::kIoc || req.time_in_force == TimeInForce::kFok)) {
    Close(a, idx, OrderStatus::kExpired, RejectReason::kNone, now);  // nothing to take
  }
  Refresh(a);
  return acc.orders[idx].order;
}

Result<Order> PaperSimulator::CancelOrder(AccountIndex a, std::string_view symbol, const ClientOrderId& id) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  Account& acc = accounts_[a];
  auto it = acc.by_client_id.find(id.value());
  if (it == acc.by_client_id.end() || IsTerminal(acc.orders[it->second].order.status) ||
      (!symbol.empty() && !EqualsIgnoreCase(acc.orders[it->second].order.symbol, symbol))) {
    return RejectStatus(RejectReason::kUnknownOrder, id.value());
  }
  Close(a, it->second, OrderStatus::kCanceled, RejectReason::kNone, clock_.NowMs());
  Refresh(a);
  return acc.orders[it->second].order;
}

Result<std::vector<Order>> PaperSimulator::CancelAllOrders(AccountIndex a, std::string_view symbol) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  std::optional<SymbolIndex> s;
  if (!symbol.empty()) {
    AITRADER_ASSIGN_OR_RETURN(s, SymbolOr(symbol));
  }
  Account& acc = accounts_[a];
  std::vector<std::uint32_t> victims;
  for (std::uint32_t idx : acc.open) {
    if (!s || acc.orders[idx].symbol == *s) victims.push_back(idx);
  }
  std::vector<Order> out;
  for (std::uint32_t idx : victims) {
    Close(a, idx, OrderStatus::kCanceled, RejectReason::kNone, clock_.NowMs());
    out.push_back(acc.orders[idx].order);
  }
  Refresh(a);
  return out;
}

Status PaperSimulator::SetLeverage(AccountIndex a, std::string_view symbol, int leverage) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  AITRADER_ASSIGN_OR_RETURN(SymbolIndex s, SymbolOr(symbol));
  const int cap = std::min({accounts_[a].config.max_leverage, kHardLeverageCap, std::max(1, instruments_[s].max_leverage)});
  if (leverage < 1 || leverage > cap) {
    return RejectStatus(RejectReason::kInvalidLeverage,
                        "leverage " + std::to_string(leverage) + ", allowed 1.." + std::to_string(cap));
  }
  PositionState& p = Pos(a, s);
  const int old = p.leverage;
  p.leverage = leverage;
  if (p.qty != 0 && leverage < old) {
    PostTrade t;
    t.qty = p.qty;
    t.entry = p.entry;
    t.iso_margin = p.iso_margin;
    if (!MarginOk(a, s, t, 0, marks_.data(), true, UINT32_MAX)) {
      p.leverage = old;
      return RejectStatus(RejectReason::kLeverageMarginInsufficient);
    }
  }
  Refresh(a);
  return Status::Ok();
}

Status PaperSimulator::SetMarginMode(AccountIndex a, std::string_view symbol, MarginMode mode) {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  AITRADER_ASSIGN_OR_RETURN(SymbolIndex s, SymbolOr(symbol));
  PositionState& p = Pos(a, s);
  if (p.mode == mode) return Status::Ok();
  if (p.qty != 0) return RejectStatus(RejectReason::kMarginTypeHasPosition);
  for (std::uint32_t idx : accounts_[a].open) {
    if (accounts_[a].orders[idx].symbol == s) return RejectStatus(RejectReason::kMarginTypeHasOpenOrders);
  }
  p.mode = mode;
  p.iso_margin = 0;
  Refresh(a);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Execution

std::int64_t PaperSimulator::SlippedPrice(AccountIndex a, SymbolIndex s, Side side, std::int64_t reference,
                                          std::int64_t qty, const market::Candle& c) {
  const Account& acc = accounts_[a];
  const std::uint64_t draw = SplitMix(config_.seed ^ SplitMix((std::uint64_t{a} << 20) ^ (acc.trade_seq + 1)) ^
                                      (acc.event_seq * 0x632BE59BD9B4E019ULL));
  SlippageParams p;
  p.side = side;
  p.reference = Price::FromRaw(reference);
  p.quantity = Quantity::FromRaw(Abs64(qty));
  p.candle_open = c.open;
  p.candle_high = c.high;
  p.candle_low = c.low;
  p.candle_volume = c.volume;
  p.tick_size = instruments_[s].tick_size;
  p.uniform = static_cast<double>(draw >> 11) * 0x1.0p-53;
  const Ratio frac = slippage_->SlippageFraction(p);
  std::int64_t px = ApplySlippage(side, p.reference, frac, p.tick_size).raw();
  // A fill never prints outside the bar it happens in.
  if (side == Side::kBuy && c.high.IsPositive()) px = std::max(reference, std::min(px, c.high.raw()));
  if (side == Side::kSell && c.low.IsPositive()) px = std::min(reference, std::max(px, c.low.raw()));
  return px;
}

PaperSimulator::FillResult PaperSimulator::ExecuteFill(AccountIndex a, std::uint32_t idx, std::int64_t price,
                                                       Liquidity liq, std::int64_t* marks, UnixMs time) {
  Account& acc = accounts_[a];
  OrderRecord& r = acc.orders[idx];
  const SymbolIndex s = r.symbol;
  PositionState& p = Pos(a, s);
  const int sd = r.order.side == Side::kBuy ? 1 : -1;
  std::int64_t qty = r.order.close_position ? Abs64(p.qty) : r.order.quantity.raw();
  if (r.order.reduce_only || r.order.close_position) {
    if (p.qty == 0 || Sign(p.qty) == sd) {
      Close(a, idx, OrderStatus::kExpired, RejectReason::kReduceOnlyRejected, time);
      return FillResult::kExpired;
    }
    qty = std::min(qty, Abs64(p.qty));
  }
  const std::int64_t dq = sd * qty;
  const PostTrade t = ComputePostTrade(p, dq, price);
  const Money fee = fees_->Fee(FeeParams{acc.config.fees, liq, Price::FromRaw(price), Quantity::FromRaw(qty)});
  if (t.increases && !MarginOk(a, s, t, fee.raw(), marks, false, idx)) {
    Close(a, idx, OrderStatus::kExpired, RejectReason::kMarginInsufficient, time);
    return FillResult::kExpired;
  }
  p.qty = t.qty;
  p.entry = t.entry;
  p.iso_margin = t.iso_margin;
  const auto ref = static_cast<std::int64_t>(r.order.id.value());
  const auto sym16 = static_cast<std::int16_t>(s);
  acc.ledger.Append(time, LedgerKind::kRealizedPnl, sym16, Money::FromRaw(t.realized), ref);
  acc.ledger.Append(time, LedgerKind::kFee, sym16, -fee, ref);
  ++acc.trade_seq;
  r.order.filled_quantity = Quantity::FromRaw(qty);
  r.order.average_price = Price::FromRaw(price);
  r.order.fee_paid = fee;
  Close(a, idx, OrderStatus::kFilled, RejectReason::kNone, time);
  ExecutionEvent e = OrderEvent(EventKind::kOrderFilled, r, time);
  e.quantity = Quantity::FromRaw(qty);
  e.price = Price::FromRaw(price);
  e.fee = fee;
  e.realized_pnl = Money::FromRaw(t.realized);
  e.position_after = Quantity::FromRaw(p.qty);
  e.entry_after = Price::FromRaw(p.entry);
  e.liquidity = liq;
  Emit(a, std::move(e));
  EmitPosition(a, s, time);
  ExpireReduceOnlyIfFlat(a, s, time);
  return FillResult::kFilled;
}

void PaperSimulator::Liquidate(AccountIndex a, SymbolIndex s, std::int64_t price, UnixMs time) {
  Account& acc = accounts_[a];
  PositionState& p = Pos(a, s);
  const Instrument& ins = instruments_[s];
  const std::int64_t q = p.qty;
  const std::int64_t realized = Q8From18(static_cast<__int128>(q) * (price - p.entry), Rounding::kHalfEven);
  const std::int64_t full_fee = Q8From27(static_cast<__int128>(Abs64(q)) * price * ins.liquidation_fee_rate.raw(),
                                         Rounding::kHalfEven);
  const std::int64_t remaining =
      (p.mode == MarginMode::kIsolated ? p.iso_margin : CrossWalletRaw(a)) + realized;
  const std::int64_t fee = std::clamp<std::int64_t>(full_fee, 0, std::max<std::int64_t>(0, remaining) / 10 * 10);
  const std::int64_t insurance = remaining - fee < 0 ? -(remaining - fee) : 0;
  const auto sym16 = static_cast<std::int16_t>(s);
  acc.ledger.Append(time, LedgerKind::kRealizedPnl, sym16, Money::FromRaw(realized), 0);
  acc.ledger.Append(time, LedgerKind::kLiquidationFee, sym16, Money::FromRaw(-fee), 0);
  acc.ledger.Append(time, LedgerKind::kInsuranceCredit, sym16, Money::FromRaw(insurance), 0);
  const bool cross = p.mode == MarginMode::kCross;
  p.qty = 0;
  p.entry = 0;
  p.iso_margin = 0;
  ExecutionEvent e;
  e.kind = EventKind::kLiquidation;
  e.time = time;
  e.symbol = ins.symbol;
  e.side = q > 0 ? Side::kSell : Side::kBuy;
  e.quantity = Quantity::FromRaw(Abs64(q));
  e.price = Price::FromRaw(price);
  e.fee = Money::FromRaw(fee);
  e.realized_pnl = Money::FromRaw(realized);
  e.insurance = Money::FromRaw(insurance);
  e.liquidity = Liquidity::kTaker;
  Emit(a, std::move(e));
  EmitPosition(a, s, time);
  // Binance cancels the symbol's open orders on an isolated liquidation, all of the
  // account's on a cross one.
  std::vector<std::uint32_t> victims;
  for (std::uint32_t idx : acc.open) {
    if (cross || acc.orders[idx].symbol == s) victims.push_back(idx);
  }
  for (std::uint32_t idx : victims) Close(a, idx, OrderStatus::kCanceled, RejectReason::kNone, time);
}

bool PaperSimulator::FillPendingTakers(AccountIndex a, SymbolIndex s, const market::Candle& c, std::int64_t* marks) {
  Account& acc = accounts_[a];
  marks[s] = c.open.raw();
  std::vector<std::uint32_t> pending;  // allocates only when orders are waiting
  for (std::uint32_t idx : acc.open) {
    const OrderRecord& r = acc.orders[idx];
    if (r.symbol == s && r.pending_taker && r.order.created_at <= c.open_time) pending.push_back(idx);
  }
  for (const std::uint32_t idx : pending) {
    OrderRecord& r = acc.orders[idx];
    if (IsTerminal(r.order.status)) continue;
    const Order& o = r.order;
    const std::int64_t open = c.open.raw();
    std::int64_t px = SlippedPrice(a, s, o.side, open, o.quantity.raw(), c);
    if (o.type == OrderType::kLimit) {
      const std::int64_t lim = o.price.raw();
      const bool can_take = o.side == Side::kBuy ? open <= lim : open >= lim;
      if (!can_take) {
        if (o.time_in_force == TimeInForce::kGtc) {
          r.pending_taker = false;  // rests on the book from now on, as a maker order
        } else {
          Close(a, idx, OrderStatus::kExpired, RejectReason::kNone, c.open_time);
        }
        continue;
      }
      px = o.side == Side::kBuy ? std::min(px, lim) : std::max(px, lim);
    }
    r.pending_taker = false;
    ExecuteFill(a, idx, px, Liquidity::kTaker, marks, c.open_time);
  }
  if (!pending.empty()) ExpireReduceOnlyIfFlat(a, s, c.open_time);  // e.g. an entry expired [-2019]
  return !pending.empty();
}

void PaperSimulator::RunSegment(AccountIndex a, SymbolIndex s, std::int64_t from, std::int64_t to,
                                const market::Candle& c, UnixMs time, std::int64_t* marks) {
  Account& acc = accounts_[a];
  const bool gap = time == c.open_time;  // prev close → open: triggered stops fill at the open
  const bool touch = config_.limit_fill_on_touch;
  std::int64_t cur = from;
  for (int guard = 0; guard < 100000; ++guard) {
    // Find the first event along cur → to.
    int best_kind = -1;  // 0 liquidation, 1 stop, 2 take-profit, 3 limit
    std::uint32_t best_idx = 0;
    std::int64_t best_dist = INT64_MAX, best_eff = 0;
    auto consider = [&](int kind, std::uint32_t idx, std::int64_t level, bool fall, bool strict) {
      std::int64_t eff = 0, dist = 0;
      if (fall) {
        if (strict ? cur < level : cur <= level) {
          eff = cur;
        } else if (strict ? to < level : to <= level) {
          eff = level;
          dist = cur - level;
        } else {
          return;
        }
      } else {
        if (strict ? cur > level : cur >= level) {
          eff = cur;
        } else if (strict ? to > level : to >= level) {
          eff = level;
          dist = level - cur;
        } else {
          return;
        }
      }
      if (dist < best_dist || (dist == best_dist && (kind < best_kind || (kind == best_kind && idx < best_idx)))) {
        best_kind = kind;
        best_idx = idx;
        best_dist = dist;
        best_eff = eff;
      }
    };
    const PositionState& p = Pos(a, s);
    if (p.qty != 0) {
      const std::int64_t lp = LiquidationRaw(a, s, marks);
      if (lp > 0) consider(0, 0, lp, p.qty > 0, false);
    }
    for (std::uint32_t idx : acc.open) {
      const OrderRecord& r = acc.orders[idx];
      if (r.symbol != s || r.pending_taker || r.order.created_at > c.open_time) continue;
      const Order& o = r.order;
      // A protective order exists only once its position does (Binance: the bracket is placed
      // after the entry fills). In the gap before the open, a reduce-only / closePosition order
      // with nothing to reduce yet waits for the pending entries filled at the open; it is
      // evaluated at the open right after them (ProcessSymbolCandle), never expired here.
      if (gap && (o.reduce_only || o.close_position) &&
          (p.qty == 0 || Sign(p.qty) == (o.side == Side::kBuy ? 1 : -1))) {
        continue;
      }
      const int kind = o.type == OrderType::kStopMarket ? 1 : o.type == OrderType::kTakeProfitMarket ? 2 : 3;
      consider(kind, idx, Level(o), FiresOnFall(o), kind == 3 && !touch);
    }
    if (best_kind < 0) break;
    std::int64_t eff = best_eff;
    if (gap && best_kind != 3) eff = to;  // a gap is not traded through: stops and liquidations take the open
    marks[s] = eff;
    if (best_kind == 0) {
      Liquidate(a, s, eff, time);
    } else if (best_kind == 3) {
      ExecuteFill(a, best_idx, Level(acc.orders[best_idx].order), Liquidity::kMaker, marks, time);
    } else {
      OrderRecord& r = acc.orders[best_idx];
      TransitionOrder(r.order, OrderStatus::kTriggered);
      r.order.updated_at = time;
      ExecutionEvent ev = OrderEvent(EventKind::kOrderTriggered, r, time);
      ev.price = Price::FromRaw(eff);
      Emit(a, std::move(ev));
      const std::int64_t qty = r.order.close_position ? Abs64(Pos(a, s).qty) : r.order.quantity.raw();
      const std::int64_t px = SlippedPrice(a, s, r.order.side, eff, qty, c);
      ExecuteFill(a, best_idx, px, Liquidity::kTaker, marks, time);
    }
    cur = eff;
  }
  marks[s] = to;
}

void PaperSimulator::ProcessSymbolCandle(AccountIndex a, SymbolIndex s, const market::Candle& c, std::int64_t* marks) {
  const std::int64_t open = c.open.raw();
  if (marks[s] != 0) RunSegment(a, s, marks[s], open, c, c.open_time, marks);
  // Entries fill at the open before their own protective orders are evaluated there: a stop
  // the open already passed triggers at the open, on the position that now exists.
  if (FillPendingTakers(a, s, c, marks)) RunSegment(a, s, open, open, c, c.open_time, marks);
  // The path is decided by the position held at the open (after market fills there).
  const std::int64_t q = Pos(a, s).qty;
  const bool down_first = q > 0 || (q == 0 && c.close >= c.open);
  const std::int64_t x = down_first ? c.low.raw() : c.high.raw();
  const std::int64_t y = down_first ? c.high.raw() : c.low.raw();
  const UnixMs close_time = c.open_time + config_.bar_interval;
  RunSegment(a, s, open, x, c, close_time, marks);
  RunSegment(a, s, x, y, c, close_time, marks);
  RunSegment(a, s, y, c.close.raw(), c, close_time, marks);
  marks[s] = c.close.raw();
}

void PaperSimulator::ProcessAccountBar(AccountIndex a, std::span<const SymbolBar> bars, std::int64_t* marks) {
  view_marks_ = marks;
  for (const SymbolBar& b : bars) ProcessSymbolCandle(a, b.symbol, b.candle, marks);
  view_marks_ = marks_.data();
  Refresh(a);
}

void PaperSimulator::ApplyFunding(UnixMs t) {
  for (AccountIndex a = 0; a < accounts_.size(); ++a) {
    bool changed = false;
    for (std::size_t s = 0; s < nsym_; ++s) {
      PositionState& p = positions_[std::size_t{a} * nsym_ + s];
      if (p.qty == 0 || marks_[s] == 0) continue;
      const Ratio rate = funding_->Rate(FundingParams{instruments_[s].symbol, t});
      const std::int64_t due =
          -Q8From27(static_cast<__int128>(p.qty) * marks_[s] * rate.raw(), Rounding::kHalfEven);
      if (due == 0) continue;
      // An isolated position pays funding from its own margin only: what the margin cannot
      // cover is not taken from the cross wallet. The position, left with no margin, is then
      // liquidated on the next price (this bar's open) unless its profit carries it; the event
      // reports both the amount due and the amount paid.
      std::int64_t amount = due;
      if (p.mode == MarginMode::kIsolated && amount < 0 && -amount > p.iso_margin) amount = -p.iso_margin;
      if (amount != 0) {
        accounts_[a].ledger.Append(t, LedgerKind::kFunding, static_cast<std::int16_t>(s), Money::FromRaw(amount), 0);
      }
      if (p.mode == MarginMode::kIsolated) p.iso_margin += amount;
      ExecutionEvent e;
      e.kind = EventKind::kFundingPaid;
      e.time = t;
      e.symbol = instruments_[s].symbol;
      e.funding = Money::FromRaw(amount);
      e.funding_due = Money::FromRaw(due);
      e.funding_rate = rate;
      e.price = Price::FromRaw(marks_[s]);
      e.position_after = Quantity::FromRaw(p.qty);
      e.entry_after = Price::FromRaw(p.entry);
      Emit(a, std::move(e));
      changed = true;
    }
    if (changed) Refresh(a);
  }
}

void PaperSimulator::Refresh(AccountIndex a) {
  const std::size_t base = std::size_t{a} * nsym_;
  for (std::size_t s = 0; s < nsym_; ++s) bands_[base + s] = Band{};
  const Account& acc = accounts_[a];
  for (std::uint32_t idx : acc.open) {
    const OrderRecord& r = acc.orders[idx];
    Band& b = bands_[base + r.symbol];
    if (r.pending_taker || r.order.type == OrderType::kMarket) {
      b.lo = INT64_MAX;  // must run at the next bar
      continue;
    }
    const std::int64_t level = Level(r.order);
    if (FiresOnFall(r.order)) {
      b.lo = std::max(b.lo, level);
    } else {
      b.hi = std::min(b.hi, level);
    }
  }
  __int128 c27 = -static_cast<__int128>(CrossWalletRaw(a)) * kE18;
  bool active = false;
  for (std::size_t s = 0; s < nsym_; ++s) {
    const PositionState& p = positions_[base + s];
    cross_a_[base + s] = 0;
    if (p.qty == 0) continue;
    if (p.mode == MarginMode::kIsolated) {
      const std::int64_t lp = LiquidationRaw(a, static_cast<SymbolIndex>(s), marks_.data());
      if (lp > 0) {
        Band& b = bands_[base + s];
        if (p.qty > 0) {
          b.lo = std::max(b.lo, lp);
        } else {
          b.hi = std::min(b.hi, lp);
        }
      }
      continue;
    }
    const int side = Sign(p.qty);
    const std::int64_t size = Abs64(p.qty);
    // The linear filter is exact while the notional stays in the tier it has at the marks:
    // outside the tier's price range [cross_lo, cross_hi] the account takes the slow path.
    const std::vector<MarginBracket>& tiers = tiers_[s];
    std::size_t k = 0;
    const __int128 n18 = static_cast<__int128>(size) * marks_[s];
    while (k + 1 < tiers.size() && n18 >= static_cast<__int128>(tiers[k + 1].notional_floor.raw()) * kE9) ++k;
    const MarginBracket& b = tiers[k];
    cross_lo_[base + s] = k == 0 ? INT64_MIN
                                 : ToI64(fixed_detail::DivRound(static_cast<__int128>(b.notional_floor.raw()) * kE9, size,
                                                                Rounding::kCeil),
                                         "tier price");
    cross_hi_[base + s] =
        k + 1 == tiers.size()
            ? INT64_MAX
            : static_cast<std::int64_t>(std::min<__int128>(
                  INT64_MAX, fixed_detail::DivRound(static_cast<__int128>(b.notional_cap.raw()) * kE9 - 1, size,
                                                    Rounding::kFloor)));
    cross_a_[base + s] = static_cast<__int128>(size) * (side * kE9 - b.maint_margin_rate.raw());
    c27 += static_cast<__int128>(p.qty) * p.entry * kE9 - static_cast<__int128>(b.maint_amount.raw()) * kE18;
    active = true;
  }
  cross_c_[a] = c27;
  cross_active_[a] = active ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The feed

Status PaperSimulator::OnCandle(std::string_view symbol, const market::Candle& candle) {
  auto s = FindSymbol(symbol);
  if (!s) return InvalidArgument("paper simulator: unknown symbol '" + std::string(symbol) + "'");
  const SymbolBar bar{*s, candle};
  return OnBars(std::span<const SymbolBar>(&bar, 1));
}

Status PaperSimulator::OnBars(std::span<const SymbolBar> bars) {
  if (bars.empty()) return Status::Ok();
  const UnixMs t = bars.front().candle.open_time;
  if (t <= last_bar_open_) {
    return InvalidArgument("paper simulator: bar at " + FormatUtc(t) + " is not after the last bar " +
                           FormatUtc(last_bar_open_));
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const SymbolBar& b = bars[i];
    const market::Candle& c = b.candle;
    if (b.symbol >= nsym_) return InvalidArgument("paper simulator: bad symbol index");
    if (i > 0 && b.symbol <= bars[i - 1].symbol) return InvalidArgument("paper simulator: bar symbols must increase");
    if (c.open_time != t) return InvalidArgument("paper simulator: a bar's candles must share one open time");
    if (!c.low.IsPositive() || c.low > c.open || c.low > c.close || c.high < c.open || c.high < c.close) {
      return InvalidArgument("paper simulator: malformed candle for " + instruments_[b.symbol].symbol + " at " +
                             FormatUtc(t));
    }
  }
  // Funding due in (last bar, this bar's open], on the positions held then, at the mark then.
  const UnixMs fi = config_.funding_interval;
  if (next_funding_ == INT64_MIN) next_funding_ = FloorTo(t, fi) == t ? t : FloorTo(t, fi) + fi;
  while (next_funding_ <= t) {
    ApplyFunding(next_funding_);
    next_funding_ += fi;
  }

  for (std::size_t s = 0; s < nsym_; ++s) worst_low_[s] = worst_high_[s] = marks_[s];
  for (const SymbolBar& b : bars) {
    const std::int64_t m = marks_[b.symbol];
    worst_low_[b.symbol] = m == 0 ? b.candle.low.raw() : std::min(m, b.candle.low.raw());
    worst_high_[b.symbol] = std::max(m, b.candle.high.raw());
  }

  // The hot loop: one pass over contiguous per-account bands.
  const std::size_t n = accounts_.size();
  const Band* bands = bands_.data();
  const __int128* cross_a = cross_a_.data();
  const std::int64_t* wl = worst_low_.data();
  const std::int64_t* wh = worst_high_.data();
  for (std::size_t a = 0; a < n; ++a) {
    const Band* band = bands + a * nsym_;
    bool slow = config_.walk_every_account;
    for (const SymbolBar& b : bars) {
      const Band& bd = band[b.symbol];
      if (b.candle.low.raw() <= bd.lo || b.candle.high.raw() >= bd.hi) {
        slow = true;
        break;
      }
    }
    if (!slow && cross_active_[a]) {
      const __int128* ca = cross_a + a * nsym_;
      __int128 sum = 0;
      const std::int64_t* lo = cross_lo_.data() + a * nsym_;
      const std::int64_t* hi = cross_hi_.data() + a * nsym_;
      for (std::size_t s = 0; s < nsym_; ++s) {
        const __int128 k = ca[s];
        if (k == 0) continue;
        // The worst price of the bar left the position's tier: the line is no longer exact.
        if (k > 0 ? wl[s] < lo[s] : wh[s] > hi[s]) slow = true;
        sum += k * (k > 0 ? wl[s] : wh[s]);
      }
      slow = slow || sum <= cross_c_[a];
    }
    if (slow) {
      std::copy(marks_.begin(), marks_.end(), scratch_marks_.begin());
      ProcessAccountBar(static_cast<AccountIndex>(a), bars, scratch_marks_.data());
    }
  }

  for (const SymbolBar& b : bars) {
    marks_[b.symbol] = b.candle.close.raw();
    last_candle_[b.symbol] = b.candle;
    if (config_.keep_history) history_[b.symbol].push_back(b.candle);
  }
  last_bar_open_ = t;
  // Bands of isolated positions do not depend on marks; cross filters read marks at run time.
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Queries

Position PaperSimulator::MakePosition(AccountIndex a, SymbolIndex s) const {
  return MakePosition(a, s, LiquidationRaw(a, s, view_marks_));
}

Position PaperSimulator::MakePosition(AccountIndex a, SymbolIndex s, std::int64_t liquidation_raw) const {
  const PositionState& p = Pos(a, s);
  const Instrument& ins = instruments_[s];
  Position out;
  out.symbol = ins.symbol;
  out.quantity = Quantity::FromRaw(p.qty);
  out.entry_price = Price::FromRaw(p.entry);
  out.mark_price = Price::FromRaw(view_marks_[s]);
  out.unrealized_pnl = Money::FromRaw(UnrealizedRaw(p, view_marks_[s]));
  out.notional = Notional(out.mark_price, out.quantity.Abs());
  out.leverage = p.leverage;
  out.margin_mode = p.mode;
  out.initial_margin = p.mode == MarginMode::kIsolated ? Money::FromRaw(p.iso_margin)
                                                       : out.notional.DivInt(p.leverage, Rounding::kCeil);
  out.maintenance_margin = p.qty == 0 ? Money::Zero() : MaintenanceMargin(tiers_[s], out.notional);
  out.isolated_margin = Money::FromRaw(p.iso_margin);
  out.liquidation_price = Price::FromRaw(liquidation_raw);
  return out;
}

Result<Balance> PaperSimulator::FetchBalance(AccountIndex a) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  Balance b;
  b.wallet_balance = accounts_[a].ledger.balance();
  Money cross_upnl, cross_im, iso_total;
  // MakePosition's margin fields, without what a balance does not need (the liquidation price,
  // the symbol): the same Money arithmetic, so the same values.
  for (std::size_t s = 0; s < nsym_; ++s) {
    const PositionState& p = Pos(a, static_cast<SymbolIndex>(s));
    iso_total += Money::FromRaw(p.iso_margin);
    if (p.qty == 0) continue;
    const std::int64_t mark = view_marks_[s];
    const Money upnl = Money::FromRaw(UnrealizedRaw(p, mark));
    const Money notional = Notional(Price::FromRaw(mark), Quantity::FromRaw(p.qty).Abs());
    const Money im = p.mode == MarginMode::kIsolated ? Money::FromRaw(p.iso_margin)
                                                     : notional.DivInt(p.leverage, Rounding::kCeil);
    b.unrealized_pnl += upnl;
    b.initial_margin += im;
    b.maintenance_margin += MaintenanceMargin(tiers_[s], notional);
    if (p.mode == MarginMode::kCross) {
      cross_upnl += upnl;
      cross_im += im;
    }
  }
  Money reserved;
  const Account& acc = accounts_[a];
  for (std::uint32_t idx : acc.open) {
    const OrderRecord& r = acc.orders[idx];
    const Order& o = r.order;
    if (o.reduce_only || o.close_position || (o.type != OrderType::kLimit && o.type != OrderType::kMarket)) continue;
    const Price px = o.type == OrderType::kLimit ? o.price : Price::FromRaw(view_marks_[r.symbol]);
    reserved += Notional(px, o.quantity, Rounding::kCeil).DivInt(Pos(a, r.symbol).leverage, Rounding::kCeil);
  }
  b.initial_margin += reserved;
  b.margin_balance = b.wallet_balance + b.unrealized_pnl;
  b.available_balance = b.wallet_balance - iso_total + cross_upnl - cross_im - reserved;
  return b;
}

Result<std::vector<Position>> PaperSimulator::FetchPositions(AccountIndex a) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  // The cross liquidation formula of each position needs the other cross positions' terms:
  // summed once (exact integers), each position's own term taken out — O(n), not O(n²).
  std::size_t open = 0;
  __int128 cross27 = 0;
  for (std::size_t s = 0; s < nsym_; ++s) {
    const PositionState& p = Pos(a, static_cast<SymbolIndex>(s));
    if (p.qty == 0) continue;
    ++open;
    if (p.mode == MarginMode::kCross) cross27 += CrossTerm27(static_cast<SymbolIndex>(s), p, view_marks_);
  }
  std::vector<Position> out;
  out.reserve(open);
  if (open == 0) return out;
  const std::int64_t cross_wallet = CrossWalletRaw(a);
  for (std::size_t s = 0; s < nsym_; ++s) {
    const auto si = static_cast<SymbolIndex>(s);
    const PositionState& p = Pos(a, si);
    if (p.qty == 0) continue;
    std::int64_t liq;
    if (p.mode == MarginMode::kIsolated) {
      liq = LiquidationFromOthers(a, si, 0, 0);
    } else {
      liq = LiquidationFromOthers(a, si, cross_wallet, cross27 - CrossTerm27(si, p, view_marks_));
    }
    out.push_back(MakePosition(a, si, liq));
  }
  return out;
}

Result<Position> PaperSimulator::FetchPosition(AccountIndex a, std::string_view symbol) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  AITRADER_ASSIGN_OR_RETURN(SymbolIndex s, SymbolOr(symbol));
  return MakePosition(a, s);
}

Result<std::vector<Order>> PaperSimulator::FetchOpenOrders(AccountIndex a, std::string_view symbol) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  std::optional<SymbolIndex> s;
  if (!symbol.empty()) {
    AITRADER_ASSIGN_OR_RETURN(s, SymbolOr(symbol));
  }
  std::vector<Order> out;
  for (std::uint32_t idx : accounts_[a].open) {
    const OrderRecord& r = accounts_[a].orders[idx];
    if (!s || r.symbol == *s) out.push_back(r.order);
  }
  return out;
}

Result<Order> PaperSimulator::FetchOrder(AccountIndex a, const ClientOrderId& id) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  auto it = accounts_[a].by_client_id.find(id.value());
  if (it == accounts_[a].by_client_id.end()) return RejectStatus(RejectReason::kNoSuchOrder, id.value());
  return accounts_[a].orders[it->second].order;
}

Result<std::vector<market::Candle>> PaperSimulator::FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                                std::size_t limit) const {
  auto s = FindSymbol(symbol);
  if (!s) return NotFound("paper exchange: unknown symbol '" + std::string(symbol) + "'");
  if (interval != config_.bar_interval) {
    return InvalidArgument("paper exchange serves " + FormatInterval(config_.bar_interval) + " candles, not " +
                           FormatInterval(interval));
  }
  const market::CandleSeries& h = history_[*s];
  std::size_t b = h.LowerBound(since);
  const std::size_t e = h.size();
  if (limit > 0 && e - b > limit) b = e - limit;
  std::vector<market::Candle> out;
  out.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) out.push_back(h[i]);
  return out;
}

Result<Ticker> PaperSimulator::FetchTicker(std::string_view symbol) const {
  auto s = FindSymbol(symbol);
  if (!s) return NotFound("paper exchange: unknown symbol '" + std::string(symbol) + "'");
  if (marks_[*s] == 0) return FailedPrecondition("paper exchange: no market data for " + std::string(symbol) + " yet");
  Ticker t;
  t.symbol = instruments_[*s].symbol;
  t.last = t.mark = Price::FromRaw(marks_[*s]);
  t.time = last_candle_[*s].open_time + config_.bar_interval;
  return t;
}

Result<FundingRateInfo> PaperSimulator::FetchFundingRate(std::string_view symbol) const {
  auto s = FindSymbol(symbol);
  if (!s) return NotFound("paper exchange: unknown symbol '" + std::string(symbol) + "'");
  FundingRateInfo f;
  f.symbol = instruments_[*s].symbol;
  const UnixMs fi = config_.funding_interval;
  UnixMs next = next_funding_;
  if (next == INT64_MIN) {
    const UnixMs now = clock_.NowMs();
    next = FloorTo(now, fi) == now ? now : FloorTo(now, fi) + fi;
  }
  f.next_funding_time = next;
  f.rate = funding_->Rate(FundingParams{f.symbol, next});
  f.mark = Price::FromRaw(marks_[*s]);
  return f;
}

Status PaperSimulator::SetOpenInterestSeries(std::string_view symbol, std::vector<OpenInterest> series) {
  auto s = FindSymbol(symbol);
  if (!s) return InvalidArgument("paper simulator: unknown symbol '" + std::string(symbol) + "'");
  open_interest_[*s] = std::move(series);
  return Status::Ok();
}

Result<OpenInterest> PaperSimulator::FetchOpenInterest(std::string_view symbol) const {
  auto s = FindSymbol(symbol);
  if (!s) return NotFound("paper exchange: unknown symbol '" + std::string(symbol) + "'");
  const auto& v = open_interest_[*s];
  const UnixMs now = clock_.NowMs();
  auto it = std::upper_bound(v.begin(), v.end(), now, [](UnixMs t, const OpenInterest& o) { return t < o.time; });
  if (it == v.begin()) {
    return FailedPrecondition("paper exchange: no open-interest data for " + std::string(symbol) + " at this time");
  }
  return *(it - 1);
}

// ---------------------------------------------------------------------------------------------
// Ledger and invariants

std::string PaperSimulator::SerializeLedger(AccountIndex a) const {
  return accounts_[a].ledger.Serialize(config_.symbols);
}

Money PaperSimulator::Equity(AccountIndex a) const {
  std::int64_t e = accounts_[a].ledger.balance().raw();
  for (std::size_t s = 0; s < nsym_; ++s) e += UnrealizedRaw(Pos(a, static_cast<SymbolIndex>(s)), view_marks_[s]);
  return Money::FromRaw(e);
}

Price PaperSimulator::LiquidationPrice(AccountIndex a, std::string_view symbol) const {
  auto s = FindSymbol(symbol);
  if (!s || a >= accounts_.size()) return Price::Zero();
  return Price::FromRaw(LiquidationRaw(a, *s, view_marks_));
}

Status PaperSimulator::SelfCheck(AccountIndex a) const {
  AITRADER_RETURN_IF_ERROR(CheckAccount(a));
  const Account& acc = accounts_[a];
  auto fail = [&](const std::string& what) { return Internal("paper account " + std::to_string(a) + ": " + what); };
  // 1. The ledger's running balances.
  Money running;
  std::uint64_t seq = 0;
  for (const LedgerEntry& e : acc.ledger.entries()) {
    if (e.seq != ++seq) return fail("ledger sequence broken at " + std::to_string(e.seq));
    running += e.amount;
    if (e.balance_after != running) return fail("ledger balance_after wrong at entry " + std::to_string(e.seq));
    if (e.amount.raw() % 10 != 0) return fail("ledger amount not on 1e-8 at entry " + std::to_string(e.seq));
  }
  if (running != acc.ledger.balance()) return fail("ledger balance != sum of entries");
  // 2. Equity both ways.
  const LedgerTotals t = acc.ledger.Totals();
  Money upnl;
  for (std::size_t s = 0; s < nsym_; ++s) {
    const PositionState& p = Pos(a, static_cast<SymbolIndex>(s));
    if (p.qty == 0) continue;
    upnl += Money::FromRaw(UnrealizedRaw(p, view_marks_[s]));
  }
  const Money equity_state = Equity(a);
  const Money equity_ledger =
      t.deposits + t.realized_pnl + t.fees + t.funding + t.liquidation_fees + t.insurance + upnl;
  if (equity_state != equity_ledger) {
    return fail("equity " + equity_state.ToString() + " != deposits + realized - fees +/- funding + uPnL " +
                equity_ledger.ToString());
  }
  if (t.fees.IsPositive() || t.liquidation_fees.IsPositive() || t.insurance.IsNegative() || t.deposits.IsNegative()) {
    return fail("a ledger total has the wrong sign");
  }
  // 3. Positions.
  for (std::size_t s = 0; s < nsym_; ++s) {
    const PositionState& p = Pos(a, static_cast<SymbolIndex>(s));
    const Instrument& ins = instruments_[s];
    if (p.leverage < 1 || p.leverage > acc.config.max_leverage || p.leverage > kHardLeverageCap) {
      return fail(ins.symbol + " leverage " + std::to_string(p.leverage) + " outside 1.." +
                  std::to_string(acc.config.max_leverage));
    }
    if (p.iso_margin < 0) return fail(ins.symbol + " isolated margin < 0");
    if (p.iso_margin % 10 != 0) return fail(ins.symbol + " isolated margin not on 1e-8");
    if (p.mode == MarginMode::kCross && p.iso_margin != 0) return fail(ins.symbol + " cross position with isolated margin");
    if (p.qty == 0 && (p.entry != 0 || p.iso_margin != 0)) return fail(ins.symbol + " flat position with entry or margin");
    if (!Quantity::FromRaw(p.qty).IsMultipleOf(ins.step_size) && p.qty != 0) return fail(ins.symbol + " size off the step");
    if (p.qty != 0 && p.entry <= 0) return fail(ins.symbol + " entry price <= 0");
  }
  // 4. Orders.
  for (std::uint32_t idx : acc.open) {
    if (IsTerminal(acc.orders[idx].order.status)) return fail("terminal order in the open list");
  }
  std::size_t open_count = 0;
  for (const OrderRecord& r : acc.orders) open_count += IsTerminal(r.order.status) ? 0 : 1;
  if (open_count != acc.open.size()) return fail("open order list out of sync");
  return Status::Ok();
}

}  // namespace aitrader::exchange::paper
