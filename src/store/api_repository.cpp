#include "store/api_repository.hpp"

namespace aitrader::store {
namespace {

Value Text(std::string_view s) { return Value{std::string(s)}; }
Value Int(std::int64_t v) { return Value{v}; }
std::optional<std::int64_t> OptInt64(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

constexpr const char* kBotCols =
    "id, user_id, name, provider, model, mode, status, capital, config_json, created_at, updated_at";
BotRecord ToBot(const Row& r) {
  BotRecord b;
  b.id = r.Int(0);
  b.user_id = r.Int(1);
  b.name = r.Text(2);
  b.provider = r.Text(3);
  b.model = r.Text(4);
  b.mode = r.Text(5);
  b.status = r.Text(6);
  b.capital = Money::FromRaw(r.Int(7));
  b.config_json = r.Text(8);
  b.created_at = r.Int(9);
  b.updated_at = r.Int(10);
  return b;
}

}  // namespace

Result<std::int64_t> ApiRepository::InsertRefreshToken(std::int64_t user_id, std::string_view family,
                                                       std::string_view token_hash, UnixMs created_at,
                                                       UnixMs expires_at) {
  Value p[] = {Int(user_id), Text(family), Text(token_hash), Int(created_at), Int(expires_at)};
  return db_.QueryInt(
      "INSERT INTO refresh_tokens (user_id, family, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id",
      p);
}

Result<RefreshTokenRecord> ApiRepository::FindRefreshToken(std::string_view token_hash) {
  Value p[] = {Text(token_hash)};
  auto rows = db_.Query(
      "SELECT id, user_id, family, created_at, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
      p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("refresh token not found");
  const Row& r = rows->front();
  return RefreshTokenRecord{r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Int(4), OptInt64(r, 5), OptInt64(r, 6)};
}

Result<bool> ApiRepository::ClaimRefreshToken(std::int64_t id, UnixMs at) {
  Value p[] = {Int(at), Int(id)};
  auto rows = db_.Query(
      "UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL RETURNING id", p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Status ApiRepository::RevokeTokenFamily(std::string_view family, UnixMs at) {
  Value p[] = {Int(at), Text(family)};
  return db_.Execute("UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL", p);
}

Status ApiRepository::SaveCredential(std::int64_t user_id, std::string_view name, std::string_view key_sealed,
                                     std::string_view secret_sealed, std::string_view last4, UnixMs at) {
  Value p[] = {Int(user_id), Text(name), Text("default"), Text(key_sealed), Text(secret_sealed), Int(at), Text(last4)};
  return db_.Execute(
      "INSERT INTO exchange_credentials (user_id, venue, label, api_key_enc, api_secret_enc, created_at, last4) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, venue, label) DO UPDATE SET "
      "api_key_enc = excluded.api_key_enc, api_secret_enc = excluded.api_secret_enc, "
      "created_at = excluded.created_at, last4 = excluded.last4",
      p);
}

Result<std::vector<CredentialInfo>> ApiRepository::ListCredentials(std::int64_t user_id) {
  Value p[] = {Int(user_id)};
  auto rows = db_.Query(
      "SELECT venue, COALESCE(last4, ''), api_secret_enc, created_at FROM exchange_credentials "
      "WHERE user_id = ? AND label = 'default' ORDER BY venue",
      p);
  if (!rows.ok()) return rows.status();
  std::vector<CredentialInfo> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), !r.Text(2).empty(), r.Int(3)});
  return out;
}

Result<bool> ApiRepository::DeleteCredential(std::int64_t user_id, std::string_view name) {
  Value p[] = {Int(user_id), Text(name)};
  auto rows = db_.Query(
      "DELETE FROM exchange_credentials WHERE user_id = ? AND venue = ? AND label = 'default' RETURNING id", p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<std::vector<BotRecord>> ApiRepository::ListUserBots(std::int64_t user_id, std::int64_t after_id, int limit) {
  Value p[] = {Int(user_id), Int(after_id), Int(limit)};
  auto rows = db_.Query(std::string("SELECT ") + kBotCols +
                            " FROM bots WHERE user_id = ? AND id > ? AND status <> 'deleted' ORDER BY id LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<BotRecord> out;
  for (const auto& r : *rows) out.push_back(ToBot(r));
  return out;
}

Result<BotRecord> ApiRepository::GetUserBot(std::int64_t user_id, std::int64_t bot_id) {
  Value p[] = {Int(bot_id), Int(user_id)};
  auto rows = db_.Query(std::string("SELECT ") + kBotCols +
                            " FROM bots WHERE id = ? AND user_id = ? AND status <> 'deleted'",
                        p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("bot not found");
  return ToBot(rows->front());
}

Status ApiRepository::UpdateBotSpec(const BotRecord& b) {
  Value p[] = {Text(b.name),      Text(b.provider), Text(b.model), Text(b.mode), Int(b.capital.raw()),
               Text(b.config_json), Int(b.updated_at), Int(b.id)};
  return db_.Execute(
      "UPDATE bots SET name = ?, provider = ?, model = ?, mode = ?, capital = ?, config_json = ?, updated_at = ? "
      "WHERE id = ?",
      p);
}

Result<BotSummary> ApiRepository::GetBotSummary(std::int64_t bot_id) {
  BotSummary out;
  Value p[] = {Int(bot_id)};
  auto eq = db_.Query("SELECT equity FROM equity_snapshots WHERE bot_id = ? ORDER BY at DESC LIMIT 1", p);
  if (!eq.ok()) return eq.status();
  if (!eq->empty()) out.equity = Money::FromRaw(eq->front().Int(0));
  auto open = db_.QueryInt("SELECT COUNT(*) FROM positions WHERE bot_id = ? AND closed_at IS NULL", p);
  if (!open.ok()) return open.status();
  out.open_positions = *open;
  auto last = db_.Query("SELECT MAX(decided_at) FROM llm_decisions WHERE bot_id = ?", p);
  if (!last.ok()) return last.status();
  if (!last->empty() && !last->front().IsNull(0)) out.last_decision_at = last->front().Int(0);
  return out;
}

Result<std::int64_t> ApiRepository::AppendEvent(std::int64_t bot_id, std::string_view type, UnixMs at,
                                                std::string_view data) {
  Value p[] = {Int(bot_id), Int(bot_id), Text(type), Int(at), Text(data)};
  return db_.QueryInt(
      "INSERT INTO bot_events (bot_id, seq, type, at, data) "
      "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM bot_events WHERE bot_id = ?), ?, ?, ?) RETURNING seq",
      p);
}

Result<std::vector<EventRecord>> ApiRepository::ListEvents(std::int64_t bot_id, std::int64_t since, int limit) {
  Value p[] = {Int(bot_id), Int(since), Int(limit)};
  auto rows = db_.Query("SELECT bot_id, seq, type, at, data FROM bot_events WHERE bot_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<EventRecord> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Text(4)});
  return out;
}

Result<std::int64_t> ApiRepository::LastEventSeq(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  return db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM bot_events WHERE bot_id = ?", p);
}

}  // namespace aitrader::store
