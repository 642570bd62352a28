// LedgerChecker: an independent re-computation of a paper account's ledger from its execution
// events, for tests. It keeps its own position per symbol (size and average entry, from the
// fills it sees) and derives, with its own integer arithmetic, what every ledger entry must be:
//  - a fill: commission = price × quantity × the account's maker/taker rate, half-even to
//    1e-8 USDT; realized PnL of the closing part = closed size × (price − own average entry)
//    × side, half-even to 1e-8; the average entry of a grown position = the size-weighted
//    mean, half-even to the price unit; a flip opens at the fill price;
//  - funding: −(own size × mark × rate), half-even to 1e-8 (mark and rate from the event);
//  - a liquidation: realized PnL of the whole own position at the liquidation price; the
//    clearance fee within 0..rate × notional; an insurance credit only when no fee was left.
// It then compares the expected entries, in order, with the ledger (deposits excepted) and
// each event's reported position with its own. It shares no code with the simulator's
// accounting (PaperSimulator, RateFeeModel): a wrong fee model, a wrong PnL or a tampered entry
// shows up as a difference. SelfCheck() cannot see those (it sums the same entries two ways).
// Thread safety: none; feed it from the simulator's event observer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "exchange/paper/ledger.hpp"
#include "exchange/paper/models.hpp"
#include "exchange/types.hpp"

namespace aitrader::exchange::paper::testing {

class LedgerChecker {
 public:
  explicit LedgerChecker(std::vector<Instrument> symbols) : symbols_(std::move(symbols)) {}

  void AddAccount(FeeSchedule fees) { accounts_.push_back(Account{fees, std::vector<Pos>(symbols_.size()), {}, {}}); }

  // Call for every event of account a, in order (the simulator's event observer).
  void OnEvent(std::size_t a, const ExecutionEvent& e) {
    Account& acc = accounts_[a];
    const int s = SymbolOf(e.symbol);
    if (s < 0) return;
    Pos& p = acc.pos[static_cast<std::size_t>(s)];
    auto problem = [&](const std::string& what) {
      if (acc.problem.empty()) acc.problem = "event " + std::to_string(e.seq) + " " + e.symbol + ": " + what;
    };
    switch (e.kind) {
      case EventKind::kOrderFilled: {
        const __int128 qty = e.quantity.raw(), px = e.price.raw();
        const __int128 rate = e.liquidity == Liquidity::kMaker ? acc.fees.maker.raw() : acc.fees.taker.raw();
        const std::int64_t fee = To8(px * qty * rate, kE19);  // 1e-27 → 1e-8
        const int sd = e.side == Side::kBuy ? 1 : -1;
        std::int64_t realized = 0;
        if (p.qty == 0 || (p.qty > 0) == (sd > 0)) {
          const __int128 nq = Abs(p.qty) + qty;
          p.entry = static_cast<std::int64_t>(HalfEven(Abs(p.qty) * p.entry + qty * px, nq));
          p.qty += sd * static_cast<std::int64_t>(qty);
        } else {
          const __int128 close = std::min<__int128>(Abs(p.qty), qty);
          realized = To8((p.qty > 0 ? 1 : -1) * close * (px - p.entry), kE10);  // 1e-18 → 1e-8
          const __int128 rest = qty - close;
          p.qty += sd * static_cast<std::int64_t>(qty);
          if (p.qty == 0) p.entry = 0;
          if (rest > 0) p.entry = static_cast<std::int64_t>(px);
        }
        Expect(acc, LedgerKind::kRealizedPnl, s, realized);
        Expect(acc, LedgerKind::kFee, s, -fee);
        if (e.fee.raw() != fee) problem("fee " + e.fee.ToString() + ", expected " + Money::FromRaw(fee).ToString());
        if (e.position_after.raw() != p.qty) problem("position " + e.position_after.ToString() + ", expected " +
                                                     Quantity::FromRaw(p.qty).ToString());
        break;
      }
      case EventKind::kFundingPaid: {
        const std::int64_t due = -To8(static_cast<__int128>(p.qty) * e.price.raw() * e.funding_rate.raw(), kE19);
        if (e.funding_due.raw() != due) problem("funding due " + e.funding_due.ToString());
        // An isolated margin pays at most what it holds: a smaller payment, never a larger one.
        const std::int64_t paid = e.funding.raw();
        const bool short_paid = due < 0 && paid <= 0 && paid > due;
        if (paid != due && !short_paid) problem("funding " + e.funding.ToString());
        Expect(acc, LedgerKind::kFunding, s, paid);
        break;
      }
      case EventKind::kLiquidation: {
        const __int128 px = e.price.raw();
        const std::int64_t realized = To8(static_cast<__int128>(p.qty) * (px - p.entry), kE10);
        const __int128 full = Abs(p.qty) * px * symbols_[static_cast<std::size_t>(s)].liquidation_fee_rate.raw();
        if (e.fee.IsNegative() || static_cast<__int128>(e.fee.raw()) * kE18 > full + kE19) problem("clearance fee");
        if (e.insurance.IsNegative() || (e.insurance.IsPositive() && !e.fee.IsZero())) problem("insurance credit");
        Expect(acc, LedgerKind::kRealizedPnl, s, realized);
        Expect(acc, LedgerKind::kLiquidationFee, s, -e.fee.raw());
        Expect(acc, LedgerKind::kInsuranceCredit, s, e.insurance.raw());
        if (e.realized_pnl.raw() != realized) problem("liquidation PnL " + e.realized_pnl.ToString());
        p.qty = 0;
        p.entry = 0;
        break;
      }
      case EventKind::kPositionChanged:
        if (e.position_after.raw() != p.qty) problem("position " + e.position_after.ToString());
        break;
      default:
        break;
    }
  }

  // The ledger's entries (deposits excepted) must be exactly the expected ones, in order.
  // Empty string: agreed; otherwise the first difference.
  std::string Check(std::size_t a, const std::vector<LedgerEntry>& ledger) const {
    const Account& acc = accounts_[a];
    if (!acc.problem.empty()) return acc.problem;
    std::size_t k = 0;
    for (const LedgerEntry& e : ledger) {
      if (e.kind == LedgerKind::kDeposit) continue;
      if (k >= acc.expected.size()) return "ledger entry " + std::to_string(e.seq) + " not expected";
      const Want& w = acc.expected[k++];
      if (w.kind != e.kind || w.symbol != e.symbol || w.amount != e.amount.raw()) {
        return "ledger entry " + std::to_string(e.seq) + ": " + std::string(ToString(e.kind)) + " " +
               e.amount.ToString() + ", expected " + std::string(ToString(w.kind)) + " " +
               Money::FromRaw(w.amount).ToString();
      }
    }
    if (k != acc.expected.size()) return std::to_string(acc.expected.size() - k) + " expected entries missing";
    return "";
  }

 private:
  static constexpr __int128 kE10 = 10'000'000'000LL;
  static constexpr __int128 kE18 = kE10 * 100'000'000;
  static constexpr __int128 kE19 = kE18 * 10;
  struct Pos {
    std::int64_t qty = 0, entry = 0;
  };
  struct Want {
    LedgerKind kind;
    int symbol;
    std::int64_t amount;
  };
  struct Account {
    FeeSchedule fees;
    std::vector<Pos> pos;
    std::vector<Want> expected;
    std::string problem;
  };

  static __int128 Abs(__int128 v) { return v < 0 ? -v : v; }
  // n / d rounded half to even (d > 0).
  static __int128 HalfEven(__int128 n, __int128 d) {
    __int128 q = n / d, r = n % d;
    if (r < 0) {
      r += d;
      --q;
    }
    if (2 * r > d || (2 * r == d && (q & 1) != 0)) ++q;
    return q;
  }
  // A value in units of 1/(scale × 1e8) USDT to Money raw (1e-9) on the 1e-8 grid.
  static std::int64_t To8(__int128 v, __int128 scale) { return static_cast<std::int64_t>(HalfEven(v, scale) * 10); }
  static void Expect(Account& acc, LedgerKind kind, int s, std::int64_t amount) {
    if (amount != 0) acc.expected.push_back(Want{kind, s, amount});  // the ledger records no zero entries
  }
  int SymbolOf(const std::string& symbol) const {
    for (std::size_t i = 0; i < symbols_.size(); ++i) {
      if (symbols_[i].symbol == symbol) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<Instrument> symbols_;
  std::vector<Account> accounts_;
};

}  // namespace aitrader::exchange::paper::testing
