// libFuzzer target for the whole path from a model's answer to an order: answer → parse →
// validate (agent/decision.hpp) → risk check (risk/risk_engine.hpp) → order sizing (the lot and
// tick rounding the engine's executor applies before sending an order).
//
// Properties for any input: no crash, no abort (every fixed-point operation on the path
// either is checked or works on values the earlier steps bounded), every denial carries a
// message, and an approved entry sizes into an order whose quantity is a positive multiple of
// the lot step, whose stop and target are on the correct sides, and whose notional fits.
//
// The first input byte picks the account (small, normal, rich up to Money::Max, drawn down)
// and the mark's offset from the prompt price, so the risk rules see varied states; the rest
// is the answer text. Built by scripts/fuzz.sh decision_risk_fuzz with clang++
// -fsanitize=fuzzer,address,undefined; replayed over tests/data/agent/decision_risk_corpus/ in
// CTest (tests/agent/corpus_replay_main.cpp, compiled with g++).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "agent/decision.hpp"
#include "core/instrument.hpp"
#include "risk/risk_engine.hpp"

namespace {

using aitrader::Money;
using aitrader::Price;
using aitrader::Quantity;
using aitrader::Rounding;

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "decision_risk_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

constexpr std::string_view kInstruments =
    "symbol,base,quote,tick_size,step_size,min_qty,min_notional,max_leverage,maint_margin_rate,maint_amount,"
    "liquidation_fee_rate\n"
    "BTCUSDT,BTC,USDT,0.10,0.001,0.001,100,125,0.004,0,0.0125\n"
    "ETHUSDT,ETH,USDT,0.01,0.001,0.001,20,125,0.004,0,0.0125\n"
    "SOLUSDT,SOL,USDT,0.01,1,1,5,100,0.005,0,0.0125\n"
    "BNBUSDT,BNB,USDT,0.01,0.01,0.01,5,75,0.005,0,0.0125\n"
    "XRPUSDT,XRP,USDT,0.0001,0.1,0.1,5,75,0.005,0,0.0125\n"
    "DOGEUSDT,DOGE,USDT,0.00001,1,1,5,75,0.005,0,0.0125\n";

const aitrader::InstrumentTable& Instruments() {
  static const aitrader::InstrumentTable table = *aitrader::InstrumentTable::ParseCsv(kInstruments, "fuzz");
  return table;
}

const aitrader::risk::RiskEngine& Engine() {
  static const aitrader::risk::RiskEngine engine = *aitrader::risk::RiskEngine::Create({}, Instruments());
  return engine;
}

const aitrader::agent::ValidationContext& Context() {
  static const aitrader::agent::ValidationContext ctx = [] {
    aitrader::agent::ValidationContext c;
    c.max_leverage = 10;
    c.coins = {
        {"BTC", Price::FromRaw(113975'500'000'000), Quantity::Zero()},
        {"ETH", Price::FromRaw(4112'850'000'000), Quantity::FromRaw(5'740'000'000)},
        {"SOL", Price::FromRaw(198'120'000'000), Quantity::FromRaw(-3'000'000'000)},
        {"BNB", Price::FromRaw(1105'300'000'000), Quantity::Zero()},
        {"XRP", Price::FromRaw(2'612'300'000), Quantity::Zero()},
        {"DOGE", Price::FromRaw(198'000'000), Quantity::Zero()},
    };
    return c;
  }();
  return ctx;
}

aitrader::risk::AccountView Account(std::uint8_t selector) {
  aitrader::risk::AccountView a;
  switch (selector % 4) {
    case 0: a.equity = Money::FromUnits(100); break;
    case 1: a.equity = Money::FromUnits(10000); break;
    case 2: a.equity = Money::Max(); break;
    default: a.equity = Money::FromUnits(10000); break;
  }
  a.available_margin = a.equity;
  a.day_start_equity = a.equity;
  a.peak_equity = selector % 4 == 3 ? Money::FromUnits(11000) : a.equity;  // 9% drawdown: still active
  a.open_symbols = {"ETHUSDT", "SOLUSDT"};
  a.now = 1'760'000'000'000;
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aitrader;
  using namespace aitrader::agent;
  const std::uint8_t selector = size > 0 ? data[0] : 0;
  // The selector byte stays part of the answer too (so plain JSON seeds work as they are).
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const risk::AccountView account = Account(selector);
  // The mark: the prompt price moved by up to ±3% (selector's high bits).
  const int mark_bps = (static_cast<int>(selector >> 2) % 61 - 30) * 10;

  DecisionProtocol protocol(Context(), RetryPolicy{0}, "aa-v1");
  DecisionProtocol::Step step = protocol.OnAnswer(std::string(text));
  const DecisionOutcome& outcome = protocol.outcome();
  if (step == DecisionProtocol::Step::kFallback) {
    for (const Decision& d : outcome.decisions) Require(d.signal == Signal::kHold, "fallback holds");
    Require(!outcome.fallback_reason.empty(), "fallback has a reason");
    return 0;
  }
  Require(step == DecisionProtocol::Step::kAccepted, "zero retries: accepted or fallback");
  for (const Decision& d : outcome.decisions) {
    Require(d.signal.has_value(), "accepted decisions have a signal");
    if (!IsEntry(*d.signal)) continue;
    // What the engine does (engine/bot.cpp): the instrument, the lot rounding, the proposal.
    const Instrument* ins = Instruments().Find(d.coin);
    const CoinState* state = Context().Find(d.coin);
    Require(ins != nullptr && state != nullptr && state->price, "validated coin is traded and priced");
    Require(d.quantity && d.leverage && d.stop_loss && d.profit_target, "validated entry is complete");
    risk::EntryProposal prop;
    prop.symbol = ins->symbol;
    prop.side = *d.signal == Signal::kBuyToEnter ? Side::kBuy : Side::kSell;
    prop.quantity = d.quantity->RoundToStep(ins->step_size, Rounding::kTowardZero);
    prop.leverage = *d.leverage;
    prop.price = *state->price;
    prop.stop_loss = d.stop_loss;
    prop.take_profit = d.profit_target;
    const Price mark = prop.price + ApplyRatio(prop.price, Ratio::FromRaw(mark_bps * 100'000), Rounding::kHalfEven);
    risk::Verdict verdict = Engine().CheckEntry(prop, account, mark);
    for (const risk::Denial& den : verdict.denials) Require(!den.message.empty(), "denial has a message");
    Require(!verdict.Summary().empty(), "summary");
    if (!verdict.approved()) continue;
    // Order sizing as the executor does it (engine/executor.cpp): these are the aborting
    // forms, so an approval that cannot be sized would crash here.
    const Quantity qty = prop.quantity.RoundToStep(ins->step_size, Rounding::kTowardZero);
    const Price sl = prop.stop_loss->RoundToStep(ins->tick_size, Rounding::kHalfEven);
    const Price tp = prop.take_profit->RoundToStep(ins->tick_size, Rounding::kHalfEven);
    Require(qty.IsPositive() && qty.IsMultipleOf(ins->step_size), "approved quantity is a positive lot multiple");
    Require(qty >= ins->min_qty, "approved quantity meets the minimum");
    const Money notional = Notional(mark, qty);
    Require(account.equity == Money::Max() ||
                notional <= ApplyRatio(account.equity, Ratio::FromRaw(3'010'000'000), Rounding::kFloor),
            "approved notional within 3x equity");
    Require(prop.leverage >= 1 && prop.leverage <= risk::kHardMaxLeverage, "approved leverage 1..10");
    if (prop.side == Side::kBuy) {
      Require(sl.IsPositive() && sl <= prop.price && tp >= prop.price, "long exits on the right sides");
    } else {
      Require(tp.IsPositive() && sl >= prop.price && tp <= prop.price, "short exits on the right sides");
    }
  }
  return 0;
}
