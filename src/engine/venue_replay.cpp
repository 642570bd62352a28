#include "engine/venue_replay.hpp"

#include <string>

#include "engine/journaled_exchange.hpp"

namespace aitrader::engine {

Result<std::size_t> ReplayJournal(exchange::paper::PaperSimulator& sim, SimulatedClock& clock, const ReplayInput& in) {
  std::size_t j = 0;
  auto apply_until = [&](UnixMs bar_time) -> Status {
    for (; j < in.journal.size() && in.journal[j].bar_time <= bar_time; ++j) {
      exchange::Exchange* venue = in.venue_of(in.journal[j].bot_id);
      if (venue == nullptr) {
        return Internal("journal entry " + std::to_string(in.journal[j].seq) + " is for unknown bot " +
                        std::to_string(in.journal[j].bot_id));
      }
      AITRADER_RETURN_IF_ERROR(ApplyJournalEntry(*venue, in.journal[j]).WithContext(
          "journal entry " + std::to_string(in.journal[j].seq)));
    }
    return Status::Ok();
  };
  AITRADER_RETURN_IF_ERROR(apply_until(in.start_time));
  std::size_t next = in.first_bar;
  if (in.last_bar) {
    for (; next < in.bars.size() && in.bars[next].open_time + in.interval <= *in.last_bar; ++next) {
      const UnixMs close = in.bars[next].open_time + in.interval;
      clock.SetMs(close);
      AITRADER_RETURN_IF_ERROR(sim.OnBars(in.bars[next].bars));
      AITRADER_RETURN_IF_ERROR(apply_until(close));
      if (in.drain) in.drain();
    }
  }
  if (j != in.journal.size()) {
    return Internal("the journal has " + std::to_string(in.journal.size() - j) + " entries after the last stored bar");
  }
  if (in.drain) in.drain();
  return next;
}

}  // namespace aitrader::engine
