// The engine's executor (entry + stop-loss + take-profit, close, emergency flatten) runs
// unchanged against BinanceExchange on the fake Binance: the port is a drop-in for the paper
// venue. The fake's own book is the judge (positions and order states at the "venue").
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "engine/executor.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::exchange::binance {
namespace {

constexpr UnixMs kStart = 1'767'225'600'000;

struct EngineEnv {
  SimulatedClock clock{kStart};
  testing::FakeBinance fake{clock};
  std::unique_ptr<BinanceExchange> ex;
  std::vector<ExecutionEvent> events;
  EngineEnv() {
    EXPECT_TRUE(fake.Start().ok());
    BinanceExchangeOptions o;
    o.rest.base_url = fake.rest_url();
    o.ws_url = fake.ws_url();
    ex = std::make_unique<BinanceExchange>(o, fake.options().api_key, Secret(fake.options().api_secret), clock);
    Status s = ex->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~EngineEnv() {
    ex.reset();
    fake.Stop();
  }
  bool WaitFor(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      ex->PollEvents(events, 1000);
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred();
  }
  int Open() const {
    int n = 0;
    for (const auto& o : fake.Orders()) n += (o.status == "NEW" || o.status == "PARTIALLY_FILLED") ? 1 : 0;
    return n;
  }
};

engine::EntryRequest Long(std::int64_t cycle) {
  engine::EntryRequest r;
  r.cycle = cycle;
  r.symbol = "BTCUSDT";
  r.coin = "BTC";
  r.side = Side::kBuy;
  r.quantity = *Quantity::Parse("0.0123");  // rounded down to the 0.001 step by the executor
  r.leverage = 5;
  r.stop_loss = *Price::Parse("48000.04");   // rounded to the 0.1 tick
  r.take_profit = *Price::Parse("53000");
  return r;
}

TEST(BinanceWithEngine, ExecutorEntryTakeProfitAtTheVenueAndNoOrphans) {
  EngineEnv env;
  engine::Executor exec(*env.ex, env.ex->instruments(), 7);
  auto rep = exec.Enter(Long(1));
  ASSERT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems[0]);
  ASSERT_EQ(rep.orders.size(), 3u);
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), *Quantity::Parse("0.012"));
  EXPECT_EQ(env.fake.Leverage("BTCUSDT"), 5);
  EXPECT_EQ(env.Open(), 2);
  // The same step re-run (a crash and restart): nothing new at the venue.
  auto again = exec.Enter(Long(1));
  EXPECT_EQ(env.fake.Orders().size(), 3u);
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), *Quantity::Parse("0.012"));
  (void)again;
  // The target is hit at the exchange: the fill is recorded and the stop does not linger.
  env.fake.CloseCandle("BTCUSDT", market::Candle{kStart, *Price::Parse("50000"), *Price::Parse("53100"),
                                                 *Price::Parse("49900"), *Price::Parse("53050"), 1.0});
  const std::string tp = engine::MakeClientOrderId(7, 1, "BTC", engine::OrderLeg::kTakeProfit).value();
  const std::string sl = engine::MakeClientOrderId(7, 1, "BTC", engine::OrderLeg::kStopLoss).value();
  ASSERT_TRUE(env.WaitFor([&] {
    int filled = 0, canceled = 0;
    for (const auto& e : env.events) {
      filled += e.kind == EventKind::kOrderFilled && e.client_id.value() == tp;
      canceled += e.kind == EventKind::kOrderCanceled && e.client_id.value() == sl;
    }
    return filled == 1 && canceled == 1;
  }));
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Quantity());
  EXPECT_EQ(env.Open(), 0);
}

TEST(BinanceWithEngine, CloseAndEmergencyFlattenAreFlatAtTheVenue) {
  EngineEnv env;
  engine::Executor exec(*env.ex, env.ex->instruments(), 8);
  ASSERT_TRUE(exec.Enter(Long(1)).ok());
  auto close = exec.Close(2, "BTCUSDT", engine::OrderLeg::kClose);
  ASSERT_TRUE(close.ok()) << (close.problems.empty() ? "" : close.problems[0]);
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Quantity());
  EXPECT_EQ(env.Open(), 0);

  ASSERT_TRUE(exec.Enter(Long(3)).ok());
  auto flat = exec.FlattenAll(4);
  ASSERT_TRUE(flat.ok()) << (flat.problems.empty() ? "" : flat.problems[0]);
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Quantity());
  EXPECT_EQ(env.Open(), 0);
  auto positions = env.ex->FetchPositions();
  ASSERT_TRUE(positions.ok());
  EXPECT_TRUE(positions->empty());  // verified flat at the venue
}

}  // namespace
}  // namespace aitrader::exchange::binance
