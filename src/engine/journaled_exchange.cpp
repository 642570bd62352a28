#include "engine/journaled_exchange.hpp"

#include <boost/json.hpp>

namespace aitrader::engine {
namespace json = boost::json;
namespace {

std::string OrderPayload(const exchange::OrderRequest& r) {
  json::object o;
  o["client_id"] = r.client_id.value();
  o["symbol"] = r.symbol;
  o["side"] = std::string(ToString(r.side));
  o["type"] = std::string(ToString(r.type));
  o["quantity"] = r.quantity.ToString();
  o["price"] = r.price.ToString();
  o["stop_price"] = r.stop_price.ToString();
  o["time_in_force"] = std::string(ToString(r.time_in_force));
  o["reduce_only"] = r.reduce_only;
  o["close_position"] = r.close_position;
  return json::serialize(o);
}

Result<exchange::OrderRequest> ParseOrderPayload(const json::object& o) {
  exchange::OrderRequest r;
  try {
    r.client_id = ClientOrderId(std::string(o.at("client_id").as_string()));
    r.symbol = std::string(o.at("symbol").as_string());
    auto side = ParseSide(o.at("side").as_string());
    auto type = ParseOrderType(o.at("type").as_string());
    auto tif = ParseTimeInForce(o.at("time_in_force").as_string());
    auto qty = Quantity::Parse(o.at("quantity").as_string());
    auto price = Price::Parse(o.at("price").as_string());
    auto stop = Price::Parse(o.at("stop_price").as_string());
    if (!side || !type || !tif || !qty.ok() || !price.ok() || !stop.ok()) {
      return ParseError("journal: unreadable order payload");
    }
    r.side = *side;
    r.type = *type;
    r.time_in_force = *tif;
    r.quantity = *qty;
    r.price = *price;
    r.stop_price = *stop;
    r.reduce_only = o.at("reduce_only").as_bool();
    r.close_position = o.at("close_position").as_bool();
  } catch (const std::exception& e) {
    return ParseError(std::string("journal: order payload: ") + e.what());
  }
  return r;
}

}  // namespace

Status JournaledExchange::Journal(std::string_view kind, std::string payload) {
  store::JournalEntry e{cursor_.next_seq, bot_id_, cursor_.bar_time, std::string(kind), std::move(payload)};
  Status s = repo_.AppendJournal(e);
  if (!s.ok()) return Unavailable("cannot persist " + std::string(kind) + " (" + s.message() + "); not sent");
  ++cursor_.next_seq;
  return Status::Ok();
}

Result<exchange::Order> JournaledExchange::CreateOrder(const exchange::OrderRequest& request) {
  AITRADER_RETURN_IF_ERROR(Journal("create_order", OrderPayload(request)));
  return inner_.CreateOrder(request);
}

Result<exchange::Order> JournaledExchange::CancelOrder(std::string_view symbol, const ClientOrderId& id) {
  json::object o;
  o["symbol"] = symbol;
  o["client_id"] = id.value();
  AITRADER_RETURN_IF_ERROR(Journal("cancel_order", json::serialize(o)));
  return inner_.CancelOrder(symbol, id);
}

Result<std::vector<exchange::Order>> JournaledExchange::CancelAllOrders(std::string_view symbol) {
  json::object o;
  o["symbol"] = symbol;
  AITRADER_RETURN_IF_ERROR(Journal("cancel_all", json::serialize(o)));
  return inner_.CancelAllOrders(symbol);
}

Status JournaledExchange::SetLeverage(std::string_view symbol, int leverage) {
  json::object o;
  o["symbol"] = symbol;
  o["leverage"] = leverage;
  AITRADER_RETURN_IF_ERROR(Journal("set_leverage", json::serialize(o)));
  return inner_.SetLeverage(symbol, leverage);
}

Status JournaledExchange::SetMarginMode(std::string_view symbol, MarginMode mode) {
  json::object o;
  o["symbol"] = symbol;
  o["mode"] = std::string(ToString(mode));
  AITRADER_RETURN_IF_ERROR(Journal("set_margin_mode", json::serialize(o)));
  return inner_.SetMarginMode(symbol, mode);
}

Status ApplyJournalEntry(exchange::Exchange& venue, const store::JournalEntry& e) {
  boost::system::error_code ec;
  json::value v = json::parse(e.payload, ec);
  if (ec || !v.is_object()) return ParseError("journal entry " + std::to_string(e.seq) + ": not a JSON object");
  const auto& o = v.as_object();
  try {
    if (e.kind == "create_order") {
      auto r = ParseOrderPayload(o);
      if (!r.ok()) return r.status().WithContext("journal entry " + std::to_string(e.seq));
      (void)venue.CreateOrder(*r);
    } else if (e.kind == "cancel_order") {
      (void)venue.CancelOrder(std::string(o.at("symbol").as_string()),
                              ClientOrderId(std::string(o.at("client_id").as_string())));
    } else if (e.kind == "cancel_all") {
      (void)venue.CancelAllOrders(std::string(o.at("symbol").as_string()));
    } else if (e.kind == "set_leverage") {
      (void)venue.SetLeverage(std::string(o.at("symbol").as_string()), static_cast<int>(o.at("leverage").as_int64()));
    } else if (e.kind == "set_margin_mode") {
      auto mode = ParseMarginMode(o.at("mode").as_string());
      if (!mode) return ParseError("journal entry " + std::to_string(e.seq) + ": bad margin mode");
      (void)venue.SetMarginMode(std::string(o.at("symbol").as_string()), *mode);
    } else {
      return ParseError("journal entry " + std::to_string(e.seq) + ": unknown kind '" + e.kind + "'");
    }
  } catch (const std::exception& ex) {
    return ParseError("journal entry " + std::to_string(e.seq) + ": " + ex.what());
  }
  return Status::Ok();
}

}  // namespace aitrader::engine
