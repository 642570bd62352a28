// `aitrader binance-check`: connects the Binance adapter to the testnet (or, with --live, the
// live venue, read-only) with the keys from the environment and prints what it sees: clock
// offset, position mode, the symbol's rules, balance, positions and open orders. With
// --test-order (testnet only) it places one small LIMIT buy far below the market, waits for the
// user-data stream to confirm it, cancels it and waits for the cancel — an end-to-end check of
// keys, signing, the algo-era endpoints and the WebSocket URLs. The key kind (hmac, ed25519,
// rsa-<bits>) is printed; secrets and keys never are.
#include <chrono>
#include <cstdio>
#include <thread>

#include "app/command.hpp"
#include "core/clock.hpp"
#include "core/io.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/config.hpp"

namespace aitrader::app {
namespace {

using namespace aitrader::exchange;
using namespace aitrader::exchange::binance;

bool WaitForEvent(BinanceExchange& ex, EventKind kind, const std::string& cid) {
  std::vector<ExecutionEvent> events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    events.clear();
    ex.PollEvents(events, 1000);
    for (const auto& e : events) {
      if (e.kind == kind && e.client_id.value() == cid) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int Run(const std::string& config_file, bool live, const std::string& symbol, bool test_order) {
  std::string text;
  if (!config_file.empty()) {
    auto r = ReadFile(config_file);
    if (!r.ok()) {
      std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str());
      return 1;
    }
    text = *r;
  }
  const TradingMode mode = live ? TradingMode::kLive : TradingMode::kTestnet;
  auto config = LoadBinanceConfig(text, ProcessEnv());
  if (!config.ok()) {
    std::fprintf(stderr, "error: %s\n", config.status().ToString().c_str());
    return 1;
  }
  auto creds = CredentialsFromEnv(mode, ProcessEnv());
  if (!creds.ok()) {
    std::fprintf(stderr, "error: %s\n", creds.status().ToString().c_str());
    return 1;
  }
  auto options = OptionsFor(*config, mode);
  if (!options.ok()) {
    std::fprintf(stderr, "error: %s\n", options.status().ToString().c_str());
    return 1;
  }
  std::printf("venue      %s (%s, %s)\n", live ? "live" : "testnet", options->rest.base_url.c_str(), options->ws_url.c_str());
  SystemClock clock;
  BinanceExchange ex(*options, creds->api_key, creds->api_secret, clock);
  std::printf("api key    %zu chars, key kind %s\n", creds->api_key.size(), ex.rest().key_kind().c_str());
  Status s = ex.Start();
  if (!s.ok()) {
    std::fprintf(stderr, "error: start: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("clock      offset to the server %lld ms; position mode one-way; user-data stream %s\n",
              static_cast<long long>(ex.rest().rate_state().time_offset_ms), ex.user_stream_connected() ? "connected" : "DOWN");
  const SymbolInfo* info = ex.symbol_info(symbol);
  if (info == nullptr) {
    std::fprintf(stderr, "error: %s is not listed by exchangeInfo\n", symbol.c_str());
    return 1;
  }
  std::printf("%-10s tick %s step %s min qty %s min notional %s band x%s..x%s\n", symbol.c_str(),
              info->tick_size.ToString().c_str(), info->step_size.ToString().c_str(), info->min_qty.ToString().c_str(),
              info->min_notional.ToString().c_str(), info->multiplier_down.ToString().c_str(),
              info->multiplier_up.ToString().c_str());
  auto balance = ex.FetchBalance();
  auto positions = ex.FetchPositions();
  auto open = ex.FetchOpenOrders("");
  auto mark = ex.FetchMarkPrice(symbol);
  for (const Status* st : {&balance.status(), &positions.status(), &open.status(), &mark.status()}) {
    if (!st->ok()) {
      std::fprintf(stderr, "error: %s\n", st->ToString().c_str());
      return 1;
    }
  }
  std::printf("balance    wallet %s available %s unrealized %s USDT\n", balance->wallet_balance.ToString().c_str(),
              balance->available_balance.ToString().c_str(), balance->unrealized_pnl.ToString().c_str());
  std::printf("mark       %s %s\n", symbol.c_str(), mark->ToString().c_str());
  for (const auto& p : *positions) {
    std::printf("position   %s %s @ %s (%dx %s)\n", p.symbol.c_str(), p.quantity.ToString().c_str(),
                p.entry_price.ToString().c_str(), p.leverage, std::string(ToString(p.margin_mode)).c_str());
  }
  for (const auto& o : *open) {
    std::printf("open order %s %s %s %s qty %s price %s trigger %s\n", o.client_id.value().c_str(), o.symbol.c_str(),
                std::string(ToString(o.side)).c_str(), std::string(ToString(o.type)).c_str(), o.quantity.ToString().c_str(),
                o.price.ToString().c_str(), o.stop_price.ToString().c_str());
  }
  if (!test_order) return 0;
  if (live) {
    std::fprintf(stderr, "error: --test-order runs on the testnet only\n");
    return 1;
  }
  // A resting buy inside the PERCENT_PRICE band but well below the mark, worth ~1.2 × min notional.
  const Ratio factor = Ratio::FromRaw(info->multiplier_down.raw() + 20'000'000);  // band floor + 2 %
  const Price price = ApplyRatio(*mark, factor, Rounding::kFloor).RoundToStep(info->tick_size, Rounding::kCeil);
  const Money target = ApplyRatio(info->min_notional, *Ratio::Parse("1.2"), Rounding::kCeil);
  Quantity qty = QuantityFor(target, price, Rounding::kCeil).RoundToStep(info->step_size, Rounding::kCeil);
  if (qty < info->min_qty) qty = info->min_qty;
  OrderRequest req;
  req.client_id = ClientOrderId("atcheck-" + std::to_string(clock.NowMs()));
  req.symbol = symbol;
  req.side = Side::kBuy;
  req.type = OrderType::kLimit;
  req.price = price;
  req.quantity = qty;
  auto placed = ex.CreateOrder(req);
  if (!placed.ok() || placed->status == OrderStatus::kRejected) {
    std::fprintf(stderr, "error: test order: %s\n",
                 placed.ok() ? std::string(RejectMessage(placed->reason)).c_str() : placed.status().ToString().c_str());
    return 1;
  }
  std::printf("test order %s LIMIT BUY %s @ %s: %s\n", req.client_id.value().c_str(), qty.ToString().c_str(),
              price.ToString().c_str(), std::string(ToString(placed->status)).c_str());
  const bool accepted = WaitForEvent(ex, EventKind::kOrderAccepted, req.client_id.value());
  std::printf("user data  ORDER_TRADE_UPDATE NEW %s\n", accepted ? "received" : "NOT received within 15 s");
  auto canceled = ex.CancelOrder(symbol, req.client_id);
  if (!canceled.ok()) {
    std::fprintf(stderr, "error: cancel: %s — cancel %s by hand\n", canceled.status().ToString().c_str(),
                 req.client_id.value().c_str());
    return 1;
  }
  const bool cancel_event = WaitForEvent(ex, EventKind::kOrderCanceled, req.client_id.value());
  std::printf("cancel     %s; user data CANCELED %s\n", std::string(ToString(canceled->status)).c_str(),
              cancel_event ? "received" : "NOT received within 15 s");
  return accepted && cancel_event ? 0 : 1;
}

void Setup(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("binance-check", "Check the Binance connection (testnet by default): keys, clock, account, streams");
  cmd->footer(
      "Keys from the environment: BINANCE_TESTNET_API_KEY with BINANCE_TESTNET_API_SECRET (an HMAC secret, or the PEM\n"
      "text of an Ed25519/RSA private key) or BINANCE_TESTNET_API_PRIVATE_KEY_FILE (a PEM file); --live: the same\n"
      "without TESTNET_. Prints the key kind (hmac, ed25519, rsa-2048), never the key. See docs/binance.md.");
  auto config = std::make_shared<std::string>();
  auto symbol = std::make_shared<std::string>("BTCUSDT");
  auto live = std::make_shared<bool>(false);
  auto test_order = std::make_shared<bool>(false);
  cmd->add_option("--config", *config, "Server config (JSON) with exchange.binance");
  cmd->add_option("--symbol", *symbol, "Symbol to show (default BTCUSDT)");
  cmd->add_flag("--live", *live, "Read the live account instead of the testnet (read-only)");
  cmd->add_flag("--test-order", *test_order, "Testnet: place and cancel one small LIMIT order");
  cmd->callback([=, &exit_code] { exit_code = Run(*config, *live, *symbol, *test_order); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(binance_check, Setup);
}  // namespace aitrader::app
