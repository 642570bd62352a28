// fake_binance_server: the fake Binance as a process, for trying `aitrader binance-check` (and
// later a bot in testnet mode) without a Binance account:
//   fake_binance_server [--port N]      prints the URLs and the key pair, serves until SIGINT/SIGTERM
//   export AITRADER_BINANCE_TESTNET_REST_URL=http://127.0.0.1:N AITRADER_BINANCE_TESTNET_WS_URL=ws://127.0.0.1:N
//   export BINANCE_TESTNET_API_KEY=<printed key> BINANCE_TESTNET_API_SECRET=<printed secret>
// Loopback only; the clock is the system clock; the market stays at its initial mark price.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "support/fake_binance.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  aitrader::testing::FakeBinanceOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      const long port = std::strtol(argv[++i], nullptr, 10);
      if (port < 0 || port > 65535) {
        std::fprintf(stderr, "error: --port must be 0..65535\n");
        return 2;
      }
      options.port = static_cast<std::uint16_t>(port);
    } else {
      std::fprintf(stderr, "usage: fake_binance_server [--port N]\n");
      return 2;
    }
  }
  aitrader::SystemClock clock;
  aitrader::testing::FakeBinance fake(clock, options);
  if (auto s = fake.Start(); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("rest %s\nws %s\napi_key %s\napi_secret %s\n", fake.rest_url().c_str(), fake.ws_url().c_str(),
              fake.options().api_key.c_str(), fake.options().api_secret.c_str());
  std::fflush(stdout);
  while (g_stop == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fake.Stop();
  return 0;
}
