#include "engine/client_ids.hpp"

#include <charconv>

#include "core/status.hpp"
#include "core/strings.hpp"

namespace aitrader::engine {

std::string_view LegCode(OrderLeg leg) {
  switch (leg) {
    case OrderLeg::kEntry: return "e";
    case OrderLeg::kStopLoss: return "sl";
    case OrderLeg::kTakeProfit: return "tp";
    case OrderLeg::kClose: return "x";
    case OrderLeg::kInvalidation: return "iv";
    case OrderLeg::kStopClose: return "st";
    case OrderLeg::kEndOfRun: return "z";
    case OrderLeg::kEmergencyClose: return "es";
  }
  return "?";
}

ClientOrderId MakeClientOrderId(std::int64_t bot_id, std::int64_t cycle, std::string_view coin, OrderLeg leg,
                                int renewal) {
  AITRADER_CHECK(bot_id >= 0 && cycle >= 0 && renewal >= 0, "ids are non-negative");
  std::string id = "at" + std::to_string(bot_id) + "-" + std::to_string(cycle) + "-";
  for (char c : coin.substr(0, 10)) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) id += c;
    else if (c >= 'a' && c <= 'z') id += static_cast<char>(c - 32);
  }
  id += "-";
  id += LegCode(leg);
  if (renewal > 0) id += "r" + std::to_string(renewal);
  AITRADER_CHECK(id.size() <= 36, "client order id fits Binance's 36 characters");
  return ClientOrderId(std::move(id));
}

std::optional<ParsedClientOrderId> ParseClientOrderId(std::string_view id) {
  if (!StartsWith(id, "at")) return std::nullopt;
  auto parts = Split(id.substr(2), '-');
  if (parts.size() != 4) return std::nullopt;
  ParsedClientOrderId out;
  auto num = [](std::string_view s, std::int64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  if (!num(parts[0], out.bot_id) || !num(parts[1], out.cycle) || parts[2].empty()) return std::nullopt;
  out.coin = std::string(parts[2]);
  std::string_view code = parts[3];
  if (const auto r = code.find('r'); r != std::string_view::npos && r > 0) {
    std::int64_t n = 0;
    if (!num(code.substr(r + 1), n) || n < 1 || n > 1'000'000) return std::nullopt;
    out.renewal = static_cast<int>(n);
    code = code.substr(0, r);
    if (code != LegCode(OrderLeg::kStopLoss) && code != LegCode(OrderLeg::kTakeProfit)) return std::nullopt;
  }
  for (auto leg : {OrderLeg::kEntry, OrderLeg::kStopLoss, OrderLeg::kTakeProfit, OrderLeg::kClose,
                   OrderLeg::kInvalidation, OrderLeg::kStopClose, OrderLeg::kEndOfRun, OrderLeg::kEmergencyClose}) {
    if (code == LegCode(leg)) {
      out.leg = leg;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace aitrader::engine
