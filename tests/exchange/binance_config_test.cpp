#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "exchange/binance/config.hpp"
#include "support/test_keys.hpp"

namespace aitrader::exchange::binance {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(BinanceConfig, DefaultsFileAndEnvironment) {
  auto d = LoadBinanceConfig("", Env({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rest_url, "https://fapi.binance.com");
  EXPECT_EQ(d->testnet_rest_url, "https://demo-fapi.binance.com");
  EXPECT_EQ(d->testnet_ws_url, "wss://fstream.binancefuture.com");
  EXPECT_EQ(d->recv_window_ms, 5000);

  auto f = LoadBinanceConfig(R"({"database":"x","exchange":{"binance":{"testnet_rest_url":"http://127.0.0.1:9000",
      "testnet_ws_url":"ws://127.0.0.1:9000","recv_window_ms":3000}}})",
                             Env({{"AITRADER_BINANCE_WS_URL", "wss://fstream.example"}}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->testnet_rest_url, "http://127.0.0.1:9000");
  EXPECT_EQ(f->ws_url, "wss://fstream.example");
  EXPECT_EQ(f->recv_window_ms, 3000);
  auto o = OptionsFor(*f, TradingMode::kTestnet);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->rest.base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(o->ws_url, "ws://127.0.0.1:9000");
  EXPECT_EQ(o->rest.recv_window_ms, 3000);
  EXPECT_EQ(OptionsFor(*f, TradingMode::kLive)->rest.base_url, "https://fapi.binance.com");
  EXPECT_FALSE(OptionsFor(*f, TradingMode::kPaper).ok());
}

TEST(BinanceConfig, ErrorsNameThePath) {
  auto unknown = LoadBinanceConfig(R"({"exchange":{"binance":{"rest_ur":"https://x"}}})", Env({}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("exchange.binance.rest_ur"), std::string::npos);
  auto window = LoadBinanceConfig(R"({"exchange":{"binance":{"recv_window_ms":70000}}})", Env({}));
  ASSERT_FALSE(window.ok());
  EXPECT_NE(window.status().message().find("recv_window_ms"), std::string::npos);
  // Keys must not travel in clear text to a remote host.
  auto clear = LoadBinanceConfig("", Env({{"AITRADER_BINANCE_REST_URL", "http://fapi.binance.com"}}));
  ASSERT_FALSE(clear.ok());
  EXPECT_NE(clear.status().message().find("https://"), std::string::npos);
  EXPECT_FALSE(LoadBinanceConfig("", Env({{"AITRADER_BINANCE_TESTNET_WS_URL", "ws://127.0.0.1.evil.com"}})).ok());
  EXPECT_FALSE(LoadBinanceConfig("{", Env({})).ok());
}

TEST(BinanceConfig, CredentialsFromTheEnvironment) {
  auto none = CredentialsFromEnv(TradingMode::kTestnet, Env({}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("BINANCE_TESTNET_API_KEY"), std::string::npos);
  auto t = CredentialsFromEnv(TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_SECRET", "ts"},
                                                          {"BINANCE_API_KEY", "lk"}, {"BINANCE_API_SECRET", "ls"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->api_key, "tk");
  EXPECT_EQ(t->api_secret.reveal(), "ts");
  auto l = CredentialsFromEnv(TradingMode::kLive, Env({{"BINANCE_API_KEY", "lk"}, {"BINANCE_API_SECRET", "ls"}}));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->api_key, "lk");
  EXPECT_FALSE(CredentialsFromEnv(TradingMode::kPaper, Env({})).ok());
}

// A file in the test's temporary directory, removed at the end.
struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& name, const std::string& content)
      : path(std::filesystem::temp_directory_path() / ("aitrader-keys-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path) << content;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  ~TempFile() { std::filesystem::remove(path); }
};

TEST(BinanceConfig, PrivateKeysFromTheEnvironment) {
  const auto key = aitrader::testing::GenerateEd25519();
  const std::string body = key.private_pem.substr(28, 24);  // a piece of the key: never in a message
  // The PEM text itself in *_API_SECRET.
  auto inline_pem = CredentialsFromEnv(TradingMode::kTestnet,
                                       Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_SECRET", key.private_pem}}));
  ASSERT_TRUE(inline_pem.ok()) << inline_pem.status().ToString();
  EXPECT_EQ(inline_pem->api_secret.reveal(), key.private_pem);

  // A path in *_API_PRIVATE_KEY_FILE.
  TempFile file("ed25519.pem", key.private_pem);
  auto from_file = CredentialsFromEnv(
      TradingMode::kLive, Env({{"BINANCE_API_KEY", "lk"}, {"BINANCE_API_PRIVATE_KEY_FILE", file.path.string()}}));
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->api_key, "lk");
  EXPECT_EQ(from_file->api_secret.reveal(), key.private_pem);
  auto testnet_file = CredentialsFromEnv(TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"},
                                                                     {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", file.path.string()},
                                                                     {"BINANCE_API_SECRET", "the live one"}}));
  ASSERT_TRUE(testnet_file.ok()) << testnet_file.status().ToString();

  // Both a secret and a file: which one is meant is unclear.
  auto both = CredentialsFromEnv(TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"},
                                                             {"BINANCE_TESTNET_API_SECRET", "ts"},
                                                             {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", file.path.string()}}));
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(both.status().message().find("BINANCE_TESTNET_API_SECRET or BINANCE_TESTNET_API_PRIVATE_KEY_FILE, not both"),
            std::string::npos)
      << both.status().message();

  // No secret and no file: the message names all three variables.
  auto none = CredentialsFromEnv(TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}}));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("BINANCE_TESTNET_API_PRIVATE_KEY_FILE"), std::string::npos);

  // An unreadable file names the variable and the path.
  const std::string missing = (std::filesystem::temp_directory_path() / "aitrader-no-such-key.pem").string();
  auto unreadable = CredentialsFromEnv(TradingMode::kTestnet,
                                       Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", missing}}));
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.status().code(), StatusCode::kIoError);
  EXPECT_NE(unreadable.status().message().find("BINANCE_TESTNET_API_PRIVATE_KEY_FILE (" + missing + ")"), std::string::npos)
      << unreadable.status().message();
  auto directory = CredentialsFromEnv(TradingMode::kTestnet,
                                      Env({{"BINANCE_TESTNET_API_KEY", "tk"},
                                           {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", std::filesystem::temp_directory_path().string()}}));
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.status().message().find("not a regular file"), std::string::npos);

  // A key file others may read is refused, as the server's own key files are.
  TempFile shared("shared.pem", key.private_pem);
  std::filesystem::permissions(shared.path, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  auto readable = CredentialsFromEnv(
      TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", shared.path.string()}}));
  ASSERT_FALSE(readable.ok());
  EXPECT_EQ(readable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(readable.status().message().find("chmod 600"), std::string::npos) << readable.status().message();
  EXPECT_NE(readable.status().message().find("BINANCE_TESTNET_API_PRIVATE_KEY_FILE"), std::string::npos);

  // A file without a PEM block (an HMAC secret belongs in *_API_SECRET).
  TempFile hmac("hmac.txt", "0123456789abcdef0123456789abcdef");
  auto not_pem = CredentialsFromEnv(
      TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", hmac.path.string()}}));
  ASSERT_FALSE(not_pem.ok());
  EXPECT_NE(not_pem.status().message().find("goes in BINANCE_TESTNET_API_SECRET"), std::string::npos) << not_pem.status().message();
  EXPECT_EQ(not_pem.status().message().find("0123456789abcdef"), std::string::npos);

  // An unusable key, inline or in a file: the variable is named, the key is not shown.
  const std::string pkcs1 = aitrader::testing::Pkcs1Pem(aitrader::testing::GenerateRsa(2048));
  auto bad_inline = CredentialsFromEnv(TradingMode::kTestnet,
                                       Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_SECRET", pkcs1}}));
  ASSERT_FALSE(bad_inline.ok());
  EXPECT_EQ(bad_inline.status().message().rfind("BINANCE_TESTNET_API_SECRET: ", 0), 0u) << bad_inline.status().message();
  EXPECT_NE(bad_inline.status().message().find("PKCS#1"), std::string::npos);
  EXPECT_EQ(bad_inline.status().message().find(pkcs1.substr(32, 24)), std::string::npos);
  TempFile bad("pkcs1.pem", pkcs1);
  auto bad_file = CredentialsFromEnv(
      TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_PRIVATE_KEY_FILE", bad.path.string()}}));
  ASSERT_FALSE(bad_file.ok());
  EXPECT_EQ(bad_file.status().message().rfind("BINANCE_TESTNET_API_PRIVATE_KEY_FILE (", 0), 0u) << bad_file.status().message();
  EXPECT_EQ(bad_file.status().message().find(pkcs1.substr(32, 24)), std::string::npos);
  EXPECT_EQ(bad_file.status().message().find(body), std::string::npos);
}

}  // namespace
}  // namespace aitrader::exchange::binance
