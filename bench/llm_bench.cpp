// LLM layer costs that add to every trading cycle: the cache key of a realistic prompt, parsing
// each vendor's answer, pricing a call, a rate-limit reservation, and one full Complete() round
// trip through libcurl against the local mock server (loopback, no retries).
#include <benchmark/benchmark.h>

#include "llm/cache.hpp"
#include "llm/factory.hpp"
#include "llm/mock/mock_server.hpp"
#include "llm/pricing.hpp"
#include "llm/rate_limiter.hpp"
#include "llm/wire/anthropic_wire.hpp"
#include "llm/wire/gemini_wire.hpp"
#include "llm/wire/openai_wire.hpp"

namespace {
using namespace aitrader;
using namespace aitrader::llm;

Request AlphaArenaSizedRequest() {
  Request r;
  r.model = "claude-sonnet-4-5";
  std::string user;
  for (int i = 0; i < 120; ++i) user += "Mid prices: [114050.0, 114084.5, 114164.5, 114204.5, 114330.0]\n";
  r.messages = {{Role::kSystem, std::string(4000, 's')}, {Role::kUser, user}};  // ~12 KB, Alpha Arena-sized
  r.response_schema = R"({"type":"object","properties":{"signal":{"type":"string"}},"required":["signal"]})";
  return r;
}

void BM_CacheKey(benchmark::State& state) {
  const Request r = AlphaArenaSizedRequest();
  for (auto _ : state) benchmark::DoNotOptimize(CacheKey("anthropic", r));
}
BENCHMARK(BM_CacheKey);

mock::MockRequest MockFor(mock::Vendor vendor, const char* model) {
  mock::MockRequest m;
  m.vendor = vendor;
  m.model = model;
  m.system = std::string(4000, 's');
  m.user = std::string(8000, 'u');
  m.sequence = 2;
  return m;
}

void BM_ParseAnthropic(benchmark::State& state) {
  const auto m = MockFor(mock::Vendor::kAnthropic, "claude-sonnet-4-5");
  const std::string body = mock::BuildVendorReply(m, mock::DefaultHoldResponder(m), {}, "").body;
  for (auto _ : state) benchmark::DoNotOptimize(wire::ParseAnthropicResponse(body));
}
BENCHMARK(BM_ParseAnthropic);

void BM_ParseOpenAi(benchmark::State& state) {
  const auto m = MockFor(mock::Vendor::kOpenAi, "deepseek-reasoner");
  const std::string body = mock::BuildVendorReply(m, mock::DefaultHoldResponder(m), {}, "").body;
  for (auto _ : state) benchmark::DoNotOptimize(wire::ParseOpenAiResponse(body));
}
BENCHMARK(BM_ParseOpenAi);

void BM_ParseGemini(benchmark::State& state) {
  const auto m = MockFor(mock::Vendor::kGemini, "gemini-2.5-flash");
  const std::string body = mock::BuildVendorReply(m, mock::DefaultHoldResponder(m), {}, "").body;
  for (auto _ : state) benchmark::DoNotOptimize(wire::ParseGeminiResponse(body));
}
BENCHMARK(BM_ParseGemini);

void BM_Cost(benchmark::State& state) {
  const PriceTable table = PriceTable::LoadDefault().value();
  Usage u;
  u.input_tokens = 3000;
  u.cached_tokens = 1000;
  u.output_tokens = 400;
  for (auto _ : state) benchmark::DoNotOptimize(table.Cost("anthropic", "claude-sonnet-4-5-20250929", u));
}
BENCHMARK(BM_Cost);

void BM_TokenBucketReserve(benchmark::State& state) {
  SimulatedClock clock(0);
  TokenBucket bucket(1'000'000, 1'000'000, clock);
  for (auto _ : state) {
    clock.AdvanceMs(1);
    benchmark::DoNotOptimize(bucket.Reserve());
  }
}
BENCHMARK(BM_TokenBucketReserve);

void BM_CompleteAgainstMockServer(benchmark::State& state) {
  mock::MockServer server;
  if (!server.Start().ok()) {
    state.SkipWithError("mock server did not start");
    return;
  }
  ProviderConfig c;
  c.provider = "anthropic";
  c.model = "claude-sonnet-4-5";
  c.base_url = server.BaseUrl();
  c.api_key = SecretString("sk-bench");
  c.requests_per_minute = 1'000'000;
  SimulatedClock clock(0);
  RateLimiterRegistry registry(clock);
  ClientDeps deps;
  deps.clock = &clock;
  deps.rate_limits = &registry;
  auto client = MakeClient(c, deps).value();
  const Request r = AlphaArenaSizedRequest();
  for (auto _ : state) {
    auto response = client->Complete(r);
    if (!response.ok()) state.SkipWithError(response.status().ToString().c_str());
    benchmark::DoNotOptimize(response);
  }
  server.Stop();
}
BENCHMARK(BM_CompleteAgainstMockServer)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
