// A bot's prompt_version that names a prompt template of its owner ("user:<id>", stored by
// POST /api/prompts), resolved to the template the bot prompts with — one way for every
// driver that builds a user's bot: the service's bots and dry runs (engine::Service) and the
// API's backtests. MakeBotParts then renders it exactly as it renders a bundled system prompt.
// Thread safety: uses only the given database connection.
#pragma once

#include <cstdint>

#include "core/status.hpp"
#include "engine/config.hpp"
#include "store/database.hpp"

namespace aitrader::engine {

// When config.prompt_version is "user:<id>": reads the template of `user_id` (another user's
// is NotFound, exactly as one that never existed or was deleted: nothing tells them apart),
// checks its text again as a template (stored text is input too), names it by the prompt
// version ({{version}} renders "user:<id>", and every decision and report records it) and sets
// config.prompt_template. Any other prompt_version (a bundled one, or empty) is left as it is.
// Errors: NotFound (no such template of this user), FailedPrecondition (the stored text no
// longer loads as a template), the database's.
Status ResolvePromptTemplate(store::Database& db, std::int64_t user_id, BotConfig& config);

}  // namespace aitrader::engine
