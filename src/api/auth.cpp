#include "api/auth.hpp"

#include <jwt.h>
#include <sodium.h>

#include <boost/asio/post.hpp>

#include <charconv>
#include <cstdlib>
#include <future>

#include "api/key_files.hpp"
#include "core/strings.hpp"

namespace aitrader::api {
namespace {

std::string Base64Url(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string RandomToken(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return Base64Url(buf.data(), buf.size());
}

template <class Fn>
auto OnPool(boost::asio::thread_pool& pool, Fn fn) -> decltype(fn()) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto f = task.get_future();
  boost::asio::post(pool, [&task] { task(); });
  return f.get();
}

ApiError InvalidToken() { return ApiError{401, "invalid_token", "the access token is not valid", ""}; }

}  // namespace

Auth::Auth(Options options) : options_(std::move(options)) {
  AITRADER_CHECK(sodium_init() >= 0, "libsodium initialises");
  AITRADER_CHECK(options_.jwt_secret.size() >= 32, "the JWT secret has at least 32 bytes");
  hash_pool_ = std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(std::max(1, options_.hash_threads)));
  auto dummy = HashPassword(RandomToken(16));
  AITRADER_CHECK(dummy.ok(), "a password can be hashed");
  dummy_hash_ = *dummy;
}

Auth::~Auth() {
  hash_pool_->join();
  sodium_memzero(options_.jwt_secret.data(), options_.jwt_secret.size());
}

Result<std::string> Auth::LoadSecret(const std::string& configured, const std::string& file) {
  if (!configured.empty()) {
    if (configured.size() < 32) return InvalidArgument("the JWT secret must be at least 32 bytes");
    return configured;
  }
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  auto s = ReadOrCreateSecretFile(file, [] { return RandomToken(48); });
  if (!s.ok()) return s.status();
  if (s->size() < 32) return FailedPrecondition(file + ": the JWT secret must be at least 32 bytes");
  return *s;
}

Result<std::string> Auth::HashPassword(const std::string& password) {
  return OnPool(*hash_pool_, [&]() -> Result<std::string> {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return Internal("password hashing failed (out of memory)");
    }
    return std::string(out);
  });
}

bool Auth::VerifyPassword(const std::string& hash, const std::string& password) {
  return OnPool(*hash_pool_, [&]() -> bool {
    const bool known = hash.rfind("$argon2id$", 0) == 0 && hash.size() < crypto_pwhash_STRBYTES;
    const std::string& h = known ? hash : dummy_hash_;
    const bool match = crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
    return known && match;
  });
}

std::string Auth::IssueAccessToken(std::int64_t user_id, UnixMs now) const {
  jwt_t* jwt = nullptr;
  AITRADER_CHECK(jwt_new(&jwt) == 0, "libjwt allocates");
  const std::string sub = std::to_string(user_id);
  const long iat = static_cast<long>(now / 1000);
  bool ok = jwt_add_grant(jwt, "sub", sub.c_str()) == 0 && jwt_add_grant_int(jwt, "iat", iat) == 0 &&
            jwt_add_grant_int(jwt, "exp", iat + static_cast<long>(options_.access_ttl_s)) == 0 &&
            jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(options_.jwt_secret.data()),
                        static_cast<int>(options_.jwt_secret.size())) == 0;
  AITRADER_CHECK(ok, "libjwt builds a token");
  char* s = jwt_encode_str(jwt);
  AITRADER_CHECK(s != nullptr, "libjwt encodes a token");
  std::string token(s);
  std::free(s);
  jwt_free(jwt);
  return token;
}

std::variant<std::int64_t, ApiError> Auth::VerifyAccessToken(std::string_view token, UnixMs now) const {
  if (token.empty() || token.size() > kMaxTokenBytes) return InvalidToken();
  // Three non-empty base64url parts (an unsigned "a.b." is refused here already).
  int dots = 0;
  for (char c : token) {
    if (c == '.') ++dots;
    else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return InvalidToken();
  }
  if (dots != 2 || token.front() == '.' || token.back() == '.' || token.find("..") != std::string_view::npos) {
    return InvalidToken();
  }
  const std::string t(token);
  {
    std::lock_guard lock(token_mu_);
    auto it = token_cache_.find(t);
    if (it != token_cache_.end()) {
      if (it->second.second <= now) return InvalidToken();
      return it->second.first;
    }
  }
  jwt_t* jwt = nullptr;
  int rc = jwt_decode(&jwt, t.c_str(), reinterpret_cast<const unsigned char*>(options_.jwt_secret.data()),
                      static_cast<int>(options_.jwt_secret.size()));
  if (rc != 0 || jwt == nullptr) {
    if (jwt != nullptr) jwt_free(jwt);
    return InvalidToken();
  }
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> guard(jwt, jwt_free);
  // libjwt verifies with the algorithm the token names: only HS256 is ours.
  if (jwt_get_alg(jwt) != JWT_ALG_HS256) return InvalidToken();
  errno = 0;
  const long exp = jwt_get_grant_int(jwt, "exp");
  if (errno != 0 || exp <= 0 || static_cast<std::int64_t>(exp) * 1000 <= now) return InvalidToken();
  errno = 0;
  const long iat = jwt_get_grant_int(jwt, "iat");
  if (errno != 0 || static_cast<std::int64_t>(iat) * 1000 > now + 60'000) return InvalidToken();
  const char* sub = jwt_get_grant(jwt, "sub");
  if (sub == nullptr) return InvalidToken();
  std::string_view s(sub);
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0) return InvalidToken();
  {
    std::lock_guard lock(token_mu_);
    if (token_cache_.size() >= kTokenCacheMax) token_cache_.clear();
    token_cache_.emplace(t, std::make_pair(id, static_cast<std::int64_t>(exp) * 1000));
  }
  return id;
}

std::string Auth::NewRefreshToken() { return "rt_" + RandomToken(32); }
std::string Auth::NewFamilyId() { return RandomToken(16); }

std::string Auth::HashRefreshToken(std::string_view token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (unsigned char c : out) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

void Auth::Count(std::map<std::string, Window>& m, const std::string& key, UnixMs now) {
  const UnixMs window = options_.throttle.window_s * 1000;
  if (m.size() >= kMaxTracked) {
    for (auto it = m.begin(); it != m.end();) it = now - it->second.start >= window ? m.erase(it) : std::next(it);
    if (m.size() >= kMaxTracked) m.erase(m.begin());
  }
  Window& w = m[key];
  if (now - w.start >= window) w = Window{now, 0};
  ++w.failures;
}

std::optional<std::int64_t> Auth::Over(const std::map<std::string, Window>& m, const std::string& key, int limit,
                                       UnixMs now) const {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  const UnixMs window = options_.throttle.window_s * 1000;
  if (now - it->second.start >= window || it->second.failures < limit) return std::nullopt;
  return std::max<std::int64_t>(1, (it->second.start + window - now + 999) / 1000);
}

std::optional<std::int64_t> Auth::Throttled(const std::string& account, const std::string& address, UnixMs now) {
  std::lock_guard lock(mu_);
  auto a = Over(by_account_, account, options_.throttle.per_account, now);
  auto b = Over(by_address_, address, options_.throttle.per_address, now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void Auth::RecordFailure(const std::string& account, const std::string& address, UnixMs now) {
  std::lock_guard lock(mu_);
  Count(by_account_, account, now);
  Count(by_address_, address, now);
}

void Auth::RecordSuccess(const std::string& account) {
  std::lock_guard lock(mu_);
  by_account_.erase(account);
}

std::optional<std::string> NormalizeEmail(std::string_view email) {
  email = Trim(email);
  if (email.size() < 3 || email.size() > 254) return std::nullopt;
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at != email.rfind('@') || at + 1 >= email.size()) return std::nullopt;
  auto domain = email.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',' || c == ';') {
      return std::nullopt;
    }
  }
  return ToLower(email);
}

}  // namespace aitrader::api
