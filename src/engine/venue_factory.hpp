// The venue of a bot, chosen by its trading mode (issue 12):
//   paper   → the paper venue: a PaperExchange on a new account of the run's simulator;
//   testnet → BinanceExchange on the testnet URLs (BinanceConfig testnet_rest_url /
//             testnet_ws_url) with the testnet key pair (given, else BINANCE_TESTNET_API_KEY /
//             BINANCE_TESTNET_API_SECRET), started (clock sync, filters, user-data stream);
//   live    → refused unless allow_live is set AND the bot has a paper/testnet record of at
//             least min_record_days (CheckLivePromotion); then BinanceExchange on the live URLs
//             with the live key pair (given, else BINANCE_API_KEY / BINANCE_API_SECRET).
// Refusals are kFailedPrecondition / kInvalidArgument / kNotFound whose message says why; no
// message ever contains a key or a secret.
// Thread safety: pure construction; the venue returned belongs to one strand (exchange.hpp).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/enums.hpp"
#include "core/status.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/config.hpp"
#include "exchange/exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::engine {

inline constexpr int kDefaultLiveRecordDays = 7;

// May a bot be promoted to live trading? OK only when allow_live is set and the bot's first
// paper/testnet trade is at least min_record_days before now. The message of a refusal says
// which condition failed ("live trading is not enabled (allow_live)", "no paper or testnet
// record", "3 of the 7 days of paper/testnet record required").
Status CheckLivePromotion(bool allow_live, std::optional<UnixMs> first_trade_time, UnixMs now,
                          int min_record_days = kDefaultLiveRecordDays);

struct VenueRequest {
  TradingMode mode = TradingMode::kPaper;
  // paper: the run's simulator and the bot's account (engine/paper_venue.hpp PaperAccountFor).
  exchange::paper::PaperSimulator* simulator = nullptr;
  exchange::paper::AccountConfig paper_account;
  // testnet / live
  exchange::binance::BinanceConfig binance;
  std::optional<exchange::binance::BinanceCredentials> credentials;  // else from `env`
  exchange::binance::EnvLookup env;                                  // null: the process environment
  // After a restart: what the store says the account holds (its open positions and orders).
  // The adapter's start reconciles the venue against it (BinanceExchange::Expect), so an order
  // that ended while the process was down is reported as its event (a stop-loss's fill).
  std::vector<exchange::Position> expected_positions;
  std::vector<exchange::Order> expected_orders;
  // live only
  bool allow_live = false;
  std::optional<UnixMs> first_trade_time;  // the bot's first paper/testnet trade
  UnixMs now = 0;
  int min_record_days = kDefaultLiveRecordDays;
};

struct Venue {
  std::unique_ptr<exchange::Exchange> exchange;           // the port the bot trades on
  exchange::binance::BinanceExchange* binance = nullptr;  // the same object for testnet / live
  std::optional<exchange::paper::AccountIndex> paper_account;
  // The venue's instruments for the bot (testnet/live: the exchange's filters); null for paper
  // (the run's table applies).
  const InstrumentTable* instruments() const { return binance != nullptr ? &binance->instruments() : nullptr; }
};

// `clock`: the clock of the adapter (signing timestamps); outlives the venue.
Result<Venue> MakeVenue(const VenueRequest& request, const Clock& clock);

}  // namespace aitrader::engine
