#include <gtest/gtest.h>

#include "exchange/paper/ledger.hpp"
#include "exchange/paper/models.hpp"
#include "exchange/paper_env.hpp"

namespace aitrader::exchange::paper {
namespace {

using testing::M;
using testing::P;
using testing::Q;
using testing::R;

TEST(PaperModels, FixedBpsSlippageRoundsAgainstTheTrader) {
  FixedBpsSlippage two(2.0);
  SlippageParams p;
  EXPECT_EQ(two.SlippageFraction(p), R("0.0002"));
  // 100000 × 1.0002 = 100020 exactly; 99999.9 × 1.0002 = 100019.89998 → up to 100019.9 for a
  // buy, and 99999.9 × 0.9998 = 99979.90002 → down to 99979.9 for a sell.
  EXPECT_EQ(ApplySlippage(Side::kBuy, P("100000"), R("0.0002"), P("0.1")), P("100020"));
  EXPECT_EQ(ApplySlippage(Side::kBuy, P("99999.9"), R("0.0002"), P("0.1")), P("100019.9"));
  EXPECT_EQ(ApplySlippage(Side::kSell, P("99999.9"), R("0.0002"), P("0.1")), P("99979.9"));
  EXPECT_EQ(ApplySlippage(Side::kSell, P("0.1"), R("0"), P("0.1")), P("0.1"));
}

TEST(PaperModels, VolumeVolatilitySlippage) {
  VolumeVolatilitySlippageParams vp;
  vp.base_bps = 1;
  vp.range_share = 0.1;
  vp.participation_bps = 10;
  vp.jitter_bps = 2;
  vp.max_bps = 50;
  VolumeVolatilitySlippage m(vp);
  SlippageParams p;
  p.candle_open = P("100");
  p.candle_high = P("101");
  p.candle_low = P("99");
  p.candle_volume = 1000;
  p.quantity = Q("10");
  p.uniform = 0.5;
  // 1 + 0.1 × 200 bps + 10 × 1% + 2 × 0.5 = 1 + 20 + 10 + 1 = 32 bps.
  EXPECT_EQ(m.SlippageFraction(p), R("0.0032"));
  p.quantity = Q("1000");  // 100% of the bar: capped at 50 bps
  EXPECT_EQ(m.SlippageFraction(p), R("0.005"));
}

TEST(PaperModels, RateFeeRoundsHalfEvenToEightDecimals) {
  RateFeeModel f;
  FeeSchedule s;
  EXPECT_EQ(f.Fee({s, Liquidity::kTaker, P("100000"), Q("0.1")}), M("5"));
  EXPECT_EQ(f.Fee({s, Liquidity::kMaker, P("102000"), Q("0.06")}), M("1.224"));
  // 0.00001 × 1 × 0.0005 = 0.000000005 → half-even at 1e-8 → 0.
  EXPECT_EQ(f.Fee({s, Liquidity::kTaker, P("0.00001"), Q("1")}), M("0"));
  // 0.00003 × 1 × 0.0005 = 0.000000015 → 0.00000002.
  EXPECT_EQ(f.Fee({s, Liquidity::kTaker, P("0.00003"), Q("1")}), M("0.00000002"));
}

TEST(PaperLedger, AppendTotalsAndSerialize) {
  Ledger l;
  l.Append(1, LedgerKind::kDeposit, -1, M("100"), 0);
  l.Append(2, LedgerKind::kFee, 0, M("-0.5"), 7);
  l.Append(3, LedgerKind::kFunding, 0, M("0"), 0);  // zero amounts are not recorded
  l.Append(4, LedgerKind::kRealizedPnl, 0, M("12.25"), 7);
  EXPECT_EQ(l.entries().size(), 3U);
  EXPECT_EQ(l.balance(), M("111.75"));
  const LedgerTotals t = l.Totals();
  EXPECT_EQ(t.deposits, M("100"));
  EXPECT_EQ(t.fees, M("-0.5"));
  EXPECT_EQ(t.realized_pnl, M("12.25"));
  EXPECT_EQ(t.Wallet(), l.balance());
  EXPECT_EQ(l.Serialize({"BTCUSDT"}),
            "1,1,DEPOSIT,,100.00000000,100.00000000,0\n"
            "2,2,COMMISSION,BTCUSDT,-0.50000000,99.50000000,7\n"
            "3,4,REALIZED_PNL,BTCUSDT,12.25000000,111.75000000,7\n");
}

}  // namespace
}  // namespace aitrader::exchange::paper
