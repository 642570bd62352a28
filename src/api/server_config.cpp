#include "api/server_config.hpp"

#include <boost/json.hpp>

#include <cstdlib>

#include "core/io.hpp"

namespace aitrader::api {
namespace json = boost::json;
namespace {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}
  Status Error(const std::string& path, const std::string& what) const {
    return InvalidArgument(source_ + ": " + path + ": " + what);
  }
  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  Status CheckKeys(const json::object& o, const std::string& path, std::initializer_list<std::string_view> allowed) const {
    for (const auto& kv : o) {
      bool known = false;
      for (auto a : allowed) known = known || kv.key() == a;
      if (!known) return Error(Join(path, kv.key()), "unknown key");
    }
    return Status::Ok();
  }
  Result<std::string> String(const json::value& v, const std::string& path) const {
    if (!v.is_string()) return Error(path, "must be a string");
    return std::string(v.as_string());
  }
  Result<std::int64_t> Integer(const json::value& v, const std::string& path, std::int64_t lo, std::int64_t hi) const {
    std::int64_t x = 0;
    if (v.is_int64()) x = v.as_int64();
    else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) x = static_cast<std::int64_t>(v.as_uint64());
    else return Error(path, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    if (x < lo || x > hi) return Error(path, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  Result<bool> Bool(const json::value& v, const std::string& path) const {
    if (!v.is_bool()) return Error(path, "must be true or false");
    return v.as_bool();
  }
  Result<std::vector<std::string>> Strings(const json::value& v, const std::string& path) const {
    if (!v.is_array()) return Error(path, "must be an array of strings");
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const auto& e : v.as_array()) {
      AITRADER_ASSIGN_OR_RETURN(std::string s, String(e, path + "[" + std::to_string(i++) + "]"));
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::string source_;
};

}  // namespace

Result<ServerConfig> ParseServerConfig(std::string_view json_text, std::string_view source_name) {
  Reader rd{std::string(source_name)};
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 8;
  json::value root = json::parse(json_text, ec, {}, opts);
  if (ec) return ParseError(std::string(source_name) + ": not valid JSON: " + ec.message());
  if (!root.is_object()) return rd.Error("(top)", "must be a JSON object");
  const auto& top = root.as_object();
  AITRADER_RETURN_IF_ERROR(rd.CheckKeys(
      top, "",
      {"host", "port", "database", "data", "speed", "from", "web", "threads", "workers", "jwt_secret",
       "jwt_secret_file", "master_key_file", "access_token_ttl_s", "refresh_token_ttl_s", "limits", "login_throttle",
       "cors_origins", "llm_base_url_allow", "allow_server_llm_keys", "allow_live", "live_min_record_days", "market",
       "exchange"}));
  ServerConfig c;
  for (const auto& kv : top) {
    const std::string p(kv.key());
    const auto& x = kv.value();
    if (p == "host") {
      AITRADER_ASSIGN_OR_RETURN(c.host, rd.String(x, p));
    } else if (p == "port") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 0, 65535));
      c.port = static_cast<int>(n);
    } else if (p == "database") {
      AITRADER_ASSIGN_OR_RETURN(c.database, rd.String(x, p));
    } else if (p == "data") {
      AITRADER_ASSIGN_OR_RETURN(c.data_dir, rd.String(x, p));
    } else if (p == "speed") {
      if (!x.is_number() || x.to_number<double>() < 0) return rd.Error(p, "must be a number >= 0");
      c.speed = x.to_number<double>();
    } else if (p == "from") {
      AITRADER_ASSIGN_OR_RETURN(std::string s, rd.String(x, p));
      auto t = ParseUtc(s);
      if (!t.ok()) return rd.Error(p, t.status().message());
      c.from = *t;
    } else if (p == "web") {
      AITRADER_ASSIGN_OR_RETURN(c.web_dir, rd.String(x, p));
    } else if (p == "threads") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 1, 64));
      c.threads = static_cast<int>(n);
    } else if (p == "workers") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 1, 256));
      c.workers = static_cast<int>(n);
    } else if (p == "jwt_secret") {
      AITRADER_ASSIGN_OR_RETURN(c.jwt_secret, rd.String(x, p));
      if (c.jwt_secret.size() < 32) return rd.Error(p, "must be at least 32 bytes");
    } else if (p == "jwt_secret_file") {
      AITRADER_ASSIGN_OR_RETURN(c.jwt_secret_file, rd.String(x, p));
    } else if (p == "master_key_file") {
      AITRADER_ASSIGN_OR_RETURN(c.master_key_file, rd.String(x, p));
    } else if (p == "access_token_ttl_s") {
      AITRADER_ASSIGN_OR_RETURN(c.access_token_ttl_s, rd.Integer(x, p, 10, 24 * 3600));
    } else if (p == "refresh_token_ttl_s") {
      AITRADER_ASSIGN_OR_RETURN(c.refresh_token_ttl_s, rd.Integer(x, p, 60, 365LL * 24 * 3600));
    } else if (p == "limits") {
      if (!x.is_object()) return rd.Error(p, "must be an object");
      AITRADER_RETURN_IF_ERROR(rd.CheckKeys(x.as_object(), p,
                                            {"body_bytes", "header_bytes", "request_timeout_ms", "idle_timeout_ms",
                                             "max_connections", "ws_message_bytes", "ws_queue_messages",
                                             "backtests_per_user", "backtests_total"}));
      for (const auto& lk : x.as_object()) {
        const std::string lp = Reader::Join(p, lk.key());
        const auto& v = lk.value();
        if (lk.key() == "body_bytes") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1024, 64LL << 20));
          c.limits.body_bytes = static_cast<std::size_t>(n);
        } else if (lk.key() == "header_bytes") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1024, 1 << 20));
          c.limits.header_bytes = static_cast<std::size_t>(n);
        } else if (lk.key() == "request_timeout_ms") {
          AITRADER_ASSIGN_OR_RETURN(c.limits.request_timeout_ms, rd.Integer(v, lp, 100, 600'000));
        } else if (lk.key() == "idle_timeout_ms") {
          AITRADER_ASSIGN_OR_RETURN(c.limits.idle_timeout_ms, rd.Integer(v, lp, 100, 3'600'000));
        } else if (lk.key() == "max_connections") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1, 1'000'000));
          c.limits.max_connections = static_cast<int>(n);
        } else if (lk.key() == "ws_message_bytes") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 128, 16LL << 20));
          c.limits.ws_message_bytes = static_cast<std::size_t>(n);
        } else if (lk.key() == "ws_queue_messages") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1, 1'000'000));
          c.limits.ws_queue_messages = static_cast<std::size_t>(n);
        } else if (lk.key() == "backtests_per_user") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1, 64));
          c.limits.backtests_per_user = static_cast<int>(n);
        } else if (lk.key() == "backtests_total") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(v, lp, 1, 256));
          c.limits.backtests_total = static_cast<int>(n);
        }
      }
    } else if (p == "login_throttle") {
      if (!x.is_object()) return rd.Error(p, "must be an object");
      AITRADER_RETURN_IF_ERROR(rd.CheckKeys(x.as_object(), p, {"per_account", "per_address", "window_s"}));
      for (const auto& lk : x.as_object()) {
        const std::string lp = Reader::Join(p, lk.key());
        if (lk.key() == "per_account") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(lk.value(), lp, 1, 1'000'000));
          c.login_throttle.per_account = static_cast<int>(n);
        } else if (lk.key() == "per_address") {
          AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(lk.value(), lp, 1, 1'000'000));
          c.login_throttle.per_address = static_cast<int>(n);
        } else {
          AITRADER_ASSIGN_OR_RETURN(c.login_throttle.window_s, rd.Integer(lk.value(), lp, 1, 24 * 3600));
        }
      }
    } else if (p == "cors_origins") {
      AITRADER_ASSIGN_OR_RETURN(c.cors_origins, rd.Strings(x, p));
    } else if (p == "llm_base_url_allow") {
      AITRADER_ASSIGN_OR_RETURN(c.llm_base_url_allow, rd.Strings(x, p));
    } else if (p == "allow_server_llm_keys") {
      AITRADER_ASSIGN_OR_RETURN(c.allow_server_llm_keys, rd.Bool(x, p));
    } else if (p == "allow_live") {
      AITRADER_ASSIGN_OR_RETURN(c.allow_live, rd.Bool(x, p));
    } else if (p == "market") {
      AITRADER_ASSIGN_OR_RETURN(c.market, rd.String(x, p));
      if (c.market != "replay" && c.market != "binance") return rd.Error(p, "must be \"replay\" or \"binance\"");
    } else if (p == "exchange") {
      if (!x.is_object()) return rd.Error(p, "must be an object");
      AITRADER_RETURN_IF_ERROR(rd.CheckKeys(x.as_object(), p, {"binance"}));
      // The environment is applied later (ApplyEnvironment), with the other overrides.
      auto bn = exchange::binance::LoadBinanceConfig(json_text, [](const std::string&) { return std::optional<std::string>(); });
      if (!bn.ok()) return InvalidArgument(std::string(source_name) + ": " + bn.status().message());
      c.binance = std::move(*bn);
    } else if (p == "live_min_record_days") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 1, 3650));
      c.live_min_record_days = static_cast<int>(n);
    }
  }
  return c;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseServerConfig(*text, path);
}

Status ApplyEnvironment(ServerConfig& cfg, GetEnv getenv_fn) {
  if (getenv_fn == nullptr) getenv_fn = [](const char* n) -> const char* { return std::getenv(n); };
  if (const char* v = getenv_fn("AITRADER_DATABASE_URL"); v != nullptr && *v != '\0') cfg.database = v;
  if (const char* v = getenv_fn("AITRADER_HOST"); v != nullptr && *v != '\0') cfg.host = v;
  if (const char* v = getenv_fn("AITRADER_PORT"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 0 || n > 65535) {
      return InvalidArgument("AITRADER_PORT: must be a port number 0..65535");
    }
    cfg.port = static_cast<int>(n);
  }
  if (const char* v = getenv_fn("AITRADER_MARKET"); v != nullptr && *v != '\0') {
    if (std::string_view(v) != "replay" && std::string_view(v) != "binance") {
      return InvalidArgument("AITRADER_MARKET: must be replay or binance");
    }
    cfg.market = v;
  }
  AITRADER_RETURN_IF_ERROR(exchange::binance::ApplyBinanceEnvironment(cfg.binance, [getenv_fn](const std::string& n) {
    const char* v = getenv_fn(n.c_str());
    return v != nullptr && *v != '\0' ? std::optional<std::string>(v) : std::nullopt;
  }));
  if (const char* v = getenv_fn("AITRADER_JWT_SECRET"); v != nullptr && *v != '\0') {
    if (std::string_view(v).size() < 32) return InvalidArgument("AITRADER_JWT_SECRET: must be at least 32 bytes");
    cfg.jwt_secret = v;
  }
  return Status::Ok();
}

}  // namespace aitrader::api
