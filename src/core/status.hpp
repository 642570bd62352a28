// Status and Result<T>: how every expected failure is returned in aitrader.
//
// A Status is either OK or an error with a code and a human-readable message that names
// what was wrong and where ("prices.csv:17: high 10.5 < low 11"). Result<T> holds either
// a value or a non-OK Status. Both are [[nodiscard]]: ignoring an error is a compile
// warning (an error under -Werror). No exception crosses a module's public API; broken
// invariants abort instead (see AITRADER_CHECK).
//
// Thread safety: value types; distinct objects may be used from any thread.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aitrader {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is malformed or out of range
  kParseError,         // text (CSV, JSON, LLM answer) could not be parsed
  kNotFound,           // a named thing does not exist
  kAlreadyExists,      // a unique thing exists already
  kOutOfRange,         // a value does not fit (overflow, too many decimals)
  kFailedPrecondition, // the system is not in a state that allows the call
  kRejected,           // a venue or the risk engine refused (see the reason code)
  kUnavailable,        // transient: network, overloaded server; may be retried
  kTimeout,            // a deadline passed
  kCancelled,          // the operation was cancelled by its owner
  kPermissionDenied,   // authentication or authorization failed
  kIoError,            // file system or database I/O failed
  kInternal,           // a bug or an unexpected state; report it
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message" (for adding file/line or call site).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: a T, or the Status that explains why there is none. Accessing value() of an
// error Result aborts (a bug in the caller, never an expected failure).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      std::fprintf(stderr, "Result constructed from an OK status\n");
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { CheckOk(); return std::get<T>(v_); }
  const T& value() const& { CheckOk(); return std::get<T>(v_); }
  T&& value() && { CheckOk(); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // By value: `for (auto& x : *F())` and `auto x = *F()` never dangle.
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  void CheckOk() const {
    if (!ok()) {
      std::fprintf(stderr, "Result::value() on error: %s\n", std::get<Status>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

}  // namespace aitrader

// Propagates a non-OK Status from an expression returning Status.
#define AITRADER_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::aitrader::Status aitrader_status_ = (expr); \
    if (!aitrader_status_.ok()) return aitrader_status_; \
  } while (0)

#define AITRADER_CONCAT_INNER(a, b) a##b
#define AITRADER_CONCAT(a, b) AITRADER_CONCAT_INNER(a, b)
// AITRADER_ASSIGN_OR_RETURN(auto x, F()): x = value of F(), or return its Status.
#define AITRADER_ASSIGN_OR_RETURN(lhs, expr) \
  AITRADER_ASSIGN_OR_RETURN_IMPL(AITRADER_CONCAT(aitrader_result_, __LINE__), lhs, expr)
#define AITRADER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

// A broken invariant: print where and why, then abort (crash-only design).
#define AITRADER_CHECK(cond, msg)                                                      \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, #cond, msg); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
