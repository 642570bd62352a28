// `aitrader mock-llm`: runs the local LLM vendor server (llm/mock/mock_server.hpp) on loopback
// until SIGINT/SIGTERM, for trying aitrader offline. Point a bot's LLM config at it with
// base_url http://127.0.0.1:<port> (anthropic, deepseek, gemini) or http://127.0.0.1:<port>/v1
// (openai, openai-compatible); any API key is accepted. Answers come from the rule-based
// baseline policy (agent/baseline.hpp) by default, or a fixed hold (--responder hold).
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "agent/baseline.hpp"
#include "app/command.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"
#include "llm/mock/mock_server.hpp"

namespace aitrader::app {
namespace {

struct MockLlmArgs {
  int port = 8089;
  std::string address = "127.0.0.1";
  std::string script;
  std::string latency;
  std::size_t max_body_bytes = 1u << 20;
  int threads = 2;
  std::string responder = "baseline";
};

// "A..B" or "A" (milliseconds).
bool ParseLatency(const std::string& text, std::int64_t& lo, std::int64_t& hi) {
  if (text.empty()) return true;
  const auto dots = text.find("..");
  try {
    std::size_t used = 0;
    lo = std::stoll(text.substr(0, dots), &used);
    if (used != (dots == std::string::npos ? text.size() : dots)) return false;
    hi = lo;
    if (dots != std::string::npos) {
      const std::string rest = text.substr(dots + 2);
      hi = std::stoll(rest, &used);
      if (used != rest.size()) return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  return lo >= 0 && hi >= lo && hi <= 600'000;
}

int Run(const MockLlmArgs& args) {
  llm::mock::MockServerOptions options;
  options.address = args.address;
  options.port = static_cast<std::uint16_t>(args.port);
  options.max_body_bytes = args.max_body_bytes;
  options.threads = args.threads;
  if (!ParseLatency(args.latency, options.latency_min_ms, options.latency_max_ms)) {
    std::fprintf(stderr, "error: --latency-ms wants A..B milliseconds (0 <= A <= B <= 600000), got '%s'\n",
                 args.latency.c_str());
    return 2;
  }
  std::vector<llm::mock::Fault> faults;
  if (!args.script.empty()) {
    auto text = ReadFile(args.script);
    if (!text.ok()) {
      std::fprintf(stderr, "error: %s\n", text.status().ToString().c_str());
      return 1;
    }
    auto parsed = llm::mock::ParseFaultScript(*text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "error: %s: %s\n", args.script.c_str(), parsed.status().ToString().c_str());
      return 1;
    }
    faults = std::move(parsed).value();
  }
  // Block the stop signals before the server threads start (they inherit the mask), then wait
  // for one on this thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  llm::mock::Responder responder = llm::mock::DefaultHoldResponder;
  if (args.responder == "baseline") {
    responder = [](const llm::mock::MockRequest& request) {
      return agent::BaselineAnswerForPrompt(request.system, request.user);
    };
  }
  llm::mock::MockServer server(options, responder);
  server.PushFaults(faults);
  if (auto st = server.Start(); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("mock LLM server on %s (Anthropic /v1/messages, OpenAI /v1/chat/completions, Gemini "
              "/v1beta/models/{model}:generateContent); responder %s; %zu scripted faults; Ctrl-C stops\n",
              server.BaseUrl().c_str(), args.responder.c_str(), faults.size());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.Stop();
  std::printf("stopped after %zu requests\n", server.RequestCount());
  return 0;
}

void Setup(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("mock-llm", "Run a local LLM vendor server (Anthropic, OpenAI/DeepSeek, Gemini formats) for offline runs and tests");
  auto args = std::make_shared<MockLlmArgs>();
  cmd->add_option("--port", args->port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--address", args->address, "Address to listen on (loopback by default)");
  cmd->add_option("--script", args->script, "Fault script: one fault per request in order (see docs/llm-integration.md)");
  cmd->add_option("--latency-ms", args->latency, "Answer latency A..B ms, uniform per request");
  cmd->add_option("--max-body-bytes", args->max_body_bytes, "Largest request body accepted (413 above)");
  cmd->add_option("--threads", args->threads, "I/O threads")->check(CLI::Range(1, 64));
  cmd->add_option("--responder", args->responder, "Who answers: baseline (the rule-based policy) or hold")
      ->check(CLI::IsMember({"baseline", "hold"}));
  cmd->callback([args, &exit_code] { exit_code = Run(*args); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(mock_llm, Setup);
}  // namespace aitrader::app
