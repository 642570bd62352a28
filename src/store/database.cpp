#include "store/database.hpp"

#include <charconv>
#include <cstdlib>

#include "core/strings.hpp"

namespace aitrader::store {

std::int64_t Row::Int(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::Double(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0.0;
}

std::string Row::Text(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return FormatDouble(*p);
  return "";
}

Result<std::int64_t> Database::QueryInt(std::string_view sql, std::span<const Value> params) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().size() == 0) return NotFound("query returned no rows");
  return rows->front().Int(0);
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_string = false;
  for (char c : sql) {
    if (c == '\'') in_string = !in_string;
    if (c == '?' && !in_string) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::unique_ptr<Database> OpenSqlite(const std::string& path, Status& status);
std::unique_ptr<Database> OpenPostgres(const std::string& conninfo, Status& status);

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url) {
  Status status;
  std::unique_ptr<Database> db;
  if (StartsWith(url, "sqlite:")) {
    std::string path(url.substr(7));
    if (StartsWith(path, "//")) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) return InvalidArgument("database URL 'sqlite:' needs a path (or :memory:)");
    db = OpenSqlite(path, status);
  } else if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    db = OpenPostgres(std::string(url), status);
  } else {
    return InvalidArgument("database URL must start with sqlite: or postgresql:// (got a URL with another scheme)");
  }
  if (!status.ok()) return status;
  return db;
}

}  // namespace aitrader::store
