// Testnet and live bots (issue 12), the same way in both drivers that run them — `aitrader
// serve` (engine/service.cpp) and `aitrader run` (engine/runtime.cpp): the Binance venue a bot
// trades on, opened with what the store says it holds, and what is done when such a bot comes
// back after a restart (its venue is the record: no journal, no replay).
//
// OpenRemoteVenue: the adapter for the bot's mode (engine/venue_factory.hpp: keys, URLs, the
// live-promotion rule), started (clock, filters, user-data stream) and, with `from_store`,
// reconciled against the store's open positions and resting bracket orders (an order that
// ended while the process was down comes back as its event). Every symbol of the bot must be
// listed by the venue. Refusals are kFailedPrecondition naming the reason (never a key).
//
// ReconnectRemoteBot: restores the bot from the store (bot_restore.hpp) on the venue's
// filters, records what the venue reported as ended meanwhile (a stop-loss or take-profit that
// filled, with the venue's fills) and one `reconcile` alert per position closed that way, then
// compares the venue's positions with the store's: each difference is a `reconcile` warning.
//
// Thread safety: the driver's runtime thread, inside one of its store transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"
#include "engine/bot.hpp"
#include "engine/bot_restore.hpp"
#include "engine/venue_factory.hpp"
#include "exchange/binance/config.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

struct RemoteVenueRequest {
  std::int64_t bot_id = 0;
  std::vector<std::string> symbols;
  // mode, binance, allow_live, min_record_days, now (wall time) and the key pair — serve: the
  // owner's stored `credentials`; run: unset, read through `env` (null: the process
  // environment). The store's view (expected_*, first_trade_time) is filled in here.
  VenueRequest venue;
  bool from_store = false;  // a restart: reconcile with the stored positions and orders
};

Result<Venue> OpenRemoteVenue(const RemoteVenueRequest& request, store::Database& db, store::Repository& repo,
                              const Clock& wall);

// An alert about one bot (`server_restart`: what a restart did with it; `reconcile`: what the
// venue and the store said).
Status RecordBotAlert(store::Repository& repo, std::int64_t user_id, std::int64_t bot_id, UnixMs at,
                      std::string severity, std::string message, std::string kind = "server_restart");

// Returns RestoreBotFromStore's answer (true: begin the cycle of in.last_bar again).
Result<bool> ReconnectRemoteBot(Bot& bot, const BotConfig& config, const RestoreInput& in, store::Repository& repo,
                                const InstrumentTable& venue_instruments, exchange::Exchange& venue,
                                std::int64_t user_id, UnixMs now);

}  // namespace aitrader::engine
