// POST /api/auth/register|login|refresh|logout, GET /api/auth/me.
#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/auth.hpp"
#include "api/json_util.hpp"
#include "store/api_repository.hpp"

namespace aitrader::api {
namespace json = boost::json;

namespace {

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

ApiError BadCredentials() { return ApiError{401, "invalid_credentials", "wrong e-mail or password", ""}; }
ApiError BadRefresh() { return ApiError{401, "invalid_token", "the refresh token is not valid", ""}; }
ApiError ServerError() { return ApiError{500, "internal_error", "the server failed to answer this request", ""}; }

// {email, password} with the contract's statuses.
std::optional<ApiError> ReadCredentials(const ApiRequest& req, std::string& email, std::string& password) {
  auto body = ParseJsonObject(req);
  if (auto* e = std::get_if<ApiError>(&body)) return *e;
  const auto& o = std::get<json::object>(body);
  for (const auto& kv : o) {
    if (kv.key() != "email" && kv.key() != "password") {
      return ApiError{422, "unknown_field", std::string(kv.key()) + " is not a field of this request", std::string(kv.key())};
    }
  }
  if (auto e = GetString(o, "email", email, true)) return e;
  if (auto e = GetString(o, "password", password, true)) return e;
  return std::nullopt;
}

}  // namespace

ApiResponse Api::TokenPair(store::Database& db, std::int64_t user_id, const std::string& family, UnixMs now) {
  store::ApiRepository repo(db);
  const std::string refresh = Auth::NewRefreshToken();
  auto id = repo.InsertRefreshToken(user_id, family, Auth::HashRefreshToken(refresh), now,
                                    now + auth_->refresh_ttl_s() * 1000);
  if (!id.ok()) return ErrorResponse(ServerError());
  json::object o;
  o["access_token"] = auth_->IssueAccessToken(user_id, now);
  o["token_type"] = "bearer";
  o["expires_in"] = auth_->access_ttl_s();
  o["refresh_token"] = refresh;
  return JsonResponse(200, o);
}

void Api::AddAuthRoutes() {
  router_.Add("POST", "/api/auth/register", false, [this](ApiRequest& req) {
    std::string email, password;
    if (auto e = ReadCredentials(req, email, password)) return ErrorResponse(*e);
    auto normal = NormalizeEmail(email);
    if (!normal) return ErrorResponse(422, "invalid_value", "email is not an e-mail address", "email");
    if (CodePoints(password) < 10) {
      return ErrorResponse(422, "invalid_value", "password must have at least 10 characters", "password");
    }
    if (password.size() > 1024) {
      return ErrorResponse(422, "invalid_value", "password must have at most 1024 bytes", "password");
    }
    auto hash = auth_->HashPassword(password);
    if (!hash.ok()) return ErrorResponse(ServerError());
    const UnixMs now = Now();
    auto lease = db_->Acquire();
    auto id = lease->repo().CreateUser({0, *normal, *hash, now});
    if (!id.ok()) {
      if (id.status().code() == StatusCode::kAlreadyExists) {
        return ErrorResponse(409, "conflict", "this e-mail is already registered", "email");
      }
      return ErrorResponse(ServerError());
    }
    json::object o;
    o["id"] = *id;
    o["email"] = *normal;
    o["created_at"] = now;
    return JsonResponse(201, o);
  });

  router_.Add("POST", "/api/auth/login", false, [this](ApiRequest& req) {
    std::string email, password;
    if (auto e = ReadCredentials(req, email, password)) return ErrorResponse(*e);
    const std::string account = NormalizeEmail(email).value_or(email);
    const UnixMs now = Now();
    if (auto wait = auth_->Throttled(account, req.remote_address, now)) {
      ApiResponse r = ErrorResponse(429, "too_many_attempts", "too many failed logins; try again later");
      r.headers.emplace_back("Retry-After", std::to_string(*wait));
      return r;
    }
    std::optional<store::UserRecord> user;
    {
      auto lease = db_->Acquire();
      auto u = lease->repo().FindUserByEmail(account);
      if (u.ok()) user = std::move(*u);
      else if (u.status().code() != StatusCode::kNotFound) return ErrorResponse(ServerError());
    }
    // An unknown account costs one hash verification too (no timing oracle).
    const bool ok = auth_->VerifyPassword(user ? user->password_hash : std::string(), password);
    if (!ok || !user) {
      auth_->RecordFailure(account, req.remote_address, now);
      return ErrorResponse(BadCredentials());
    }
    auth_->RecordSuccess(account);
    auto lease = db_->Acquire();
    return TokenPair(lease->db(), user->id, Auth::NewFamilyId(), now);
  });

  router_.Add("POST", "/api/auth/refresh", false, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    std::string token;
    if (auto e = GetString(std::get<json::object>(body), "refresh_token", token, true)) return ErrorResponse(*e);
    if (token.empty() || token.size() > 256) return ErrorResponse(BadRefresh());
    const UnixMs now = Now();
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    ApiResponse out;
    Status s = store::InTransaction(lease->db(), [&]() -> Status {
      auto rec = repo.FindRefreshToken(Auth::HashRefreshToken(token));
      if (!rec.ok()) {
        if (rec.status().code() != StatusCode::kNotFound) return rec.status();
        out = ErrorResponse(BadRefresh());
        return Status::Ok();
      }
      if (rec->used_at || rec->revoked_at) {
        // An old token again: someone else may hold the newer one. End the whole session.
        AITRADER_RETURN_IF_ERROR(repo.RevokeTokenFamily(rec->family, now));
        out = ErrorResponse(401, "token_reused", "this refresh token was already used; the session is revoked");
        return Status::Ok();
      }
      if (rec->expires_at <= now) {
        out = ErrorResponse(BadRefresh());
        return Status::Ok();
      }
      auto claimed = repo.ClaimRefreshToken(rec->id, now);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) {
        AITRADER_RETURN_IF_ERROR(repo.RevokeTokenFamily(rec->family, now));
        out = ErrorResponse(401, "token_reused", "this refresh token was already used; the session is revoked");
        return Status::Ok();
      }
      out = TokenPair(lease->db(), rec->user_id, rec->family, now);
      return out.status == 200 ? Status::Ok() : Internal("token insert failed");
    });
    if (!s.ok()) return ErrorResponse(ServerError());
    return out;
  });

  router_.Add("POST", "/api/auth/logout", false, [this](ApiRequest& req) {
    auto body = ParseJsonObject(req);
    if (auto* e = std::get_if<ApiError>(&body)) return ErrorResponse(*e);
    std::string token;
    if (auto e = GetString(std::get<json::object>(body), "refresh_token", token, true)) return ErrorResponse(*e);
    if (token.empty() || token.size() > 256) return ErrorResponse(BadRefresh());
    auto lease = db_->Acquire();
    store::ApiRepository repo(lease->db());
    auto rec = repo.FindRefreshToken(Auth::HashRefreshToken(token));
    if (!rec.ok()) {
      return rec.status().code() == StatusCode::kNotFound ? ErrorResponse(BadRefresh()) : ErrorResponse(ServerError());
    }
    if (!repo.RevokeTokenFamily(rec->family, Now()).ok()) return ErrorResponse(ServerError());
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });

  router_.Add("GET", "/api/auth/me", true, [this](ApiRequest& req) {
    auto lease = db_->Acquire();
    auto u = lease->repo().GetUser(req.user_id);
    if (!u.ok()) {
      return u.status().code() == StatusCode::kNotFound
                 ? ErrorResponse(401, "invalid_token", "the access token is not valid")
                 : ErrorResponse(ServerError());
    }
    json::object o;
    o["id"] = u->id;
    o["email"] = u->email;
    o["created_at"] = u->created_at;
    return JsonResponse(200, o);
  });
}

}  // namespace aitrader::api
