// Base64 (RFC 4648, with padding) through libsodium, for binary values kept in TEXT columns
// (sealed secrets, paper venue checkpoints) — the same text on SQLite and PostgreSQL.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aitrader::store {

std::string ToBase64(std::string_view bytes);
// nullopt when `text` is not base64.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace aitrader::store
