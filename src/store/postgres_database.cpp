// PostgreSQL backend of store::Database (libpq).
#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <string>

#include "core/strings.hpp"
#include "store/database.hpp"

namespace aitrader::store {
namespace {

constexpr Oid kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700, kFloat8Oid = 701;

std::string FirstLine(std::string_view sql) {
  auto t = sql.substr(0, sql.find('\n'));
  return std::string(t.substr(0, 120));
}

std::string Trimmed(const char* s) { return std::string(Trim(s ? s : "")); }

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  std::string_view backend() const override { return "postgres"; }

  Status Execute(std::string_view sql, std::span<const Value> params) override {
    return Run(sql, params, nullptr);
  }

  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) override {
    std::vector<Row> rows;
    Status s = Run(sql, params, &rows);
    if (!s.ok()) return s;
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    Status s = Check(res, sql);
    PQclear(res);
    return s;
  }

 private:
  Status Check(PGresult* res, std::string_view sql) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Unavailable("postgres: connection lost: " + Trimmed(PQerrorMessage(conn_)));
    }
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    std::string m = "postgres: " + Trimmed(PQresultErrorMessage(res)) + " [" + FirstLine(sql) + "]";
    if (state != nullptr && std::strcmp(state, "23505") == 0) return Status(StatusCode::kAlreadyExists, m);
    return IoError(m);
  }

  Status Run(std::string_view sql, std::span<const Value> params, std::vector<Row>* rows) {
    std::string text = NumberPlaceholders(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<Null>(v)) {
        values[i] = nullptr;
        continue;
      }
      if (auto p = std::get_if<std::int64_t>(&v)) {
        storage[i] = std::to_string(*p);
      } else if (auto d = std::get_if<double>(&v)) {
        storage[i] = FormatDouble(*d);
      } else {
        storage[i] = std::get<std::string>(v);
      }
      values[i] = storage[i].c_str();
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                 nullptr, nullptr, 0);
    Status s = Check(res, sql);
    if (s.ok() && rows != nullptr && PQresultStatus(res) == PGRES_TUPLES_OK) {
      int nrows = PQntuples(res), ncols = PQnfields(res);
      rows->reserve(static_cast<std::size_t>(nrows));
      for (int r = 0; r < nrows; ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<std::size_t>(ncols));
        for (int c = 0; c < ncols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(Null{});
            continue;
          }
          const char* t = PQgetvalue(res, r, c);
          std::size_t len = static_cast<std::size_t>(PQgetlength(res, r, c));
          Oid type = PQftype(res, c);
          if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
            std::int64_t x = 0;
            std::from_chars(t, t + len, x);
            row.emplace_back(x);
          } else if (type == kFloat8Oid || type == kFloat4Oid) {
            row.emplace_back(std::strtod(t, nullptr));
          } else {
            row.emplace_back(std::string(t, len));
          }
        }
        rows->emplace_back(std::move(row));
      }
    }
    PQclear(res);
    return s;
  }

  PGconn* conn_;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

std::unique_ptr<Database> OpenPostgres(const std::string& conninfo, Status& status) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    // The message may echo connection parameters but libpq never prints the password.
    status = Unavailable("postgres: cannot connect: " + Trimmed(conn ? PQerrorMessage(conn) : "out of memory"));
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::make_unique<PostgresDatabase>(conn);
}

}  // namespace aitrader::store
