// MakeClient: the one place that turns a bot's ProviderConfig into a ready llm::Client.
//
//   provider "replay"      → ReplayClient(config.replay_file)
//   any HTTP provider      → ProviderClient(adapter for the vendor)
//   cache_dir non-empty    → wrapped in CachingClient (development only)
//   record_file non-empty  → wrapped (outermost) in RecordingClient, so cache hits are recorded too
//
// Errors: kInvalidArgument (unknown provider, missing key or base_url — the message names the
// environment variable, never a key), kIoError/kNotFound/kParseError (cache, replay, record files).
// Thread safety: MakeClient is reentrant; the returned client is thread-safe (client.hpp).
#pragma once

#include <memory>

#include "core/status.hpp"
#include "llm/client.hpp"
#include "llm/config.hpp"
#include "llm/provider_client.hpp"

namespace aitrader::llm {

Result<std::unique_ptr<Client>> MakeClient(const ProviderConfig& config);
// The same with injected dependencies (tests: clock, sleeper, rate-limit registry, log...).
Result<std::unique_ptr<Client>> MakeClient(const ProviderConfig& config, const ClientDeps& deps);

}  // namespace aitrader::llm
