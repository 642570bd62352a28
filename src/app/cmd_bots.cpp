// `aitrader bots`: list the bots in a database and send them commands (pause, resume, stop,
// emergency-stop) that the running process applies at its next bar.
#include <cstdio>

#include "app/command.hpp"
#include "core/clock.hpp"
#include "engine/runtime.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repository.hpp"

namespace aitrader::app {
namespace {

struct Options {
  std::string database = "sqlite:var/aitrader.db";
  std::string bot;
  std::string user;
  bool all = false;
  std::string reason;
};

Result<std::unique_ptr<store::Database>> Open(const std::string& url) {
  auto db = store::OpenDatabase(url);
  if (!db.ok()) return db.status();
  auto v = store::Migrate(**db);
  if (!v.ok()) return v.status();
  return db;
}

void AddCommand(CLI::App* parent, const char* name, const char* verb, const char* help, std::shared_ptr<Options> o,
                int& exit_code) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("--bot", o->bot, "Bot name");
  cmd->add_option("--user", o->user, "Every bot of the user with this e-mail (headless runs: local@aitrader)");
  cmd->add_flag("--all", o->all, "Every bot (global)");
  cmd->add_option("--reason", o->reason, "Recorded with the command");
  cmd->callback([o, verb, &exit_code] {
    if (static_cast<int>(!o->bot.empty()) + static_cast<int>(!o->user.empty()) + static_cast<int>(o->all) != 1) {
      std::fprintf(stderr, "error: give exactly one of --bot NAME, --user EMAIL or --all\n");
      exit_code = 2;
      return;
    }
    auto db = Open(o->database);
    if (!db.ok()) {
      std::fprintf(stderr, "error: %s\n", db.status().message().c_str());
      exit_code = 1;
      return;
    }
    store::Repository repo(**db);
    std::optional<std::int64_t> bot_id, user_id;
    if (!o->user.empty()) {
      auto u = repo.FindUserByEmail(o->user);
      if (!u.ok()) {
        std::fprintf(stderr, "error: no user '%s' in %s\n", o->user.c_str(), o->database.c_str());
        exit_code = 1;
        return;
      }
      user_id = u->id;
    } else if (!o->all) {
      auto bots = repo.ListBots();
      if (bots.ok()) {
        for (const auto& b : *bots) {
          if (b.name == o->bot) bot_id = b.id;
        }
      }
      if (!bot_id) {
        std::fprintf(stderr, "error: no bot named '%s' in %s\n", o->bot.c_str(), o->database.c_str());
        exit_code = 1;
        return;
      }
    }
    SystemClock clock;
    auto id = repo.AddBotCommand(bot_id, verb, o->reason.empty() ? "operator" : o->reason, clock.NowMs(), user_id);
    if (!id.ok()) {
      std::fprintf(stderr, "error: %s\n", id.status().message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%s queued for %s (command %lld); the running process applies it at its next bar, on the "
                "live feed (--market binance) within about a second (see `aitrader bots commands` for the result)\n", verb,
                o->all ? "every bot" : (o->user.empty() ? o->bot.c_str() : ("the bots of " + o->user).c_str()),
                static_cast<long long>(*id));
  });
}

void Setup(CLI::App& root, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* bots = root.add_subcommand("bots", "List bots and send them commands (pause, resume, stop, emergency-stop)");
  bots->add_option("--database", o->database, "Database URL")->capture_default_str();
  bots->require_subcommand(1);
  auto* list = bots->add_subcommand("list", "Bots with status, equity and open positions");
  list->callback([o, &exit_code] {
    auto db = Open(o->database);
    if (!db.ok()) {
      std::fprintf(stderr, "error: %s\n", db.status().message().c_str());
      exit_code = 1;
      return;
    }
    store::Repository repo(**db);
    auto all = repo.ListBots();
    if (!all.ok()) {
      std::fprintf(stderr, "error: %s\n", all.status().message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%-4s %-20s %-10s %-9s %-22s %14s %5s %7s\n", "id", "name", "provider", "status", "model", "equity",
                "open", "trades");
    for (const auto& b : *all) {
      auto eq = repo.ListEquity(b.id, 0, INT64_MAX);
      std::string equity = eq.ok() && !eq->empty() ? eq->back().equity.ToString(2) : b.capital.ToString(2);
      auto open = repo.ListPositions(b.id, true);
      auto trades = repo.ListPositions(b.id, false);
      std::printf("%-4lld %-20s %-10s %-9s %-22s %14s %5zu %7zu\n", static_cast<long long>(b.id), b.name.c_str(),
                  b.provider.c_str(), b.status.c_str(), b.model.c_str(), equity.c_str(), open.ok() ? open->size() : 0,
                  trades.ok() ? trades->size() - (open.ok() ? open->size() : 0) : 0);
    }
  });
  AddCommand(bots, "pause", "pause", "Pause: no new decisions; positions and their SL/TP stay", o, exit_code);
  AddCommand(bots, "resume", "resume", "Resume a paused or stopped bot (a halted one is refused)", o, exit_code);
  auto* commands = bots->add_subcommand("commands", "The latest commands and what the running process did with them");
  commands->callback([o, &exit_code] {
    auto db = Open(o->database);
    if (!db.ok()) {
      std::fprintf(stderr, "error: %s\n", db.status().message().c_str());
      exit_code = 1;
      return;
    }
    store::Repository repo(**db);
    auto all = repo.ListCommands(50);
    if (!all.ok()) {
      std::fprintf(stderr, "error: %s\n", all.status().message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%-6s %-15s %-12s %-24s %s\n", "id", "command", "target", "done", "result");
    for (const auto& c : *all) {
      std::string target = c.bot_id ? "bot " + std::to_string(*c.bot_id)
                                    : c.user_id ? "user " + std::to_string(*c.user_id) : std::string("all");
      std::string done = c.done_at ? FormatUtc(*c.done_at) : std::string("pending");
      std::printf("%-6lld %-15s %-12s %-24s %s\n", static_cast<long long>(c.id), c.command.c_str(), target.c_str(),
                  done.c_str(), c.result.c_str());
    }
  });
  AddCommand(bots, "stop", "stop", "Stop: no new decisions; positions closed if the bot is configured so", o, exit_code);
  auto* del = bots->add_subcommand("delete", "Delete a stopped bot (its history stays stored; it no longer runs)");
  del->add_option("--bot", o->bot, "Bot name")->required();
  del->callback([o, &exit_code] {
    auto db = Open(o->database);
    if (!db.ok()) {
      std::fprintf(stderr, "error: %s\n", db.status().message().c_str());
      exit_code = 1;
      return;
    }
    store::Repository repo(**db);
    SystemClock clock;
    Status s = engine::DeleteBot(repo, o->bot, clock.NowMs());
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("bot '%s' deleted\n", o->bot.c_str());
  });
  AddCommand(bots, "emergency-stop", "emergency_stop",
             "Cancel every order and close every position at market now, then verify flat", o, exit_code);
}

}  // namespace
AITRADER_REGISTER_COMMAND(bots, Setup);
}  // namespace aitrader::app
