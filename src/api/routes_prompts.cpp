// GET /api/prompts: the versioned system prompts bots may name in prompt_version
// (data/prompts/<version>.txt, validated as the engine loads them). User templates
// (POST /api/prompts) are not served yet.
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "agent/prompt.hpp"
#include "api/api.hpp"
#include "core/instrument.hpp"

namespace aitrader::api {
namespace json = boost::json;

void Api::AddPromptRoutes() {
  router_.Add("GET", "/api/prompts", true, [](ApiRequest&) {
    std::vector<std::string> versions;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(DataDir() + "/prompts", ec)) {
      if (entry.path().extension() == ".txt") versions.push_back(entry.path().stem().string());
    }
    std::sort(versions.begin(), versions.end());
    json::array items;
    for (const auto& v : versions) {
      auto t = agent::SystemPromptTemplate::LoadDefault(v);
      if (!t.ok()) continue;  // not a valid template: never offered
      json::object o;
      o["id"] = t->version;
      o["kind"] = "system";
      o["default"] = t->version == agent::kDefaultPromptVersion;
      o["text"] = t->text;
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });
}

}  // namespace aitrader::api
