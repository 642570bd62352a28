#include "exchange/binance/config.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aitrader::exchange::binance {
namespace json = boost::json;

namespace {

bool IsLoopbackUrl(const std::string& url, std::string_view scheme) {
  for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
    const std::string prefix = std::string(scheme) + host;
    if (url.rfind(prefix, 0) == 0 && (url.size() == prefix.size() || url[prefix.size()] == ':' || url[prefix.size()] == '/')) {
      return true;
    }
  }
  return false;
}

Status CheckUrl(const std::string& url, bool ws, const std::string& where) {
  const std::string secure = ws ? "wss://" : "https://";
  const std::string plain = ws ? "ws://" : "http://";
  if (url.rfind(secure, 0) == 0 && url.size() > secure.size()) return Status::Ok();
  if (url.rfind(plain, 0) == 0 && IsLoopbackUrl(url, plain)) return Status::Ok();
  return InvalidArgument(where + ": \"" + url + "\" must start with " + secure + " (" + plain + " only to loopback)");
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

Result<BinanceConfig> LoadBinanceConfig(std::string_view config_json, const EnvLookup& env) {
  BinanceConfig c;
  if (!config_json.empty()) {
    json::error_code ec;
    json::value doc = json::parse(config_json, ec);
    if (ec) return ParseError("server config: not JSON (" + ec.message() + ")");
    if (!doc.is_object()) return ParseError("server config: not an object");
    const json::value* ex = doc.as_object().if_contains("exchange");
    const json::value* bn = ex != nullptr && ex->is_object() ? ex->as_object().if_contains("binance") : nullptr;
    if (ex != nullptr && !ex->is_object()) return InvalidArgument("exchange: must be an object");
    if (bn != nullptr) {
      if (!bn->is_object()) return InvalidArgument("exchange.binance: must be an object");
      for (const auto& [key, value] : bn->as_object()) {
        const std::string path = "exchange.binance." + std::string(key);
        std::string* target = nullptr;
        if (key == "rest_url") target = &c.rest_url;
        else if (key == "ws_url") target = &c.ws_url;
        else if (key == "testnet_rest_url") target = &c.testnet_rest_url;
        else if (key == "testnet_ws_url") target = &c.testnet_ws_url;
        if (target != nullptr) {
          if (!value.is_string()) return InvalidArgument(path + ": must be a string");
          *target = std::string(value.as_string().c_str());
        } else if (key == "recv_window_ms") {
          if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > 60'000) {
            return InvalidArgument(path + ": must be an integer in 1..60000 (Binance recommends 5000 or less)");
          }
          c.recv_window_ms = value.as_int64();
        } else {
          return InvalidArgument(path + ": unknown key");
        }
      }
    }
  }
  AITRADER_RETURN_IF_ERROR(ApplyBinanceEnvironment(c, env));
  return c;
}

Status ApplyBinanceEnvironment(BinanceConfig& c, const EnvLookup& env) {
  struct Override {
    const char* var;
    std::string* field;
  };
  for (const Override& o : {Override{"AITRADER_BINANCE_REST_URL", &c.rest_url}, Override{"AITRADER_BINANCE_WS_URL", &c.ws_url},
                            Override{"AITRADER_BINANCE_TESTNET_REST_URL", &c.testnet_rest_url},
                            Override{"AITRADER_BINANCE_TESTNET_WS_URL", &c.testnet_ws_url}}) {
    if (auto v = env(o.var)) *o.field = *v;
  }
  AITRADER_RETURN_IF_ERROR(CheckUrl(c.rest_url, false, "exchange.binance.rest_url"));
  AITRADER_RETURN_IF_ERROR(CheckUrl(c.ws_url, true, "exchange.binance.ws_url"));
  AITRADER_RETURN_IF_ERROR(CheckUrl(c.testnet_rest_url, false, "exchange.binance.testnet_rest_url"));
  AITRADER_RETURN_IF_ERROR(CheckUrl(c.testnet_ws_url, true, "exchange.binance.testnet_ws_url"));
  return Status::Ok();
}

namespace {

constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

// The PEM file a *_PRIVATE_KEY_FILE variable names. Errors name the variable and the path,
// never the content.
Result<Secret> ReadKeyFile(const std::string& path, const std::string& var) {
  const std::string where = var + " (" + path + ")";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(where + ": cannot open the file: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError(where + ": not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {  // as for the server's own key files
    ::close(fd);
    return FailedPrecondition(where + ": readable by group or others; make it private (chmod 600)");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    ::close(fd);
    return InvalidArgument(where + ": larger than 64 KiB, not a PEM private key");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  const int read_errno = errno;
  ::close(fd);
  if (got != text.size()) {
    WipeString(text);
    return IoError(where + ": cannot read the file" + (read_errno != 0 ? std::string(": ") + std::strerror(read_errno) : ""));
  }
  Secret secret(std::move(text));
  if (!LooksLikePem(secret.reveal())) {
    return InvalidArgument(where + ": the file holds no PEM block; expected an unencrypted PKCS#8 private key "
                           "(\"-----BEGIN PRIVATE KEY-----\", Ed25519 or RSA). An HMAC secret goes in " +
                           var.substr(0, var.size() - std::string_view("PRIVATE_KEY_FILE").size()) + "SECRET");
  }
  return secret;
}

}  // namespace

Result<BinanceCredentials> CredentialsFromEnv(TradingMode mode, const EnvLookup& env) {
  if (mode == TradingMode::kPaper) return InvalidArgument("paper mode trades on no Binance account");
  const std::string prefix = mode == TradingMode::kTestnet ? "BINANCE_TESTNET_API_" : "BINANCE_API_";
  const std::string key_var = prefix + "KEY";
  const std::string secret_var = prefix + "SECRET";
  const std::string file_var = prefix + "PRIVATE_KEY_FILE";
  auto key = env(key_var);
  auto secret = env(secret_var);
  auto file = env(file_var);
  if (secret && file) {
    WipeString(*secret);
    return InvalidArgument("set " + secret_var + " or " + file_var + ", not both");
  }
  if (!key || (!secret && !file)) {
    if (secret) WipeString(*secret);
    return NotFound("set " + key_var + " and " + secret_var + " (HMAC secret or PEM private key) or " + file_var +
                    " (or store the user's credentials)");
  }
  Secret value;
  std::string where = secret_var;
  if (file) {
    auto read = ReadKeyFile(*file, file_var);
    if (!read.ok()) return read.status();
    value = std::move(*read);
    where = file_var + " (" + *file + ")";
  } else {
    value = Secret(std::move(*secret));
    WipeString(*secret);
  }
  // Parsed here only to name the variable when the key is unusable; the adapter parses its own.
  auto signer = Signer::Create(value);
  if (!signer.ok()) return InvalidArgument(where + ": " + signer.status().message());
  return BinanceCredentials{*key, std::move(value)};
}

Result<BinanceExchangeOptions> OptionsFor(const BinanceConfig& config, TradingMode mode) {
  if (mode == TradingMode::kPaper) return InvalidArgument("paper mode uses the paper simulator, not the Binance adapter");
  BinanceExchangeOptions o;
  o.rest.base_url = mode == TradingMode::kTestnet ? config.testnet_rest_url : config.rest_url;
  o.ws_url = mode == TradingMode::kTestnet ? config.testnet_ws_url : config.ws_url;
  o.rest.recv_window_ms = config.recv_window_ms;
  return o;
}

}  // namespace aitrader::exchange::binance
