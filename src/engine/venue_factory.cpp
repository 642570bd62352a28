#include "engine/venue_factory.hpp"

#include "exchange/paper/paper_exchange.hpp"

namespace aitrader::engine {

namespace bn = exchange::binance;

Status CheckLivePromotion(bool allow_live, std::optional<UnixMs> first_trade_time, UnixMs now, int min_record_days) {
  if (!allow_live) return FailedPrecondition("live trading is not enabled (allow_live is not set)");
  if (min_record_days < 0) return InvalidArgument("min_record_days must be >= 0");
  if (!first_trade_time) {
    return FailedPrecondition("no paper or testnet record: a bot trades " + std::to_string(min_record_days) +
                              " days on paper or testnet before live");
  }
  if (*first_trade_time > now) return FailedPrecondition("the first recorded trade is in the future");
  const UnixMs have = now - *first_trade_time;
  const UnixMs need = static_cast<UnixMs>(min_record_days) * kDayMs;
  if (have < need) {
    return FailedPrecondition(std::to_string(have / kDayMs) + " of the " + std::to_string(min_record_days) +
                              " days of paper/testnet record required for live");
  }
  return Status::Ok();
}

namespace {

Result<Venue> MakeBinance(const VenueRequest& r, TradingMode mode, const Clock& clock) {
  auto options = bn::OptionsFor(r.binance, mode);
  if (!options.ok()) return options.status();
  bn::BinanceCredentials creds;
  if (r.credentials) {
    creds = *r.credentials;
  } else {
    auto env = bn::CredentialsFromEnv(mode, r.env ? r.env : bn::ProcessEnv());
    if (!env.ok()) return env.status();
    creds = std::move(*env);
  }
  if (creds.api_key.empty()) return InvalidArgument("the Binance API key is empty");
  auto ex = std::make_unique<bn::BinanceExchange>(std::move(*options), creds.api_key, creds.api_secret, clock);
  if (!r.expected_positions.empty() || !r.expected_orders.empty()) ex->Expect(r.expected_positions, r.expected_orders);
  Status s = ex->Start();
  if (!s.ok()) return s.WithContext(mode == TradingMode::kTestnet ? "binance testnet" : "binance live");
  Venue v;
  v.binance = ex.get();
  v.exchange = std::move(ex);
  return v;
}

}  // namespace

Result<Venue> MakeVenue(const VenueRequest& r, const Clock& clock) {
  switch (r.mode) {
    case TradingMode::kPaper: {
      if (r.simulator == nullptr) return InvalidArgument("paper mode needs the run's paper simulator");
      auto idx = r.simulator->AddAccount(r.paper_account);
      if (!idx.ok()) return idx.status().WithContext("paper account");
      Venue v;
      v.paper_account = *idx;
      v.exchange = std::make_unique<exchange::paper::PaperExchange>(*r.simulator, *idx);
      return v;
    }
    case TradingMode::kTestnet:
      return MakeBinance(r, TradingMode::kTestnet, clock);
    case TradingMode::kLive: {
      Status promo = CheckLivePromotion(r.allow_live, r.first_trade_time, r.now, r.min_record_days);
      if (!promo.ok()) return promo.WithContext("live refused");
      return MakeBinance(r, TradingMode::kLive, clock);
    }
  }
  return InvalidArgument("unknown trading mode");
}

}  // namespace aitrader::engine
