// The one mapping of a `bots` and an `orders` row to its record, shared by Repository and
// ApiRepository (both select the same columns). Internal to store/. Thread safety: pure functions.
#pragma once

#include "store/database.hpp"
#include "store/repository.hpp"

namespace aitrader::store {

// The columns, in the order BotFromRow reads them.
extern const char* const kBotColumns;
BotRecord BotFromRow(const Row& r);
extern const char* const kOrderColumns;
OrderRecord OrderFromRow(const Row& r);

}  // namespace aitrader::store
