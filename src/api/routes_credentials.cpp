// PUT/DELETE /api/credentials/{name}, GET /api/credentials: write-only secrets, sealed with
// the store's SecretBox (XSalsa20-Poly1305) under the server's master key. A stored value is
// never returned: the list shows names, the last 4 characters of the key and whether a
// secret is set. A Binance secret (binance, binance-testnet) is an HMAC secret or the PEM
// PKCS#8 private key of an Ed25519 / RSA API key; it is checked at PUT time (422 api_secret
// saying why, never showing it), so a bot never starts on a key that cannot sign.
#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/json_util.hpp"
#include "exchange/binance/signing.hpp"
#include "store/api_repository.hpp"
#include "store/secret_box.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }

bool NeedsSecret(std::string_view name) { return name == "binance" || name == "binance-testnet"; }

// binance, binance-testnet, anthropic, openai, deepseek, gemini, or the name of an
// OpenAI-compatible endpoint: lower-case letters, digits, '.', '_', '-'; 1..64.
bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void Api::AddCredentialRoutes() {
  router_.Add("PUT", "/api/credentials/{name}", true, [this](ApiRequest& req) {
    const std::string name = req.params["name"];
    if (!ValidName(name)) {
      return ErrorResponse(422, "invalid_value", "a credential name is lower-case letters, digits, '.', '_' or '-'",
                           "name");
    }
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    const auto& o = std::get<json::object>(body);
    for (const auto& kv : o) {
      if (kv.key() != "api_key" && kv.key() != "api_secret") {
        return ErrorResponse(422, "unknown_field", std::string(kv.key()) + " is not a field of a credential",
                             std::string(kv.key()));
      }
    }
    std::string key, secret;
    if (auto e = GetString(o, "api_key", key, true)) return ErrorResponse(*e);
    if (auto e = GetString(o, "api_secret", secret, NeedsSecret(name))) return ErrorResponse(*e);
    if (key.empty() || key.size() > 4096) return ErrorResponse(422, "invalid_value", "api_key must be 1..4096 bytes", "api_key");
    // 4096 bytes: an HMAC secret, or a PEM private key up to RSA-4096 (about 3.3 KB).
    if (secret.size() > 4096) return ErrorResponse(422, "invalid_value", "api_secret must be at most 4096 bytes", "api_secret");
    if (NeedsSecret(name) && secret.empty()) {
      return ErrorResponse(422, "invalid_value", "api_secret is required for " + name, "api_secret");
    }
    if (NeedsSecret(name)) {
      // Parsed once here to refuse what cannot sign; the venue parses its own copy when a bot starts.
      auto signer = exchange::binance::Signer::Create(exchange::binance::Secret(secret));
      if (!signer.ok()) {
        exchange::binance::WipeString(secret);
        return ErrorResponse(422, "invalid_value", signer.status().message(), "api_secret");
      }
    }
    auto key_sealed = secret_box_->Seal(key);
    auto secret_sealed = secret.empty() ? Result<std::string>(std::string()) : secret_box_->Seal(secret);
    exchange::binance::WipeString(secret);
    if (!key_sealed.ok() || !secret_sealed.ok()) return ErrorResponse(ServerError());
    // Short keys show no hint: four characters of eight would be half the key.
    const std::string last4 = key.size() >= 12 ? key.substr(key.size() - 4) : "";
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    if (!repo.SaveCredential(req.user_id, name, *key_sealed, *secret_sealed, last4, Now()).ok()) {
      return ErrorResponse(ServerError());
    }
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });

  router_.Add("GET", "/api/credentials", true, [this](ApiRequest& req) {
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto list = repo.ListCredentials(req.user_id);
    if (!list.ok()) return ErrorResponse(ServerError());
    json::array items;
    for (const auto& c : *list) {
      json::object o;
      o["name"] = c.name;
      o["last4"] = c.last4;
      o["has_secret"] = c.has_secret;
      o["created_at"] = c.created_at;
      items.push_back(std::move(o));
    }
    json::object out;
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router_.Add("DELETE", "/api/credentials/{name}", true, [this](ApiRequest& req) {
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto gone = repo.DeleteCredential(req.user_id, req.params["name"]);
    if (!gone.ok()) return ErrorResponse(ServerError());
    if (!*gone) return ErrorResponse(404, "not_found", "no credential by that name");
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });
}

}  // namespace aitrader::api
