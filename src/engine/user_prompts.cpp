#include "engine/user_prompts.hpp"

#include <memory>

#include "agent/prompt.hpp"
#include "store/api_repository.hpp"

namespace aitrader::engine {

Status ResolvePromptTemplate(store::Database& db, std::int64_t user_id, BotConfig& config) {
  const auto id = store::ParsePromptTemplateId(config.prompt_version);
  if (!id) return Status::Ok();
  store::ApiRepository api(db);
  auto row = api.GetUserPromptTemplate(user_id, *id);
  if (!row.ok()) {
    if (row.status().code() != StatusCode::kNotFound) return row.status();
    return NotFound("prompt_version " + config.prompt_version +
                    ": the bot's owner has no such prompt template (GET /api/prompts lists them)");
  }
  // Checked under a placeholder name ("user:" is not a bundled version's spelling), then named.
  auto tmpl = agent::SystemPromptTemplate::FromText("user", row->text);
  if (!tmpl.ok()) return FailedPrecondition("prompt template " + config.prompt_version + ": " + tmpl.status().message());
  tmpl->version = config.prompt_version;
  config.prompt_template = std::make_shared<const agent::SystemPromptTemplate>(std::move(*tmpl));
  return Status::Ok();
}

}  // namespace aitrader::engine
