// fake_binance_server: the fake Binance as a process, for trying `aitrader binance-check` (and
// later a bot in testnet mode) without a Binance account:
//   fake_binance_server [--port N] [--public-key FILE]
//       prints the URLs and the HMAC key pair, serves until SIGINT/SIGTERM; with --public-key
//       (a PEM "BEGIN PUBLIC KEY", Ed25519 or RSA) also registers an API key for that public key
//       and prints it ("pubkey_api_key"), as Binance does when you upload one
//   export AITRADER_BINANCE_TESTNET_REST_URL=http://127.0.0.1:N AITRADER_BINANCE_TESTNET_WS_URL=ws://127.0.0.1:N
//   export BINANCE_TESTNET_API_KEY=<printed key> BINANCE_TESTNET_API_SECRET=<printed secret>
//   (or BINANCE_TESTNET_API_KEY=<pubkey_api_key> BINANCE_TESTNET_API_PRIVATE_KEY_FILE=<private key PEM>)
// Loopback only; the clock is the system clock; the market stays at its initial mark price.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/fake_binance.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  aitrader::testing::FakeBinanceOptions options;
  std::string public_key_file;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      const long port = std::strtol(argv[++i], nullptr, 10);
      if (port < 0 || port > 65535) {
        std::fprintf(stderr, "error: --port must be 0..65535\n");
        return 2;
      }
      options.port = static_cast<std::uint16_t>(port);
    } else if (std::strcmp(argv[i], "--public-key") == 0 && i + 1 < argc) {
      public_key_file = argv[++i];
    } else {
      std::fprintf(stderr, "usage: fake_binance_server [--port N] [--public-key FILE]\n");
      return 2;
    }
  }
  aitrader::SystemClock clock;
  aitrader::testing::FakeBinance fake(clock, options);
  if (auto s = fake.Start(); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  }
  const std::string pubkey_api_key = "fake-pubkey-api-key-0123456789";
  if (!public_key_file.empty()) {
    std::ifstream in(public_key_file);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "error: --public-key: cannot read %s\n", public_key_file.c_str());
      return 1;
    }
    if (auto s = fake.RegisterApiKey(pubkey_api_key, pem.str()); !s.ok()) {
      std::fprintf(stderr, "error: --public-key %s: %s\n", public_key_file.c_str(), s.ToString().c_str());
      return 1;
    }
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("rest %s\nws %s\napi_key %s\napi_secret %s\n", fake.rest_url().c_str(), fake.ws_url().c_str(),
              fake.options().api_key.c_str(), fake.options().api_secret.c_str());
  if (!public_key_file.empty()) std::printf("pubkey_api_key %s\n", pubkey_api_key.c_str());
  std::fflush(stdout);
  while (g_stop == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fake.Stop();
  return 0;
}
