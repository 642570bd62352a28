// Auth: passwords, access tokens, refresh tokens and login throttling of the API.
//
// Passwords: Argon2id via libsodium crypto_pwhash_str (interactive limits: 2 passes, 64 MiB),
// computed on a small dedicated pool (never on the I/O threads, and at most `hash_threads`
// at once so a login storm cannot exhaust memory); the calling handler waits for the result.
// Access tokens: JWT HS256 through libjwt with sub (the user id), iat and exp (15 minutes by
// default). Verification refuses anything but HS256 — "none", HS512, RS256… — a wrong
// signature, a missing or non-numeric sub, a missing/expired exp, and malformed or oversized
// tokens, all as 401 invalid_token (never saying which check failed).
// Refresh tokens: 32 random bytes (base64url); only their BLAKE2b hash is stored (the
// rotation logic lives in routes_auth.cpp with the store).
// Throttling: failed logins counted per account and per client address in a fixed window;
// past the limit, 429 with the seconds until the window ends. Memory is bounded (old windows
// are dropped; at most kMaxTracked keys each).
// Thread safety: every method may be called from any thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "api/http_types.hpp"
#include "api/server_config.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::api {

class Auth {
 public:
  struct Options {
    std::string jwt_secret;  // ≥ 32 bytes
    std::int64_t access_ttl_s = 900;
    std::int64_t refresh_ttl_s = 30 * 24 * 3600;
    LoginThrottle throttle;
    int hash_threads = 2;
  };
  static constexpr std::size_t kMaxTracked = 100'000;
  static constexpr std::size_t kMaxTokenBytes = 4096;

  explicit Auth(Options options);
  ~Auth();

  // The signing secret: `configured` when set (config or AITRADER_JWT_SECRET), else the file
  // (generated on first start, mode 0600). There is no default secret.
  static Result<std::string> LoadSecret(const std::string& configured, const std::string& file);

  // Argon2id hash (on the hash pool). Errors: Internal when libsodium fails (out of memory).
  Result<std::string> HashPassword(const std::string& password);
  // Constant work whether or not the hash is valid (an unknown account costs the same).
  bool VerifyPassword(const std::string& hash, const std::string& password);

  std::string IssueAccessToken(std::int64_t user_id, UnixMs now) const;
  std::variant<std::int64_t, ApiError> VerifyAccessToken(std::string_view token, UnixMs now) const;
  std::int64_t access_ttl_s() const { return options_.access_ttl_s; }
  std::int64_t refresh_ttl_s() const { return options_.refresh_ttl_s; }

  static std::string NewRefreshToken();
  static std::string NewFamilyId();
  static std::string HashRefreshToken(std::string_view token);

  // Seconds to wait when the account or the address is over its limit of failures.
  std::optional<std::int64_t> Throttled(const std::string& account, const std::string& address, UnixMs now);
  void RecordFailure(const std::string& account, const std::string& address, UnixMs now);
  void RecordSuccess(const std::string& account);

 private:
  struct Window {
    UnixMs start = 0;
    int failures = 0;
  };
  void Count(std::map<std::string, Window>& m, const std::string& key, UnixMs now);
  std::optional<std::int64_t> Over(const std::map<std::string, Window>& m, const std::string& key, int limit,
                                   UnixMs now) const;

  Options options_;
  // Tokens that verified, with their subject and expiry: a repeated token skips libjwt (its
  // expiry is still checked on every use). Bounded; cleared when full.
  static constexpr std::size_t kTokenCacheMax = 10'000;
  mutable std::mutex token_mu_;
  mutable std::unordered_map<std::string, std::pair<std::int64_t, UnixMs>> token_cache_;
  std::unique_ptr<boost::asio::thread_pool> hash_pool_;
  std::string dummy_hash_;  // verified against for unknown accounts
  std::mutex mu_;
  std::map<std::string, Window> by_account_;
  std::map<std::string, Window> by_address_;
};

// An e-mail address as stored (trimmed, lower-case) or nullopt when it is not one.
std::optional<std::string> NormalizeEmail(std::string_view email);

}  // namespace aitrader::api
