// FakeBinance: a local Binance USDⓈ-M futures venue for tests, on loopback (ephemeral port).
//
// REST (the subset the adapter uses, futures_rest_spec.md): time, exchangeInfo, klines,
// premiumIndex, fundingRate, openInterest, leverageBracket, positionSide/dual (GET/POST),
// leverage, marginType, order (POST/GET/DELETE), openOrders, allOpenOrders, algoOrder
// (POST/GET/DELETE), openAlgoOrders, algoOpenOrders, v2/v3 account, v2/v3 positionRisk,
// listenKey (POST/PUT/DELETE). WebSocket: user data at /private/ws?listenKey=K (and /ws/K);
// market streams at /market/stream?streams=a/b, /stream?streams=a/b and /market/ws/<stream>.
//
// As Binance does: X-MBX-APIKEY and the signature over query ‖ body (-2014/-2015, -1022) —
// HMAC-SHA256 for options.api_key, RSASSA-PKCS1-v1_5/SHA-256 or Ed25519 (base64, after the
// parameters' percent-decoding) for keys added with RegisterApiKey — the
// timestamp rule timestamp < server + 1000 && server − timestamp <= recvWindow (-1021), filters
// (-1111 precision, -4014 tick, -4023 step, -4004/-4005 quantity, -4164 notional unless reduce
// only, -4016/-4024 PERCENT_PRICE band, -2019 margin, -2022 reduce only, -4061 position side,
// -4120 conditional types on /order, -2021 would trigger, -1106 reduceOnly with closePosition,
// -4116 duplicate client id among open orders, -2013/-2011 unknown order), IP weight per
// minute and order counts per 10 s / minute (429 -1003 / -1015 with Retry-After, then 418 for
// a client that keeps sending), and the X-MBX-USED-WEIGHT-1M / X-MBX-ORDER-COUNT-* headers.
//
// Market: CloseCandle() appends a closed candle and walks it (open → low/high → close) as the
// mark price: resting LIMIT orders fill at their price (maker), conditional orders trigger at
// their trigger price and fill there (taker); then the candle and the mark price are pushed to
// market-stream subscribers. Every order change pushes ORDER_TRADE_UPDATE / ALGO_UPDATE and
// ACCOUNT_UPDATE on the user-data stream. Like Binance, the fake never cancels a closePosition
// or reduce-only conditional order when the position goes flat (the adapter must).
//
// Faults (PushFault, each consumed by the next request on its path): 503 "Unknown error" after
// accepting, -1007 after accepting, a slow answer after accepting (the client times out), a
// slow answer without accepting, -1021 once, 429 / 418 with Retry-After, 503 "Service
// Unavailable." Also: DropWebSockets(), ExpireListenKeys(), SetServerSkewMs().
//
// The server's time is the injected clock plus the skew. Triggered orders' fills use the
// conditional order's client id as the fill's client order id (Binance gives the triggered
// order its own id; the ALGO_UPDATE "ai" field links them, and the fake sets it too).
// Thread safety: all public methods may be called from any thread while the server runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/fixed.hpp"
#include "core/status.hpp"
#include "market/candle.hpp"

namespace aitrader::testing {

struct FakeSymbolSpec {
  std::string symbol = "BTCUSDT";
  std::string base = "BTC";
  Price tick_size = *Price::Parse("0.1");
  Quantity step_size = *Quantity::Parse("0.001");
  Quantity min_qty = *Quantity::Parse("0.001");
  Quantity max_qty = *Quantity::Parse("1000");
  Money min_notional = *Money::Parse("100");
  Ratio multiplier_up = *Ratio::Parse("1.05");
  Ratio multiplier_down = *Ratio::Parse("0.95");
  int max_algo_orders = 10;
  Price initial_mark = *Price::Parse("50000");
  Ratio funding_rate = *Ratio::Parse("0.0001");
};

struct FakeBinanceOptions {
  std::string api_key = "fake-api-key-0123456789";
  std::string api_secret = "fake-api-secret-abcdef";
  std::vector<FakeSymbolSpec> symbols = {FakeSymbolSpec{}};
  Money wallet = Money::FromUnits(10'000);
  Ratio taker_fee = *Ratio::Parse("0.0004");
  Ratio maker_fee = *Ratio::Parse("0.0002");
  std::int64_t weight_limit_1m = 2400;
  std::int64_t order_limit_10s = 300;
  std::int64_t order_limit_1m = 1200;
  std::int64_t kline_interval_ms = 60'000;  // the interval CloseCandle's candles have
  std::uint16_t port = 0;                   // 0: an ephemeral port
};

enum class FakeFault {
  kUnknown503AfterAccept,  // processes the request, answers 503 "Unknown error, ..."
  k1007AfterAccept,        // processes, answers 408 {"code":-1007,...}
  kSlowAfterAccept,        // processes, answers after delay_ms
  kSlowNotAccepted,        // answers after delay_ms, without processing (then 503 Service Unavailable)
  k1021,                   // answers -1021 without processing
  k429,                    // 429 {"code":-1003} with Retry-After: retry_after_s
  k418,                    // 418 with Retry-After: retry_after_s
  k503Unavailable,         // 503 "Service Unavailable." without processing
};

struct FakeFaultSpec {
  FakeFault kind = FakeFault::kUnknown503AfterAccept;
  std::string method = "POST";
  std::string path = "/fapi/v1/order";
  int retry_after_s = 0;
  int delay_ms = 0;
};

struct FakeOrderView {
  bool algo = false;
  std::int64_t id = 0;
  std::string client_id, symbol, side, type, status;
  Quantity quantity, filled;
  Price price, trigger_price, avg_price;
  bool reduce_only = false, close_position = false;
};

class FakeBinance {
 public:
  FakeBinance(const Clock& clock, FakeBinanceOptions options = {});
  ~FakeBinance();
  FakeBinance(const FakeBinance&) = delete;
  FakeBinance& operator=(const FakeBinance&) = delete;

  Status Start();  // binds 127.0.0.1:<options.port> and starts the io thread
  void Stop();
  std::string rest_url() const;  // "http://127.0.0.1:<port>"
  std::string ws_url() const;    // "ws://127.0.0.1:<port>"
  const FakeBinanceOptions& options() const;

  // History served by /fapi/v1/klines (no events, no fills).
  void AddHistory(const std::string& symbol, const std::vector<market::Candle>& candles);
  // A newly closed candle: fills, triggers, events (see the header comment).
  void CloseCandle(const std::string& symbol, const market::Candle& candle);
  // A candle that closed at the venue while nobody was listening (no market-stream push).
  void CloseCandleSilently(const std::string& symbol, const market::Candle& candle);

  // Another API key of the account, as Binance creates one for an uploaded public key: `pem` is
  // the public key ("-----BEGIN PUBLIC KEY-----", RSA or Ed25519). Signed requests with that
  // key are verified against it (RSASSA-PKCS1-v1_5 with SHA-256, or Ed25519, over query ‖ body;
  // the signature is base64, percent-decoded with the other parameters); a mismatch is -1022.
  // kInvalidArgument for anything but such a public key, or for an empty or the HMAC key's name.
  Status RegisterApiKey(const std::string& api_key, const std::string& public_key_pem);

  void PushFault(const FakeFaultSpec& fault);
  void SetServerSkewMs(std::int64_t skew_ms);
  void SetDualSidePosition(bool dual);
  // A resting LIMIT order fills at most `cap` each time the mark crosses its price (0: all of
  // it), so an order fills in parts over several candles (PARTIALLY_FILLED, one trade each).
  void SetLimitFillCap(Quantity cap);
  void DropWebSockets();
  // While set, WebSocket upgrades are refused (the connection is closed), as during an outage.
  void RefuseWebSockets(bool refuse);
  void ExpireListenKeys();
  // Sends a raw user-data message (e.g. a recorded liquidation) on every open user stream.
  void PushUserEvent(const std::string& raw_json);  // sends listenKeyExpired on every user stream, then invalidates the keys

  // Inspection.
  std::vector<FakeOrderView> Orders() const;  // every order ever accepted, regular and algo
  int OrdersWithClientId(const std::string& client_id) const;
  Quantity PositionAmt(const std::string& symbol) const;
  Money WalletBalance() const;
  int Leverage(const std::string& symbol) const;
  std::int64_t connections_accepted() const;
  std::int64_t requests() const;
  std::int64_t requests_on(const std::string& method, const std::string& path) const;
  int user_streams_open() const;
  int market_streams_open() const;
  std::int64_t listen_keys_created() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aitrader::testing
