// SQLite backend of store::Database.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/database.hpp"

namespace aitrader::store {
namespace {

std::string FirstLine(std::string_view sql) {
  auto t = sql.substr(0, sql.find('\n'));
  return std::string(t.substr(0, 120));
}

// Checkpoints the WAL of a database file from its own connection and thread, so the fsyncs
// of a checkpoint never land inside a writer's commit (the cycle's p99). Automatic
// checkpoints are switched off on the writer's connection; this thread runs a PASSIVE
// checkpoint (which never blocks the writer) every 200 ms and a last one when it stops.
class Checkpointer {
 public:
  explicit Checkpointer(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_busy_timeout(db_, 1000);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Checkpointer() {
    if (db_ == nullptr) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
  bool ok() const { return db_ != nullptr; }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  sqlite3* db_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override {
    checkpointer_.reset();
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  // For database files (not :memory:): hand WAL checkpoints to a background connection.
  void StartCheckpointer(const std::string& path) {
    auto c = std::make_unique<Checkpointer>(path);
    if (!c->ok()) return;  // automatic checkpoints stay on
    if (ExecuteScript("PRAGMA wal_autocheckpoint=0;").ok()) checkpointer_ = std::move(c);
  }

  std::string_view backend() const override { return "sqlite"; }

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
    char* err = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "unknown error";
      sqlite3_free(err);
      return IoError("sqlite: " + m);
    }
    return Status::Ok();
  }

 private:
  Status Error(int rc, std::string_view sql) {
    std::string m = std::string("sqlite: ") + sqlite3_errmsg(db_) + " [" + FirstLine(sql) + "]";
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Status(StatusCode::kAlreadyExists, m);
    }
    return IoError(m);
  }

  // Prepared statements are cached by their SQL text (repositories use a fixed set), so a
  // statement is compiled once per connection; a bounded cache keeps ad-hoc SQL from growing it.
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    if (cache_.size() >= kMaxCached) {
      for (auto& [k, st] : cache_) sqlite3_finalize(st);
      cache_.clear();
    }
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  Status Run(std::string_view sql, std::span<const Value> params, std::vector<Row>* rows) {
    auto prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    sqlite3_stmt* stmt = *prepared;
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    int rc = SQLITE_OK;
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      if (std::holds_alternative<Null>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto p = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return Error(rc, sql);
    }
    while (true) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        if (rows == nullptr) continue;
        int n = sqlite3_column_count(stmt);
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(n));
        for (int c = 0; c < n; ++c) {
          switch (sqlite3_column_type(stmt, c)) {
            case SQLITE_NULL: values.emplace_back(Null{}); break;
            case SQLITE_INTEGER: values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c))); break;
            case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
            default: {
              const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
              values.emplace_back(std::string(t ? t : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
            }
          }
        }
        rows->emplace_back(std::move(values));
        continue;
      }
      if (rc == SQLITE_DONE) break;
      return Error(sqlite3_extended_errcode(db_), sql);
    }
    return Status::Ok();
  }

  static constexpr std::size_t kMaxCached = 256;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  sqlite3* db_;
};

}  // namespace

std::unique_ptr<Database> OpenSqlite(const std::string& path, Status& status) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    status = IoError("sqlite: cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  auto out = std::make_unique<SqliteDatabase>(db);
  // WAL: readers do not block the writer; synchronous=NORMAL is durable across process
  // crashes in WAL mode (only an OS crash can lose the last commits).
  Status s = out->ExecuteScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!s.ok()) {
    status = s;
    return nullptr;
  }
  if (path != ":memory:" && path.rfind("file::memory:", 0) != 0) out->StartCheckpointer(path);
  return out;
}

}  // namespace aitrader::store
