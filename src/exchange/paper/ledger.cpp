#include "exchange/paper/ledger.hpp"

namespace aitrader::exchange::paper {

std::string_view ToString(LedgerKind k) {
  switch (k) {
    case LedgerKind::kDeposit: return "DEPOSIT";
    case LedgerKind::kRealizedPnl: return "REALIZED_PNL";
    case LedgerKind::kFee: return "COMMISSION";
    case LedgerKind::kFunding: return "FUNDING_FEE";
    case LedgerKind::kLiquidationFee: return "LIQUIDATION_FEE";
    case LedgerKind::kInsuranceCredit: return "INSURANCE_CREDIT";
  }
  return "?";
}

Money Ledger::Append(UnixMs time, LedgerKind kind, std::int16_t symbol, Money amount, std::int64_t ref) {
  if (amount.IsZero()) return balance_;
  balance_ += amount;
  LedgerEntry e;
  e.seq = entries_.size() + 1;
  e.time = time;
  e.kind = kind;
  e.symbol = symbol;
  e.amount = amount;
  e.balance_after = balance_;
  e.ref = ref;
  entries_.push_back(e);
  return balance_;
}

LedgerTotals Ledger::Totals() const {
  LedgerTotals t;
  for (const auto& e : entries_) {
    switch (e.kind) {
      case LedgerKind::kDeposit: t.deposits += e.amount; break;
      case LedgerKind::kRealizedPnl: t.realized_pnl += e.amount; break;
      case LedgerKind::kFee: t.fees += e.amount; break;
      case LedgerKind::kFunding: t.funding += e.amount; break;
      case LedgerKind::kLiquidationFee: t.liquidation_fees += e.amount; break;
      case LedgerKind::kInsuranceCredit: t.insurance += e.amount; break;
    }
  }
  return t;
}

std::string Ledger::Serialize(const std::vector<std::string>& symbols) const {
  std::string out;
  out.reserve(entries_.size() * 64);
  for (const auto& e : entries_) {
    out += std::to_string(e.seq);
    out += ',';
    out += std::to_string(e.time);
    out += ',';
    out += ToString(e.kind);
    out += ',';
    if (e.symbol >= 0 && static_cast<std::size_t>(e.symbol) < symbols.size()) out += symbols[static_cast<std::size_t>(e.symbol)];
    out += ',';
    out += e.amount.ToString(8);
    out += ',';
    out += e.balance_after.ToString(8);
    out += ',';
    out += std::to_string(e.ref);
    out += '\n';
  }
  return out;
}

}  // namespace aitrader::exchange::paper
