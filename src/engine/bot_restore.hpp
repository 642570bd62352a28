// Restoring a bot after a restart, from the store, on a venue account that has been rebuilt
// (the paper venue replayed from its journal or loaded from a checkpoint): both drivers that
// survive a crash — `aitrader run` (engine/runtime.cpp) and `aitrader serve`
// (engine/service.cpp) — bring their bots back this one way.
//
// What comes back: the status and cycle counter (client order ids carry the cycle, so a
// restored bot never repeats one), the Sharpe ratio's memory (the stored cycle account
// values), every open position with its exit plan (stop-loss, take-profit, invalidation,
// confidence, risk) and the venue's quantity, the risk engine's peak equity and the equity at
// the start of the current UTC day, and the last losing close per symbol (the cool-down).
// Thread safety: the bot's thread, inside a store transaction of the caller's.
#pragma once

#include <cstdint>

#include "core/status.hpp"
#include "engine/bot.hpp"
#include "exchange/exchange.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

struct RestoreInput {
  std::int64_t bot_id = 0;
  BotStatus status = BotStatus::kCreated;  // as stored
  UnixMs started_at = 0;   // the bot's (or the run's) start
  UnixMs last_bar = 0;     // close time of the last bar committed
  Money capital;           // the deposit (the equity curve's floor before the first point)
};

// Restores `bot` (built, not started) from the store. Returns true when the bot is an LLM
// bot whose cycle at last_bar began but whose decision was never stored (the process died
// while the model was answering): the caller begins that cycle again. Errors: store reads.
Result<bool> RestoreBotFromStore(Bot& bot, const BotConfig& config, const RestoreInput& in, store::Repository& repo,
                                 const InstrumentTable& instruments, exchange::Exchange& venue);

}  // namespace aitrader::engine
