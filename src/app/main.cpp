// aitrader: the command-line entry point. Subcommands live in cmd_*.cpp (see command.hpp).
#include <algorithm>
#include <cstdio>

#include "app/command.hpp"

namespace aitrader::app {
std::vector<CommandEntry>& CommandRegistry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
}  // namespace aitrader::app

int main(int argc, char** argv) {
  using namespace aitrader::app;
  CLI::App root{"aitrader " AITRADER_VERSION
                " — an AI trading agent for crypto perpetual futures.\n"
                "Runs LLM-driven bots on a paper exchange (and Binance USD-M futures), with hard risk limits."};
  root.set_version_flag("--version", AITRADER_VERSION);
  root.require_subcommand(1);
  int exit_code = 0;
  auto& registry = CommandRegistry();
  std::sort(registry.begin(), registry.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& entry : registry) entry.setup(root, exit_code);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e);
  }
  return exit_code;
}
