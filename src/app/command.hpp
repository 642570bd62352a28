// Subcommand registry for the aitrader CLI. Each src/app/cmd_<name>.cpp defines a function
// that adds its CLI11 subcommand and registers it with AITRADER_REGISTER_COMMAND; main()
// builds the app from the registry. Commands return a process exit code from their callback
// via the shared `exit_code` slot.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace aitrader::app {

// Setup adds a subcommand to `root`; its callback stores an exit code in `exit_code`.
using CommandSetup = std::function<void(CLI::App& root, int& exit_code)>;

struct CommandEntry {
  std::string name;
  CommandSetup setup;
};

std::vector<CommandEntry>& CommandRegistry();

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup) {
    CommandRegistry().push_back({std::move(name), std::move(setup)});
  }
};

}  // namespace aitrader::app

#define AITRADER_REGISTER_COMMAND(name, fn) \
  static ::aitrader::app::CommandRegistrar aitrader_registrar_##name(#name, fn)
