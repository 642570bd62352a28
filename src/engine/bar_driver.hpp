// The bar loop of every driver of the engine (principle: one engine, two clocks): backtests and
// arenas (RunBacktest), the headless paper runtime (PaperRuntime, `aitrader run`) and the
// service (Service, `aitrader serve`) all step through their bars with DriveBars. What differs
// between them is the market feed, the clock that says when a bar is due, and the hooks.
//
// A BarFeed holds the merged bars known so far:
//  - ReplayBarFeed: a fixed vector (the candle files' bars of a period); it ends.
//  - LiveBarFeed: Binance's live market data (engine/live_market.hpp), the closed bars since the
//    run's start, growing one bar at a time; Poll() takes the newly closed ones and hands the
//    new MarketData snapshot to a callback (the bots read it). It never ends.
//
// DriveBars, for each next bar n (from `first`):
//  1. a replay with no bar n left → returns kEndOfFeed (also when a stop came during its
//     last bar: a backtest cancelled then is complete);
//  2. stop() → returns kStopped (checked before every bar and after every wait);
//  3. a live feed with no bar n yet: calls work_until(now + poll_every), then Poll(), until
//     the feed has it (idle() after a poll that brought nothing);
//  4. a paced replay (speed > 0): waits until wall start + (n − first + paced_offset) ×
//     interval / speed, calling work_until(due) until the clock says it is due (a hook may
//     return early — posted work woke it — and is called again); speed 0 runs flat out, and a
//     live feed's bars are due when they close (speed does not apply);
//  5. work_until(now): the work that is ready runs before the bar (nothing waits);
//  6. process(n, bar, catch_up): catch_up is true exactly for a live bar that newer bars have
//     superseded already (closed while the process was down, or polled together with newer
//     ones): the venue processes it, no bot decides on it. A replay's bars are never caught up.
// A hook's error ends the drive with that error. A null work_until sleeps through the waits;
// a flat-out replay without one (a backtest) costs two indirect calls per bar: stop, process.
//
// The clock: `now` (null: std::chrono::steady_clock) is the wall clock of the waits; tests
// give a fake one whose work_until moves it. The market's clock (SimulatedClock) is set by the
// process step, the same way in every driver.
//
// Thread safety: DriveBars runs on the calling thread and calls every hook there. stop() may
// read a flag set from any thread (or a signal handler): when nothing can wake a wait for it,
// max_wait bounds each wait so a stop is seen within that time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "core/status.hpp"
#include "engine/market_data.hpp"

namespace aitrader::engine {

class LiveMarket;
struct LiveFeedOptions;

class BarFeed {
 public:
  virtual ~BarFeed() = default;
  // The merged bars known so far, in time order (a live feed appends to it in Poll()).
  const std::vector<MergedBar>& bars() const { return bars_; }
  // True for a feed that grows (live): its end is not the end of the run.
  bool live() const { return live_; }
  // Takes the bars closed since the last call into bars(); returns how many. A replay: 0.
  virtual std::size_t Poll() = 0;

 protected:
  BarFeed(std::vector<MergedBar> bars, bool live) : bars_(std::move(bars)), live_(live) {}
  std::vector<MergedBar> bars_;

 private:
  bool live_;
};

class ReplayBarFeed final : public BarFeed {
 public:
  explicit ReplayBarFeed(std::vector<MergedBar> bars) : BarFeed(std::move(bars), false) {}
  std::size_t Poll() override { return 0; }
};

class LiveBarFeed final : public BarFeed {
 public:
  using MarketCallback = std::function<void(std::shared_ptr<const MarketData>)>;
  // Opens the live market data of `symbols` (LiveMarket::Open: the history from `start` — a
  // resumed run's first bar — or from the last closed bar when nullopt) and takes the closed
  // bars since the start, their symbols indexed as in `symbols` (the simulator's list).
  // The stream starts with StartStream(). `instruments` and `wall` outlive the feed.
  // Errors: LiveMarket::Open's, named "the live market feed (<name>)".
  static Result<std::unique_ptr<LiveBarFeed>> Open(const LiveFeedOptions& feed, std::vector<std::string> symbols,
                                                   UnixMs interval, const InstrumentTable& instruments,
                                                   std::optional<UnixMs> start, const Clock& wall,
                                                   std::function<void(const std::string&)> log);
  ~LiveBarFeed() override;

  LiveMarket& live_market() { return *live_market_; }
  // The open time of the run's first bar: `start`, or the last closed bar at Open().
  UnixMs from() const { return from_; }
  // Called from Poll() with the new snapshot whenever bars arrived.
  void OnMarket(MarketCallback callback) { on_market_ = std::move(callback); }
  // Starts the kline stream after the candles loaded (LiveMarket::StartStream).
  Status StartStream();
  std::size_t Poll() override;

 private:
  LiveBarFeed(std::unique_ptr<LiveMarket> live_market, std::vector<std::string> symbols, UnixMs from,
              std::vector<MergedBar> bars);
  std::unique_ptr<LiveMarket> live_market_;
  std::vector<std::string> symbols_;
  UnixMs from_ = 0;
  MarketCallback on_market_;
};

using WallTime = std::chrono::steady_clock::time_point;

struct BarDriverOptions {
  UnixMs interval = 0;  // the bars' interval (pacing)
  double speed = 0;     // a replay's pace: N× real time; 0 = as fast as possible
  // Bars of pacing already behind a resumed run at `first` (serve: 1 — a resumed market run
  // waits one paced interval for its next bar, as in real time; a new one starts at once).
  std::size_t paced_offset = 0;
  std::chrono::milliseconds poll_every{200};  // a live feed is polled this often while waiting
  // Each wait lasts at most this long (a stop flag nothing can wake a wait for); none: the
  // whole wait at once (stop() wakes the hook itself).
  std::optional<std::chrono::milliseconds> max_wait;
  std::function<WallTime()> now;  // null: std::chrono::steady_clock::now
};

struct BarDriverHooks {
  std::function<bool()> stop;  // null: never
  // Runs the runtime's work (finished decisions, posted tasks) until `deadline`, or less when
  // woken: returns by the deadline; with a deadline passed, only what is ready runs.
  std::function<Status(WallTime deadline)> work_until;
  // A live feed was polled and had no new bar (serve: the testnet/live venues' events).
  std::function<Status()> idle;
  // One bar: the market clock to its close, the venue, the bots, the store.
  std::function<Status(std::size_t index, const MergedBar& bar, bool catch_up)> process;
};

enum class DriveEnd { kEndOfFeed, kStopped };

// Drives the bars of `feed` from index `first` (see the header comment). Returns why it
// ended, or the first error a hook returned.
Result<DriveEnd> DriveBars(BarFeed& feed, std::size_t first, const BarDriverOptions& options,
                           const BarDriverHooks& hooks);

}  // namespace aitrader::engine
