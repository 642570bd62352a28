// Crash injection for the recovery tests of the drivers that survive kill -9 (`aitrader run`,
// `aitrader serve`): AITRADER_CRASH_AT="bar:N" kills the process (SIGKILL) while the N-th bar
// this process processes is half done (the venue moved, nothing committed); "commit:N" right
// after the N-th bar's commit. Unset: never.
// Thread safety: ReadCrashPoint once at start; MaybeCrash from the driver's thread.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace aitrader::engine {

struct CrashPoint {
  std::string site;
  std::int64_t count = 0;
};

inline CrashPoint ReadCrashPoint() {
  CrashPoint c;
  const char* env = std::getenv("AITRADER_CRASH_AT");
  if (env == nullptr) return c;
  std::string s(env);
  auto colon = s.find(':');
  if (colon == std::string::npos) return c;
  c.site = s.substr(0, colon);
  c.count = std::atoll(s.c_str() + colon + 1);
  return c;
}

inline void MaybeCrash(const CrashPoint& c, std::string_view site, std::int64_t n) {
  if (!c.site.empty() && c.site == site && c.count == n) ::kill(::getpid(), SIGKILL);
}

}  // namespace aitrader::engine
