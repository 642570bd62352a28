// The bar driver (engine/bar_driver.hpp) on a fake wall clock that only the fake wait moves,
// and scripted feeds: pacing order, posted work interrupting a wait, the catch-up flag, stop
// during a wait, the end of a replay, a live feed whose bars come later, hook errors.
#include "engine/bar_driver.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace aitrader::engine {
namespace {

constexpr UnixMs kInterval = 60'000;  // 1-minute bars: at speed 60, one a second

std::vector<MergedBar> Bars(std::size_t n, std::size_t from = 0) {
  std::vector<MergedBar> out;
  for (std::size_t i = from; i < from + n; ++i) out.push_back({static_cast<UnixMs>(i) * kInterval, {}});
  return out;
}

// A feed whose Poll() delivers the scripted bars at the given poll (1-based).
class ScriptedFeed final : public BarFeed {
 public:
  ScriptedFeed(std::vector<MergedBar> bars, bool live, std::vector<std::string>& log)
      : BarFeed(std::move(bars), live), log_(log) {}
  void At(int poll, std::size_t count) { script_[poll] = count; }
  std::size_t Poll() override {
    ++polls_;
    log_.push_back("poll");
    auto it = script_.find(polls_);
    if (it == script_.end()) return 0;
    auto more = Bars(it->second, bars_.size());
    for (auto& b : more) bars_.push_back(b);
    return more.size();
  }

 private:
  std::vector<std::string>& log_;
  std::map<int, std::size_t> script_;
  int polls_ = 0;
};

// The fake wall clock (ms since an arbitrary origin) and a record of every hook call.
struct Harness {
  WallTime origin{};
  WallTime now = origin;
  std::vector<std::string> log;
  bool stop = false;
  // Called at each wait: returns how far the wait gets (default: to its deadline); posted
  // work waking it early is a smaller value.
  std::function<WallTime(WallTime deadline)> on_wait;
  std::function<void(std::size_t)> on_process;

  long Ms(WallTime t) const { return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(t - origin).count()); }
  WallTime At(long ms) const { return origin + std::chrono::milliseconds(ms); }

  BarDriverOptions Options(double speed) {
    BarDriverOptions o;
    o.interval = kInterval;
    o.speed = speed;
    o.now = [this] { return now; };
    return o;
  }
  BarDriverHooks Hooks() {
    BarDriverHooks h;
    h.stop = [this] { return stop; };
    h.work_until = [this](WallTime deadline) -> Status {
      log.push_back("wait " + std::to_string(Ms(deadline)));
      WallTime reached = on_wait ? on_wait(deadline) : deadline;
      if (reached > now) now = reached;
      return Status::Ok();
    };
    h.idle = [this]() -> Status {
      log.push_back("idle");
      return Status::Ok();
    };
    h.process = [this](std::size_t n, const MergedBar& bar, bool catch_up) -> Status {
      EXPECT_EQ(bar.open_time, static_cast<UnixMs>(n) * kInterval);
      log.push_back("bar " + std::to_string(n) + (catch_up ? " catch-up" : "") + " @" + std::to_string(Ms(now)));
      if (on_process) on_process(n);
      return Status::Ok();
    };
    return h;
  }
};

using Log = std::vector<std::string>;

TEST(BarDriver, ReplayAtSpeedWaitsForEachBarThenRunsReadyWorkBeforeIt) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  auto end = DriveBars(feed, 0, h.Options(60), h.Hooks());
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(*end, DriveEnd::kEndOfFeed);
  // Bar n is due at n × 60 s / 60 = n s; the first at once. Before each bar, work_until(now).
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0",                      //
                        "wait 1000", "wait 1000", "bar 1 @1000",   //
                        "wait 2000", "wait 2000", "bar 2 @2000"}));
}

TEST(BarDriver, PacingCountsFromTheFirstBarAndTheOffset) {
  Harness h;
  ReplayBarFeed feed(Bars(4));
  auto o = h.Options(120);  // a bar every 500 ms
  o.paced_offset = 1;       // a resumed run: its first bar one paced interval later
  auto end = DriveBars(feed, 2, o, h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(h.log, (Log{"wait 500", "wait 500", "bar 2 @500", "wait 1000", "wait 1000", "bar 3 @1000"}));
}

TEST(BarDriver, PostedWorkInterruptsAWaitThatThenContinuesToTheSameDeadline) {
  Harness h;
  ReplayBarFeed feed(Bars(2));
  int wakes = 0;
  // The wait for bar 1 is woken twice by posted work (at 300 and 700 ms), which runs at once.
  h.on_wait = [&](WallTime deadline) {
    if (h.Ms(deadline) == 1000 && wakes < 2) {
      const long at = ++wakes == 1 ? 300 : 700;
      h.log.push_back("task @" + std::to_string(at));
      return h.At(at);
    }
    return deadline;
  };
  auto end = DriveBars(feed, 0, h.Options(60), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0",                               //
                        "wait 1000", "task @300", "wait 1000", "task @700",  //
                        "wait 1000", "wait 1000", "bar 1 @1000"}));
}

TEST(BarDriver, FlatOutNeverWaits) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  auto end = DriveBars(feed, 0, h.Options(0), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0", "wait 0", "bar 1 @0", "wait 0", "bar 2 @0"}));

  // Without a work hook (a backtest): only the bars.
  Harness b;
  auto hooks = b.Hooks();
  hooks.work_until = nullptr;
  ReplayBarFeed again(Bars(2));
  ASSERT_TRUE(DriveBars(again, 0, b.Options(0), hooks).ok());
  EXPECT_EQ(b.log, (Log{"bar 0 @0", "bar 1 @0"}));
}

TEST(BarDriver, CatchUpExactlyForLiveBarsAlreadySuperseded) {
  Harness h;
  ScriptedFeed feed(Bars(3), /*live=*/true, h.log);
  feed.At(1, 2);  // two bars closed at once
  feed.At(2, 1);
  h.on_process = [&](std::size_t n) { h.stop = n == 5; };
  auto end = DriveBars(feed, 0, h.Options(60), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  // Live bars are due as they close (speed does not apply): no pacing waits.
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 catch-up @0", "wait 0", "bar 1 catch-up @0", "wait 0", "bar 2 @0",  //
                        "wait 200", "poll", "wait 200", "bar 3 catch-up @200", "wait 200", "bar 4 @200",      //
                        "wait 400", "poll", "wait 400", "bar 5 @400"}));
}

TEST(BarDriver, ReplayBarsAreNeverCaughtUp) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  ASSERT_TRUE(DriveBars(feed, 1, h.Options(0), h.Hooks()).ok());
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 1 @0", "wait 0", "bar 2 @0"}));
}

TEST(BarDriver, LiveFeedPolledUntilItDeliversWithIdleBetween) {
  Harness h;
  ScriptedFeed feed(Bars(1), /*live=*/true, h.log);
  feed.At(3, 1);
  h.on_process = [&](std::size_t) { h.stop = true; };
  auto o = h.Options(0);
  o.poll_every = std::chrono::milliseconds(250);
  auto end = DriveBars(feed, 1, o, h.Hooks());  // bar 0 was processed before a restart
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  EXPECT_EQ(h.log, (Log{"wait 250", "poll", "idle", "wait 500", "poll", "idle", "wait 750", "poll",  //
                        "wait 750", "bar 1 @750"}));
}

TEST(BarDriver, StopDuringAPacedWaitEndsBeforeTheBar) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  h.on_wait = [&](WallTime deadline) {
    if (h.Ms(deadline) == 1000 && !h.stop) {
      h.stop = true;  // e.g. Service::Stop() waking the wait
      return h.At(400);
    }
    return deadline;
  };
  auto end = DriveBars(feed, 0, h.Options(60), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0", "wait 1000"}));
}

TEST(BarDriver, MaxWaitSlicesALongWaitSoAStopNothingWakesIsSeen) {
  Harness h;
  ReplayBarFeed feed(Bars(2));
  auto o = h.Options(6);  // bar 1 due after 10 s
  o.max_wait = std::chrono::milliseconds(200);
  // A signal handler sets the flag during the third slice; nothing wakes the wait.
  h.on_wait = [&](WallTime deadline) {
    if (h.Ms(deadline) == 600) h.stop = true;
    return deadline;
  };
  auto end = DriveBars(feed, 0, o, h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0", "wait 200", "wait 400", "wait 600"}));
}

TEST(BarDriver, StopDuringALiveWaitEndsWithoutPolling) {
  Harness h;
  ScriptedFeed feed(Bars(1), /*live=*/true, h.log);
  feed.At(1, 1);
  h.on_wait = [&](WallTime deadline) {
    h.stop = true;
    return deadline;
  };
  auto end = DriveBars(feed, 1, h.Options(0), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  EXPECT_EQ(h.log, (Log{"wait 200"}));
}

TEST(BarDriver, StopBetweenBarsEndsBeforeTheNext) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  h.on_process = [&](std::size_t n) { h.stop = n == 0; };
  auto end = DriveBars(feed, 0, h.Options(0), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kStopped);
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0"}));
}

TEST(BarDriver, AReplayEndsAfterItsLastBarEvenWhenStoppedDuringIt) {
  Harness h;
  ReplayBarFeed feed(Bars(2));
  h.on_process = [&](std::size_t n) { h.stop = n == 1; };
  auto end = DriveBars(feed, 0, h.Options(0), h.Hooks());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, DriveEnd::kEndOfFeed);
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0", "wait 0", "bar 1 @0"}));

  // A replay with no bar left ends at once (a resumed run that was complete).
  Harness done;
  ReplayBarFeed all(Bars(2));
  auto e = DriveBars(all, 2, done.Options(60), done.Hooks());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, DriveEnd::kEndOfFeed);
  EXPECT_TRUE(done.log.empty());
}

TEST(BarDriver, AHookErrorEndsTheDriveWithIt) {
  Harness h;
  ReplayBarFeed feed(Bars(3));
  auto hooks = h.Hooks();
  auto process = hooks.process;
  hooks.process = [&](std::size_t n, const MergedBar& bar, bool catch_up) -> Status {
    AITRADER_RETURN_IF_ERROR(process(n, bar, catch_up));
    return n == 1 ? IoError("disk full") : Status::Ok();
  };
  auto end = DriveBars(feed, 0, h.Options(0), hooks);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().message(), "disk full");
  EXPECT_EQ(h.log, (Log{"wait 0", "bar 0 @0", "wait 0", "bar 1 @0"}));

  Harness w;
  ReplayBarFeed again(Bars(3));
  auto wh = w.Hooks();
  wh.work_until = [&](WallTime) -> Status { return Internal("a decision could not be stored"); };
  auto e = DriveBars(again, 0, w.Options(0), wh);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
  EXPECT_TRUE(w.log.empty());
}

}  // namespace
}  // namespace aitrader::engine
