#include "llm/replay.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm {
namespace json = boost::json;

ReplayClient::ReplayClient(std::vector<Entry> entries, bool by_sequence, RequestResolver resolve)
    : entries_(std::move(entries)), by_sequence_(by_sequence), resolve_(std::move(resolve)) {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].key.empty()) by_key_.emplace(entries_[i].key, i);
    if (std::find(providers_.begin(), providers_.end(), entries_[i].provider) == providers_.end())
      providers_.push_back(entries_[i].provider);  // the line's endpoint (or provider, older lines)
  }
}

Result<std::unique_ptr<ReplayClient>> ReplayClient::Load(const std::string& path, bool by_sequence,
                                                         RequestResolver resolve) {
  AITRADER_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<std::pair<std::int64_t, Entry>> rows;
  int line_no = 0;
  bool all_seq = true;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (Trim(line).empty()) continue;
    auto where = path + ":" + std::to_string(line_no) + ": ";
    auto v = wire::ParseBody(line);
    if (!v.ok()) return ParseError(where + v.status().message());
    auto response = ResponseFromJson(*v);
    if (!response.ok()) return ParseError(where + response.status().message());
    Entry e;
    e.key = wire::StringOr(wire::Member(*v, "key"));
    // Keys are over the endpoint identity; lines recorded before it existed keyed the provider.
    e.provider = wire::StringOr(wire::Member(*v, "endpoint"), wire::StringOr(wire::Member(*v, "provider")));
    e.response = std::move(response).value();
    const json::value* seq = wire::Member(*v, "seq");
    if (seq == nullptr) all_seq = false;
    rows.emplace_back(wire::IntOr(seq, 0), std::move(e));
  }
  if (by_sequence && all_seq) {
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  std::vector<Entry> entries;
  for (auto& row : rows) entries.push_back(std::move(row.second));
  return std::unique_ptr<ReplayClient>(new ReplayClient(std::move(entries), by_sequence, std::move(resolve)));
}

Result<Response> ReplayClient::Complete(const Request& request, const CancelToken* cancel) {
  if (cancel != nullptr && cancel->cancelled()) return Status(StatusCode::kCancelled, "replay: cancelled");
  const Entry* found = nullptr;
  if (by_sequence_) {
    std::lock_guard lock(mu_);
    if (next_ >= entries_.size()) {
      return NotFound("replay: recording exhausted after " + std::to_string(entries_.size()) + " answers");
    }
    found = &entries_[next_++];
  } else {
    const Request resolved = resolve_ ? resolve_(request) : request;
    for (const auto& provider : providers_) {
      auto it = by_key_.find(CacheKey(provider, resolved));
      if (it != by_key_.end()) {
        found = &entries_[it->second];
        break;
      }
    }
    if (found == nullptr) return NotFound("replay: no recorded answer for this request (model " + resolved.model + ")");
  }
  Response r = found->response;
  r.from_cache = true;
  r.attempts = 0;
  return r;
}

Result<std::unique_ptr<RecordingClient>> RecordingClient::Open(std::unique_ptr<Client> inner, const std::string& path,
                                                               RequestResolver resolve, std::string endpoint) {
  std::int64_t lines = 0;
  if (auto existing = ReadFile(path); existing.ok()) {
    for (std::string_view line : Split(*existing, '\n'))
      if (!Trim(line).empty()) ++lines;
  }
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) return IoError("cannot open the LLM recording " + path + " for appending");
  if (endpoint.empty()) endpoint = inner->provider();
  return std::unique_ptr<RecordingClient>(
      new RecordingClient(std::move(inner), f, lines + 1, path, std::move(resolve), std::move(endpoint)));
}

RecordingClient::RecordingClient(std::unique_ptr<Client> inner, std::FILE* file, std::int64_t next_seq, std::string path,
                                 RequestResolver resolve, std::string endpoint)
    : inner_(std::move(inner)),
      file_(file),
      next_seq_(next_seq),
      path_(std::move(path)),
      resolve_(std::move(resolve)),
      endpoint_(std::move(endpoint)) {}

RecordingClient::~RecordingClient() { std::fclose(file_); }

Result<Response> RecordingClient::Complete(const Request& request, const CancelToken* cancel) {
  AITRADER_ASSIGN_OR_RETURN(Response response, inner_->Complete(request, cancel));
  json::object line = ResponseToJson(response);
  const std::string key = CacheKey(endpoint_, resolve_ ? resolve_(request) : request);
  std::lock_guard lock(mu_);
  line["seq"] = next_seq_++;
  line["key"] = key;
  line["provider"] = inner_->provider();
  line["endpoint"] = endpoint_;
  const std::string text = json::serialize(line) + "\n";
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0) {
    return IoError("cannot append to the LLM recording " + path_);
  }
  return response;
}

}  // namespace aitrader::llm
