#include "engine/bar_driver.hpp"

#include <algorithm>
#include <thread>

#include "engine/live_market.hpp"

namespace aitrader::engine {

LiveBarFeed::LiveBarFeed(std::unique_ptr<LiveMarket> live_market, std::vector<std::string> symbols, UnixMs from,
                         std::vector<MergedBar> bars)
    : BarFeed(std::move(bars), true), live_market_(std::move(live_market)), symbols_(std::move(symbols)), from_(from) {}

LiveBarFeed::~LiveBarFeed() = default;

Result<std::unique_ptr<LiveBarFeed>> LiveBarFeed::Open(const LiveFeedOptions& feed, std::vector<std::string> symbols,
                                                       UnixMs interval, const InstrumentTable& instruments,
                                                       std::optional<UnixMs> start, const Clock& wall,
                                                       std::function<void(const std::string&)> log) {
  LiveMarketOptions lo;
  lo.rest_url = feed.rest_url;
  lo.ws_url = feed.ws_url;
  lo.symbols = symbols;
  lo.interval = interval;
  lo.warmup_bars = feed.warmup_bars;
  lo.grace_ms = feed.grace_ms;
  lo.log = std::move(log);
  auto live = LiveMarket::Open(lo, instruments, start, wall);
  if (!live.ok()) return live.status().WithContext("the live market feed (" + feed.name + ")");
  const UnixMs from = start.value_or((*live)->first_open());
  auto bars = (*live)->market()->Bars(from, (*live)->last_open() + interval, symbols);
  return std::unique_ptr<LiveBarFeed>(new LiveBarFeed(std::move(*live), std::move(symbols), from, std::move(bars)));
}

Status LiveBarFeed::StartStream() { return live_market_->StartStream(); }

std::size_t LiveBarFeed::Poll() {
  auto fresh = live_market_->Poll(symbols_);
  if (fresh.empty()) return 0;
  for (auto& b : fresh) bars_.push_back(std::move(b));
  if (on_market_) on_market_(live_market_->market());
  return fresh.size();
}

Result<DriveEnd> DriveBars(BarFeed& feed, std::size_t first, const BarDriverOptions& options,
                           const BarDriverHooks& hooks) {
  AITRADER_CHECK(hooks.process != nullptr, "a bar driver needs its process step");
  auto now = [&] { return options.now ? options.now() : std::chrono::steady_clock::now(); };
  auto stopped = [&] { return hooks.stop && hooks.stop(); };
  // One wait toward `deadline` (at most max_wait of it); the hook may return sooner.
  auto wait = [&](WallTime deadline) -> Status {
    if (options.max_wait) deadline = std::min(deadline, now() + *options.max_wait);
    if (hooks.work_until) return hooks.work_until(deadline);
    std::this_thread::sleep_until(deadline);
    return Status::Ok();
  };
  const bool paced = !feed.live() && options.speed > 0;
  const WallTime start = paced ? now() : WallTime{};
  for (std::size_t n = first;; ++n) {
    // A replay's end comes first: a stop during its last bar ends it as the end.
    if (!feed.live() && n >= feed.bars().size()) return DriveEnd::kEndOfFeed;
    if (stopped()) return DriveEnd::kStopped;
    // A live feed's next bar, once it has closed.
    while (n >= feed.bars().size()) {
      AITRADER_RETURN_IF_ERROR(wait(now() + options.poll_every));
      if (stopped()) return DriveEnd::kStopped;
      if (feed.Poll() == 0 && hooks.idle) AITRADER_RETURN_IF_ERROR(hooks.idle());
      if (stopped()) return DriveEnd::kStopped;
    }
    if (paced) {
      const WallTime due =
          start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
                      static_cast<double>(n - first + options.paced_offset) * static_cast<double>(options.interval) /
                      1000.0 / options.speed));
      while (now() < due) {
        AITRADER_RETURN_IF_ERROR(wait(due));
        if (stopped()) return DriveEnd::kStopped;
      }
    }
    if (hooks.work_until) AITRADER_RETURN_IF_ERROR(hooks.work_until(now()));
    // A live bar with newer ones already known (closed while the process was down) is caught up.
    const bool catch_up = feed.live() && n + 1 < feed.bars().size();
    AITRADER_RETURN_IF_ERROR(hooks.process(n, feed.bars()[n], catch_up));
  }
}

}  // namespace aitrader::engine
