// Clock: the only source of "now" in aitrader (principle: one engine, two clocks).
// SystemClock reads the wall clock; SimulatedClock is set by a backtest or a test.
// Thread safety: both implementations may be read from any thread; SimulatedClock's
// setters are atomic (a single writer, usually the replay driver, is expected).
#pragma once

#include <atomic>

#include "core/time.hpp"

namespace aitrader {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMs NowMs() const override;
};

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(UnixMs start = 0) : now_(start) {}
  UnixMs NowMs() const override { return now_.load(std::memory_order_acquire); }
  // Moves time to t. Time never runs backwards: t < now aborts (a replay bug).
  void SetMs(UnixMs t);
  void AdvanceMs(UnixMs delta) { SetMs(NowMs() + delta); }

 private:
  std::atomic<UnixMs> now_;
};

}  // namespace aitrader
