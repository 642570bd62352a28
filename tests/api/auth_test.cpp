// Auth in isolation: tokens issued and checked, and every forged token refused.
#include "api/auth.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/jwt_forge.hpp"
#include "api/key_files.hpp"

namespace aitrader::api {
namespace {
using testing::ForgeJwt;

const std::string kSecret(40, 's');
constexpr UnixMs kNow = 1'760'000'000'000;

Auth MakeAuth() {
  Auth::Options o;
  o.jwt_secret = kSecret;
  o.throttle.per_account = 3;
  o.throttle.per_address = 5;
  o.throttle.window_s = 60;
  return Auth(o);
}

bool Refused(const std::variant<std::int64_t, ApiError>& v) {
  return std::holds_alternative<ApiError>(v) && std::get<ApiError>(v).status == 401;
}

std::string Payload(const std::string& sub, std::int64_t iat_s, std::int64_t exp_s) {
  return "{\"sub\":\"" + sub + "\",\"iat\":" + std::to_string(iat_s) + ",\"exp\":" + std::to_string(exp_s) + "}";
}

TEST(Auth, IssuedTokenVerifies) {
  Auth auth = MakeAuth();
  std::string t = auth.IssueAccessToken(42, kNow);
  auto v = auth.VerifyAccessToken(t, kNow + 1000);
  ASSERT_TRUE(std::holds_alternative<std::int64_t>(v));
  EXPECT_EQ(std::get<std::int64_t>(v), 42);
  // Expires after 15 minutes.
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(t, kNow + 900'000)));
  EXPECT_FALSE(Refused(auth.VerifyAccessToken(t, kNow + 899'000)));
}

TEST(Auth, TheSameHandMadeTokenVerifiesWhenCorrect) {
  // The forge is right: an HS256 token made with the secret is accepted (so the refusals
  // below are refusals of what was changed, not of the forge).
  Auth auth = MakeAuth();
  std::string t = ForgeJwt(R"({"alg":"HS256","typ":"JWT"})", Payload("7", kNow / 1000, kNow / 1000 + 60), kSecret, "HS256");
  auto v = auth.VerifyAccessToken(t, kNow);
  ASSERT_TRUE(std::holds_alternative<std::int64_t>(v));
  EXPECT_EQ(std::get<std::int64_t>(v), 7);
}

TEST(Auth, ForgedTokensAreRefused) {
  Auth auth = MakeAuth();
  const auto p = Payload("7", kNow / 1000, kNow / 1000 + 60);
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"none","typ":"JWT"})", p, kSecret, "none"), kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"none"})", p, kSecret, "none") + "x", kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"HS512","typ":"JWT"})", p, kSecret, "HS512"), kNow)))
      << "another algorithm, even with our secret";
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"HS256","typ":"JWT"})", p, std::string(40, 'x'), "HS256"), kNow)))
      << "wrong signature";
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"RS256","typ":"JWT"})", p, kSecret, "HS256"), kNow)));
  // Tampered payload, original signature.
  std::string good = auth.IssueAccessToken(7, kNow);
  auto d1 = good.find('.'), d2 = good.rfind('.');
  std::string tampered = good.substr(0, d1 + 1) + testing::B64Url(Payload("8", kNow / 1000, kNow / 1000 + 900)) + good.substr(d2);
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(tampered, kNow)));
  // Expired, missing exp, non-numeric sub, iat in the future.
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(
      ForgeJwt(R"({"alg":"HS256"})", Payload("7", kNow / 1000 - 100, kNow / 1000 - 1), kSecret, "HS256"), kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(ForgeJwt(R"({"alg":"HS256"})", R"({"sub":"7","iat":1})", kSecret, "HS256"), kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(
      ForgeJwt(R"({"alg":"HS256"})", Payload("admin", kNow / 1000, kNow / 1000 + 60), kSecret, "HS256"), kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(
      ForgeJwt(R"({"alg":"HS256"})", Payload("-1", kNow / 1000, kNow / 1000 + 60), kSecret, "HS256"), kNow)));
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(
      ForgeJwt(R"({"alg":"HS256"})", Payload("7", kNow / 1000 + 3600, kNow / 1000 + 7200), kSecret, "HS256"), kNow)));
  // Malformed.
  for (const char* m : {"", "abc", "a.b", "a.b.c.d", "..", "a..b", "!!.@@.##", "eyJhbGciOiJIUzI1NiJ9.e30."}) {
    EXPECT_TRUE(Refused(auth.VerifyAccessToken(m, kNow))) << m;
  }
  EXPECT_TRUE(Refused(auth.VerifyAccessToken(std::string(5000, 'a') + ".b.c", kNow)));
}

TEST(Auth, PasswordsHashWithArgon2id) {
  Auth auth = MakeAuth();
  auto h = auth.HashPassword("correct horse battery");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(auth.VerifyPassword(*h, "correct horse battery"));
  EXPECT_FALSE(auth.VerifyPassword(*h, "correct horse batterx"));
  EXPECT_FALSE(auth.VerifyPassword("!", "anything"));
  EXPECT_FALSE(auth.VerifyPassword("", ""));
  auto h2 = auth.HashPassword("correct horse battery");
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(*h, *h2) << "salted";
}

TEST(Auth, ThrottlesPerAccountAndPerAddress) {
  Auth auth = MakeAuth();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(auth.Throttled("a@x.io", "1.1.1.1", kNow));
    auth.RecordFailure("a@x.io", "1.1.1.1", kNow);
  }
  auto wait = auth.Throttled("a@x.io", "9.9.9.9", kNow + 10'000);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50);
  EXPECT_FALSE(auth.Throttled("a@x.io", "1.1.1.1", kNow + 60'000)) << "a new window";
  // Per address: five accounts from one address.
  for (int i = 0; i < 5; ++i) auth.RecordFailure("u" + std::to_string(i) + "@x.io", "2.2.2.2", kNow);
  EXPECT_TRUE(auth.Throttled("fresh@x.io", "2.2.2.2", kNow));
  EXPECT_FALSE(auth.Throttled("fresh@x.io", "3.3.3.3", kNow));
}

TEST(Auth, EmailsAreValidatedAndNormalised) {
  EXPECT_EQ(*NormalizeEmail("  Alice@Example.COM "), "alice@example.com");
  for (const char* bad : {"", "a", "a@", "@b.c", "a@b", "a@b.", "a@@b.c", "a b@c.d", "a@b..c", "a@.b"}) {
    EXPECT_FALSE(NormalizeEmail(bad)) << bad;
  }
  EXPECT_FALSE(NormalizeEmail(std::string(250, 'a') + "@b.cd"));
}

TEST(KeyFiles, GeneratedPrivateAndReusedAndRefusedWhenShared) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_keys_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "sub" / "jwt.secret").string();
  auto a = ReadOrCreateSecretFile(path, [] { return std::string(48, 'g'); });
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = ReadOrCreateSecretFile(path, [] { return std::string(48, 'h'); });
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b) << "read back, not regenerated";
  ::chmod(path.c_str(), 0644);
  auto c = ReadOrCreateSecretFile(path, [] { return std::string(48, 'h'); });
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(c.status().message().find("ggg"), std::string::npos);
  auto s = Auth::LoadSecret("", path);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(Auth::LoadSecret("short", "").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader::api
