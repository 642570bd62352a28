// The Signer (signing.hpp): the key kind decided from the secret text; Ed25519 on RFC 8032's
// test vectors; RSA (RSASSA-PKCS1-v1_5 / SHA-256) on a key generated here, verified with its
// public key; the signature parameter percent-encoded as Binance's docs show; the HMAC vectors
// unchanged; every wrong format refused with a message that says what is wrong and never
// contains the key.
#include <gtest/gtest.h>

#include <map>

#include "exchange/binance/rest_client.hpp"
#include "exchange/binance/signing.hpp"
#include "support/test_keys.hpp"

namespace aitrader::exchange::binance {
namespace {

using testing::FromHex;

// Binance's RSA example payload (authentication docs, "SIGNED Endpoint Examples ... RSA Keys").
constexpr std::string_view kDocPayload =
    "timestamp=1671090801999&recvWindow=9999999&symbol=BTCUSDT&side=SELL&type=MARKET&quantity=1.23";

Signer MakeSigner(const std::string& text) {
  auto s = Signer::Create(Secret(text));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) std::abort();
  return std::move(*s);
}

// No 12-character piece of the key's base64 body (nor the whole text) is in `message`.
void ExpectNoKeyMaterial(const std::string& message, const std::string& pem) {
  std::size_t pos = 0;
  while (pos < pem.size()) {
    std::size_t end = pem.find('\n', pos);
    if (end == std::string::npos) end = pem.size();
    const std::string line = pem.substr(pos, end - pos);
    if (line.rfind("-----", 0) != 0 && line.find(':') == std::string::npos) {
      for (std::size_t i = 0; i + 12 <= line.size(); i += 12) {
        EXPECT_EQ(message.find(line.substr(i, 12)), std::string::npos) << "key material in: " << message;
      }
    }
    pos = end + 1;
  }
}

// RFC 8032 section 7.1, TEST 1..3: SECRET KEY, MESSAGE, SIGNATURE (the base64 of the RFC's hex).
struct RfcVector {
  const char* secret_hex;
  const char* message_hex;
  const char* signature_base64;
};
constexpr RfcVector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "",
     "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw=="},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "72",
     "kqAJqfDUyrhyDoILX2QlQKKye1QWUD+Ps3YiI+vbadoIWsHkPhWZbkWPNhPQ8R2MOHsurrQwKu6wDSkWErsMAA=="},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "af82",
     "YpHWV97sJAJIJ+acOr4BowzlSKKEdDpEXjaA19taw6wY/5tTjRbykK5n92CYTcZZSnwV6XFu0o3AJ77O6h7ECg=="},
};

TEST(BinanceSigner, Ed25519MatchesRfc8032) {
  for (const auto& v : kRfc8032) {
    const auto key = testing::Ed25519FromSeed(FromHex(v.secret_hex));
    ASSERT_EQ(key.private_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    Signer signer = MakeSigner(key.private_pem);
    EXPECT_EQ(signer.kind(), KeyKind::kEd25519);
    EXPECT_EQ(signer.Describe(), "ed25519");
    EXPECT_EQ(signer.bits(), 256);
    auto sig = signer.Sign(FromHex(v.message_hex));
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(*sig, v.signature_base64) << "RFC 8032 secret " << v.secret_hex;
    // The parameter as sent: '+', '/', '=' percent-encoded.
    auto param = signer.SignatureParameter(FromHex(v.message_hex));
    ASSERT_TRUE(param.ok());
    EXPECT_EQ(*param, PercentEncode(v.signature_base64));
    EXPECT_EQ(param->find_first_of("+/="), std::string::npos) << *param;
  }
}

TEST(BinanceSigner, Ed25519OnTheDocsPayloadVerifiesWithThePublicKey) {
  const auto key = testing::GenerateEd25519();
  Signer signer = MakeSigner(key.private_pem);
  auto sig = signer.Sign(kDocPayload);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 88u);  // 64 bytes in base64
  std::string raw;
  ASSERT_TRUE(testing::Base64Decode(*sig, &raw));
  EXPECT_TRUE(testing::VerifyWithPublicKey(key.public_pem, kDocPayload, raw));
  EXPECT_FALSE(testing::VerifyWithPublicKey(key.public_pem, std::string(kDocPayload) + "&x=1", raw));
  EXPECT_FALSE(testing::VerifyWithPublicKey(testing::GenerateEd25519().public_pem, kDocPayload, raw)) << "another key";
}

TEST(BinanceSigner, RsaSignsPkcs1v15Sha256) {
  const auto key = testing::GenerateRsa(2048);
  Signer signer = MakeSigner(key.private_pem);
  EXPECT_EQ(signer.kind(), KeyKind::kRsa);
  EXPECT_EQ(signer.Describe(), "rsa-2048");
  auto sig = signer.Sign(kDocPayload);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(sig->size(), 344u);  // 256 bytes in base64, no line breaks
  EXPECT_EQ(sig->find('\n'), std::string::npos);
  std::string raw;
  ASSERT_TRUE(testing::Base64Decode(*sig, &raw));
  ASSERT_EQ(raw.size(), 256u);
  EXPECT_TRUE(testing::VerifyWithPublicKey(key.public_pem, kDocPayload, raw));
  EXPECT_FALSE(testing::VerifyWithPublicKey(key.public_pem, "timestamp=1671090801999", raw));
  // PKCS#1 v1.5 is deterministic: the same payload, the same signature.
  EXPECT_EQ(*signer.Sign(kDocPayload), *sig);
  auto param = signer.SignatureParameter(kDocPayload);
  ASSERT_TRUE(param.ok());
  EXPECT_EQ(*param, PercentEncode(*sig));
  std::string back;
  ASSERT_TRUE(PercentDecode(*param, &back));
  EXPECT_EQ(back, *sig);
}

TEST(BinanceSigner, HmacVectorsUnchanged) {
  // futures_rest_spec.md section 2, vectors 1, 3, 4 and 5.
  const std::map<std::string, std::pair<std::string, std::string>> vectors = {
      {"c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
       {"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"}},
      {"3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
       {"2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"}},
      {"a9795caccb458e83f728210d51abeb6c51d5e6b67ced6562a9f4839910e189fd",
       {"secretsecret", "timestamp=1702887258875&recvWindow=10000"}},
      {"30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4",
       {"2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"}},
  };
  for (const auto& [expected, in] : vectors) {
    Signer signer = MakeSigner(in.first);
    EXPECT_EQ(signer.kind(), KeyKind::kHmac);
    EXPECT_EQ(signer.Describe(), "hmac");
    EXPECT_EQ(signer.bits(), 0);
    EXPECT_EQ(*signer.Sign(in.second), expected);
    EXPECT_EQ(*signer.SignatureParameter(in.second), expected) << "hex needs no encoding";
  }
}

TEST(BinanceSigner, PemLayoutsThatAreAccepted) {
  const auto key = testing::GenerateEd25519();
  const std::string expected = *MakeSigner(key.private_pem).Sign(kDocPayload);
  // Surrounding whitespace, CRLF line ends, and the one-line form of .env files.
  std::string crlf;
  for (char c : key.private_pem) {
    if (c == '\n') crlf += "\r\n";
    else crlf.push_back(c);
  }
  std::string one_line;
  for (char c : key.private_pem) {
    if (c == '\n') one_line += "\\n";
    else one_line.push_back(c);
  }
  const std::vector<std::pair<std::string, std::string>> layouts = {
      {"surrounding whitespace", "\n  " + key.private_pem + "\n\n"}, {"CRLF", crlf}, {"one line", one_line}};
  for (const auto& [name, text] : layouts) {
    SCOPED_TRACE(name);
    auto s = Signer::Create(Secret(text));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(*s->Sign(kDocPayload), expected);
  }
}

// What is wrong, and that the message names the expected format without the key.
void ExpectRefused(const std::string& text, const std::string& says, const std::string& pem_for_leak_check) {
  auto s = Signer::Create(Secret(text));
  ASSERT_FALSE(s.ok()) << "accepted: " << says;
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(says), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("PRIVATE KEY"), std::string::npos) << "names the format: " << s.status().message();
  ExpectNoKeyMaterial(s.status().message(), pem_for_leak_check);
}

TEST(BinanceSigner, WrongFormatsAreRefusedClearly) {
  const auto rsa = testing::GenerateRsa(2048);
  ExpectRefused(testing::Pkcs1Pem(rsa), "PKCS#1", testing::Pkcs1Pem(rsa));
  const std::string pkcs1_enc = testing::Pkcs1Pem(rsa, /*encrypted=*/true);
  ASSERT_NE(pkcs1_enc.find("ENCRYPTED"), std::string::npos);
  ExpectRefused(pkcs1_enc, "encrypted PKCS#1", pkcs1_enc);
  const std::string enc = testing::EncryptedPkcs8Pem(testing::GenerateEd25519());
  ASSERT_EQ(enc.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);
  ExpectRefused(enc, "encrypted PKCS#8", enc);
  ExpectRefused(rsa.public_pem, "a public key", rsa.public_pem);
  const auto ec = testing::GenerateEcP256();
  ExpectRefused(ec.private_pem, "type EC", ec.private_pem);
  const auto x = testing::GenerateX25519();
  ExpectRefused(x.private_pem, "type X25519", x.private_pem);
  const auto small = testing::GenerateRsa(1024);
  ExpectRefused(small.private_pem, "1024 bits", small.private_pem);

  // Damaged blocks.
  const auto ed = testing::GenerateEd25519();
  const std::string body = ed.private_pem.substr(28, ed.private_pem.find("-----END") - 28);
  ExpectRefused("-----BEGIN PRIVATE KEY-----\n" + body, "damaged PEM", ed.private_pem);  // no END line
  ExpectRefused("-----BEGIN PRIVATE KEY-----\n!!not*base64!!\n-----END PRIVATE KEY-----\n", "damaged PEM", ed.private_pem);
  ExpectRefused("-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQoLDA0ODw==\n-----END PRIVATE KEY-----\n", "not valid PKCS#8",
                ed.private_pem);
  ExpectRefused("key: " + ed.private_pem, "before the BEGIN line", ed.private_pem);
  ExpectRefused(ed.private_pem + ed.public_pem, "after the END line", ed.private_pem);
  ExpectRefused("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
                "OpenSSH", "b3BlbnNzaC1rZXktdjEAAAAA");
  ExpectRefused("-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQoLDA0ODw==\n-----END CERTIFICATE-----\n", "not a private key", "");
  EXPECT_FALSE(Signer::Create(Secret("")).ok());
}

TEST(BinanceSigner, SecretMovesLeaveNothingBehind) {
  Secret a(std::string(64, 'k'));
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped and empty
  EXPECT_EQ(b.reveal(), std::string(64, 'k'));
  Secret c;
  c = b;
  EXPECT_EQ(c.reveal(), b.reveal());
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.Redacted(), "(64 chars)");
}

// The RestClient signs the exact bytes it sends (query ‖ body, signature last, base64
// percent-encoded) — checked on the wire with the public key.
class CaptureTransport final : public HttpTransport {
 public:
  explicit CaptureTransport(std::vector<HttpCall>* calls) : calls_(calls) {}
  Result<HttpReply> Send(const HttpCall& call, const HttpLimits&) override {
    calls_->push_back(call);
    HttpReply r;
    r.status = 200;
    r.body = "{}";
    return r;
  }
  std::int64_t connections_opened() const override { return 1; }

 private:
  std::vector<HttpCall>* calls_;
};

TEST(BinanceSigner, RestClientSendsThePercentEncodedSignatureLast) {
  SimulatedClock clock(1'671'090'801'999);
  for (const auto& key : {testing::GenerateRsa(2048), testing::GenerateEd25519()}) {
    std::vector<HttpCall> calls;
    RestOptions o;
    o.base_url = "http://127.0.0.1:1";
    o.recv_window_ms = 5000;
    RestClient client(o, "the-api-key", Secret(key.private_pem), std::make_unique<CaptureTransport>(&calls), clock);
    ASSERT_TRUE(client.key_status().ok());
    EXPECT_TRUE(client.has_credentials());
    RestRequest post;
    post.method = "POST";
    post.path = "/fapi/v1/order";
    post.security = Security::kSigned;
    post.params.Add("symbol", "BTCUSDT").Add("side", "SELL").Add("type", "MARKET").Add("quantity", "1.23");
    RestRequest get;
    get.path = "/fapi/v2/account";
    get.security = Security::kSigned;
    ASSERT_TRUE(client.Call(post).ok());
    ASSERT_TRUE(client.Call(get).ok());
    ASSERT_EQ(calls.size(), 2u);
    const std::string body = calls[0].body;
    const std::string query = calls[1].url.substr(calls[1].url.find('?') + 1);
    for (const std::string& sent : {body, query}) {
      const auto at = sent.rfind("&signature=");
      ASSERT_NE(at, std::string::npos) << sent;
      const std::string payload = sent.substr(0, at);
      const std::string param = sent.substr(at + 11);
      EXPECT_EQ(param.find_first_of("+/="), std::string::npos) << "percent-encoded: " << param;
      std::string b64, raw;
      ASSERT_TRUE(PercentDecode(param, &b64));
      ASSERT_TRUE(testing::Base64Decode(b64, &raw));
      EXPECT_TRUE(testing::VerifyWithPublicKey(key.public_pem, payload, raw)) << payload;
    }
    EXPECT_EQ(body.rfind("symbol=BTCUSDT&side=SELL&type=MARKET&quantity=1.23&recvWindow=5000&timestamp=1671090801999&signature=", 0),
              0u)
        << body;
    bool has_key = false;
    for (const auto& [h, v] : calls[0].headers) has_key |= h == "X-MBX-APIKEY" && v == "the-api-key";
    EXPECT_TRUE(has_key);
  }
}

TEST(BinanceSigner, RestClientWithAnUnusableKeyRefusesSignedCallsOnly) {
  SimulatedClock clock(1'671'090'801'999);
  std::vector<HttpCall> calls;
  const auto rsa = testing::GenerateRsa(2048);
  const std::string pkcs1 = testing::Pkcs1Pem(rsa);
  RestClient client({}, "k", Secret(pkcs1), std::make_unique<CaptureTransport>(&calls), clock);
  EXPECT_FALSE(client.key_status().ok());
  EXPECT_FALSE(client.has_credentials());
  EXPECT_EQ(client.key_kind(), "none");
  RestRequest get;
  get.path = "/fapi/v2/account";
  get.security = Security::kSigned;
  auto r = client.Call(get);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("PKCS#1"), std::string::npos) << r.status().message();
  ExpectNoKeyMaterial(r.status().message(), pkcs1);
  EXPECT_TRUE(calls.empty()) << "nothing sent";
  RestRequest time;
  time.path = "/fapi/v1/time";
  EXPECT_TRUE(client.Call(time).ok()) << "unsigned calls still work";
}

}  // namespace
}  // namespace aitrader::exchange::binance
