#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "core/io.hpp"
#include "llm/cache.hpp"
#include "llm/replay.hpp"

namespace aitrader::llm {
namespace {

Request Sample() {
  Request r;
  r.model = "claude-sonnet-4-5";
  r.messages = {{Role::kSystem, "You trade."}, {Role::kUser, "BTC 100000. Decide."}};
  r.temperature = 0.2;
  r.max_tokens = 1024;
  r.response_schema = R"({"type":"object"})";
  return r;
}

// Answers "answer <n>" and counts calls.
class CountingClient final : public Client {
 public:
  std::string provider() const override { return "anthropic"; }
  Result<Response> Complete(const Request& request, const CancelToken*) override {
    const int n = ++calls;
    Response r;
    r.text = "answer " + std::to_string(n) + " for " + request.messages.back().content;
    r.model = request.model.empty() ? "default-model" : request.model;
    r.usage.input_tokens = 100;
    r.usage.output_tokens = 20;
    r.cost_usd = Money::Parse("0.0006").value();
    return r;
  }
  std::atomic<int> calls{0};
};

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_llm_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(CacheKey, StableAndSensitiveToEveryField) {
  const Request base = Sample();
  const std::string key = CacheKey("anthropic", base);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, CacheKey("anthropic", Sample()));
  EXPECT_NE(key, CacheKey("openai", base));
  auto differs = [&](auto mutate) {
    Request r = Sample();
    mutate(r);
    return CacheKey("anthropic", r) != key;
  };
  EXPECT_TRUE(differs([](Request& r) { r.model = "claude-opus-4-1"; }));
  EXPECT_TRUE(differs([](Request& r) { r.messages[1].content += " "; }));
  EXPECT_TRUE(differs([](Request& r) { r.messages[0].role = Role::kUser; }));
  EXPECT_TRUE(differs([](Request& r) { r.temperature = 0.3; }));
  EXPECT_TRUE(differs([](Request& r) { r.temperature.reset(); }));
  EXPECT_TRUE(differs([](Request& r) { r.max_tokens = 1025; }));
  EXPECT_TRUE(differs([](Request& r) { r.response_schema = ""; }));
  EXPECT_TRUE(differs([](Request& r) { r.schema_name = "x"; }));
  // Field boundaries are unambiguous: moving text between messages changes the key.
  Request a = Sample(), b = Sample();
  a.messages = {{Role::kUser, "ab"}, {Role::kUser, "c"}};
  b.messages = {{Role::kUser, "a"}, {Role::kUser, "bc"}};
  EXPECT_NE(CacheKey("x", a), CacheKey("x", b));
}

TEST(CachingClient, SecondIdenticalRequestIsServedFromDisk) {
  const std::string dir = TempDir("cache");
  auto cache = FileResponseCache::Open(dir).value();
  auto inner = std::make_unique<CountingClient>();
  CountingClient* counter = inner.get();
  CachingClient client(std::move(inner), cache);
  auto first = client.Complete(Sample());
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->from_cache);
  auto second = client.Complete(Sample());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(second->text, first->text);
  EXPECT_EQ(second->usage.input_tokens, 100);
  EXPECT_EQ(second->cost_usd, Money::Zero());
  EXPECT_EQ(counter->calls.load(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir + "/" + CacheKey("anthropic", Sample()) + ".json"));
  Request other = Sample();
  other.messages[1].content = "ETH";
  ASSERT_TRUE(client.Complete(other).ok());
  EXPECT_EQ(counter->calls.load(), 2);
  std::filesystem::remove_all(dir);
}

TEST(CachingClient, ResolverKeysOnTheRequestAsSent) {
  const std::string dir = TempDir("resolve");
  auto cache = FileResponseCache::Open(dir).value();
  auto inner = std::make_unique<CountingClient>();
  CountingClient* counter = inner.get();
  CachingClient client(std::move(inner), cache, [](const Request& r) {
    Request out = r;
    if (out.model.empty()) out.model = "claude-sonnet-4-5";
    return out;
  });
  Request no_model = Sample();
  no_model.model.clear();
  ASSERT_TRUE(client.Complete(no_model).ok());
  ASSERT_TRUE(client.Complete(Sample()).ok());  // same request once resolved
  EXPECT_EQ(counter->calls.load(), 1);
  std::filesystem::remove_all(dir);
}

TEST(Replay, RecordThenReplayByKeyAndBySequence) {
  const std::string dir = TempDir("replay");
  const std::string path = dir + "/run.jsonl";
  Request eth = Sample();
  eth.messages[1].content = "ETH 4000. Decide.";
  std::string first_text, second_text;
  {
    auto rec = RecordingClient::Open(std::make_unique<CountingClient>(), path).value();
    first_text = rec->Complete(Sample()).value().text;
    second_text = rec->Complete(eth).value().text;
  }
  auto text = ReadFile(path).value();
  EXPECT_NE(text.find("\"seq\":1"), std::string::npos);
  EXPECT_NE(text.find("\"seq\":2"), std::string::npos);

  auto by_key = ReplayClient::Load(path, false).value();
  EXPECT_EQ(by_key->size(), 2u);
  auto r2 = by_key->Complete(eth);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->text, second_text);
  EXPECT_TRUE(r2->from_cache);
  EXPECT_EQ(r2->cost_usd, Money::Parse("0.0006").value());
  EXPECT_EQ(by_key->Complete(Sample()).value().text, first_text);
  Request unknown = Sample();
  unknown.messages[1].content = "SOL";
  EXPECT_EQ(by_key->Complete(unknown).status().code(), StatusCode::kNotFound);

  auto by_seq = ReplayClient::Load(path, true).value();
  EXPECT_EQ(by_seq->Complete(unknown).value().text, first_text);  // the request does not matter
  EXPECT_EQ(by_seq->Complete(unknown).value().text, second_text);
  EXPECT_EQ(by_seq->Complete(unknown).status().code(), StatusCode::kNotFound);

  // Appending continues the sequence.
  {
    auto rec = RecordingClient::Open(std::make_unique<CountingClient>(), path).value();
    ASSERT_TRUE(rec->Complete(unknown).ok());
  }
  EXPECT_NE(ReadFile(path).value().find("\"seq\":3"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Replay, HandWrittenFileAndErrors) {
  const std::string dir = TempDir("replay_hand");
  ASSERT_TRUE(WriteFileAtomic(dir + "/a.jsonl", "{\"seq\":2,\"text\":\"two\"}\n\n{\"seq\":1,\"text\":\"one\"}\n").ok());
  auto replay = ReplayClient::Load(dir + "/a.jsonl", true).value();
  EXPECT_EQ(replay->Complete(Sample()).value().text, "one");
  EXPECT_EQ(replay->Complete(Sample()).value().text, "two");
  ASSERT_TRUE(WriteFileAtomic(dir + "/b.jsonl", "{\"seq\":1,\"text\":\"one\"}\n{\"seq\":2}\n").ok());
  auto bad = ReplayClient::Load(dir + "/b.jsonl", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.jsonl:2"), std::string::npos);
  EXPECT_EQ(ReplayClient::Load(dir + "/missing.jsonl", true).status().code(), StatusCode::kNotFound);
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_EQ(replay->Complete(Sample(), &cancel).status().code(), StatusCode::kCancelled);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader::llm
