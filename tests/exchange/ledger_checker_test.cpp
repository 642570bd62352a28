// The independent ledger check (ledger_checker.hpp) agrees with the simulator on a scenario
// with fills, a flip, funding and a liquidation, and reports a wrong fee model and a tampered
// entry that SelfCheck() accepts.
#include "exchange/ledger_checker.hpp"

#include <gtest/gtest.h>

#include "exchange/paper_env.hpp"

namespace aitrader::exchange::paper {
namespace {

using testing::LedgerChecker;
using testing::M;
using testing::P;
using testing::Q;

// The bundled fee rule plus one extra 1e-8 USDT on every fill: the kind of mistake (a rounding
// slip) that leaves the ledger internally consistent.
class OffByOneUnitFee final : public FeeModel {
 public:
  Money Fee(const FeeParams& p) const override { return inner_.Fee(p) + Money::FromRaw(10); }

 private:
  RateFeeModel inner_;
};

struct Script {
  SimulatedClock clock{testing::kT0};
  InstrumentTable table = *InstrumentTable::LoadDefault();
  std::unique_ptr<PaperSimulator> sim;
  std::unique_ptr<LedgerChecker> checker;
  UnixMs open = testing::kT0;

  explicit Script(std::unique_ptr<FeeModel> fees) {
    SimulatorConfig cfg;
    cfg.symbols = {"BTCUSDT", "ETHUSDT"};
    cfg.funding_interval = 10 * kMinuteMs;  // a funding every other bar
    sim = std::move(*PaperSimulator::Create(clock, table, cfg, std::make_unique<FixedBpsSlippage>(1.0),
                                            std::move(fees)));
    std::vector<Instrument> ins;
    for (std::size_t s = 0; s < cfg.symbols.size(); ++s) ins.push_back(sim->instrument(static_cast<SymbolIndex>(s)));
    checker = std::make_unique<LedgerChecker>(ins);
    sim->SetEventObserver([this](AccountIndex a, const ExecutionEvent& e) { checker->OnEvent(a, e); });
    AccountConfig ac;
    ac.deposit = M("3000");
    checker->AddAccount(ac.fees);
    EXPECT_TRUE(sim->AddAccount(ac).ok());
  }
  void Bar(const char* btc_o, const char* btc_h, const char* btc_l, const char* btc_c) {
    std::vector<SymbolBar> bars = {{0, {open, P(btc_o), P(btc_h), P(btc_l), P(btc_c), 10}},
                                   {1, {open, P("4000"), P("4010"), P("3990"), P("4000"), 10}}};
    clock.SetMs(open + 5 * kMinuteMs);
    ASSERT_TRUE(sim->OnBars(bars).ok());
    open += 5 * kMinuteMs;
    ASSERT_TRUE(sim->SelfCheck(0).ok());
  }
  void Order(const char* id, const char* sym, Side side, OrderType type, const char* qty, const char* px = nullptr) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = sym;
    r.side = side;
    r.type = type;
    r.quantity = Q(qty);
    if (px != nullptr) r.price = P(px);
    auto o = sim->CreateOrder(0, r);
    ASSERT_TRUE(o.ok());
    ASSERT_NE(o->status, OrderStatus::kRejected) << id << " " << RejectCode(o->reason);
  }
  // Long, add, partial close with a maker limit, flip to short, ETH on the side, funding every
  // other bar, then a cross liquidation of the 10x BTC short.
  void Play() {
    Bar("100000", "100000", "100000", "100000");
    Order("a", "BTCUSDT", Side::kBuy, OrderType::kMarket, "0.05");
    Order("e", "ETHUSDT", Side::kSell, OrderType::kMarket, "0.5");
    Bar("100100", "100500", "99800", "100300");
    Order("b", "BTCUSDT", Side::kBuy, OrderType::kMarket, "0.03");
    Bar("100300", "100900", "100200", "100800");
    Order("c", "BTCUSDT", Side::kSell, OrderType::kLimit, "0.02", "101000");
    Bar("100800", "101200", "100700", "101100");
    Order("d", "BTCUSDT", Side::kSell, OrderType::kMarket, "0.31");  // flips to −0.25
    Bar("101100", "101300", "100900", "101000");
    Bar("101000", "101100", "100800", "100900");
    Bar("100900", "120000", "100900", "119000");  // the short is liquidated on the way up
  }
};

TEST(LedgerChecker, AgreesWithTheSimulator) {
  Script r(nullptr);
  r.Play();
  const auto& entries = r.sim->ledger(0).entries();
  int kinds[6] = {};
  for (const auto& e : entries) ++kinds[static_cast<int>(e.kind)];
  EXPECT_GT(kinds[static_cast<int>(LedgerKind::kFunding)], 2) << r.sim->SerializeLedger(0);
  EXPECT_EQ(kinds[static_cast<int>(LedgerKind::kLiquidationFee)], 1) << r.sim->SerializeLedger(0);
  EXPECT_EQ(r.checker->Check(0, entries), "") << r.sim->SerializeLedger(0);
}

TEST(LedgerChecker, ReportsAWrongFeeModelThatSelfCheckAccepts) {
  Script r(std::make_unique<OffByOneUnitFee>());
  r.Play();
  EXPECT_TRUE(r.sim->SelfCheck(0).ok());
  const std::string got = r.checker->Check(0, r.sim->ledger(0).entries());
  EXPECT_NE(got.find("fee"), std::string::npos) << got;
}

TEST(LedgerChecker, ReportsATamperedEntry) {
  Script r(nullptr);
  r.Play();
  std::vector<LedgerEntry> entries = r.sim->ledger(0).entries();
  ASSERT_EQ(r.checker->Check(0, entries), "");
  // One realized PnL a unit (1e-8 USDT) off, the running balances adjusted to stay consistent.
  bool tampered = false;
  Money shift;
  for (auto& e : entries) {
    if (!tampered && e.kind == LedgerKind::kRealizedPnl) {
      e.amount += Money::FromRaw(10);
      shift = Money::FromRaw(10);
      tampered = true;
    }
    e.balance_after += shift;
  }
  ASSERT_TRUE(tampered);
  const std::string got = r.checker->Check(0, entries);
  EXPECT_NE(got.find("REALIZED_PNL"), std::string::npos) << got;
}

}  // namespace
}  // namespace aitrader::exchange::paper
