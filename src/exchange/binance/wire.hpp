// Binance USDⓈ-M futures wire DTOs: the JSON bodies of the REST endpoints and the WebSocket
// events the adapter uses, parsed into typed structs that keep Binance's field meanings
// (conversion to the port's types lives apart, in convert.hpp).
//
// Numbers that Binance sends as strings ("price":"110001.00") are parsed exactly into the
// fixed-point types (core/fixed.hpp): more than nine decimals, junk or overflow is an error.
// The few decimals Binance sends as JSON numbers (leverage brackets: "maintMarginRatio":0.0065)
// are rounded half-even to 1e-9, which recovers the decimal text for every value of at most
// nine decimals. Empty strings ("activatePrice":"") read as zero where Binance uses them for
// "not set".
//
// Every Parse* returns kParseError naming the body kind, the field and (for arrays) the index
// ("order: field 'price': not a decimal: \"1.2.3\""), never aborts, and bounds what it accepts
// (bodies over kMaxBodyBytes are refused).
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::exchange::binance {

inline constexpr std::size_t kMaxBodyBytes = 16u << 20;

// {"code":-1121,"msg":"Invalid symbol."}
struct ApiError {
  int code = 0;
  std::string msg;
};
Result<ApiError> ParseApiError(std::string_view body);

// --- exchangeInfo ---
struct RateLimitRule {
  std::string type;      // REQUEST_WEIGHT, ORDERS, RAW_REQUESTS
  std::string interval;  // SECOND, MINUTE, DAY
  int interval_num = 0;
  std::int64_t limit = 0;
  UnixMs WindowMs() const;  // interval_num × interval length (0 when the interval is unknown)
};

struct SymbolInfo {
  std::string symbol, pair, contract_type, status, base_asset, quote_asset, margin_asset;
  int price_precision = 0, quantity_precision = 0;
  // PRICE_FILTER
  Price tick_size, min_price, max_price;
  // LOT_SIZE and MARKET_LOT_SIZE
  Quantity step_size, min_qty, max_qty;
  Quantity market_step_size, market_min_qty, market_max_qty;
  // MIN_NOTIONAL
  Money min_notional;
  // PERCENT_PRICE: a limit price must lie in [mark × down, mark × up]
  Ratio multiplier_up, multiplier_down;
  int max_num_orders = 0, max_num_algo_orders = 0;
  Ratio liquidation_fee, maint_margin_percent, required_margin_percent, market_take_bound;
  std::vector<std::string> order_types;
};

struct ExchangeInfo {
  UnixMs server_time = 0;
  std::vector<RateLimitRule> rate_limits;
  std::vector<SymbolInfo> symbols;
  const SymbolInfo* Find(std::string_view symbol) const;
};
Result<ExchangeInfo> ParseExchangeInfo(std::string_view body);

// --- leverageBracket ---
struct BracketTier {
  int bracket = 0;
  int initial_leverage = 0;
  Money notional_cap, notional_floor;
  Ratio maint_margin_ratio;
  Money cum;
};
struct SymbolBrackets {
  std::string symbol;
  std::vector<BracketTier> brackets;
};
// Accepts the array (no symbol sent) and the single object (symbol sent).
Result<std::vector<SymbolBrackets>> ParseLeverageBrackets(std::string_view body);

// --- market data ---
struct Kline {
  UnixMs open_time = 0, close_time = 0;
  Price open, high, low, close;
  double volume = 0, quote_volume = 0;  // statistics, not money (see market/candle.hpp)
  std::int64_t trades = 0;
};
Result<std::vector<Kline>> ParseKlines(std::string_view body);

struct PremiumIndex {
  std::string symbol;
  Price mark_price, index_price, estimated_settle_price;
  Ratio last_funding_rate, interest_rate;
  UnixMs next_funding_time = 0, time = 0;
};
Result<PremiumIndex> ParsePremiumIndex(std::string_view body);

struct FundingRateRecord {
  std::string symbol;
  Ratio funding_rate;
  UnixMs funding_time = 0;
  Price mark_price;  // "" in old records: zero
};
Result<std::vector<FundingRateRecord>> ParseFundingRates(std::string_view body);

struct OpenInterestDto {
  std::string symbol;
  Quantity open_interest;
  UnixMs time = 0;
};
Result<OpenInterestDto> ParseOpenInterest(std::string_view body);

Result<UnixMs> ParseServerTime(std::string_view body);  // {"serverTime":...}

// --- orders ---
struct OrderDto {
  std::int64_t order_id = 0;
  std::string client_order_id, symbol, status, type, orig_type, side, position_side, time_in_force,
      working_type;
  Price price, avg_price, stop_price;
  Quantity orig_qty, executed_qty;
  Money cum_quote;  // optional on the wire
  bool reduce_only = false, close_position = false;
  UnixMs time = 0, update_time = 0;
};
Result<OrderDto> ParseOrder(std::string_view body);
Result<std::vector<OrderDto>> ParseOrders(std::string_view body);

struct AlgoOrderDto {
  std::int64_t algo_id = 0;
  std::string client_algo_id, algo_type, order_type, symbol, side, position_side, time_in_force, algo_status,
      working_type, actual_order_id;
  Quantity quantity;
  Price trigger_price, price;
  bool reduce_only = false, close_position = false, price_protect = false;
  UnixMs create_time = 0, update_time = 0, trigger_time = 0;
};
// The order type is "orderType" in a POST answer and "type" in openAlgoOrders; both are read.
Result<AlgoOrderDto> ParseAlgoOrder(std::string_view body);
Result<std::vector<AlgoOrderDto>> ParseAlgoOrders(std::string_view body);

// GET /fapi/v1/userTrades: one fill of the account. commission is what the fill cost (the
// venue's sign: positive paid; a rebate would be negative), in commission_asset.
struct UserTradeDto {
  std::int64_t id = 0, order_id = 0;
  std::string symbol, side, position_side, commission_asset;
  Price price;
  Quantity qty;
  Money quote_qty, commission, realized_pnl;
  bool buyer = false, maker = false;
  UnixMs time = 0;
};
Result<std::vector<UserTradeDto>> ParseUserTrades(std::string_view body);

// --- account ---
struct AccountAsset {
  std::string asset;
  Money wallet_balance, unrealized_profit, margin_balance, maint_margin, initial_margin, available_balance;
};
struct AccountDto {
  Money total_wallet_balance, total_unrealized_profit, total_margin_balance, total_initial_margin,
      total_maint_margin, available_balance;
  std::vector<AccountAsset> assets;
};
Result<AccountDto> ParseAccount(std::string_view body);

struct PositionRiskDto {
  std::string symbol, position_side, margin_type;  // margin_type "cross"/"isolated" (v2 only)
  Quantity position_amt;                           // signed
  Price entry_price, break_even_price, mark_price, liquidation_price;
  Money unrealized_profit, isolated_margin, notional, isolated_wallet, initial_margin, maint_margin;
  int leverage = 0;  // v2 only ("20"); 0 when absent
  UnixMs update_time = 0;
};
Result<std::vector<PositionRiskDto>> ParsePositionRisk(std::string_view body);

Result<bool> ParsePositionModeDual(std::string_view body);  // {"dualSidePosition":false}

struct LeverageDto {
  std::string symbol;
  int leverage = 0;
  Money max_notional_value;
};
Result<LeverageDto> ParseLeverage(std::string_view body);

Result<std::string> ParseListenKey(std::string_view body);  // {"listenKey":"..."}

// --- user-data stream events ---
struct OrderTradeUpdate {
  UnixMs event_time = 0, transaction_time = 0;
  std::string symbol, client_order_id, side, order_type, orig_type, time_in_force, execution_type, status,
      position_side, working_type, commission_asset;
  std::int64_t order_id = 0, trade_id = 0;
  Quantity orig_qty, last_filled_qty, cum_filled_qty;
  Price price, avg_price, stop_price, last_filled_price;
  Money commission, realized_profit;
  bool maker = false, reduce_only = false, close_position = false;
};
struct AlgoUpdate {
  UnixMs event_time = 0, transaction_time = 0;
  std::string client_algo_id, algo_type, order_type, symbol, side, position_side, status, actual_order_id,
      reject_reason;
  std::int64_t algo_id = 0;
  Quantity quantity, actual_qty;
  Price trigger_price, price, actual_price;
  bool close_position = false, reduce_only = false;
};
struct AccountUpdateBalance {
  std::string asset;
  Money wallet_balance, cross_wallet_balance, balance_change;
};
struct AccountUpdatePosition {
  std::string symbol, position_side, margin_type;
  Quantity position_amt;
  Price entry_price;
  Money accumulated_realized, unrealized_pnl, isolated_wallet;
};
struct AccountUpdate {
  UnixMs event_time = 0, transaction_time = 0;
  std::string reason;  // "m": ORDER, FUNDING_FEE, DEPOSIT, ...
  std::vector<AccountUpdateBalance> balances;
  std::vector<AccountUpdatePosition> positions;
};
struct ListenKeyExpired {
  UnixMs event_time = 0;
  std::string listen_key;
};
// Another event the adapter does not use (TRADE_LITE, MARGIN_CALL, ...): its name only.
struct OtherUserEvent {
  std::string name;
};
using UserDataEvent = std::variant<OrderTradeUpdate, AlgoUpdate, AccountUpdate, ListenKeyExpired, OtherUserEvent>;
// One user-data message, raw or wrapped in the combined-stream envelope {"stream":..,"data":..}.
// "E" may arrive as a string (go-binance#510) and is read either way.
Result<UserDataEvent> ParseUserDataEvent(std::string_view text);

// --- market streams ---
struct KlineEvent {
  UnixMs event_time = 0;
  std::string symbol, interval;
  Kline kline;
  bool closed = false;
};
struct MarkPriceEvent {
  UnixMs event_time = 0;
  std::string symbol;
  Price mark_price, index_price;
  Ratio funding_rate;
  UnixMs next_funding_time = 0;
};
struct OtherMarketEvent {
  std::string name;
};
using MarketEvent = std::variant<KlineEvent, MarkPriceEvent, OtherMarketEvent>;
Result<MarketEvent> ParseMarketEvent(std::string_view text);

// --- formatting at the symbol's precision (no -1111) ---
// The decimal text of p with the tick's number of decimals. kInvalidArgument when p is not a
// multiple of the tick (the caller rounds first, with the rounding it means).
Result<std::string> FormatPrice(Price p, const SymbolInfo& s);
Result<std::string> FormatQuantity(Quantity q, const SymbolInfo& s);
// Decimals of a step ("0.10" → 1, "1" → 0).
int StepDecimals(std::int64_t step_raw);

}  // namespace aitrader::exchange::binance
