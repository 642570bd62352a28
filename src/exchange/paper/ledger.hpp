// The paper account's ledger: an append-only list of every money movement (deposit, realized
// PnL of a fill, commission, funding, liquidation fee, insurance credit), each with the wallet
// balance after it. The wallet balance of an account is by definition the sum of its entries;
// PaperSimulator::SelfCheck() recomputes it, and equity, both ways.
//
// Amounts are Money quantized to 1e-8 USDT (Binance's USDT precision), so sums are exact.
// Thread safety: a value type; used from the owning simulator's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed.hpp"
#include "core/ids.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::exchange::paper {

enum class LedgerKind : std::uint8_t {
  kDeposit,          // > 0 (a withdrawal would be < 0)
  kRealizedPnl,      // closing part of a fill, or a liquidation
  kFee,              // trading commission, < 0
  kFunding,          // > 0 received, < 0 paid
  kLiquidationFee,   // clearance fee, < 0
  kInsuranceCredit,  // > 0: the insurance fund covering a balance a gap pushed below zero
};
std::string_view ToString(LedgerKind k);

struct LedgerEntry {
  std::uint64_t seq = 0;     // per account, 1, 2, 3...
  UnixMs time = 0;
  LedgerKind kind = LedgerKind::kDeposit;
  std::int16_t symbol = -1;  // simulator symbol index, -1 for none
  Money amount;              // signed, as applied to the wallet
  Money balance_after;       // wallet balance after this entry
  std::int64_t ref = 0;      // order id (fills, fees), 0 otherwise
};

// Totals by kind, the terms of the invariant.
struct LedgerTotals {
  Money deposits, realized_pnl, fees, funding, liquidation_fees, insurance;
  Money Wallet() const { return deposits + realized_pnl + fees + funding + liquidation_fees + insurance; }
};

class Ledger {
 public:
  // Appends an entry; amount 0 entries are not recorded. Returns the new balance.
  Money Append(UnixMs time, LedgerKind kind, std::int16_t symbol, Money amount, std::int64_t ref);
  // A checkpoint's entry read back (PaperSimulator::LoadCheckpoint): appended if it is the
  // next one — seq = size + 1, amount non-zero and on 1e-8 USDT, balance_after = balance +
  // amount without overflow. Otherwise kInvalidArgument naming what is wrong, and the ledger
  // is unchanged.
  Status AppendRestored(const LedgerEntry& e);
  void Reserve(std::size_t n) { entries_.reserve(n); }
  const std::vector<LedgerEntry>& entries() const { return entries_; }
  Money balance() const { return balance_; }
  LedgerTotals Totals() const;
  // One line per entry: seq,time,kind,symbol,amount,balance_after,ref (symbol names from
  // `symbols`). Byte-identical for identical histories.
  std::string Serialize(const std::vector<std::string>& symbols) const;

 private:
  std::vector<LedgerEntry> entries_;
  Money balance_;
};

}  // namespace aitrader::exchange::paper
