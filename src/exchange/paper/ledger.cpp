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

Status Ledger::AppendRestored(const LedgerEntry& e) {
  if (e.seq != entries_.size() + 1) {
    return InvalidArgument("ledger entry seq " + std::to_string(e.seq) + ", expected " +
                           std::to_string(entries_.size() + 1));
  }
  if (e.amount.IsZero()) return InvalidArgument("ledger entry with a zero amount");
  if (e.amount.raw() % 10 != 0) return InvalidArgument("ledger amount " + e.amount.ToString() + " not on 1e-8");
  auto after = balance_.CheckedAdd(e.amount);
  if (!after.ok()) return InvalidArgument("ledger balance overflows: " + after.status().message());
  if (*after != e.balance_after) {
    return InvalidArgument("ledger balance_after " + e.balance_after.ToString() + " != balance + amount " +
                           after->ToString());
  }
  balance_ = *after;
  entries_.push_back(e);
  return Status::Ok();
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
