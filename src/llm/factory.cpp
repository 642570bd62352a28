#include "llm/factory.hpp"

#include <algorithm>

#include "llm/cache.hpp"
#include "llm/models.hpp"
#include "llm/replay.hpp"

namespace aitrader::llm {

Result<std::unique_ptr<Client>> MakeClient(const ProviderConfig& config) { return MakeClient(config, ClientDeps{}); }

Result<std::unique_ptr<Client>> MakeClient(const ProviderConfig& config, const ClientDeps& deps) {
  AITRADER_ASSIGN_OR_RETURN(ProviderKind kind, ParseProviderKind(config.provider));
  if (config.requests_per_minute <= 0) return InvalidArgument("requests_per_minute must be > 0");
  if (config.timeout_ms <= 0 || config.connect_timeout_ms <= 0) return InvalidArgument("timeouts must be > 0");
  if (config.max_response_bytes == 0) return InvalidArgument("max_response_bytes must be > 0");
  // The same resolution the provider applies, for cache and replay keys.
  RequestResolver resolve = [provider = config.provider, model = config.model, temperature = config.temperature,
                             max_tokens = config.max_tokens](const Request& request) {
    Request r = request;
    if (r.model.empty()) r.model = model;
    if (!r.temperature && temperature) r.temperature = temperature;
    // As ProviderClient sends it (the table matches model names, so a replay of a recorded
    // model resolves to the same key).
    r.max_tokens = OutputTokenBudget(provider, r.model, r.max_tokens);
    if (max_tokens && *max_tokens > 0) r.max_tokens = std::min(r.max_tokens, *max_tokens);
    return r;
  };
  std::unique_ptr<Client> client;
  std::string endpoint;  // cache and recording keys: EndpointIdentity (never the key itself)
  if (kind == ProviderKind::kReplay) {
    if (config.replay_file.empty()) return InvalidArgument("provider replay needs replay_file");
    AITRADER_ASSIGN_OR_RETURN(auto replay, ReplayClient::Load(config.replay_file, config.replay_by_sequence, resolve));
    client = std::move(replay);
  } else {
    AITRADER_ASSIGN_OR_RETURN(SecretString key, ResolveApiKey(config));
    endpoint = EndpointIdentity(config, key);
    AITRADER_ASSIGN_OR_RETURN(auto adapter, MakeProviderAdapter(config, key));
    client = std::make_unique<ProviderClient>(config, std::move(key), std::move(adapter), deps);
  }
  if (!config.cache_dir.empty()) {
    AITRADER_ASSIGN_OR_RETURN(auto cache, FileResponseCache::Open(config.cache_dir));
    client = std::make_unique<CachingClient>(std::move(client), std::move(cache), resolve, endpoint);
  }
  if (!config.record_file.empty()) {
    AITRADER_ASSIGN_OR_RETURN(auto recording,
                              RecordingClient::Open(std::move(client), config.record_file, resolve, endpoint));
    client = std::move(recording);
  }
  return client;
}

}  // namespace aitrader::llm
