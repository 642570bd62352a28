// MarketStream against the fake Binance: closed candles in order, gaps and reconnects
// back-filled over REST, nothing doubled; the mark price kept.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>

#include "exchange/binance/market_stream.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::exchange::binance {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr UnixMs kStart = 1'767'225'600'000;
constexpr UnixMs kMin = 60'000;

market::Candle Bar(UnixMs t, std::string_view c) {
  const Price p = *Price::Parse(c);
  return market::Candle{t, p, p, p, p, 1.0};
}

struct StreamEnv {
  SimulatedClock clock{kStart};
  testing::FakeBinance fake{clock};
  std::unique_ptr<RestClient> rest;
  std::unique_ptr<MarketStream> stream;
  std::vector<ClosedCandle> got;

  StreamEnv() {
    EXPECT_TRUE(fake.Start().ok());
    RestOptions ro;
    ro.base_url = fake.rest_url();
    rest = std::make_unique<RestClient>(ro, "", Secret(), MakeCurlTransport(), clock);
    MarketStreamOptions o;
    o.ws_url = fake.ws_url();
    o.symbols = {"BTCUSDT"};
    o.ws.reconnect_delay_ms = 20;
    o.ws.max_reconnect_delay_ms = 50;
    stream = std::make_unique<MarketStream>(o, *rest);
  }
  ~StreamEnv() {
    stream.reset();
    fake.Stop();
  }
  bool WaitFor(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      stream->PollCandles(got, 1000);
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred();
  }
  // A candle at open time t closes at t + 1 min: the clock moves there, then the venue closes it.
  void Close(int i, bool silently = false) {
    const UnixMs t = kStart + i * kMin;
    if (clock.NowMs() < t + kMin) clock.SetMs(t + kMin);
    if (silently) fake.CloseCandleSilently("BTCUSDT", Bar(t, "50000"));
    else fake.CloseCandle("BTCUSDT", Bar(t, std::to_string(50000 + i)));
  }
  bool Consecutive(int first, int last) const {
    if (static_cast<int>(got.size()) != last - first + 1) return false;
    for (int i = first; i <= last; ++i) {
      if (got[i - first].candle.open_time != kStart + i * kMin) return false;
    }
    return true;
  }
};

TEST(BinanceMarketStream, GapsAndReconnectsAreBackfilledWithoutDoubles) {
  StreamEnv env;
  ASSERT_TRUE(env.stream->Start().ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.stream->connects() == 1 && env.fake.market_streams_open() == 1; }));
  env.Close(0);
  // The venue pushes the kline and then the mark price as two frames: wait for both.
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 1 && env.stream->LatestMark("BTCUSDT").has_value(); }));
  EXPECT_FALSE(env.got[0].backfilled);
  EXPECT_EQ(env.stream->LatestMark("BTCUSDT")->mark_price, *Price::Parse("50000"));

  // A candle the stream never pushed: the next live one back-fills it first.
  env.Close(1, true);
  env.Close(2);
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 3; }));
  EXPECT_TRUE(env.got[1].backfilled);
  EXPECT_FALSE(env.got[2].backfilled);

  // The connection drops; two candles close during the outage; on reconnect they come first.
  env.fake.RefuseWebSockets(true);
  env.fake.DropWebSockets();
  ASSERT_TRUE(env.WaitFor([&] { return env.fake.market_streams_open() == 0; }));
  env.Close(3);
  env.Close(4);
  env.fake.RefuseWebSockets(false);
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 5 && env.stream->connects() >= 2; }));
  EXPECT_TRUE(env.got[3].backfilled);
  EXPECT_TRUE(env.got[4].backfilled);
  env.Close(5);
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 6; }));
  EXPECT_TRUE(env.Consecutive(0, 5));
  EXPECT_EQ(env.stream->backfilled(), 3);
  EXPECT_TRUE(env.stream->errors().empty());
}

// A peer that completes the WebSocket handshake and then goes silent (no close, no pongs): only
// the heartbeat finds it; the client drops it and connects again.
class SilentPeer {
 public:
  SilentPeer() : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        beast::error_code ec;
        tcp::socket socket(ioc_);
        acceptor_.accept(socket, ec);
        if (ec || stop_) return;
        auto ws = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket));
        ws->accept(ec);  // handshake, then never read or write again
        if (!ec) held_.push_back(std::move(ws));
        ++accepted_;
      }
    });
  }
  ~SilentPeer() {
    stop_ = true;
    beast::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes the blocking accept
    thread_.join();
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  int accepted() const { return accepted_; }

 private:
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> held_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST(BinanceMarketStream, HeartbeatDetectsASilentPeer) {
  SimulatedClock clock{kStart};
  SilentPeer peer;
  RestOptions ro;
  ro.base_url = "http://127.0.0.1:1";
  RestClient rest(ro, "", Secret(), MakeCurlTransport(), clock);
  MarketStreamOptions o;
  o.ws_url = peer.url();
  o.symbols = {"BTCUSDT"};
  o.ws.idle_timeout_ms = 400;  // a ping after 200 ms of silence, dead after 400 ms
  o.ws.reconnect_delay_ms = 20;
  MarketStream stream(o, rest);
  ASSERT_TRUE(stream.Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (stream.connects() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(stream.connects(), 2);  // the first connection was declared dead and replaced
  EXPECT_GE(peer.accepted(), 2);
  stream.Stop();
}

TEST(BinanceMarketStream, ResumesAfterTheCallersLastCandle) {
  StreamEnv env;
  std::vector<market::Candle> history;
  for (int i = 0; i < 4; ++i) history.push_back(Bar(kStart + i * kMin, "50000"));
  env.fake.AddHistory("BTCUSDT", history);
  env.clock.SetMs(kStart + 4 * kMin + 1);  // candles 0..3 closed
  ASSERT_TRUE(env.stream->Start({{"BTCUSDT", kStart + kMin}}).ok());  // the caller has 0 and 1
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 2; }));
  env.Close(4);
  ASSERT_TRUE(env.WaitFor([&] { return env.got.size() == 3; }));
  EXPECT_TRUE(env.Consecutive(2, 4));
}

}  // namespace
}  // namespace aitrader::exchange::binance
