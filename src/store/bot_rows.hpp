// The one mapping of a `bots`, an `orders` and an `llm_decisions` row to its record, shared by Repository and
// ApiRepository (both select the same columns). Internal to store/. Thread safety: pure functions.
#pragma once

#include <string>

#include "store/database.hpp"
#include "store/repository.hpp"

namespace aitrader::store {

// The columns, in the order BotFromRow reads them.
extern const char* const kBotColumns;
BotRecord BotFromRow(const Row& r);
extern const char* const kOrderColumns;
OrderRecord OrderFromRow(const Row& r);
// The llm_decisions columns DecisionFromRow reads (the prompt as NULL unless with_prompt).
std::string DecisionColumns(bool with_prompt);
DecisionRecord DecisionFromRow(const Row& r);

}  // namespace aitrader::store
