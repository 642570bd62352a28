// A throwaway PostgreSQL server for tests: initdb into a temporary directory, start on a free
// loopback port, hand out fresh databases, stop and delete everything at the end.
// Uses Debian's PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin, installed by
// scripts/setup.sh). When run as root, the server runs as the 'postgres' system user
// (PostgreSQL refuses to run as root).
// Thread safety: start and stop from the test's main thread.
#pragma once

#include <string>

namespace aitrader::testing {

class PostgresServer {
 public:
  // The process-wide server, started on first use; stopped by an atexit handler.
  // Returns nullptr (and sets *why) when the server cannot be started.
  static PostgresServer* Shared(std::string* why);

  ~PostgresServer();
  // Creates a new empty database and returns its URL (postgresql://aitrader@127.0.0.1:PORT/NAME).
  std::string CreateDatabase(std::string* why);
  int port() const { return port_; }

 private:
  PostgresServer() = default;
  bool Start(std::string* why);
  void Stop();

  std::string dir_;
  std::string bin_;
  std::string run_as_;  // "runuser -u postgres -- " when root
  int port_ = 0;
  int next_db_ = 0;
  bool running_ = false;
};

}  // namespace aitrader::testing
