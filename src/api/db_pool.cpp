#include "api/db_pool.hpp"

#include <filesystem>

#include "store/migrations.hpp"

namespace aitrader::api {

Result<std::unique_ptr<DbPool>> DbPool::Open(const std::string& url, int size) {
  if (url.rfind("sqlite:", 0) == 0 && url != "sqlite::memory:") {
    std::filesystem::path p(url.substr(7));
    if (p.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(p.parent_path(), ec);
    }
  }
  if (url == "sqlite::memory:") {
    return InvalidArgument("--database sqlite::memory: cannot be shared by the server's connections; use a file");
  }
  auto pool = std::unique_ptr<DbPool>(new DbPool());
  pool->url_ = url;
  for (int i = 0; i < std::max(1, size); ++i) {
    auto db = store::OpenDatabase(url);
    if (!db.ok()) return db.status();
    if (i == 0) {
      auto v = store::Migrate(**db);
      if (!v.ok()) return v.status();
    }
    pool->free_.push_back(std::move(*db));
  }
  return pool;
}

std::unique_ptr<DbPool::Lease> DbPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  auto db = std::move(free_.back());
  free_.pop_back();
  return std::make_unique<Lease>(this, std::move(db));
}

void DbPool::Release(std::unique_ptr<store::Database> db) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(db));
  }
  cv_.notify_one();
}

}  // namespace aitrader::api
