// `aitrader instruments`: prints the contract rules the paper exchange and risk checks use.
#include <cstdio>

#include "app/command.hpp"
#include "core/instrument.hpp"

namespace aitrader::app {
namespace {

void Setup(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("instruments", "List the perpetual contracts and their rules (data/instruments.csv)");
  auto file = std::make_shared<std::string>();
  cmd->add_option("--file", *file, "Instrument CSV to read instead of the bundled one");
  cmd->callback([file, &exit_code] {
    auto table = file->empty() ? InstrumentTable::LoadDefault() : InstrumentTable::LoadCsv(*file);
    if (!table.ok()) {
      std::fprintf(stderr, "error: %s\n", table.status().ToString().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%-10s %-6s %-12s %-10s %-12s %-8s %-8s\n", "symbol", "coin", "tick_size", "step_size",
                "min_notional", "max_lev", "mmr");
    for (const auto& i : table->all()) {
      std::printf("%-10s %-6s %-12s %-10s %-12s %-8d %-8s\n", i.symbol.c_str(), i.base.c_str(),
                  i.tick_size.ToString().c_str(), i.step_size.ToString().c_str(), i.min_notional.ToString().c_str(),
                  i.max_leverage, i.maint_margin_rate.ToString().c_str());
    }
  });
}

}  // namespace
AITRADER_REGISTER_COMMAND(instruments, Setup);
}  // namespace aitrader::app
