#include "exchange/binance/wire.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace aitrader::exchange::binance {
namespace json = boost::json;

namespace {

Status Bad(std::string_view what, std::string_view detail) {
  return ParseError(std::string(what) + ": " + std::string(detail));
}

Result<json::value> ParseJson(std::string_view body, std::string_view what) {
  if (body.size() > kMaxBodyBytes) return Bad(what, "body of " + std::to_string(body.size()) + " bytes is too large");
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Bad(what, "not JSON (" + ec.message() + ")");
  return v;
}

// Reads the fields of one JSON object; the first error is kept and reported with context.
class Reader {
 public:
  Reader(const json::object& o, std::string ctx) : o_(o), ctx_(std::move(ctx)) {}

  bool ok() const { return error_.ok(); }
  Status status() const { return error_; }
  const json::object& object() const { return o_; }
  bool Has(std::string_view k) const { return o_.contains(k); }

  std::string Str(std::string_view k, bool required = true) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(k, "missing");
      return {};
    }
    if (const json::string* s = v->if_string()) return std::string(s->data(), s->size());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    Fail(k, "not a string");
    return {};
  }

  std::int64_t Int(std::string_view k, bool required = true) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(k, "missing");
      return 0;
    }
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->as_uint64());
    }
    if (const json::string* s = v->if_string()) {  // "E":"1700000000000" (go-binance#510)
      std::int64_t out = 0;
      if (ParseInt(std::string_view(s->data(), s->size()), &out)) return out;
    }
    Fail(k, "not an integer");
    return 0;
  }

  bool Bool(std::string_view k, bool required = true) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(k, "missing");
      return false;
    }
    if (v->is_bool()) return v->as_bool();
    if (const json::string* s = v->if_string()) {  // "isAutoAddMargin":"false"
      if (*s == "true") return true;
      if (*s == "false") return false;
    }
    Fail(k, "not a boolean");
    return false;
  }

  // A decimal sent as a string (exact), an integer, or (leverage brackets) a JSON double.
  template <class F>
  F Dec(std::string_view k, bool required = true) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(k, "missing");
      return F();
    }
    if (const json::string* s = v->if_string()) {
      std::string_view text(s->data(), s->size());
      if (text.empty() || text == "null") return F();
      auto r = F::Parse(text);
      if (!r.ok()) {
        Fail(k, "not a decimal: \"" + std::string(text.substr(0, 40)) + "\" (" + r.status().message() + ")");
        return F();
      }
      return *r;
    }
    if (v->is_int64()) {
      std::int64_t raw = 0;
      if (__builtin_mul_overflow(v->as_int64(), kFixedScale, &raw)) {
        Fail(k, "out of range");
        return F();
      }
      return F::FromRaw(raw);
    }
    if (v->is_double()) {
      auto r = F::FromDouble(v->as_double(), Rounding::kHalfEven);
      if (!r.ok()) {
        Fail(k, "out of range");
        return F();
      }
      return *r;
    }
    Fail(k, "not a decimal");
    return F();
  }

  const json::array* Arr(std::string_view k, bool required = true) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || !v->is_array()) {
      if (required) Fail(k, v == nullptr ? "missing" : "not an array");
      return nullptr;
    }
    return &v->as_array();
  }
  const json::object* Obj(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (v == nullptr || !v->is_object()) {
      Fail(k, v == nullptr ? "missing" : "not an object");
      return nullptr;
    }
    return &v->as_object();
  }

  void Fail(std::string_view k, std::string detail) {
    if (error_.ok()) error_ = ParseError(ctx_ + ": field '" + std::string(k) + "': " + detail);
  }

  static bool ParseInt(std::string_view s, std::int64_t* out) {
    if (s.empty() || s.size() > 19) return false;
    std::int64_t v = 0;
    bool neg = false;
    std::size_t i = 0;
    if (s[0] == '-') {
      neg = true;
      i = 1;
      if (s.size() == 1) return false;
    }
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
  }

 private:
  const json::object& o_;
  std::string ctx_;
  Status error_;
};

// Applies fn(Reader&) to each object of an array body.
template <class T, class Fn>
Result<std::vector<T>> ParseArrayOf(std::string_view body, std::string_view what, Fn fn) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, what));
  const json::array* a = v.if_array();
  if (a == nullptr) {
    // A venue error body where a list was expected says more than "not an array".
    if (v.is_object() && v.as_object().contains("code")) {
      Reader r(v.as_object(), std::string(what));
      return Bad(what, "error body [" + std::to_string(r.Int("code", false)) + "] " + r.Str("msg", false));
    }
    return Bad(what, "not an array");
  }
  std::vector<T> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json::object* o = (*a)[i].if_object();
    if (o == nullptr) return Bad(what, "element " + std::to_string(i) + " is not an object");
    Reader r(*o, std::string(what) + "[" + std::to_string(i) + "]");
    T t = fn(r);
    if (!r.ok()) return r.status();
    out.push_back(std::move(t));
  }
  return out;
}

template <class T, class Fn>
Result<T> ParseObjectOf(std::string_view body, std::string_view what, Fn fn) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, what));
  const json::object* o = v.if_object();
  if (o == nullptr) return Bad(what, "not an object");
  Reader r(*o, std::string(what));
  T t = fn(r);
  if (!r.ok()) return r.status();
  return t;
}

OrderDto ReadOrder(Reader& r) {
  OrderDto o;
  o.order_id = r.Int("orderId");
  o.client_order_id = r.Str("clientOrderId");
  o.symbol = r.Str("symbol");
  o.status = r.Str("status");
  o.type = r.Str("type");
  o.orig_type = r.Str("origType", false);
  o.side = r.Str("side");
  o.position_side = r.Str("positionSide", false);
  o.time_in_force = r.Str("timeInForce", false);
  o.working_type = r.Str("workingType", false);
  o.price = r.Dec<Price>("price", false);
  o.avg_price = r.Dec<Price>("avgPrice", false);
  o.stop_price = r.Dec<Price>("stopPrice", false);
  o.orig_qty = r.Dec<Quantity>("origQty");
  o.executed_qty = r.Dec<Quantity>("executedQty", false);
  o.cum_quote = r.Dec<Money>("cumQuote", false);
  o.reduce_only = r.Bool("reduceOnly", false);
  o.close_position = r.Bool("closePosition", false);
  o.time = r.Int("time", false);
  o.update_time = r.Int("updateTime", false);
  return o;
}

AlgoOrderDto ReadAlgoOrder(Reader& r) {
  AlgoOrderDto o;
  o.algo_id = r.Int("algoId");
  o.client_algo_id = r.Str("clientAlgoId");
  o.algo_type = r.Str("algoType", false);
  o.order_type = r.Has("orderType") ? r.Str("orderType") : r.Str("type");
  o.symbol = r.Str("symbol");
  o.side = r.Str("side");
  o.position_side = r.Str("positionSide", false);
  o.time_in_force = r.Str("timeInForce", false);
  o.algo_status = r.Str("algoStatus");
  o.working_type = r.Str("workingType", false);
  o.actual_order_id = r.Str("actualOrderId", false);
  o.quantity = r.Dec<Quantity>("quantity", false);
  o.trigger_price = r.Dec<Price>("triggerPrice", false);
  o.price = r.Dec<Price>("price", false);
  o.reduce_only = r.Bool("reduceOnly", false);
  o.close_position = r.Bool("closePosition", false);
  o.price_protect = r.Bool("priceProtect", false);
  o.create_time = r.Int("createTime", false);
  o.update_time = r.Int("updateTime", false);
  o.trigger_time = r.Int("triggerTime", false);
  return o;
}

Kline ReadKlineArray(const json::array& a, std::size_t i, Status* err) {
  Kline k;
  auto fail = [&](std::string d) {
    if (err->ok()) *err = ParseError("klines[" + std::to_string(i) + "]: " + d);
  };
  if (a.size() < 11) {
    fail("has " + std::to_string(a.size()) + " fields, expected 12");
    return k;
  }
  auto integer = [&](std::size_t j) -> std::int64_t {
    if (a[j].is_int64()) return a[j].as_int64();
    if (a[j].is_uint64()) return static_cast<std::int64_t>(a[j].as_uint64());
    fail("field " + std::to_string(j) + " is not an integer");
    return 0;
  };
  auto price = [&](std::size_t j) -> Price {
    const json::string* s = a[j].if_string();
    if (s == nullptr) {
      fail("field " + std::to_string(j) + " is not a string");
      return Price();
    }
    auto p = Price::Parse(std::string_view(s->data(), s->size()));
    if (!p.ok()) {
      fail("field " + std::to_string(j) + ": " + p.status().message());
      return Price();
    }
    return *p;
  };
  auto stat = [&](std::size_t j) -> double {
    const json::string* s = a[j].if_string();
    if (s == nullptr) {
      fail("field " + std::to_string(j) + " is not a string");
      return 0;
    }
    std::string text(s->data(), s->size());
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(d)) fail("field " + std::to_string(j) + " is not a number");
    return d;
  };
  k.open_time = integer(0);
  k.open = price(1);
  k.high = price(2);
  k.low = price(3);
  k.close = price(4);
  k.volume = stat(5);
  k.close_time = integer(6);
  k.quote_volume = stat(7);
  k.trades = integer(8);
  if (err->ok() && (k.high < k.low || k.high < k.open || k.high < k.close || k.low > k.open || k.low > k.close)) {
    fail("high/low do not bound open/close");
  }
  return k;
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<ApiError> ParseApiError(std::string_view body) {
  return ParseObjectOf<ApiError>(body, "error body", [](Reader& r) {
    ApiError e;
    e.code = static_cast<int>(r.Int("code"));
    e.msg = r.Str("msg", false);
    return e;
  });
}

UnixMs RateLimitRule::WindowMs() const {
  UnixMs unit = 0;
  if (interval == "SECOND") unit = 1000;
  else if (interval == "MINUTE") unit = 60'000;
  else if (interval == "HOUR") unit = 3'600'000;
  else if (interval == "DAY") unit = 86'400'000;
  return unit * interval_num;
}

const SymbolInfo* ExchangeInfo::Find(std::string_view symbol) const {
  for (const auto& s : symbols) {
    if (s.symbol == symbol) return &s;
  }
  return nullptr;
}

Result<ExchangeInfo> ParseExchangeInfo(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, "exchangeInfo"));
  const json::object* root = v.if_object();
  if (root == nullptr) return Bad("exchangeInfo", "not an object");
  Reader r(*root, "exchangeInfo");
  ExchangeInfo info;
  info.server_time = r.Int("serverTime", false);
  if (const json::array* limits = r.Arr("rateLimits", false)) {
    for (std::size_t i = 0; i < limits->size(); ++i) {
      const json::object* o = (*limits)[i].if_object();
      if (o == nullptr) return Bad("exchangeInfo", "rateLimits[" + std::to_string(i) + "] is not an object");
      Reader lr(*o, "exchangeInfo.rateLimits[" + std::to_string(i) + "]");
      RateLimitRule rule{lr.Str("rateLimitType"), lr.Str("interval"), static_cast<int>(lr.Int("intervalNum")),
                         lr.Int("limit")};
      if (!lr.ok()) return lr.status();
      info.rate_limits.push_back(std::move(rule));
    }
  }
  const json::array* symbols = r.Arr("symbols");
  if (!r.ok()) return r.status();
  for (std::size_t i = 0; i < symbols->size(); ++i) {
    const json::object* o = (*symbols)[i].if_object();
    const std::string ctx = "exchangeInfo.symbols[" + std::to_string(i) + "]";
    if (o == nullptr) return Bad(ctx, "not an object");
    Reader sr(*o, ctx);
    SymbolInfo s;
    s.symbol = sr.Str("symbol");
    s.pair = sr.Str("pair", false);
    s.contract_type = sr.Str("contractType", false);
    s.status = sr.Str("status");
    s.base_asset = sr.Str("baseAsset");
    s.quote_asset = sr.Str("quoteAsset");
    s.margin_asset = sr.Str("marginAsset", false);
    s.price_precision = static_cast<int>(sr.Int("pricePrecision", false));
    s.quantity_precision = static_cast<int>(sr.Int("quantityPrecision", false));
    s.liquidation_fee = sr.Dec<Ratio>("liquidationFee", false);
    s.maint_margin_percent = sr.Dec<Ratio>("maintMarginPercent", false);
    s.required_margin_percent = sr.Dec<Ratio>("requiredMarginPercent", false);
    s.market_take_bound = sr.Dec<Ratio>("marketTakeBound", false);
    if (const json::array* types = sr.Arr("orderTypes", false)) {
      for (const auto& t : *types) {
        if (t.is_string()) s.order_types.emplace_back(t.as_string().c_str());
      }
    }
    const json::array* filters = sr.Arr("filters");
    if (!sr.ok()) return sr.status();
    bool have_price = false, have_lot = false;
    for (std::size_t j = 0; j < filters->size(); ++j) {
      const json::object* fo = (*filters)[j].if_object();
      const std::string fctx = ctx + " " + s.symbol + ".filters[" + std::to_string(j) + "]";
      if (fo == nullptr) return Bad(fctx, "not an object");
      Reader fr(*fo, fctx);
      const std::string type = fr.Str("filterType");
      if (type == "PRICE_FILTER") {
        s.tick_size = fr.Dec<Price>("tickSize");
        s.min_price = fr.Dec<Price>("minPrice", false);
        s.max_price = fr.Dec<Price>("maxPrice", false);
        have_price = true;
      } else if (type == "LOT_SIZE") {
        s.step_size = fr.Dec<Quantity>("stepSize");
        s.min_qty = fr.Dec<Quantity>("minQty");
        s.max_qty = fr.Dec<Quantity>("maxQty");
        have_lot = true;
      } else if (type == "MARKET_LOT_SIZE") {
        s.market_step_size = fr.Dec<Quantity>("stepSize");
        s.market_min_qty = fr.Dec<Quantity>("minQty");
        s.market_max_qty = fr.Dec<Quantity>("maxQty");
      } else if (type == "MIN_NOTIONAL") {
        s.min_notional = fr.Dec<Money>("notional");
      } else if (type == "PERCENT_PRICE") {
        s.multiplier_up = fr.Dec<Ratio>("multiplierUp");
        s.multiplier_down = fr.Dec<Ratio>("multiplierDown");
      } else if (type == "MAX_NUM_ORDERS") {
        s.max_num_orders = static_cast<int>(fr.Int("limit"));
      } else if (type == "MAX_NUM_ALGO_ORDERS") {
        s.max_num_algo_orders = static_cast<int>(fr.Int("limit"));
      }
      if (!fr.ok()) return fr.status();
    }
    if (!have_price || !s.tick_size.IsPositive()) return Bad(ctx + " " + s.symbol, "no PRICE_FILTER with a positive tickSize");
    if (!have_lot || !s.step_size.IsPositive()) return Bad(ctx + " " + s.symbol, "no LOT_SIZE with a positive stepSize");
    if (s.market_step_size.IsZero()) {
      s.market_step_size = s.step_size;
      s.market_min_qty = s.min_qty;
      s.market_max_qty = s.max_qty;
    }
    info.symbols.push_back(std::move(s));
  }
  return info;
}

Result<std::vector<SymbolBrackets>> ParseLeverageBrackets(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, "leverageBracket"));
  std::vector<const json::object*> items;
  if (v.is_object()) {
    items.push_back(&v.as_object());
  } else if (v.is_array()) {
    for (const auto& e : v.as_array()) {
      if (!e.is_object()) return Bad("leverageBracket", "element is not an object");
      items.push_back(&e.as_object());
    }
  } else {
    return Bad("leverageBracket", "neither an object nor an array");
  }
  std::vector<SymbolBrackets> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Reader r(*items[i], "leverageBracket[" + std::to_string(i) + "]");
    SymbolBrackets sb;
    sb.symbol = r.Str("symbol");
    const json::array* tiers = r.Arr("brackets");
    if (!r.ok()) return r.status();
    for (std::size_t j = 0; j < tiers->size(); ++j) {
      const json::object* to = (*tiers)[j].if_object();
      if (to == nullptr) return Bad("leverageBracket " + sb.symbol, "tier is not an object");
      Reader tr(*to, "leverageBracket " + sb.symbol + " brackets[" + std::to_string(j) + "]");
      BracketTier t;
      t.bracket = static_cast<int>(tr.Int("bracket"));
      t.initial_leverage = static_cast<int>(tr.Int("initialLeverage"));
      t.notional_cap = tr.Dec<Money>("notionalCap");
      t.notional_floor = tr.Dec<Money>("notionalFloor");
      t.maint_margin_ratio = tr.Dec<Ratio>("maintMarginRatio");
      t.cum = tr.Dec<Money>("cum", false);
      if (!tr.ok()) return tr.status();
      sb.brackets.push_back(t);
    }
    out.push_back(std::move(sb));
  }
  return out;
}

Result<std::vector<Kline>> ParseKlines(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, "klines"));
  const json::array* a = v.if_array();
  if (a == nullptr) return Bad("klines", "not an array");
  std::vector<Kline> out;
  out.reserve(a->size());
  Status err;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json::array* row = (*a)[i].if_array();
    if (row == nullptr) return Bad("klines", "element " + std::to_string(i) + " is not an array");
    Kline k = ReadKlineArray(*row, i, &err);
    if (!err.ok()) return err;
    if (!out.empty() && k.open_time <= out.back().open_time) {
      return Bad("klines", "element " + std::to_string(i) + " is not after the previous one");
    }
    out.push_back(k);
  }
  return out;
}

Result<PremiumIndex> ParsePremiumIndex(std::string_view body) {
  return ParseObjectOf<PremiumIndex>(body, "premiumIndex", [](Reader& r) {
    PremiumIndex p;
    p.symbol = r.Str("symbol");
    p.mark_price = r.Dec<Price>("markPrice");
    p.index_price = r.Dec<Price>("indexPrice", false);
    p.estimated_settle_price = r.Dec<Price>("estimatedSettlePrice", false);
    p.last_funding_rate = r.Dec<Ratio>("lastFundingRate");
    p.interest_rate = r.Dec<Ratio>("interestRate", false);
    p.next_funding_time = r.Int("nextFundingTime");
    p.time = r.Int("time", false);
    return p;
  });
}

Result<std::vector<FundingRateRecord>> ParseFundingRates(std::string_view body) {
  return ParseArrayOf<FundingRateRecord>(body, "fundingRate", [](Reader& r) {
    FundingRateRecord f;
    f.symbol = r.Str("symbol");
    f.funding_rate = r.Dec<Ratio>("fundingRate");
    f.funding_time = r.Int("fundingTime");
    f.mark_price = r.Dec<Price>("markPrice", false);
    return f;
  });
}

Result<OpenInterestDto> ParseOpenInterest(std::string_view body) {
  return ParseObjectOf<OpenInterestDto>(body, "openInterest", [](Reader& r) {
    OpenInterestDto o;
    o.symbol = r.Str("symbol");
    o.open_interest = r.Dec<Quantity>("openInterest");
    o.time = r.Int("time");
    return o;
  });
}

Result<UnixMs> ParseServerTime(std::string_view body) {
  return ParseObjectOf<UnixMs>(body, "time", [](Reader& r) { return r.Int("serverTime"); });
}

Result<OrderDto> ParseOrder(std::string_view body) { return ParseObjectOf<OrderDto>(body, "order", ReadOrder); }
Result<std::vector<OrderDto>> ParseOrders(std::string_view body) {
  return ParseArrayOf<OrderDto>(body, "orders", ReadOrder);
}
Result<AlgoOrderDto> ParseAlgoOrder(std::string_view body) {
  return ParseObjectOf<AlgoOrderDto>(body, "algoOrder", ReadAlgoOrder);
}
Result<std::vector<AlgoOrderDto>> ParseAlgoOrders(std::string_view body) {
  return ParseArrayOf<AlgoOrderDto>(body, "algoOrders", ReadAlgoOrder);
}

namespace {
UserTradeDto ReadUserTrade(Reader& r) {
  UserTradeDto t;
  t.id = r.Int("id");
  t.order_id = r.Int("orderId");
  t.symbol = r.Str("symbol");
  t.side = r.Str("side");
  t.position_side = r.Str("positionSide", false);
  t.price = r.Dec<Price>("price");
  t.qty = r.Dec<Quantity>("qty");
  t.quote_qty = r.Dec<Money>("quoteQty", false);
  t.commission = r.Dec<Money>("commission");
  t.commission_asset = r.Str("commissionAsset");
  t.realized_pnl = r.Dec<Money>("realizedPnl");
  t.buyer = r.Bool("buyer", false);
  t.maker = r.Bool("maker", false);
  t.time = r.Int("time");
  return t;
}
}  // namespace

Result<std::vector<UserTradeDto>> ParseUserTrades(std::string_view body) {
  return ParseArrayOf<UserTradeDto>(body, "userTrades", ReadUserTrade);
}

Result<AccountDto> ParseAccount(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(body, "account"));
  const json::object* o = v.if_object();
  if (o == nullptr) return Bad("account", "not an object");
  Reader r(*o, "account");
  AccountDto a;
  a.total_wallet_balance = r.Dec<Money>("totalWalletBalance");
  a.total_unrealized_profit = r.Dec<Money>("totalUnrealizedProfit");
  a.total_margin_balance = r.Dec<Money>("totalMarginBalance");
  a.total_initial_margin = r.Dec<Money>("totalInitialMargin");
  a.total_maint_margin = r.Dec<Money>("totalMaintMargin");
  a.available_balance = r.Dec<Money>("availableBalance");
  const json::array* assets = r.Arr("assets", false);
  if (!r.ok()) return r.status();
  if (assets != nullptr) {
    for (std::size_t i = 0; i < assets->size(); ++i) {
      const json::object* ao = (*assets)[i].if_object();
      if (ao == nullptr) return Bad("account", "assets[" + std::to_string(i) + "] is not an object");
      Reader ar(*ao, "account.assets[" + std::to_string(i) + "]");
      AccountAsset x;
      x.asset = ar.Str("asset");
      x.wallet_balance = ar.Dec<Money>("walletBalance");
      x.unrealized_profit = ar.Dec<Money>("unrealizedProfit", false);
      x.margin_balance = ar.Dec<Money>("marginBalance", false);
      x.maint_margin = ar.Dec<Money>("maintMargin", false);
      x.initial_margin = ar.Dec<Money>("initialMargin", false);
      x.available_balance = ar.Dec<Money>("availableBalance", false);
      if (!ar.ok()) return ar.status();
      a.assets.push_back(std::move(x));
    }
  }
  return a;
}

Result<std::vector<PositionRiskDto>> ParsePositionRisk(std::string_view body) {
  return ParseArrayOf<PositionRiskDto>(body, "positionRisk", [](Reader& r) {
    PositionRiskDto p;
    p.symbol = r.Str("symbol");
    p.position_side = r.Str("positionSide", false);
    p.margin_type = r.Str("marginType", false);
    p.position_amt = r.Dec<Quantity>("positionAmt");
    p.entry_price = r.Dec<Price>("entryPrice");
    p.break_even_price = r.Dec<Price>("breakEvenPrice", false);
    p.mark_price = r.Dec<Price>("markPrice");
    p.liquidation_price = r.Dec<Price>("liquidationPrice", false);
    p.unrealized_profit = r.Dec<Money>("unRealizedProfit");
    p.isolated_margin = r.Dec<Money>("isolatedMargin", false);
    p.notional = r.Dec<Money>("notional", false);
    p.isolated_wallet = r.Dec<Money>("isolatedWallet", false);
    p.initial_margin = r.Dec<Money>("initialMargin", false);
    p.maint_margin = r.Dec<Money>("maintMargin", false);
    if (r.Has("leverage")) {
      std::int64_t lev = 0;
      const std::string text = r.Str("leverage");
      if (!Reader::ParseInt(text, &lev) || lev < 0 || lev > 1000) r.Fail("leverage", "not a leverage: " + text);
      p.leverage = static_cast<int>(lev);
    }
    p.update_time = r.Int("updateTime", false);
    return p;
  });
}

Result<bool> ParsePositionModeDual(std::string_view body) {
  return ParseObjectOf<bool>(body, "positionSide/dual", [](Reader& r) { return r.Bool("dualSidePosition"); });
}

Result<LeverageDto> ParseLeverage(std::string_view body) {
  return ParseObjectOf<LeverageDto>(body, "leverage", [](Reader& r) {
    LeverageDto l;
    l.symbol = r.Str("symbol");
    l.leverage = static_cast<int>(r.Int("leverage"));
    l.max_notional_value = r.Dec<Money>("maxNotionalValue", false);
    return l;
  });
}

Result<std::string> ParseListenKey(std::string_view body) {
  return ParseObjectOf<std::string>(body, "listenKey", [](Reader& r) {
    std::string k = r.Str("listenKey");
    if (r.ok() && (k.empty() || k.size() > 256)) r.Fail("listenKey", "empty or too long");
    return k;
  });
}

namespace {

// The event object of a raw or combined-stream message.
Result<json::value> EventObject(std::string_view text, std::string_view what) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseJson(text, what));
  if (!v.is_object()) return Bad(what, "not an object");
  if (const json::value* data = v.as_object().if_contains("data"); data != nullptr && v.as_object().contains("stream")) {
    if (!data->is_object()) return Bad(what, "combined-stream data is not an object");
    return json::value(*data);
  }
  return v;
}

}  // namespace

Result<UserDataEvent> ParseUserDataEvent(std::string_view text) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, EventObject(text, "user-data event"));
  Reader r(v.as_object(), "user-data event");
  const std::string name = r.Str("e");
  if (!r.ok()) return r.status();
  if (name == "ORDER_TRADE_UPDATE") {
    OrderTradeUpdate u;
    u.event_time = r.Int("E");
    u.transaction_time = r.Int("T", false);
    const json::object* o = r.Obj("o");
    if (!r.ok()) return r.status();
    Reader x(*o, "ORDER_TRADE_UPDATE.o");
    u.symbol = x.Str("s");
    u.client_order_id = x.Str("c");
    u.side = x.Str("S");
    u.order_type = x.Str("o");
    u.orig_type = x.Str("ot", false);
    u.time_in_force = x.Str("f", false);
    u.orig_qty = x.Dec<Quantity>("q");
    u.price = x.Dec<Price>("p", false);
    u.avg_price = x.Dec<Price>("ap", false);
    u.stop_price = x.Dec<Price>("sp", false);
    u.execution_type = x.Str("x");
    u.status = x.Str("X");
    u.order_id = x.Int("i");
    u.last_filled_qty = x.Dec<Quantity>("l", false);
    u.cum_filled_qty = x.Dec<Quantity>("z", false);
    u.last_filled_price = x.Dec<Price>("L", false);
    u.commission_asset = x.Str("N", false);
    u.commission = x.Dec<Money>("n", false);
    u.trade_id = x.Int("t", false);
    u.maker = x.Bool("m", false);
    u.reduce_only = x.Bool("R", false);
    u.working_type = x.Str("wt", false);
    u.position_side = x.Str("ps", false);
    u.close_position = x.Bool("cp", false);
    u.realized_profit = x.Dec<Money>("rp", false);
    if (!x.ok()) return x.status();
    return UserDataEvent(std::move(u));
  }
  if (name == "ALGO_UPDATE") {
    AlgoUpdate u;
    u.event_time = r.Int("E");
    u.transaction_time = r.Int("T", false);
    const json::object* o = r.Obj("o");
    if (!r.ok()) return r.status();
    Reader x(*o, "ALGO_UPDATE.o");
    u.client_algo_id = x.Str("caid");
    u.algo_id = x.Int("aid");
    u.algo_type = x.Str("at", false);
    u.order_type = x.Str("o");
    u.symbol = x.Str("s");
    u.side = x.Str("S");
    u.position_side = x.Str("ps", false);
    u.quantity = x.Dec<Quantity>("q", false);
    u.status = x.Str("X");
    u.actual_order_id = x.Str("ai", false);
    u.actual_price = x.Dec<Price>("ap", false);
    u.actual_qty = x.Dec<Quantity>("aq", false);
    u.trigger_price = x.Dec<Price>("tp", false);
    u.price = x.Dec<Price>("p", false);
    u.close_position = x.Bool("cp", false);
    u.reduce_only = x.Bool("R", false);
    u.reject_reason = x.Str("rm", false);
    if (!x.ok()) return x.status();
    return UserDataEvent(std::move(u));
  }
  if (name == "ACCOUNT_UPDATE") {
    AccountUpdate u;
    u.event_time = r.Int("E");
    u.transaction_time = r.Int("T", false);
    const json::object* a = r.Obj("a");
    if (!r.ok()) return r.status();
    Reader x(*a, "ACCOUNT_UPDATE.a");
    u.reason = x.Str("m", false);
    const json::array* balances = x.Arr("B", false);
    const json::array* positions = x.Arr("P", false);
    if (!x.ok()) return x.status();
    if (balances != nullptr) {
      for (std::size_t i = 0; i < balances->size(); ++i) {
        const json::object* bo = (*balances)[i].if_object();
        if (bo == nullptr) return Bad("ACCOUNT_UPDATE", "B[" + std::to_string(i) + "] is not an object");
        Reader b(*bo, "ACCOUNT_UPDATE.a.B[" + std::to_string(i) + "]");
        AccountUpdateBalance ub{b.Str("a"), b.Dec<Money>("wb"), b.Dec<Money>("cw", false), b.Dec<Money>("bc", false)};
        if (!b.ok()) return b.status();
        u.balances.push_back(std::move(ub));
      }
    }
    if (positions != nullptr) {
      for (std::size_t i = 0; i < positions->size(); ++i) {
        const json::object* po = (*positions)[i].if_object();
        if (po == nullptr) return Bad("ACCOUNT_UPDATE", "P[" + std::to_string(i) + "] is not an object");
        Reader p(*po, "ACCOUNT_UPDATE.a.P[" + std::to_string(i) + "]");
        AccountUpdatePosition up;
        up.symbol = p.Str("s");
        up.position_amt = p.Dec<Quantity>("pa");
        up.entry_price = p.Dec<Price>("ep", false);
        up.accumulated_realized = p.Dec<Money>("cr", false);
        up.unrealized_pnl = p.Dec<Money>("up", false);
        up.margin_type = p.Str("mt", false);
        up.isolated_wallet = p.Dec<Money>("iw", false);
        up.position_side = p.Str("ps", false);
        if (!p.ok()) return p.status();
        u.positions.push_back(std::move(up));
      }
    }
    return UserDataEvent(std::move(u));
  }
  if (name == "listenKeyExpired") {
    ListenKeyExpired u;
    u.event_time = r.Int("E", false);
    u.listen_key = r.Str("listenKey", false);
    if (!r.ok()) return r.status();
    return UserDataEvent(std::move(u));
  }
  return UserDataEvent(OtherUserEvent{name});
}

Result<MarketEvent> ParseMarketEvent(std::string_view text) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, EventObject(text, "market event"));
  Reader r(v.as_object(), "market event");
  const std::string name = r.Str("e");
  if (!r.ok()) return r.status();
  if (name == "kline") {
    KlineEvent e;
    e.event_time = r.Int("E");
    e.symbol = r.Str("s");
    const json::object* k = r.Obj("k");
    if (!r.ok()) return r.status();
    Reader x(*k, "kline.k");
    e.interval = x.Str("i");
    e.kline.open_time = x.Int("t");
    e.kline.close_time = x.Int("T");
    e.kline.open = x.Dec<Price>("o");
    e.kline.high = x.Dec<Price>("h");
    e.kline.low = x.Dec<Price>("l");
    e.kline.close = x.Dec<Price>("c");
    e.kline.trades = x.Int("n", false);
    e.closed = x.Bool("x");
    const std::string vol = x.Str("v");
    if (!x.ok()) return x.status();
    char* end = nullptr;
    e.kline.volume = std::strtod(vol.c_str(), &end);
    if (end == vol.c_str() || *end != '\0' || !std::isfinite(e.kline.volume)) return Bad("kline.k", "field 'v' is not a number");
    const Kline& kl = e.kline;
    if (kl.high < kl.low || kl.high < kl.open || kl.high < kl.close || kl.low > kl.open || kl.low > kl.close) {
      return Bad("kline.k", "high/low do not bound open/close");
    }
    return MarketEvent(std::move(e));
  }
  if (name == "markPriceUpdate") {
    MarkPriceEvent e;
    e.event_time = r.Int("E");
    e.symbol = r.Str("s");
    e.mark_price = r.Dec<Price>("p");
    e.index_price = r.Dec<Price>("i", false);
    e.funding_rate = r.Dec<Ratio>("r", false);
    e.next_funding_time = r.Int("T", false);
    if (!r.ok()) return r.status();
    return MarketEvent(std::move(e));
  }
  return MarketEvent(OtherMarketEvent{name});
}

int StepDecimals(std::int64_t step_raw) {
  if (step_raw <= 0) return 0;
  int decimals = kFixedDecimals;
  while (decimals > 0 && step_raw % 10 == 0) {
    step_raw /= 10;
    --decimals;
  }
  return decimals;
}

Result<std::string> FormatPrice(Price p, const SymbolInfo& s) {
  if (!s.tick_size.IsPositive()) return InvalidArgument(s.symbol + ": no tick size");
  if (!p.IsMultipleOf(s.tick_size)) {
    return InvalidArgument(s.symbol + ": price " + p.ToString() + " is not a multiple of the tick " + s.tick_size.ToString());
  }
  return p.ToString(StepDecimals(s.tick_size.raw()));
}

Result<std::string> FormatQuantity(Quantity q, const SymbolInfo& s) {
  if (!s.step_size.IsPositive()) return InvalidArgument(s.symbol + ": no step size");
  if (!q.IsMultipleOf(s.step_size)) {
    return InvalidArgument(s.symbol + ": quantity " + q.ToString() + " is not a multiple of the step " + s.step_size.ToString());
  }
  return q.ToString(StepDecimals(s.step_size.raw()));
}

}  // namespace aitrader::exchange::binance
