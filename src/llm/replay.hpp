// Deterministic re-runs: RecordingClient writes every answer of a run to a JSONL file, and
// ReplayClient answers a later run from that file, by request key or by sequence number.
//
// One line per answer:
//   {"seq":1,"key":"<CacheKey hex>","provider":"anthropic","model":"...","text":"...",
//    "reasoning":"...","finish_reason":"...","usage":{"input_tokens":..,"output_tokens":..,
//    "reasoning_tokens":..,"cached_tokens":..},"cost_usd":"0.0012","latency_ms":812}
// Only "text" is required when a file is written by hand; "key" or "seq" selects the line.
// Thread safety: both clients may be called from many threads (a mutex orders the file and the
// sequence counter).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "llm/cache.hpp"
#include "llm/client.hpp"

namespace aitrader::llm {

class ReplayClient final : public Client {
 public:
  // Loads the JSONL file. by_sequence: answer the n-th call with the n-th line (file order, or
  // "seq" order when every line has one); else match CacheKey(line's provider, request).
  // Errors: kNotFound/kIoError (file), kParseError "file:line: ..." (a bad line).
  static Result<std::unique_ptr<ReplayClient>> Load(const std::string& path, bool by_sequence,
                                                    RequestResolver resolve = {});

  std::string provider() const override { return "replay"; }
  // The recorded answer (from_cache = true, attempts = 0, cost as recorded). Errors:
  // kNotFound when no line matches the key or the sequence is exhausted; kCancelled.
  Result<Response> Complete(const Request& request, const CancelToken* cancel = nullptr) override;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;
    std::string provider;
    Response response;
  };
  ReplayClient(std::vector<Entry> entries, bool by_sequence, RequestResolver resolve);

  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> by_key_;
  std::vector<std::string> providers_;
  bool by_sequence_;
  RequestResolver resolve_;
  std::mutex mu_;
  std::size_t next_ = 0;
};

class RecordingClient final : public Client {
 public:
  // Appends to `path` (created if absent); sequence numbers continue after existing lines.
  // Errors: kIoError.
  // `endpoint` keys the lines (empty: the inner client's provider name) and is stored in
  // each line's "endpoint" field for replay.
  static Result<std::unique_ptr<RecordingClient>> Open(std::unique_ptr<Client> inner, const std::string& path,
                                                       RequestResolver resolve = {}, std::string endpoint = {});
  ~RecordingClient() override;

  std::string provider() const override { return inner_->provider(); }
  // Calls the inner client; a successful answer is appended and flushed before returning.
  // Failures are not recorded (a replay of them would be a different run).
  Result<Response> Complete(const Request& request, const CancelToken* cancel = nullptr) override;

 private:
  RecordingClient(std::unique_ptr<Client> inner, std::FILE* file, std::int64_t next_seq, std::string path,
                  RequestResolver resolve, std::string endpoint);

  std::unique_ptr<Client> inner_;
  std::FILE* file_;
  std::mutex mu_;
  std::int64_t next_seq_;
  std::string path_;
  RequestResolver resolve_;
  std::string endpoint_;
};

}  // namespace aitrader::llm
