#include "exchange/binance/binance_exchange.hpp"

#include <algorithm>

#include "exchange/binance/convert.hpp"

namespace aitrader::exchange::binance {

namespace {

bool IsConditional(OrderType t) { return t == OrderType::kStopMarket || t == OrderType::kTakeProfitMarket; }

std::string WireType(OrderType t) { return std::string(ToString(t)); }

bool IsBinanceInterval(UnixMs interval) {
  static constexpr UnixMs kMinute = 60'000;
  for (UnixMs m : {1, 3, 5, 15, 30, 60, 120, 240, 360, 480, 720, 1440, 4320, 10080}) {
    if (interval == m * kMinute) return true;
  }
  return false;
}

bool IsNotFound(const Status& s) {
  return s.code() == StatusCode::kRejected &&
         (s.message().rfind("[-2013]", 0) == 0 || s.message().rfind("[-2011]", 0) == 0);
}

int CodeOf(const Status& s) {
  if (s.code() != StatusCode::kRejected || s.message().size() < 3 || s.message()[0] != '[') return 0;
  return std::atoi(s.message().c_str() + 1);
}

}  // namespace

BinanceExchange::BinanceExchange(BinanceExchangeOptions options, std::string api_key, Secret secret,
                                 const Clock& clock, std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)), clock_(clock) {
  if (transport == nullptr) transport = MakeCurlTransport();
  rest_ = std::make_unique<RestClient>(options_.rest, std::move(api_key), std::move(secret), std::move(transport), clock_);
  while (!options_.ws_url.empty() && options_.ws_url.back() == '/') options_.ws_url.pop_back();
}

BinanceExchange::~BinanceExchange() { Stop(); }

Result<std::string> BinanceExchange::Call(std::string method, std::string path, Params params, Security sec,
                                          int weight, bool is_order, bool exempt) {
  RestRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.params = std::move(params);
  r.security = sec;
  r.weight = weight;
  r.is_order = is_order;
  r.exempt = exempt;
  return rest_->Call(r);
}

Status BinanceExchange::Start() {
  AITRADER_RETURN_IF_ERROR(rest_->SyncTime());
  AITRADER_RETURN_IF_ERROR(RefreshExchangeInfo());
  auto dual_body = Call("GET", "/fapi/v1/positionSide/dual", {}, Security::kSigned, 30);
  if (!dual_body.ok()) return dual_body.status().WithContext("reading the position mode");
  AITRADER_ASSIGN_OR_RETURN(bool dual, ParsePositionModeDual(*dual_body));
  if (dual) {
    return FailedPrecondition(
        "the Binance account is in hedge mode (dualSidePosition=true); aitrader trades one-way positions only — "
        "switch the account to one-way mode (Preferences → Position Mode) with no open positions, then start again");
  }
  if (options_.user_stream && !options_.ws_url.empty()) AITRADER_RETURN_IF_ERROR(OpenUserStream());
  AITRADER_RETURN_IF_ERROR(Reconcile());
  started_ = true;
  return Status::Ok();
}

void BinanceExchange::Stop() {
  if (ws_) {
    ws_->Stop();
    ws_.reset();
  }
}

Status BinanceExchange::RefreshExchangeInfo() {
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/exchangeInfo", {}, Security::kNone, 1));
  AITRADER_ASSIGN_OR_RETURN(ExchangeInfo info, ParseExchangeInfo(body));
  rest_->SetRateLimits(info.rate_limits);
  std::vector<SymbolBrackets> brackets;
  if (rest_->has_credentials()) {
    auto b = Call("GET", "/fapi/v1/leverageBracket", {}, Security::kSigned, 1);
    if (!b.ok()) return b.status().WithContext("leverage brackets");
    AITRADER_ASSIGN_OR_RETURN(brackets, ParseLeverageBrackets(*b));
  }
  std::vector<Instrument> instruments;
  for (const auto& s : info.symbols) {
    const SymbolBrackets* sb = nullptr;
    for (const auto& b : brackets) {
      if (b.symbol == s.symbol) sb = &b;
    }
    instruments.push_back(ToInstrument(s, sb));
  }
  info_ = std::move(info);
  instruments_ = InstrumentTable(std::move(instruments));
  last_info_refresh_ = rest_->ServerNowMs();
  return Status::Ok();
}

const SymbolInfo* BinanceExchange::symbol_info(std::string_view symbol) const { return info_.Find(symbol); }

std::vector<DriftReport> BinanceExchange::DriftReports() const {
  std::lock_guard<std::mutex> lock(mu_);
  return drifts_;
}
bool BinanceExchange::user_stream_connected() const { return ws_ && ws_->connected(); }
std::int64_t BinanceExchange::user_stream_connects() const { return ws_ ? ws_->connects() : 0; }
std::int64_t BinanceExchange::reconciles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reconciles_;
}

void BinanceExchange::NoteEndedByReconcile(const std::string& cid) {  // under mu_
  constexpr std::size_t kMaxRemembered = 4096;
  if (!ended_by_reconcile_.insert(cid).second) return;
  ended_by_reconcile_order_.push_back(cid);
  while (ended_by_reconcile_order_.size() > kMaxRemembered) {
    ended_by_reconcile_.erase(ended_by_reconcile_order_.front());
    ended_by_reconcile_order_.pop_front();
  }
}

void BinanceExchange::Push(ExecutionEvent e) {  // under mu_
  e.seq = ++seq_;
  if (e.time == 0) e.time = rest_->ServerNowMs();
  events_.push_back(std::move(e));
  while (events_.size() > options_.max_events) {
    events_.pop_front();
    ++dropped_;
  }
}

void BinanceExchange::Remember(const std::string& cid, Kind kind, const std::string& symbol, bool closes) {
  std::lock_guard<std::mutex> lock(mu_);
  known_[cid] = Known{kind, symbol, closes};
}

std::optional<BinanceExchange::Known> BinanceExchange::KnownOf(const std::string& cid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = known_.find(cid);
  if (it == known_.end()) return std::nullopt;
  return it->second;
}

// ------------------------------------------------------------------------ market data

Result<std::vector<market::Candle>> BinanceExchange::FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                                 std::size_t limit) {
  if (!IsBinanceInterval(interval)) return InvalidArgument("Binance serves no " + FormatInterval(interval) + " klines");
  if (symbol_info(symbol) == nullptr) return NotFound("unknown symbol " + std::string(symbol));
  if (limit == 0) return std::vector<market::Candle>{};
  const std::size_t want = std::min<std::size_t>(limit + 1, 1500);  // +1: the still-open candle
  Params p;
  p.Add("symbol", std::string(symbol)).Add("interval", FormatInterval(interval)).Add("limit", std::to_string(want));
  const int weight = want < 100 ? 1 : want < 500 ? 2 : want <= 1000 ? 5 : 10;
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/klines", std::move(p), Security::kNone, weight));
  AITRADER_ASSIGN_OR_RETURN(std::vector<Kline> klines, ParseKlines(body));
  const UnixMs now = rest_->ServerNowMs();
  std::vector<market::Candle> out;
  for (const auto& k : klines) {
    if (k.open_time < since || k.open_time + interval > now) continue;  // before since, or still open
    out.push_back(ToCandle(k));
  }
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

Result<Ticker> BinanceExchange::FetchTicker(std::string_view symbol) {
  Params p;
  p.Add("symbol", std::string(symbol));
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/premiumIndex", std::move(p), Security::kNone, 1));
  AITRADER_ASSIGN_OR_RETURN(PremiumIndex pi, ParsePremiumIndex(body));
  return Ticker{pi.symbol, pi.mark_price, pi.mark_price, pi.time};
}

Result<Price> BinanceExchange::FetchMarkPrice(std::string_view symbol) {
  AITRADER_ASSIGN_OR_RETURN(Ticker t, FetchTicker(symbol));
  return t.mark;
}

Result<FundingRateInfo> BinanceExchange::FetchFundingRate(std::string_view symbol) {
  Params p;
  p.Add("symbol", std::string(symbol));
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/premiumIndex", std::move(p), Security::kNone, 1));
  AITRADER_ASSIGN_OR_RETURN(PremiumIndex pi, ParsePremiumIndex(body));
  return FundingRateInfo{pi.symbol, pi.last_funding_rate, pi.next_funding_time, pi.mark_price};
}

Result<OpenInterest> BinanceExchange::FetchOpenInterest(std::string_view symbol) {
  Params p;
  p.Add("symbol", std::string(symbol));
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/openInterest", std::move(p), Security::kNone, 1));
  AITRADER_ASSIGN_OR_RETURN(OpenInterestDto oi, ParseOpenInterest(body));
  return OpenInterest{oi.symbol, oi.open_interest, oi.time};
}

// ------------------------------------------------------------------------ account

Result<Balance> BinanceExchange::FetchBalance() {
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v2/account", {}, Security::kSigned, 5));
  AITRADER_ASSIGN_OR_RETURN(AccountDto a, ParseAccount(body));
  return ToBalance(a);
}

Result<std::vector<Position>> BinanceExchange::FetchPositions() {
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v2/positionRisk", {}, Security::kSigned, 5));
  AITRADER_ASSIGN_OR_RETURN(std::vector<PositionRiskDto> dtos, ParsePositionRisk(body));
  std::vector<Position> out;
  for (const auto& d : dtos) {
    if (d.position_amt.IsZero()) continue;
    AITRADER_ASSIGN_OR_RETURN(Position p, ToPosition(d));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Order>> BinanceExchange::OpenOrdersOf(std::string_view symbol, bool regular, bool algo) {
  std::vector<Order> out;
  Params p;
  if (!symbol.empty()) p.Add("symbol", std::string(symbol));
  if (regular) {
    AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/openOrders", p, Security::kSigned, symbol.empty() ? 40 : 1, false, true));
    AITRADER_ASSIGN_OR_RETURN(std::vector<OrderDto> dtos, ParseOrders(body));
    for (const auto& d : dtos) {
      AITRADER_ASSIGN_OR_RETURN(Order o, ToOrder(d));
      out.push_back(std::move(o));
    }
  }
  if (algo) {
    AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/openAlgoOrders", p, Security::kSigned, symbol.empty() ? 40 : 1, false, true));
    AITRADER_ASSIGN_OR_RETURN(std::vector<AlgoOrderDto> dtos, ParseAlgoOrders(body));
    for (const auto& d : dtos) {
      AITRADER_ASSIGN_OR_RETURN(Order o, ToOrder(d));
      out.push_back(std::move(o));
    }
  }
  return out;
}

Result<std::vector<Order>> BinanceExchange::FetchOpenOrders(std::string_view symbol) {
  return OpenOrdersOf(symbol, true, true);
}

Result<Order> BinanceExchange::LookupRegular(std::string_view symbol, const std::string& cid) {
  Params p;
  p.Add("symbol", std::string(symbol)).Add("origClientOrderId", cid);
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/order", std::move(p), Security::kSigned, 1, false, true));
  AITRADER_ASSIGN_OR_RETURN(OrderDto d, ParseOrder(body));
  return ToOrder(d);
}

Result<Order> BinanceExchange::LookupAlgo(const std::string& cid, std::string* actual_order_id) {
  Params p;
  p.Add("clientAlgoId", cid);
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/algoOrder", std::move(p), Security::kSigned, 1, false, true));
  AITRADER_ASSIGN_OR_RETURN(AlgoOrderDto d, ParseAlgoOrder(body));
  if (actual_order_id != nullptr) *actual_order_id = d.actual_order_id;
  return ToOrder(d);
}

Result<BinanceExchange::FillTotals> BinanceExchange::FillsOf(const std::string& symbol, std::int64_t order_id,
                                                             UnixMs around, Quantity reported) {
  Params p;
  p.Add("symbol", symbol).Add("orderId", std::to_string(order_id));
  if (around > 0) {
    // Without a window the venue answers the last 7 days only; an order that ended while the
    // process was down for longer is found from its own time (a window is at most 7 days).
    const UnixMs from = std::max<UnixMs>(0, around - 60'000);
    p.Add("startTime", std::to_string(from)).Add("endTime", std::to_string(from + 7 * kDayMs - 1));
  }
  p.Add("limit", "1000");
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("GET", "/fapi/v1/userTrades", std::move(p), Security::kSigned, 5));
  AITRADER_ASSIGN_OR_RETURN(std::vector<UserTradeDto> trades, ParseUserTrades(body));
  // In trade order: the fills already reported are the order's first ones.
  std::stable_sort(trades.begin(), trades.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  FillTotals t;
  Quantity skip = reported;
  for (const auto& f : trades) {
    if (f.order_id != order_id || f.symbol != symbol) continue;  // not asked for: ignored
    if (!f.qty.IsPositive() || !f.price.IsPositive()) {
      return ParseError("userTrades: trade " + std::to_string(f.id) + " of order " + std::to_string(order_id) +
                        " has quantity " + f.qty.ToString() + " at " + f.price.ToString());
    }
    if (skip.IsPositive()) {
      if (f.qty > skip) {
        return FailedPrecondition("userTrades of order " + std::to_string(order_id) + " do not line up with the " +
                                  reported.ToString() + " already reported (trade " + std::to_string(f.id) + " of " +
                                  f.qty.ToString() + ")");
      }
      skip = skip - f.qty;
      continue;
    }
    // Venue figures: sums that do not fit are an error of this read, never an abort.
    auto add = [&](auto& sum, auto value, std::string_view field) -> Status {
      auto r = sum.CheckedAdd(value);
      if (!r.ok()) {
        return r.status().WithContext("userTrades: trade " + std::to_string(f.id) + " of order " +
                                      std::to_string(order_id) + ": " + std::string(field));
      }
      sum = *r;
      return Status::Ok();
    };
    auto notional = CheckedNotional(f.price, f.qty);
    if (!notional.ok()) return notional.status().WithContext("userTrades: trade " + std::to_string(f.id));
    AITRADER_RETURN_IF_ERROR(add(t.quantity, f.qty, "qty"));
    AITRADER_RETURN_IF_ERROR(add(t.notional, *notional, "quoteQty"));
    if (f.commission_asset == "USDT") {
      AITRADER_RETURN_IF_ERROR(add(t.fee, f.commission, "commission"));
    } else {
      t.other_fee += (t.other_fee.empty() ? "" : ", ") + f.commission.ToString() + " " + f.commission_asset;
    }
    AITRADER_RETURN_IF_ERROR(add(t.realized_pnl, f.realized_pnl, "realizedPnl"));
    t.last_time = std::max(t.last_time, f.time);
    t.last_trade_id = std::max(t.last_trade_id, f.id);
    t.all_maker = t.all_maker && f.maker;
  }
  if (skip.IsPositive()) {
    return FailedPrecondition("userTrades of order " + std::to_string(order_id) + " list less than the " +
                              reported.ToString() + " already reported");
  }
  return t;
}

// By client id: the kind when known, else regular first and then algo.
Result<Order> BinanceExchange::Lookup(std::string_view symbol, const std::string& cid, std::optional<Kind> kind) {
  std::string sym(symbol);
  if (auto k = KnownOf(cid)) {
    if (!kind) kind = k->kind;
    if (sym.empty()) sym = k->symbol;
  }
  if (kind == Kind::kAlgo) return LookupAlgo(cid);
  if (kind == Kind::kRegular) return LookupRegular(sym, cid);
  if (!sym.empty()) {
    auto r = LookupRegular(sym, cid);
    if (r.ok() || !IsNotFound(r.status())) return r;
  }
  return LookupAlgo(cid);
}

Result<Order> BinanceExchange::FetchOrder(std::string_view symbol, const ClientOrderId& id) {
  auto r = Lookup(symbol, id.value(), std::nullopt);
  if (r.ok()) Remember(id.value(), IsConditional(r->type) ? Kind::kAlgo : Kind::kRegular, r->symbol, r->reduce_only || r->close_position);
  return r;
}

// ------------------------------------------------------------------------ trading

Result<Order> BinanceExchange::Rejected(const OrderRequest& r, RejectReason reason, const std::string& detail) {
  Order o;
  o.client_id = r.client_id;
  o.symbol = r.symbol;
  o.side = r.side;
  o.type = r.type;
  o.time_in_force = r.time_in_force;
  o.quantity = r.quantity;
  o.price = r.price;
  o.stop_price = r.stop_price;
  o.reduce_only = r.reduce_only;
  o.close_position = r.close_position;
  o.status = OrderStatus::kRejected;
  o.reason = reason;
  o.created_at = o.updated_at = rest_->ServerNowMs();
  ExecutionEvent e;
  e.kind = EventKind::kOrderRejected;
  e.symbol = r.symbol;
  e.client_id = r.client_id;
  e.order_status = OrderStatus::kRejected;
  e.reason = reason;
  e.side = r.side;
  e.quantity = r.quantity;
  (void)detail;
  std::lock_guard<std::mutex> lock(mu_);
  Push(std::move(e));
  return o;
}

Result<Order> BinanceExchange::CreateOrder(const OrderRequest& r) {
  const std::string cid = r.client_id.value();
  if (!IsValidClientOrderId(cid)) return Rejected(r, RejectReason::kIllegalClientOrderId, cid);
  const SymbolInfo* s = symbol_info(r.symbol);
  if (s == nullptr) return Rejected(r, RejectReason::kUnknownSymbol, r.symbol);
  const bool conditional = IsConditional(r.type);
  const Kind kind = conditional ? Kind::kAlgo : Kind::kRegular;

  // Idempotency: an id the venue already has returns that order.
  auto existing = Lookup(r.symbol, cid, kind);
  if (existing.ok()) {
    Remember(cid, kind, r.symbol, r.reduce_only || r.close_position);
    return existing;
  }
  if (!IsNotFound(existing.status())) return existing.status().WithContext("looking up " + cid + " before placing it");

  Params p;
  p.Add("symbol", r.symbol).Add("side", std::string(ToString(r.side)));
  if (conditional) {
    if (!r.stop_price.IsPositive()) return Rejected(r, RejectReason::kStopPriceNotPositive, "");
    auto trigger = FormatPrice(r.stop_price, *s);
    if (!trigger.ok()) return Rejected(r, RejectReason::kPriceNotTickMultiple, trigger.status().message());
    p.Add("algoType", "CONDITIONAL").Add("type", WireType(r.type)).Add("triggerPrice", *trigger);
    p.Add("workingType", options_.working_type);
    if (r.close_position) {
      p.Add("closePosition", "true");
    } else {
      if (!r.quantity.IsPositive()) return Rejected(r, RejectReason::kQuantityNotPositive, "");
      auto q = FormatQuantity(r.quantity, *s);
      if (!q.ok()) return Rejected(r, RejectReason::kQuantityNotStepMultiple, q.status().message());
      p.Add("quantity", *q);
      if (r.reduce_only) p.Add("reduceOnly", "true");
    }
    p.Add("clientAlgoId", cid).Add("newOrderRespType", "RESULT");
  } else {
    if (r.close_position) return Rejected(r, RejectReason::kParamNotRequired, "closePosition on a non-conditional order");
    if (!r.quantity.IsPositive()) return Rejected(r, RejectReason::kQuantityNotPositive, "");
    auto q = FormatQuantity(r.quantity, *s);
    if (!q.ok()) return Rejected(r, RejectReason::kQuantityNotStepMultiple, q.status().message());
    p.Add("type", WireType(r.type)).Add("quantity", *q);
    if (r.type == OrderType::kLimit) {
      if (!r.price.IsPositive()) return Rejected(r, RejectReason::kPriceNotPositive, "");
      auto price = FormatPrice(r.price, *s);
      if (!price.ok()) return Rejected(r, RejectReason::kPriceNotTickMultiple, price.status().message());
      p.Add("price", *price).Add("timeInForce", std::string(ToString(r.time_in_force)));
    }
    if (r.reduce_only) p.Add("reduceOnly", "true");
    p.Add("newClientOrderId", cid).Add("newOrderRespType", "RESULT");
  }
  const bool exempt = r.reduce_only || r.close_position;
  Remember(cid, kind, r.symbol, exempt);
  {
    std::lock_guard<std::mutex> lock(mu_);  // a new order under an ended one's id: its events are its own
    ended_by_reconcile_.erase(cid);
  }
  auto body = Call("POST", conditional ? "/fapi/v1/algoOrder" : "/fapi/v1/order", std::move(p), Security::kSigned, 0,
                   true, exempt);
  Result<Order> placed = Status(StatusCode::kInternal, "unset");
  if (body.ok()) {
    if (conditional) {
      auto d = ParseAlgoOrder(*body);
      placed = d.ok() ? ToOrder(*d) : Result<Order>(d.status());
    } else {
      auto d = ParseOrder(*body);
      placed = d.ok() ? ToOrder(*d) : Result<Order>(d.status());
    }
    if (!placed.ok()) {
      // Accepted (HTTP 200) but unreadable: the venue's record is the truth.
      placed = Lookup(r.symbol, cid, kind);
    }
  } else if (IsUnknownOutcome(body.status()) || CodeOf(body.status()) == -4116) {
    // Never a blind resend: ask the venue what became of this client id.
    auto found = Lookup(r.symbol, cid, kind);
    if (found.ok()) {
      placed = found;
    } else if (IsNotFound(found.status())) {
      return Unavailable("order " + cid + " not placed (the venue has no order with this id after: " +
                         body.status().message() + "); retry with the same id");
    } else {
      return Status(StatusCode::kTimeout, "order " + cid + " status unknown: " + body.status().message() +
                                              "; lookup failed: " + found.status().message());
    }
  } else if (body.status().code() == StatusCode::kRejected) {
    const int code = CodeOf(body.status());
    if (auto reason = ReasonFromCode(code)) return Rejected(r, *reason, body.status().message());
    {
      ExecutionEvent e;
      e.kind = EventKind::kOrderRejected;
      e.symbol = r.symbol;
      e.client_id = r.client_id;
      e.order_status = OrderStatus::kRejected;
      e.side = r.side;
      std::lock_guard<std::mutex> lock(mu_);
      Push(std::move(e));
    }
    return body.status();  // a venue code the port has no reason for ("[-4118] ...")
  } else {
    return body.status();
  }
  if (placed.ok() && !IsTerminal(placed->status)) {
    std::lock_guard<std::mutex> lock(mu_);
    open_orders_[cid] = *placed;
    reported_filled_.try_emplace(cid);  // the stream reports its fills (perhaps before this answer)
  }
  return placed;
}

Result<Order> BinanceExchange::CancelOrder(std::string_view symbol, const ClientOrderId& id) {
  const std::string cid = id.value();
  auto known = KnownOf(cid);
  std::string sym(symbol);
  if (sym.empty() && known) sym = known->symbol;
  auto cancel_regular = [&]() -> Result<Order> {
    Params p;
    p.Add("symbol", sym).Add("origClientOrderId", cid);
    AITRADER_ASSIGN_OR_RETURN(std::string body, Call("DELETE", "/fapi/v1/order", std::move(p), Security::kSigned, 1, false, true));
    AITRADER_ASSIGN_OR_RETURN(OrderDto d, ParseOrder(body));
    return ToOrder(d);
  };
  auto cancel_algo = [&]() -> Result<Order> {
    Params p;
    p.Add("clientAlgoId", cid);
    AITRADER_ASSIGN_OR_RETURN(std::string body, Call("DELETE", "/fapi/v1/algoOrder", std::move(p), Security::kSigned, 1, false, true));
    (void)body;  // {"algoId","clientAlgoId","code":"200","msg":"success"}: read the order back
    AITRADER_ASSIGN_OR_RETURN(Order o, LookupAlgo(cid));
    return o;
  };
  Result<Order> r = Status(StatusCode::kInternal, "unset");
  if (known && known->kind == Kind::kAlgo) {
    r = cancel_algo();
  } else if (known) {
    r = cancel_regular();
  } else {
    r = sym.empty() ? Result<Order>(RejectStatus(RejectReason::kUnknownOrder, cid)) : cancel_regular();
    if (!r.ok() && IsNotFound(r.status())) r = cancel_algo();
  }
  if (!r.ok() && IsUnknownOutcome(r.status())) r = Lookup(sym, cid, known ? std::optional<Kind>(known->kind) : std::nullopt);
  if (r.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (IsTerminal(r->status)) open_orders_.erase(cid);
  }
  return r;
}

Result<std::vector<Order>> BinanceExchange::CancelAllOrders(std::string_view symbol) {
  AITRADER_ASSIGN_OR_RETURN(std::vector<Order> open, OpenOrdersOf(symbol, true, true));
  std::set<std::string> symbols;
  if (!symbol.empty()) symbols.insert(std::string(symbol));
  for (const auto& o : open) symbols.insert(o.symbol);
  bool any_regular = false, any_algo = false;
  for (const auto& o : open) (IsConditional(o.type) ? any_algo : any_regular) = true;
  for (const auto& s : symbols) {
    Params p;
    p.Add("symbol", s);
    if (any_regular || !symbol.empty()) {
      auto r = Call("DELETE", "/fapi/v1/allOpenOrders", p, Security::kSigned, 1, false, true);
      if (!r.ok()) return r.status().WithContext("cancel all regular orders of " + s);
    }
    if (any_algo || !symbol.empty()) {
      auto r = Call("DELETE", "/fapi/v1/algoOpenOrders", p, Security::kSigned, 1, false, true);
      if (!r.ok()) return r.status().WithContext("cancel all conditional orders of " + s);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& o : open) {
    if (!IsTerminal(o.status)) TransitionOrder(o, OrderStatus::kCanceled);
    open_orders_.erase(o.client_id.value());
  }
  return open;
}

Status BinanceExchange::SetLeverage(std::string_view symbol, int leverage) {
  if (symbol_info(symbol) == nullptr) return RejectStatus(RejectReason::kUnknownSymbol, symbol);
  if (leverage < 1 || leverage > 125) return RejectStatus(RejectReason::kInvalidLeverage, std::to_string(leverage));
  Params p;
  p.Add("symbol", std::string(symbol)).Add("leverage", std::to_string(leverage));
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("POST", "/fapi/v1/leverage", std::move(p), Security::kSigned, 1));
  AITRADER_ASSIGN_OR_RETURN(LeverageDto l, ParseLeverage(body));
  if (l.leverage != leverage) {
    return Internal("the venue set leverage " + std::to_string(l.leverage) + " for " + std::string(symbol) + ", not " +
                    std::to_string(leverage));
  }
  return Status::Ok();
}

Status BinanceExchange::SetMarginMode(std::string_view symbol, MarginMode mode) {
  if (symbol_info(symbol) == nullptr) return RejectStatus(RejectReason::kUnknownSymbol, symbol);
  Params p;
  p.Add("symbol", std::string(symbol)).Add("marginType", mode == MarginMode::kIsolated ? "ISOLATED" : "CROSSED");
  auto body = Call("POST", "/fapi/v1/marginType", std::move(p), Security::kSigned, 1);
  if (!body.ok() && CodeOf(body.status()) == -4046) return Status::Ok();  // already in that mode
  return body.ok() ? Status::Ok() : body.status();
}

std::size_t BinanceExchange::PollEvents(std::vector<ExecutionEvent>& out, std::size_t max_events) {
  (void)KeepAliveIfDue();
  if (started_ && rest_->ServerNowMs() - last_info_refresh_ >= options_.exchange_info_refresh_ms) {
    if (Status s = RefreshExchangeInfo(); !s.ok()) {
      last_info_refresh_ = rest_->ServerNowMs();  // keep the previous rules; try again next period
      std::lock_guard<std::mutex> lock(mu_);
      drifts_.push_back(DriftReport{last_info_refresh_, "exchangeInfo refresh failed: " + s.message()});
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  if (dropped_ > 0 && n < max_events) {
    ExecutionEvent e;
    e.kind = EventKind::kEventsDropped;
    e.count = dropped_;
    e.seq = ++seq_;
    e.time = rest_->ServerNowMs();
    out.push_back(e);
    dropped_ = 0;
    ++n;
  }
  while (n < max_events && !events_.empty()) {
    out.push_back(std::move(events_.front()));
    events_.pop_front();
    ++n;
  }
  return n;
}

// ------------------------------------------------------------------------ user-data stream

Status BinanceExchange::OpenUserStream() {
  AITRADER_ASSIGN_OR_RETURN(std::string body, Call("POST", "/fapi/v1/listenKey", {}, Security::kApiKey, 1, false, true));
  AITRADER_ASSIGN_OR_RETURN(std::string key, ParseListenKey(body));
  {
    std::lock_guard<std::mutex> lock(mu_);
    listen_key_ = key;
    last_keepalive_ = rest_->ServerNowMs();
  }
  WsCallbacks cb;
  cb.on_open = [this] { OnUserOpen(); };
  cb.on_message = [this](const std::string& text) { OnUserMessage(text); };
  cb.on_close = [this](const std::string&) { RenewListenKey(); };
  ws_ = std::make_unique<WsClient>(UserStreamUrl(key), options_.ws, std::move(cb));
  AITRADER_RETURN_IF_ERROR(ws_->Start());
  // Start() reconciles after this; wait (bounded) for the first connection so no event of the
  // orders placed next is missed.
  std::unique_lock<std::mutex> lock(mu_);
  if (!opened_cv_.wait_for(lock, std::chrono::milliseconds(options_.ws.connect_timeout_ms), [this] { return user_opens_ > 0; })) {
    return Unavailable("user-data stream did not connect to " + options_.ws_url);
  }
  return Status::Ok();
}

void BinanceExchange::RenewListenKey() {
  auto body = Call("POST", "/fapi/v1/listenKey", {}, Security::kApiKey, 1, false, true);
  if (!body.ok()) return;  // the next reconnect attempt tries again
  auto key = ParseListenKey(*body);
  if (!key.ok()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listen_key_ = *key;
    last_keepalive_ = rest_->ServerNowMs();
  }
  if (ws_) ws_->SetUrl(UserStreamUrl(*key), false);
}

// The user-data stream's address for a listen key (the private route, April 2026), with the
// three event kinds this adapter reads.
std::string BinanceExchange::UserStreamUrl(const std::string& key) const {
  return options_.ws_url + "/private/ws?listenKey=" + PercentEncode(key) +
         "&events=ORDER_TRADE_UPDATE/ALGO_UPDATE/ACCOUNT_UPDATE";
}

std::string BinanceExchange::CurrentListenKey() {
  std::lock_guard<std::mutex> lock(mu_);
  return listen_key_;
}

Status BinanceExchange::KeepAliveIfDue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (listen_key_.empty() || rest_->ServerNowMs() - last_keepalive_ < options_.keepalive_ms) return Status::Ok();
    last_keepalive_ = rest_->ServerNowMs();
  }
  auto r = Call("PUT", "/fapi/v1/listenKey", {}, Security::kApiKey, 1, false, true);
  if (!r.ok() && CodeOf(r.status()) == -1125) {  // the key is gone: a new one, reconnect
    RenewListenKey();
    if (ws_) ws_->SetUrl(UserStreamUrl(CurrentListenKey()), true);
    return Status::Ok();
  }
  return r.ok() ? Status::Ok() : r.status();
}

void BinanceExchange::OnUserOpen() {
  bool reconnect = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reconnect = ++user_opens_ > 1;
  }
  opened_cv_.notify_all();
  if (reconnect) (void)Reconcile();  // failures surface on the next reconcile or Fetch*
}

void BinanceExchange::OnUserMessage(const std::string& text) {
  auto parsed = ParseUserDataEvent(text);
  if (!parsed.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    drifts_.push_back(DriftReport{rest_->ServerNowMs(), "unreadable user-data event: " + parsed.status().message()});
    ++dropped_;  // the bot reconciles
    return;
  }
  std::vector<std::pair<std::string, UnixMs>> flat_symbols;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (const auto* u = std::get_if<OrderTradeUpdate>(&*parsed)) {
      std::string cid = u->client_order_id;
      bool from_algo = false;
      if (auto it = actual_to_algo_.find(u->order_id); it != actual_to_algo_.end()) {
        cid = it->second;
        from_algo = true;
      }
      // A reconciliation already emitted this order's end (see the header).
      const bool already_ended = ended_by_reconcile_.count(cid) > 0;
      ExecutionEvent e;
      e.time = u->transaction_time != 0 ? u->transaction_time : u->event_time;
      e.symbol = u->symbol;
      e.order_id = OrderId(u->order_id);
      e.client_id = ClientOrderId(cid);
      auto side = SideFromWire(u->side);
      e.side = side.ok() ? *side : Side::kBuy;
      auto st = OrderStatusFromWire(u->status);
      e.order_status = st.ok() ? *st : OrderStatus::kNew;
      // Forced closes by the venue: liquidation ("autoclose-", type LIQUIDATION) and ADL
      // ("adl_autoclose"), both reported with execution type CALCULATED.
      const bool liquidation = u->order_type == "LIQUIDATION" || u->client_order_id.rfind("autoclose-", 0) == 0 ||
                               u->client_order_id.rfind("adl_autoclose", 0) == 0 || u->execution_type == "CALCULATED";
      if (liquidation && !st.ok()) e.order_status = u->cum_filled_qty == u->orig_qty ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
      if (already_ended) {
        open_orders_.erase(cid);
      } else if (u->execution_type == "NEW") {
        if (!from_algo && !liquidation) {
          e.kind = EventKind::kOrderAccepted;
          e.quantity = u->orig_qty;
          e.price = u->price;
          Push(e);
        }
      } else if (u->execution_type == "TRADE" || (u->execution_type == "CALCULATED" && u->last_filled_qty.IsPositive())) {
        e.kind = liquidation ? EventKind::kLiquidation : EventKind::kOrderFilled;
        e.quantity = u->last_filled_qty;
        e.price = u->last_filled_price;
        if (u->commission_asset.empty() || u->commission_asset == "USDT") {
          e.fee = u->commission;
        } else if (!u->commission.IsZero()) {
          // Paid in BNB (the fee discount): not a USDT fee of the ledger.
          drifts_.push_back(DriftReport{e.time, "order " + cid + " paid commission in another asset (" +
                                                    u->commission.ToString() + " " + u->commission_asset +
                                                    "); not counted in its fee"});
        }
        e.realized_pnl = u->realized_profit;
        e.liquidity = u->maker ? Liquidity::kMaker : Liquidity::kTaker;
        e.trade_id = u->trade_id;
        Push(e);
        if (e.order_status == OrderStatus::kFilled) {
          open_orders_.erase(cid);
          reported_filled_.erase(cid);
        } else {
          Quantity& r = reported_filled_[cid];
          r = std::max(r, u->cum_filled_qty.IsPositive() ? u->cum_filled_qty : r + u->last_filled_qty);
        }
      } else if (u->execution_type == "CANCELED") {
        e.kind = EventKind::kOrderCanceled;
        Push(e);
        open_orders_.erase(cid);
        reported_filled_.erase(cid);
      } else if (u->execution_type == "EXPIRED") {
        e.kind = EventKind::kOrderExpired;
        Push(e);
        open_orders_.erase(cid);
        reported_filled_.erase(cid);
      }
    } else if (const auto* a = std::get_if<AlgoUpdate>(&*parsed)) {
      if (!a->actual_order_id.empty()) {
        const std::int64_t actual = std::atoll(a->actual_order_id.c_str());
        if (actual != 0) actual_to_algo_[actual] = a->client_algo_id;
      }
      ExecutionEvent e;
      e.time = a->transaction_time != 0 ? a->transaction_time : a->event_time;
      e.symbol = a->symbol;
      e.order_id = OrderId(a->algo_id);
      e.client_id = ClientOrderId(a->client_algo_id);
      auto side = SideFromWire(a->side);
      e.side = side.ok() ? *side : Side::kBuy;
      e.price = a->trigger_price;
      e.quantity = a->quantity;
      if (ended_by_reconcile_.count(a->client_algo_id) > 0) {
        open_orders_.erase(a->client_algo_id);  // its end was emitted by a reconciliation
      } else if (a->status == "NEW") {
        e.kind = EventKind::kOrderAccepted;
        e.order_status = OrderStatus::kNew;
        Push(e);
      } else if (a->status == "TRIGGERED") {
        e.kind = EventKind::kOrderTriggered;
        e.order_status = OrderStatus::kTriggered;
        Push(e);
      } else if (a->status == "CANCELED") {
        e.kind = EventKind::kOrderCanceled;
        e.order_status = OrderStatus::kCanceled;
        Push(e);
        open_orders_.erase(a->client_algo_id);
      } else if (a->status == "EXPIRED" || a->status == "REJECTED") {
        e.kind = EventKind::kOrderExpired;
        e.order_status = OrderStatus::kExpired;
        if (a->reject_reason.find("ReduceOnly") != std::string::npos) e.reason = RejectReason::kReduceOnlyRejected;
        Push(e);
        open_orders_.erase(a->client_algo_id);
      } else if (a->status == "FINISHED") {
        open_orders_.erase(a->client_algo_id);
      }
    } else if (const auto* acct = std::get_if<AccountUpdate>(&*parsed)) {
      const UnixMs t = acct->transaction_time != 0 ? acct->transaction_time : acct->event_time;
      for (const auto& b : acct->balances) {
        if (b.asset == "USDT") last_wallet_ = b.wallet_balance;
        if (acct->reason == "FUNDING_FEE" && !b.balance_change.IsZero()) {
          ExecutionEvent e;
          e.kind = EventKind::kFundingPaid;
          e.time = t;
          e.funding = b.balance_change;
          Push(e);
        }
      }
      for (const auto& p : acct->positions) {
        if (!p.position_side.empty() && p.position_side != "BOTH") continue;
        const Quantity before = positions_.count(p.symbol) ? positions_[p.symbol] : Quantity();
        if (before == p.position_amt) continue;
        positions_[p.symbol] = p.position_amt;
        ExecutionEvent e;
        e.kind = EventKind::kPositionChanged;
        e.time = t;
        e.symbol = p.symbol;
        e.position_after = p.position_amt;
        e.entry_after = p.entry_price;
        Push(e);
        if (p.position_amt.IsZero() && !before.IsZero()) flat_symbols.emplace_back(p.symbol, t);
      }
    } else if (std::holds_alternative<ListenKeyExpired>(*parsed)) {
      listen_key_.clear();
    }
  }
  if (std::holds_alternative<ListenKeyExpired>(*parsed)) {
    RenewListenKey();
    if (ws_) ws_->SetUrl(UserStreamUrl(CurrentListenKey()), true);
  }
  for (const auto& [symbol, t] : flat_symbols) CancelClosingOrders(symbol, t);
}

// The bracket rule: a flat position leaves no reduce-only / closePosition order behind (an
// orphan stop would otherwise close the next position, nofx#1194).
void BinanceExchange::CancelClosingOrders(const std::string& symbol, UnixMs flat_at) {
  auto open = OpenOrdersOf(symbol, true, true);
  if (!open.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    drifts_.push_back(DriftReport{rest_->ServerNowMs(), symbol + " flat but its closing orders could not be listed: " +
                                                            open.status().message()});
    ++dropped_;
    return;
  }
  for (const auto& o : *open) {
    if (!o.reduce_only && !o.close_position) continue;
    if (o.created_at > flat_at) continue;  // placed after the close: it protects a new position
    Params p;
    if (IsConditional(o.type)) {
      p.Add("clientAlgoId", o.client_id.value());
      (void)Call("DELETE", "/fapi/v1/algoOrder", std::move(p), Security::kSigned, 1, false, true);
    } else {
      p.Add("symbol", symbol).Add("origClientOrderId", o.client_id.value());
      (void)Call("DELETE", "/fapi/v1/order", std::move(p), Security::kSigned, 1, false, true);
    }
  }
}

// ------------------------------------------------------------------------ reconciliation

void BinanceExchange::Expect(const std::vector<Position>& positions, const std::vector<Order>& open_orders) {
  std::lock_guard<std::mutex> lock(mu_);
  positions_.clear();
  for (const auto& p : positions) positions_[p.symbol] = p.quantity;
  open_orders_.clear();
  reported_filled_.clear();
  for (const auto& o : open_orders) {
    open_orders_[o.client_id.value()] = o;
    reported_filled_[o.client_id.value()] = o.filled_quantity;  // what the store recorded
    known_[o.client_id.value()] =
        Known{IsConditional(o.type) ? Kind::kAlgo : Kind::kRegular, o.symbol, o.reduce_only || o.close_position};
  }
}

Status BinanceExchange::ReconcileWith(const std::vector<Position>& expected_positions,
                                      const std::vector<Order>& expected_open_orders) {
  Expect(expected_positions, expected_open_orders);
  return Reconcile();
}

Status BinanceExchange::Reconcile() {
  AITRADER_ASSIGN_OR_RETURN(std::vector<Order> venue_open, OpenOrdersOf("", true, true));
  AITRADER_ASSIGN_OR_RETURN(std::vector<Position> venue_positions, FetchPositions());
  AITRADER_ASSIGN_OR_RETURN(Balance balance, FetchBalance());
  std::map<std::string, Order> known_open;
  std::map<std::string, Quantity> known_positions, reported;
  std::optional<Money> known_wallet;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known_open = open_orders_;
    reported = reported_filled_;
    known_positions = positions_;
    known_wallet = last_wallet_;
  }
  std::vector<DriftReport> drifts;
  std::vector<ExecutionEvent> ends;    // of orders that vanished from the venue's open list
  std::vector<ExecutionEvent> events;  // position changes
  std::vector<std::string> flat;
  const UnixMs now = rest_->ServerNowMs();
  std::set<std::string> venue_ids;
  for (const auto& o : venue_open) venue_ids.insert(o.client_id.value());
  std::map<std::string, Position> venue_pos;
  for (const auto& p : venue_positions) venue_pos[p.symbol] = p;
  // Orders we thought open that the venue no longer lists: what became of them?
  for (const auto& [cid, o] : known_open) {
    if (venue_ids.count(cid)) continue;
    const bool algo = IsConditional(o.type);
    std::string actual;
    auto now_order = algo ? LookupAlgo(cid, &actual) : Lookup(o.symbol, cid, Kind::kRegular);
    ExecutionEvent e;
    e.time = now;
    e.symbol = o.symbol;
    e.client_id = o.client_id;
    e.side = o.side;
    if (!now_order.ok()) {
      drifts.push_back({now, "order " + cid + " vanished from the venue: " + now_order.status().message()});
      continue;
    }
    e.order_id = now_order->id;
    e.order_status = now_order->status;
    switch (now_order->status) {
      case OrderStatus::kFilled: {
        e.kind = EventKind::kOrderFilled;
        // Only what was not reported yet (the order may have filled partly while observed).
        const Quantity before = reported.count(cid) ? reported.at(cid) : Quantity();
        const Quantity total = now_order->filled_quantity.IsZero() ? now_order->quantity : now_order->filled_quantity;
        e.quantity = total > before ? total - before : Quantity();
        e.price = now_order->average_price.IsZero() ? now_order->stop_price : now_order->average_price;
        if (auto vp = venue_pos.find(o.symbol); vp != venue_pos.end()) {
          e.position_after = vp->second.quantity;
          e.entry_after = vp->second.entry_price;
        }
        if (now_order->updated_at > 0) e.time = now_order->updated_at;
        // The fills themselves: what the order traded at, cost and realized.
        const std::int64_t traded_id = algo ? std::atoll(actual.c_str()) : now_order->id.value();
        auto fills = traded_id > 0 ? FillsOf(o.symbol, traded_id, now_order->updated_at, before)
                                   : Result<FillTotals>(NotFound("no order id to read its fills by"));
        Result<Price> average = fills.ok() ? CheckedAveragePrice(fills->notional, fills->quantity)
                                           : Result<Price>(fills.status());
        if (average.ok()) {
          e.quantity = fills->quantity;
          e.price = *average;
          e.fee = fills->fee;
          e.realized_pnl = fills->realized_pnl;
          e.time = fills->last_time;
          e.trade_id = fills->last_trade_id;
          e.liquidity = fills->all_maker ? Liquidity::kMaker : Liquidity::kTaker;
          if (!fills->other_fee.empty()) {
            drifts.push_back({now, "order " + cid + " paid commission in another asset (" + fills->other_fee +
                                       "); not counted in its fee"});
          }
        } else {
          drifts.push_back({now, "order " + cid + " filled while unobserved; its fee and realized PnL are unknown (" +
                                     (fills.ok() && !fills->quantity.IsPositive() ? std::string("no fills listed")
                                                                                  : average.status().message()) +
                                     ")"});
        }
        break;
      }
      case OrderStatus::kCanceled: e.kind = EventKind::kOrderCanceled; break;
      default: e.kind = EventKind::kOrderExpired; break;
    }
    ends.push_back(e);
  }
  for (const auto& o : venue_open) {
    if (!known_open.count(o.client_id.value())) {
      drifts.push_back({now, "open order " + o.client_id.value() + " at the venue was not known"});
    }
  }
  std::set<std::string> all_symbols;
  for (const auto& [s, q] : known_positions) all_symbols.insert(s);
  for (const auto& [s, p] : venue_pos) all_symbols.insert(s);
  for (const auto& s : all_symbols) {
    const Quantity venue_q = venue_pos.count(s) ? venue_pos[s].quantity : Quantity();
    const Quantity known_q = known_positions.count(s) ? known_positions[s] : Quantity();
    if (venue_q == known_q) continue;
    ExecutionEvent e;
    e.kind = EventKind::kPositionChanged;
    e.time = now;
    e.symbol = s;
    e.position_after = venue_q;
    e.entry_after = venue_pos.count(s) ? venue_pos[s].entry_price : Price();
    events.push_back(e);
    drifts.push_back({now, s + " position " + venue_q.ToString() + " at the venue, " + known_q.ToString() + " known"});
    if (venue_q.IsZero()) flat.push_back(s);
  }
  if (known_wallet && *known_wallet != balance.wallet_balance) {
    drifts.push_back({now, "wallet " + balance.wallet_balance.ToString() + " at the venue, " + known_wallet->ToString() + " known"});
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& e : ends) {
      const std::string& cid = e.client_id.value();
      // Ended by the stream's own events while the venue was being read: already emitted.
      if (!open_orders_.count(cid)) continue;
      Push(e);
      NoteEndedByReconcile(cid);
      drifts.push_back({now, "order " + cid + " ended as " + std::string(ToString(e.order_status)) + " while unobserved"});
    }
    for (auto& e : events) Push(e);
    if (!drifts.empty()) ++dropped_;  // one kEventsDropped: the bot re-reads the venue
    for (auto& d : drifts) drifts_.push_back(d);
    open_orders_.clear();
    // Of the orders still open, what the venue filled is accounted for now (reported fills, or
    // the position change just emitted); the ended ones are forgotten.
    std::map<std::string, Quantity> still_reported;
    for (const auto& o : venue_open) {
      open_orders_[o.client_id.value()] = o;
      known_[o.client_id.value()] = Known{IsConditional(o.type) ? Kind::kAlgo : Kind::kRegular, o.symbol,
                                          o.reduce_only || o.close_position};
      Quantity r = o.filled_quantity;
      if (auto it = reported_filled_.find(o.client_id.value()); it != reported_filled_.end()) r = std::max(r, it->second);
      still_reported[o.client_id.value()] = r;
    }
    reported_filled_.swap(still_reported);
    positions_.clear();
    for (const auto& [s, p] : venue_pos) positions_[s] = p.quantity;
    last_wallet_ = balance.wallet_balance;
    ++reconciles_;
  }
  for (const auto& s : flat) CancelClosingOrders(s, now);
  return Status::Ok();
}

}  // namespace aitrader::exchange::binance
