// Strong id types: a BotId cannot be passed where a UserId is expected.
// Thread safety: plain value types.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace aitrader {

template <class Tag, class Rep = std::int64_t>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value_(std::move(v)) {}
  constexpr const Rep& value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  constexpr bool operator==(const StrongId&) const = default;

 private:
  Rep value_{};
};

using UserId = StrongId<struct UserIdTag>;
using BotId = StrongId<struct BotIdTag>;
using AccountId = StrongId<struct AccountIdTag>;
using OrderId = StrongId<struct OrderIdTag>;      // assigned by the venue
using TradeId = StrongId<struct TradeIdTag>;      // one fill
using DecisionId = StrongId<struct DecisionIdTag>;
// Chosen by the caller, idempotent at the venue (Binance: ≤ 36 chars of [.A-Z:/a-z0-9_-]).
using ClientOrderId = StrongId<struct ClientOrderIdTag, std::string>;

}  // namespace aitrader

template <class Tag, class Rep>
struct std::hash<aitrader::StrongId<Tag, Rep>> {
  std::size_t operator()(const aitrader::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
