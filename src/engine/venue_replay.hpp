// Rebuilding the paper venue after a restart: the simulator is deterministic, so the same bars
// with the journaled calls (engine/journaled_exchange.hpp) re-applied at the same points give
// back exactly the venue of the last committed bar — open orders, positions, ledgers.
// Shared by `aitrader run` (engine/runtime.cpp) and `aitrader serve` (engine/service.cpp); the
// service starts from its newest checkpoint rather than from the first bar.
// Thread safety: the venue's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "core/clock.hpp"
#include "engine/market_data.hpp"
#include "exchange/exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

struct ReplayInput {
  std::span<const MergedBar> bars;
  std::size_t first_bar = 0;             // the first bar not yet in the venue
  UnixMs interval = 0;
  UnixMs start_time = 0;                 // the venue's time before first_bar (calls made then come first)
  std::optional<UnixMs> last_bar;        // close time of the last committed bar (none: no bar yet)
  std::span<const store::JournalEntry> journal;  // in seq order, every entry after the starting state
  // The account a journal entry's bot trades on (null: the entry is an error).
  std::function<exchange::Exchange*(std::int64_t bot_id)> venue_of;
  // After each bar: discards the accounts' events (they were stored the first time).
  std::function<void()> drain;
};

// Replays bars[first_bar..] while their close <= last_bar, applying each journaled call right
// after the bar it was made at (calls stamped start_time before the first bar). Returns the
// index of the next bar to process. Errors: an entry for an unknown bot, an unreadable entry,
// entries left after the last bar (the journal and the run position disagree), venue errors.
Result<std::size_t> ReplayJournal(exchange::paper::PaperSimulator& sim, SimulatedClock& clock, const ReplayInput& in);

}  // namespace aitrader::engine
