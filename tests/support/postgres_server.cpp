#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "store/database.hpp"

namespace aitrader::testing {
namespace {

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return 0;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::unique_ptr<PostgresServer>& Instance() {
  static std::unique_ptr<PostgresServer> instance;
  return instance;
}

}  // namespace

PostgresServer* PostgresServer::Shared(std::string* why) {
  auto& inst = Instance();
  if (!inst) {
    std::unique_ptr<PostgresServer> s(new PostgresServer());
    if (!s->Start(why)) return nullptr;
    inst = std::move(s);
    std::atexit([] { Instance().reset(); });
  }
  return inst.get();
}

PostgresServer::~PostgresServer() { Stop(); }

bool PostgresServer::Start(std::string* why) {
  for (const char* candidate : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (std::filesystem::exists(std::string(candidate) + "/initdb")) {
      bin_ = candidate;
      break;
    }
  }
  if (bin_.empty()) {
    *why = "PostgreSQL server binaries not found (install postgresql-15: scripts/setup.sh)";
    return false;
  }
  char tmpl[] = "/tmp/aitrader-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *why = "mkdtemp failed";
    return false;
  }
  dir_ = tmpl;
  if (::geteuid() == 0) {
    run_as_ = "runuser -u postgres -- ";
    Run("chown postgres: " + dir_);
  }
  port_ = FreeLoopbackPort();
  std::string log = dir_ + "/server.log";
  std::string init = run_as_ + bin_ + "/initdb -D " + dir_ + "/data -A trust -U aitrader -E UTF8 --locale=C --no-sync >" +
                     dir_ + "/initdb.log 2>&1";
  if (Run(init) != 0) {
    *why = "initdb failed (see " + dir_ + "/initdb.log)";
    return false;
  }
  std::string start = run_as_ + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + log + " -w -t 60 -o \"-p " +
                      std::to_string(port_) + " -k " + dir_ +
                      " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" "
                      "start >/dev/null 2>&1";
  if (Run(start) != 0) {
    *why = "pg_ctl start failed (see " + log + ")";
    return false;
  }
  running_ = true;
  return true;
}

void PostgresServer::Stop() {
  if (running_) {
    Run(run_as_ + bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1");
    running_ = false;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string PostgresServer::CreateDatabase(std::string* why) {
  std::string base = "postgresql://aitrader@127.0.0.1:" + std::to_string(port_) + "/";
  auto admin = store::OpenDatabase(base + "postgres");
  if (!admin.ok()) {
    *why = admin.status().ToString();
    return "";
  }
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next_db_);
  Status s = (*admin)->Execute("CREATE DATABASE " + name);
  if (!s.ok()) {
    *why = s.ToString();
    return "";
  }
  return base + name;
}

}  // namespace aitrader::testing
