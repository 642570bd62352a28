#include "core/clock.hpp"

#include <chrono>

namespace aitrader {

UnixMs SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SimulatedClock::SetMs(UnixMs t) {
  AITRADER_CHECK(t >= NowMs(), "simulated time must not run backwards");
  now_.store(t, std::memory_order_release);
}

}  // namespace aitrader
