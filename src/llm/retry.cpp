#include "llm/retry.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "core/strings.hpp"

namespace aitrader::llm {

bool IsRetryableHttp(const HttpResponse& response, std::string_view vendor_code) {
  const std::string should = ToLower(response.Header("x-should-retry"));
  if (should == "true") return true;
  if (should == "false") return false;
  const int s = response.status;
  if (s == 429) return vendor_code != "insufficient_quota";
  return s == 408 || s == 409 || s >= 500;
}

namespace {

std::optional<double> ParseNumber(const std::string& text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return std::nullopt;
  std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::int64_t> RetryAfterMs(const HttpResponse& response, UnixMs now_ms) {
  if (auto ms = ParseNumber(response.Header("retry-after-ms"))) return static_cast<std::int64_t>(std::llround(*ms));
  const std::string after = response.Header("retry-after");
  if (after.empty()) return std::nullopt;
  if (auto s = ParseNumber(after)) return static_cast<std::int64_t>(std::llround(*s * 1000.0));
  const std::int64_t epoch_s = ParseHttpDate(after);
  if (epoch_s < 0) return std::nullopt;
  return epoch_s * 1000 - now_ms;
}

std::int64_t BackoffMs(int retries_done, double jitter01) {
  const double base_s = std::min(0.5 * std::pow(2.0, std::clamp(retries_done, 0, 30)), 8.0);
  const double jitter = 1.0 - 0.25 * std::clamp(jitter01, 0.0, 1.0);
  return static_cast<std::int64_t>(std::llround(base_s * jitter * 1000.0));
}

std::int64_t RetryWaitMs(const HttpResponse* response, std::optional<std::int64_t> vendor_hint_ms,
                         int retries_done, UnixMs now_ms, double jitter01) {
  std::optional<std::int64_t> asked;
  if (response != nullptr) asked = RetryAfterMs(*response, now_ms);
  if (!asked) asked = vendor_hint_ms;
  if (asked && *asked > 0 && *asked <= kMaxHonouredRetryAfterMs) return *asked;
  return BackoffMs(retries_done, jitter01);
}

namespace {

class RealSleeperImpl final : public Sleeper {
 public:
  bool Sleep(std::int64_t ms, const CancelToken* cancel) override {
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + milliseconds(std::max<std::int64_t>(ms, 0));
    while (true) {
      if (cancel != nullptr && cancel->cancelled()) return false;
      const auto now = steady_clock::now();
      if (now >= deadline) return true;
      std::this_thread::sleep_for(std::min<steady_clock::duration>(deadline - now, milliseconds(50)));
    }
  }
};

}  // namespace

Sleeper& RealSleeper() {
  static RealSleeperImpl sleeper;
  return sleeper;
}

}  // namespace aitrader::llm
