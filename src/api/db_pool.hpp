// DbPool: a fixed set of database connections for the API's handler threads. A handler
// leases one connection for the length of a request (Acquire blocks while all are leased);
// the lease returns it. SQLite connections share one file in WAL mode (readers do not block
// the runtime's writer); PostgreSQL connections are independent sessions.
// Thread safety: Acquire() from any thread; a lease is used by one thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace aitrader::api {

class DbPool {
 public:
  // Opens `size` connections to `url` and migrates the schema once. Errors: those of
  // store::OpenDatabase and store::Migrate.
  static Result<std::unique_ptr<DbPool>> Open(const std::string& url, int size);

  class Lease {
   public:
    Lease(DbPool* pool, std::unique_ptr<store::Database> db) : pool_(pool), db_(std::move(db)), repo_(*db_) {}
    ~Lease() { pool_->Release(std::move(db_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    store::Database& db() { return *db_; }
    store::Repository& repo() { return repo_; }

   private:
    DbPool* pool_;
    std::unique_ptr<store::Database> db_;
    store::Repository repo_;
  };

  std::unique_ptr<Lease> Acquire();
  const std::string& url() const { return url_; }

 private:
  void Release(std::unique_ptr<store::Database> db);
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<store::Database>> free_;
};

}  // namespace aitrader::api
