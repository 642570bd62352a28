#include "exchange/binance/signing.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cctype>
#include <climits>

namespace aitrader::exchange::binance {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool PercentDecode(std::string_view s, std::string* out) {
  out->clear();
  out->reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (s[i] == '+') {
      out->push_back(' ');
    } else {
      out->push_back(s[i]);
    }
  }
  return true;
}

std::string Params::Encode() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(k);
    out.push_back('=');
    out += PercentEncode(v);
  }
  return out;
}

// ------------------------------------------------------------------ secrets

void WipeString(std::string& s) noexcept {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

void Secret::Wipe() noexcept { WipeString(value_); }

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

// ------------------------------------------------------------------ signer

std::string_view KeyKindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kHmac: return "hmac";
    case KeyKind::kEd25519: return "ed25519";
    case KeyKind::kRsa: return "rsa";
  }
  return "hmac";
}

bool LooksLikePem(std::string_view secret) { return secret.find("-----BEGIN") != std::string_view::npos; }

struct Signer::Key {
  KeyKind kind = KeyKind::kHmac;
  int bits = 0;
  std::string hmac_secret;       // kHmac
  EVP_PKEY* pkey = nullptr;      // kEd25519, kRsa (OpenSSL clears private key material on free)
  ~Key() {
    WipeString(hmac_secret);
    EVP_PKEY_free(pkey);
  }
};

namespace {

constexpr std::string_view kAccepts =
    "Binance accepts Ed25519 or RSA keys, as unencrypted PKCS#8 PEM (\"-----BEGIN PRIVATE KEY-----\")";
constexpr std::string_view kExpected =
    "expected an HMAC secret, or an unencrypted PKCS#8 private key in PEM (\"-----BEGIN PRIVATE KEY-----\") "
    "holding an Ed25519 or RSA key";

Status KeyError(std::string what) { return InvalidArgument("the API secret is " + what); }

bool IsBlank(std::string_view s) {
  for (unsigned char c : s) {
    if (!std::isspace(c)) return false;
  }
  return true;
}

// RAII for the OpenSSL objects of one parse; the error queue is emptied on every exit so a
// failed parse leaves nothing behind for the TLS code on this thread.
struct ParseScope {
  BIO* bio = nullptr;
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long der_len = 0;
  PKCS8_PRIV_KEY_INFO* p8 = nullptr;
  ~ParseScope() {
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (der != nullptr) OPENSSL_secure_clear_free(der, static_cast<std::size_t>(der_len));
    OPENSSL_secure_free(header);
    OPENSSL_secure_free(name);
    BIO_free(bio);
    ERR_clear_error();
  }
};

// What a PEM label other than "PRIVATE KEY" means, and what to do about it.
Status WrongLabel(std::string_view label, bool encrypted_header) {
  if (label == "ENCRYPTED PRIVATE KEY") {
    return KeyError(
        "an encrypted PKCS#8 key (\"BEGIN ENCRYPTED PRIVATE KEY\"); aitrader needs it unencrypted "
        "(\"BEGIN PRIVATE KEY\"): openssl pkcs8 -in key.pem -out key-plain.pem, and keep that file private");
  }
  if (label == "RSA PRIVATE KEY") {
    return KeyError(std::string(encrypted_header ? "an encrypted " : "a ") +
                    "PKCS#1 RSA key (\"BEGIN RSA PRIVATE KEY\"); Binance's RSA keys are PKCS#8 "
                    "(\"BEGIN PRIVATE KEY\"): convert it with openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
  }
  if (label == "PUBLIC KEY" || label == "RSA PUBLIC KEY") {
    return KeyError(
        "a public key; the public key is what you upload to Binance, the secret is its private key "
        "(\"BEGIN PRIVATE KEY\")");
  }
  if (label == "EC PRIVATE KEY") return KeyError("an EC key; " + std::string(kAccepts));
  if (label == "OPENSSH PRIVATE KEY") {
    return KeyError("an OpenSSH key; " + std::string(kExpected) + " (openssl genpkey -algorithm ed25519 makes one)");
  }
  return KeyError("a PEM block that is not a private key; " + std::string(kExpected));
}

std::string Base64(const unsigned char* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

}  // namespace

Result<Signer> Signer::FromPem(std::string_view text) {
  // Only whitespace around the one block: a second block or stray text is a paste mistake.
  const std::size_t begin = text.find("-----BEGIN");
  if (!IsBlank(text.substr(0, begin))) return KeyError("PEM text with something before the BEGIN line; " + std::string(kExpected));
  text.remove_prefix(begin);  // OpenSSL wants "-----BEGIN" at the start of a line
  if (text.size() > INT_MAX) return KeyError("too long for a PEM key");
  ParseScope p;
  p.bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (p.bio == nullptr) return Internal("OpenSSL could not allocate a buffer");
  // PEM_FLAG_SECURE: OpenSSL's buffers for the decoded key are cleared when freed.
  if (PEM_read_bio_ex(p.bio, &p.name, &p.header, &p.der, &p.der_len, PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1) {
    return KeyError("a damaged PEM block (no matching END line, or bad base64); " + std::string(kExpected));
  }
  char* rest = nullptr;
  const long rest_len = BIO_get_mem_data(p.bio, &rest);
  if (rest_len > 0 && !IsBlank(std::string_view(rest, static_cast<std::size_t>(rest_len)))) {
    return KeyError("PEM text with something after the END line (one key only); " + std::string(kExpected));
  }
  const std::string_view label = p.name != nullptr ? std::string_view(p.name) : std::string_view();
  const bool encrypted_header = p.header != nullptr && std::string_view(p.header).find("ENCRYPTED") != std::string_view::npos;
  if (label != "PRIVATE KEY") return WrongLabel(label, encrypted_header);
  if (encrypted_header) return WrongLabel("ENCRYPTED PRIVATE KEY", true);
  const unsigned char* cursor = p.der;
  p.p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, p.der_len);
  if (p.p8 == nullptr || cursor != p.der + p.der_len) {
    return KeyError("a PRIVATE KEY block that is not valid PKCS#8; " + std::string(kExpected));
  }
  EVP_PKEY* pkey = EVP_PKCS82PKEY(p.p8);
  if (pkey == nullptr) {
    return KeyError("a PKCS#8 key OpenSSL cannot read (unsupported or damaged); " + std::string(kAccepts));
  }
  auto key = std::make_unique<Key>();
  key->pkey = pkey;
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    key->kind = KeyKind::kEd25519;
    key->bits = 256;
  } else if (EVP_PKEY_is_a(pkey, "RSA")) {
    key->kind = KeyKind::kRsa;
    key->bits = EVP_PKEY_get_bits(pkey);
    if (key->bits < 2048) {
      return KeyError("an RSA key of " + std::to_string(key->bits) +
                      " bits; Binance needs 2048 or more (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
                      "writes one as \"BEGIN PRIVATE KEY\")");
    }
    if (key->bits > 8192) {
      return KeyError("an RSA key of " + std::to_string(key->bits) + " bits; at most 8192 are accepted (" +
                      std::string(kAccepts) + ")");
    }
  } else {
    const char* type = EVP_PKEY_get0_type_name(pkey);
    return KeyError("a PKCS#8 key of type " + std::string(type != nullptr ? type : "unknown") + "; " +
                    std::string(kAccepts));
  }
  return Signer(std::move(key));
}

Signer::Signer(std::unique_ptr<Key> key) : key_(std::move(key)) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

Result<Signer> Signer::Create(const Secret& secret) {
  const std::string& text = secret.reveal();
  if (text.empty()) return KeyError("empty; " + std::string(kExpected));
  if (!LooksLikePem(text)) {
    auto key = std::make_unique<Key>();
    key->kind = KeyKind::kHmac;
    key->hmac_secret = text;
    return Signer(std::move(key));
  }
  // A PEM squeezed onto one line ("...-----\nMIIE...\n-----END...") gets its line breaks back.
  std::string unescaped;
  const bool one_line = text.find('\n') == std::string::npos && text.find("\\n") != std::string::npos;
  if (one_line) {
    unescaped.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        unescaped.push_back('\n');
        ++i;
      } else {
        unescaped.push_back(text[i]);
      }
    }
  }
  auto parsed = FromPem(one_line ? std::string_view(unescaped) : std::string_view(text));
  WipeString(unescaped);
  return parsed;
}

KeyKind Signer::kind() const { return key_->kind; }
int Signer::bits() const { return key_->bits; }

std::string Signer::Describe() const {
  if (key_->kind == KeyKind::kRsa) return "rsa-" + std::to_string(key_->bits);
  return std::string(KeyKindName(key_->kind));
}

Result<std::string> Signer::Sign(std::string_view payload) const {
  if (key_->kind == KeyKind::kHmac) return HmacSha256Hex(key_->hmac_secret, payload);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return Internal("OpenSSL could not allocate a signing context");
  EVP_PKEY_CTX* pctx = nullptr;
  // Ed25519 hashes internally (no digest); RSA is PKCS#1 v1.5 over SHA-256.
  const EVP_MD* md = key_->kind == KeyKind::kRsa ? EVP_sha256() : nullptr;
  bool ok = EVP_DigestSignInit(ctx, &pctx, md, nullptr, key_->pkey) == 1;
  if (ok && key_->kind == KeyKind::kRsa) ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(payload.data());
  if (ok) ok = EVP_DigestSign(ctx, nullptr, &len, msg, payload.size()) == 1;
  std::string sig(len, '\0');
  if (ok) ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, msg, payload.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return Internal(std::string("OpenSSL failed to make the ") + Describe() + " signature");
  }
  sig.resize(len);
  return Base64(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

Result<std::string> Signer::SignatureParameter(std::string_view payload) const {
  auto sig = Sign(payload);
  if (!sig.ok()) return sig.status();
  if (key_->kind == KeyKind::kHmac) return sig;
  return PercentEncode(*sig);
}

bool DecodeParams(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view item = text.substr(pos, amp - pos);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      std::string k, v;
      if (!PercentDecode(item.substr(0, eq), &k)) return false;
      if (eq != std::string_view::npos && !PercentDecode(item.substr(eq + 1), &v)) return false;
      out->emplace_back(std::move(k), std::move(v));
    }
    pos = amp + 1;
  }
  return true;
}

}  // namespace aitrader::exchange::binance
