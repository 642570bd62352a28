#include "engine/runtime.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "agent/baseline.hpp"
#include "engine/bar_driver.hpp"
#include "engine/bot.hpp"
#include "engine/bot_factory.hpp"
#include "engine/bot_restore.hpp"
#include "engine/crash_points.hpp"
#include "engine/journaled_exchange.hpp"
#include "engine/live_market.hpp"
#include "engine/market_data.hpp"
#include "engine/paper_venue.hpp"
#include "engine/remote_bots.hpp"
#include "engine/store_recorder.hpp"
#include "engine/venue_replay.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "llm/factory.hpp"
#include "store/api_repository.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aitrader::engine {
namespace json = boost::json;

namespace {

constexpr std::string_view kLocalUser = "local@aitrader";

}  // namespace

struct PaperRuntime::Impl {
  RuntimeOptions options;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::Repository> repo;
  InstrumentTable instruments;
  std::shared_ptr<const MarketData> market;
  std::unique_ptr<BarFeed> feed;  // the replay's bars, or the live feed's (--market binance)
  LiveBarFeed* live = nullptr;    // the feed, when it is the live one
  SystemClock wall;
  std::unique_ptr<SimulatedClock> clock;
  std::unique_ptr<exchange::paper::PaperSimulator> sim;
  JournalCursor cursor;
  std::unique_ptr<StoreRecorder> recorder;
  struct Slot {
    const BotConfig* config = nullptr;
    std::int64_t bot_id = 0;
    std::int64_t user_id = 0;
    exchange::paper::AccountIndex account = 0;
    std::unique_ptr<exchange::paper::PaperExchange> paper;
    std::unique_ptr<JournaledExchange> venue;
    // testnet / live: the Binance venue itself (no paper account, no journal: the venue is the record)
    std::unique_ptr<exchange::Exchange> remote;
    exchange::binance::BinanceExchange* binance = nullptr;
    std::unique_ptr<Bot> bot;
    exchange::Exchange& trading() { return remote ? *remote : static_cast<exchange::Exchange&>(*venue); }
    bool in_flight = false;                      // a decision is running on a worker
    std::shared_ptr<llm::CancelToken> cancel;    // of the decision in flight
  };
  std::vector<Slot> slots;
  std::vector<std::unique_ptr<exchange::paper::PaperExchange>> orphan_accounts;  // accounts of bots no longer configured
  std::size_t next_bar = 0;
  UnixMs from = 0, to = 0;
  bool resumed = false;
  std::vector<std::size_t> redo_cycles;  // slots whose cycle at the last committed bar is lost
  CrashPoint crash = ReadCrashPoint();

  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  Status Setup();
  Status Rebuild(const std::vector<store::JournalEntry>& journal, std::optional<UnixMs> last_bar);
  Status MakeBots(std::int64_t user_id);
  // A testnet/live bot's Binance venue, keys from the environment (remote_bots.hpp); after a
  // restart reconciled with what the store says it holds.
  Status OpenRemoteVenue(Slot& slot);
  // Between the live feed's bars: operator commands, then what the venues did meanwhile
  // (testnet/live fills, exchange-side stops), in one transaction.
  Status BetweenBars();
  Status ApplyCommands(UnixMs now);
  // fn in one store transaction with the recorder reset: rolled back when fn, a record or the
  // commit fails (the caller names what was rolled back).
  Status InTransaction(const std::function<Status()>& fn) {
    recorder->Reset();
    AITRADER_RETURN_IF_ERROR(db->Begin());
    Status s = fn();
    if (s.ok()) s = recorder->status();
    if (s.ok()) s = db->Commit();
    if (!s.ok()) (void)db->Rollback();
    return s;
  }
};

Status PaperRuntime::Impl::Setup() {
  const RunConfig& cfg = options.config;
  if (cfg.bots.empty()) return InvalidArgument("no bots configured");
  for (const auto& b : cfg.bots) {
    if (b.mode != TradingMode::kPaper && !options.live) {
      return FailedPrecondition("bot '" + b.name + "' is configured for " + std::string(ToString(b.mode)) +
                                " trading, which needs Binance's live market data: run with --market binance "
                                "(docs/binance.md)");
    }
  }
  if (auto colon = cfg.database.find(':'); cfg.database.rfind("sqlite:", 0) == 0 && colon != std::string::npos) {
    std::filesystem::path p(cfg.database.substr(colon + 1));
    if (p.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(p.parent_path(), ec);
    }
  }
  auto dbr = store::OpenDatabase(cfg.database);
  if (!dbr.ok()) return dbr.status();
  db = std::move(*dbr);
  auto v = store::Migrate(*db);
  if (!v.ok()) return v.status();
  repo = std::make_unique<store::Repository>(*db);
  auto ins = InstrumentTable::LoadDefault();
  if (!ins.ok()) return ins.status();
  instruments = std::move(*ins);

  const UnixMs interval = cfg.bots.front().interval;
  std::vector<std::string> symbols;
  for (const auto& b : cfg.bots) {
    if (b.interval != interval) return InvalidArgument("all bots of a run share one interval");
    for (const auto& s : b.symbols) {
      if (std::find(symbols.begin(), symbols.end(), s) == symbols.end()) symbols.push_back(s);
    }
  }
  auto start = repo->GetRunState("start");
  if (!start.ok()) return start.status();
  // The feed a run started with stays its feed (0 replay, 1 live).
  auto stored_feed = repo->GetRunState("feed");
  if (!stored_feed.ok()) return stored_feed.status();
  const std::int64_t feed_code = options.live ? 1 : 0;
  if (start->has_value() && stored_feed->value_or(0) != feed_code) {
    return FailedPrecondition(std::string("the database holds a run on the ") +
                              (stored_feed->value_or(0) == 1 ? "live Binance feed" : "replayed candles") +
                              "; this run is set to the " + (feed_code == 1 ? "live feed (--market binance)" : "replay") +
                              " (use another database)");
  }
  if (options.live) {
    auto lf = LiveBarFeed::Open(*options.live, symbols, interval, instruments,
                                start->has_value() ? std::optional<UnixMs>(**start) : std::nullopt, wall, options.log);
    if (!lf.ok()) return lf.status();
    live = lf->get();
    feed = std::move(*lf);
    market = live->live_market().market();
    if (cfg.from || cfg.to) Log("note: the run's from/to do not apply to the live feed (it runs until stopped)");
    from = live->from();
    to = INT64_MAX;
    if (feed->bars().empty()) return NotFound("the live feed has no closed bar since " + FormatUtc(from));
    Log("live feed " + options.live->name + ": " + std::to_string(feed->bars().size()) + " closed bar(s) since " +
        FormatUtc(from) + ", the last at " + FormatUtc(live->live_market().last_open()));
    // Each new snapshot goes to every bot.
    live->OnMarket([this](std::shared_ptr<const MarketData> md) {
      market = std::move(md);
      for (auto& slot : slots) slot.bot->SetMarket(market);
    });
  } else {
    auto md = MarketData::Load(cfg.data_dir.empty() ? DataDir() + "/binance-usdm" : cfg.data_dir, symbols, interval,
                               instruments);
    if (!md.ok()) return md.status();
    market = *md;
    auto span = market->DataSpan();
    if (!span.ok()) return span.status();
    from = cfg.from.value_or(span->from + 10 * kDayMs);
    to = cfg.to.value_or(span->to);
    feed = std::make_unique<ReplayBarFeed>(market->Bars(from, to, symbols));
    if (feed->bars().empty()) return InvalidArgument("no candles in the run's period");
  }

  auto served = repo->GetRunState("serve.start");
  if (!served.ok()) return served.status();
  if (served->has_value()) {
    return FailedPrecondition("the database " + cfg.database + " belongs to an `aitrader serve` runtime (its paper "
                              "venue and journal); give the headless run a database of its own");
  }
  if (start->has_value() && **start != from) {
    return FailedPrecondition("the database holds a run that started at " + FormatUtc(**start) +
                              "; this configuration starts at " + FormatUtc(from) +
                              " (use another database, or the same period)");
  }
  resumed = start->has_value();

  clock = std::make_unique<SimulatedClock>(from);
  // On the live feed funding settles at the default rate: the settlements the feed learns while
  // it runs would be known in full only to a restart's rebuild, which must match the run.
  auto simr = MakePaperSimulator(*clock, instruments, cfg, *market, symbols, exchange::paper::MarketFillMode::kImmediate,
                                 cfg.seed, options.live ? FundingRates::kDefaultRate : FundingRates::kFromMarketData);
  if (!simr.ok()) return simr.status();
  sim = std::move(*simr);

  // The local user every headless bot belongs to.
  std::int64_t user_id = 0;
  AITRADER_RETURN_IF_ERROR(store::InTransaction(*db, [&]() -> Status {
    if (!resumed) {
      AITRADER_RETURN_IF_ERROR(repo->SetRunState("start", from));
      AITRADER_RETURN_IF_ERROR(repo->SetRunState("feed", feed_code));
    }
    auto u = repo->FindUserByEmail(kLocalUser);
    if (u.ok()) {
      user_id = u->id;
      return Status::Ok();
    }
    if (u.status().code() != StatusCode::kNotFound) return u.status();
    auto id = repo->CreateUser({0, std::string(kLocalUser), "!", from});
    if (!id.ok()) return id.status();
    user_id = *id;
    return Status::Ok();
  }));

  auto journal = repo->LoadJournal();
  if (!journal.ok()) return journal.status();
  auto last_bar = repo->GetRunState("last_bar");
  if (!last_bar.ok()) return last_bar.status();
  AITRADER_RETURN_IF_ERROR(MakeBots(user_id));
  AITRADER_RETURN_IF_ERROR(Rebuild(*journal, *last_bar));
  if (live) {
    if (feed->bars().size() > next_bar + 1) {
      Log("live feed: " + std::to_string(feed->bars().size() - next_bar - 1) +
          " bar(s) closed while the run was down are caught up (the venue processes them; bots decide on the newest)");
    }
    if (Status st = live->StartStream(); !st.ok()) return st.WithContext("the live market stream");
  }
  return Status::Ok();
}

Status PaperRuntime::Impl::MakeBots(std::int64_t user_id) {
  const RunConfig& cfg = options.config;
  auto accounts = repo->ListPaperAccounts();
  if (!accounts.ok()) return accounts.status();
  std::map<std::int64_t, const store::PaperAccountRecord*> by_bot;
  for (const auto& a : *accounts) by_bot[a.bot_id] = &a;
  recorder = std::make_unique<StoreRecorder>(*repo);

  // Bot rows (created on first run).
  std::vector<std::int64_t> ids;
  AITRADER_RETURN_IF_ERROR(store::InTransaction(*db, [&]() -> Status {
    for (const auto& b : cfg.bots) {
      auto found = repo->FindBot(user_id, b.name);
      if (found.ok()) {
        if (found->status == "deleted") {
          return FailedPrecondition("bot '" + b.name + "' was deleted from this database; remove it from the "
                                    "configuration (its history stays stored)");
        }
        const std::string mode(ToString(b.mode));
        if (found->mode != mode) {
          // A new venue (paper → testnet → live, or back): only from flat, as the positions
          // held on the old venue would not follow the bot.
          auto open = repo->ListPositions(found->id, true);
          if (!open.ok()) return open.status();
          if (!open->empty()) {
            return FailedPrecondition("bot '" + b.name + "' holds " + std::to_string(open->size()) +
                                      " open position(s) on its " + found->mode + " venue; it can move to " + mode +
                                      " only when flat (run it as " + found->mode +
                                      " and close them, e.g. `aitrader bots emergency-stop`)");
          }
          store::BotRecord moved = *found;
          moved.mode = mode;
          moved.updated_at = from;
          AITRADER_RETURN_IF_ERROR(store::ApiRepository(*db).UpdateBotSpec(moved));
          Log("bot '" + b.name + "' moves from the " + found->mode + " venue to " + mode);
        }
        ids.push_back(found->id);
        continue;
      }
      if (found.status().code() != StatusCode::kNotFound) return found.status();
      store::BotRecord r;
      r.user_id = user_id;
      r.name = b.name;
      r.provider = b.model == ModelKind::kBaseline ? "baseline" : b.llm->provider;
      r.model = b.model == ModelKind::kBaseline ? std::string(agent::kBaselineModel) : b.llm->model;
      r.mode = std::string(ToString(b.mode));
      r.capital = b.capital;
      r.created_at = r.updated_at = from;
      auto id = repo->CreateBot(r);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    return Status::Ok();
  }));

  // Accounts in their original order; bots no longer configured keep theirs (the venue's
  // history includes them).
  // Restored accounts get the leverage cap and default stored with them (rows from before
  // schema 4: the bot's configuration; bots no longer configured: the venue's defaults).
  std::int64_t next_index = 0;
  for (const auto& a : *accounts) {
    auto configured = std::find(ids.begin(), ids.end(), a.bot_id);
    // A bot that trades on Binance now keeps its old paper account idle.
    if (configured != ids.end() && cfg.bots[static_cast<std::size_t>(configured - ids.begin())].mode != TradingMode::kPaper) {
      configured = ids.end();
    }
    exchange::paper::AccountConfig ac;
    if (configured != ids.end()) {
      ac = PaperAccountFor(cfg.bots[static_cast<std::size_t>(configured - ids.begin())], cfg, a.deposit);
    } else {
      ac.deposit = a.deposit;
      ac.fees.maker = cfg.maker_fee;
      ac.fees.taker = cfg.taker_fee;
    }
    if (a.max_leverage) ac.max_leverage = *a.max_leverage;
    if (a.default_leverage) ac.default_leverage = *a.default_leverage;
    auto idx = sim->AddAccount(ac);
    if (!idx.ok()) return idx.status().WithContext("stored paper account " + std::to_string(a.account_index));
    AITRADER_CHECK(static_cast<std::int64_t>(*idx) == a.account_index, "paper accounts are recreated in order");
    next_index = a.account_index + 1;
    if (configured == ids.end()) {
      orphan_accounts.push_back(std::make_unique<exchange::paper::PaperExchange>(*sim, *idx));
    }
  }
  for (std::size_t i = 0; i < cfg.bots.size(); ++i) {
    const BotConfig& b = cfg.bots[i];
    Slot slot;
    slot.config = &b;
    slot.bot_id = ids[i];
    slot.user_id = user_id;
    if (b.mode != TradingMode::kPaper) {
      AITRADER_RETURN_IF_ERROR(OpenRemoteVenue(slot).WithContext("bot '" + b.name + "'"));
    } else {
      if (auto it = by_bot.find(ids[i]); it != by_bot.end()) {
        slot.account = static_cast<exchange::paper::AccountIndex>(it->second->account_index);
        if (it->second->deposit != b.capital) {
          Log("note: bot '" + b.name + "' keeps its original capital " + it->second->deposit.ToString() +
              " (the configuration says " + b.capital.ToString() + ")");
        }
      } else {
        const exchange::paper::AccountConfig ac = PaperAccountFor(b, cfg, b.capital);
        auto idx = sim->AddAccount(ac);
        if (!idx.ok()) return idx.status().WithContext("bot " + b.name);
        AITRADER_CHECK(static_cast<std::int64_t>(*idx) == next_index, "new paper accounts follow the stored ones");
        ++next_index;
        slot.account = *idx;
        AITRADER_RETURN_IF_ERROR(repo->SavePaperAccount(
            {ids[i], static_cast<std::int64_t>(*idx), b.capital, ac.max_leverage, ac.default_leverage}, from));
      }
      slot.paper = std::make_unique<exchange::paper::PaperExchange>(*sim, slot.account);
      slot.venue = std::make_unique<JournaledExchange>(*slot.paper, *repo, cursor, slot.bot_id);
    }
    // A Binance venue's own filters (tick, step, notional) apply to its bot; paper: the bundled table.
    const InstrumentTable& bot_instruments = slot.binance != nullptr ? slot.binance->instruments() : instruments;
    auto parts = MakeBotParts(b, cfg, bot_instruments, /*keep_raw=*/true, nullptr, options.wall_clock);
    if (!parts.ok()) return parts.status();
    BotOptions bo = std::move(parts->options);
    if (bo.budget) {
      // Continue today's (wall clock) spend from the store.
      auto spent = repo->CostSince(slot.bot_id, bo.budget->DayStart());
      if (!spent.ok()) return spent.status().WithContext("bot " + b.name + ": stored LLM spend");
      bo.budget->Seed(*spent);
    }
    std::unique_ptr<DecisionSource> source = std::move(parts->source);
    auto risk = std::move(parts->risk);
    slot.bot = std::make_unique<Bot>(slot.bot_id, b, slot.trading(), market, bot_instruments, std::move(source),
                                     std::move(*risk), *clock, std::move(bo));
    slots.push_back(std::move(slot));
  }
  return Status::Ok();
}

Status PaperRuntime::Impl::Rebuild(const std::vector<store::JournalEntry>& journal, std::optional<UnixMs> last_bar) {
  std::map<std::int64_t, exchange::Exchange*> venue_of;  // bot id → its paper account
  for (auto& s : slots) {
    if (s.paper) venue_of[s.bot_id] = s.paper.get();
  }
  auto accounts = repo->ListPaperAccounts();
  if (!accounts.ok()) return accounts.status();
  for (std::size_t i = 0, o = 0; i < accounts->size(); ++i) {
    std::int64_t bot_id = (*accounts)[i].bot_id;
    if (venue_of.count(bot_id) == 0 && o < orphan_accounts.size()) venue_of[bot_id] = orphan_accounts[o++].get();
  }
  std::vector<exchange::ExecutionEvent> discard;
  auto drain = [&] {
    for (auto& s : slots) {
      while (s.paper && s.paper->PollEvents(discard, 1024) > 0) discard.clear();
    }
    for (auto& a : orphan_accounts) {
      while (a->PollEvents(discard, 1024) > 0) discard.clear();
    }
  };
  ReplayInput in;
  in.bars = feed->bars();
  in.first_bar = 0;
  in.interval = market->interval();
  in.start_time = from;
  in.last_bar = last_bar;
  in.journal = journal;
  in.venue_of = [&](std::int64_t bot_id) -> exchange::Exchange* {
    auto it = venue_of.find(bot_id);
    return it == venue_of.end() ? nullptr : it->second;
  };
  in.drain = drain;
  auto next = ReplayJournal(*sim, *clock, in);
  if (!next.ok()) return next.status();
  next_bar = *next;
  for (std::size_t a = 0; a < sim->account_count(); ++a) {
    Status s = sim->SelfCheck(static_cast<exchange::paper::AccountIndex>(a));
    if (!s.ok()) return s.WithContext("paper ledger of account " + std::to_string(a) + " after rebuild");
  }
  cursor.next_seq = journal.empty() ? 1 : journal.back().seq + 1;
  cursor.bar_time = last_bar.value_or(from);

  // Bots: status, cycle, open positions and risk memory from the store.
  return store::InTransaction(*db, [&]() -> Status {
    for (auto& s : slots) {
      s.bot->AddObserver(recorder.get());
      auto rec = repo->GetBot(s.bot_id);
      if (!rec.ok()) return rec.status();
      auto status = ParseBotStatus(rec->status).value_or(BotStatus::kCreated);
      if (!last_bar || status == BotStatus::kCreated) {
        s.bot->Start(from);
        continue;
      }
      RestoreInput in;
      in.bot_id = s.bot_id;
      in.status = status;
      in.started_at = from;
      in.last_bar = *last_bar;
      in.capital = s.config->capital;
      // testnet / live: reconnected to its venue and reconciled with the store (alerts).
      auto redo = s.remote ? ReconnectRemoteBot(*s.bot, *s.config, in, *repo, s.binance->instruments(), *s.remote,
                                                s.user_id, *last_bar)
                           : RestoreBotFromStore(*s.bot, *s.config, in, *repo, instruments, *s.paper);
      if (!redo.ok()) return redo.status();
      // An LLM cycle begun at the last committed bar whose answer was never stored (the
      // process died while the call was in flight): begun again when the run continues.
      if (*redo) redo_cycles.push_back(static_cast<std::size_t>(&s - slots.data()));
    }
    return Status::Ok();
  });
}

Status PaperRuntime::Impl::OpenRemoteVenue(Slot& slot) {
  const BotConfig& b = *slot.config;
  RemoteVenueRequest vr;
  vr.bot_id = slot.bot_id;
  vr.symbols = b.symbols;
  vr.venue.mode = b.mode;
  vr.venue.binance = options.binance;
  vr.venue.env = nullptr;  // headless: the key pair of the process environment
  vr.venue.allow_live = options.allow_live;
  vr.venue.min_record_days = options.live_min_record_days;
  vr.venue.now = options.wall_clock != nullptr ? options.wall_clock->NowMs() : wall.NowMs();
  vr.from_store = resumed;
  auto venue = engine::OpenRemoteVenue(vr, *db, *repo, wall);
  if (!venue.ok()) return venue.status();
  slot.binance = venue->binance;
  slot.remote = std::move(venue->exchange);
  Log("bot '" + b.name + "' trades on the " + std::string(ToString(b.mode)) + " venue");
  return Status::Ok();
}

Status PaperRuntime::Impl::BetweenBars() {
  const UnixMs now = clock->NowMs();
  Status s = InTransaction([&] {
    AITRADER_RETURN_IF_ERROR(ApplyCommands(now));
    // Fills, exchange-side stops and liquidations of testnet/live bots as they come, and what
    // a command did at any venue (an emergency stop's closes).
    for (auto& slot : slots) slot.bot->ProcessVenueEvents(now);
    return Status::Ok();
  });
  return s.ok() ? s : s.WithContext("between the bars of " + FormatUtc(now) + " (rolled back; restart to continue)");
}

Status PaperRuntime::Impl::ApplyCommands(UnixMs now) {
  auto pending = repo->PendingCommands();
  if (!pending.ok()) return pending.status();
  for (const auto& c : *pending) {
    std::string applied, refused;
    std::size_t matched = 0;
    for (auto& s : slots) {
      if (c.bot_id && *c.bot_id != s.bot_id) continue;
      if (c.user_id && *c.user_id != s.user_id) continue;
      ++matched;
      Status result;
      if (c.command == "pause") {
        if (s.bot->status() != BotStatus::kRunning) {
          result = FailedPrecondition(std::string("not running (") + std::string(ToString(s.bot->status())) + ")");
        }
        s.bot->Pause();
      } else if (c.command == "resume") {
        result = s.bot->ResumeTrading(now);
      } else if (c.command == "stop") {
        if (s.cancel) s.cancel->Cancel();
        s.bot->Stop(now);
      } else if (c.command == "emergency_stop") {
        if (s.cancel) s.cancel->Cancel();
        auto problems = s.bot->EmergencyStop(now, c.reason.empty() ? "operator" : c.reason);
        std::string line = "emergency stop of bot '" + s.config->name + "'";
        if (problems.empty()) line += ": flat";
        for (const auto& p : problems) line += "; " + p;
        Log(line);
      } else {
        result = InvalidArgument("unknown command '" + c.command + "'");
      }
      std::string& list = result.ok() ? applied : refused;
      list += (list.empty() ? "" : ", ") + s.config->name + (result.ok() ? "" : " (" + result.message() + ")");
    }
    std::string outcome;
    if (matched == 0) {
      outcome = "not applicable: no bot of this run matches (" +
                (c.bot_id ? "bot id " + std::to_string(*c.bot_id)
                          : c.user_id ? "user id " + std::to_string(*c.user_id) : std::string("all bots")) +
                ")";
      Log("command " + std::to_string(c.id) + " (" + c.command + ") " + outcome);
    } else if (refused.empty()) {
      outcome = "applied";
    } else {
      outcome = (applied.empty() ? "refused: " : "applied to " + applied + "; refused: ") + refused;
      Log("command " + std::to_string(c.id) + " (" + c.command + ") " + outcome);
    }
    AITRADER_RETURN_IF_ERROR(repo->MarkCommandDone(c.id, now, outcome));
  }
  return Status::Ok();
}

PaperRuntime::VenueAccount PaperRuntime::PaperAccountOf(std::string_view bot_name) {
  for (auto& s : impl_->slots) {
    if (s.config->name == bot_name && s.paper) return {impl_->sim.get(), s.account};
  }
  return {};
}

PaperRuntime::PaperRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PaperRuntime::~PaperRuntime() = default;

Result<std::unique_ptr<PaperRuntime>> PaperRuntime::Open(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Status s = impl->Setup();
  if (!s.ok()) return s;
  return std::unique_ptr<PaperRuntime>(new PaperRuntime(std::move(impl)));
}

Result<RuntimeSummary> PaperRuntime::Run() {
  Impl& m = *impl_;
  RuntimeSummary summary;
  summary.resumed = m.resumed;
  if (m.resumed) {
    m.Log("resumed the run started " + FormatUtc(m.from) + " at bar " + std::to_string(m.next_bar) + "/" +
          std::to_string(m.feed->bars().size()));
  }
  const UnixMs interval = m.market->interval();
  bool any_llm = false;
  for (auto& slot : m.slots) any_llm = any_llm || slot.bot->source().needs_prompt();
  const bool async = any_llm && m.options.decision_workers > 0;
  // Decisions coming back from the workers.
  struct Done {
    std::size_t slot;
    std::shared_ptr<PendingCycle> pending;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Done> done;
  int in_flight = 0;
  // Declared after the state its tasks touch, so an early return joins the workers first.
  std::unique_ptr<boost::asio::thread_pool> pool;
  if (async) pool = std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(m.options.decision_workers));

  auto publish = [&] {
    auto events = m.recorder->TakePublished();
    if (m.options.publish_events) {
      for (const auto& e : events) {
        m.Log("{\"type\":\"" + e.type + "\",\"bot_id\":" + std::to_string(e.bot_id) + ",\"data\":" + e.json + "}");
      }
    }
  };
  // Finishes the cycles whose answers arrived, each in its own transaction. With
  // `until` set, waits for answers until that wall time (or until none is in flight when
  // `all` is set).
  auto finish_cycles = [&](bool all, std::optional<std::chrono::steady_clock::time_point> until) -> Status {
    while (true) {
      Done d;
      {
        std::unique_lock lock(mu);
        if (done.empty()) {
          if (all && in_flight > 0) {
            cv.wait(lock, [&] { return !done.empty() || in_flight == 0; });
          } else if (until && std::chrono::steady_clock::now() < *until) {
            cv.wait_until(lock, *until, [&] { return !done.empty(); });
          }
          if (done.empty()) return Status::Ok();
        }
        d = std::move(done.front());
        done.pop_front();
      }
      auto& slot = m.slots[d.slot];
      slot.in_flight = false;
      slot.cancel.reset();
      Status s = m.InTransaction([&] {
        slot.bot->FinishCycle(std::move(*d.pending));
        ++summary.cycles;
        return Status::Ok();
      });
      if (!s.ok()) return s.WithContext("finishing a cycle of bot '" + slot.config->name + "' (rolled back)");
      publish();
    }
  };

  // Cycles lost in flight at the last committed bar are begun again first (their decisions
  // are then stored as if the process had never stopped).
  if (!m.redo_cycles.empty()) {
    const UnixMs at = m.cursor.bar_time;
    m.clock->SetMs(at);
    for (std::size_t i : m.redo_cycles) {
      auto& slot = m.slots[i];
      m.Log("bot '" + slot.config->name + "': the decision of " + FormatUtc(at) + " was in flight when the run stopped; deciding again");
      std::optional<PendingCycle> pending;
      Status s = m.InTransaction([&] {
        if (async) {
          pending = slot.bot->BeginCycle(at);
        } else {
          const auto before = slot.bot->stats().cycles;
          slot.bot->RunCycleAndRecycle(at);
          summary.cycles += slot.bot->stats().cycles - before;
        }
        return Status::Ok();
      });
      if (!s.ok()) return s.WithContext("redoing a cycle of bot '" + slot.config->name + "' (rolled back)");
      publish();
      if (!pending) continue;
      auto shared = std::make_shared<PendingCycle>(std::move(*pending));
      slot.in_flight = true;
      slot.cancel = std::make_shared<llm::CancelToken>();
      {
        std::lock_guard lock(mu);
        ++in_flight;
      }
      boost::asio::post(*pool, [&, i, shared, cancel = slot.cancel, source = &slot.bot->source_for_worker()] {
        Bot::Decide(*source, *shared, cancel.get());
        std::lock_guard lock(mu);
        done.push_back({i, shared});
        --in_flight;
        cv.notify_all();
      });
    }
    m.redo_cycles.clear();
  }

  // The bars through the engine's driver (engine/bar_driver.hpp): the replay paced at --speed
  // (0: flat out), or the live feed's as they close. While it waits, the decisions that came
  // back are finished.
  const bool paced = m.options.speed > 0 && !m.live;
  BarDriverOptions driver;
  driver.interval = interval;
  driver.speed = m.options.speed;
  // The stop flag is set by a signal handler, which cannot wake a wait: each wait is short.
  driver.max_wait = std::chrono::milliseconds(200);
  BarDriverHooks hooks;
  hooks.stop = [this] { return stop_.load(); };
  hooks.work_until = [&](WallTime deadline) -> Status {
    if (async) AITRADER_RETURN_IF_ERROR(finish_cycles(false, deadline));
    std::this_thread::sleep_until(deadline);
    return Status::Ok();
  };
  // The live feed, between its bars: commands and the Binance venues' events every venue_poll_ms.
  auto next_between = std::chrono::steady_clock::now();
  hooks.idle = [&]() -> Status {
    if (!m.live) return Status::Ok();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_between) return Status::Ok();
    next_between = now + std::chrono::milliseconds(m.options.live->venue_poll_ms);
    AITRADER_RETURN_IF_ERROR(m.BetweenBars());
    publish();
    return Status::Ok();
  };
  std::int64_t commits = 0;
  auto process_bar = [&](std::size_t n, const MergedBar& bar, bool catch_up) -> Status {
    const UnixMs close = bar.open_time + interval;
    m.recorder->Reset();
    AITRADER_RETURN_IF_ERROR(m.db->Begin());
    auto fail = [&](Status s) {
      (void)m.db->Rollback();
      return s.WithContext("bar " + FormatUtc(bar.open_time) + " (rolled back; restart to continue)");
    };
    m.clock->SetMs(close);
    m.cursor.bar_time = close;
    if (Status s = m.sim->OnBars(bar.bars); !s.ok()) return fail(s);
    MaybeCrash(m.crash, "bar", summary.bars + 1);
    if (Status s = m.ApplyCommands(close); !s.ok()) return fail(s);
    std::vector<std::pair<std::size_t, std::shared_ptr<PendingCycle>>> started;
    for (std::size_t i = 0; i < m.slots.size(); ++i) {
      auto& slot = m.slots[i];
      if (catch_up) {
        (void)slot.bot->OnBarClosedWithoutCycle(close);  // events and invalidations, no decision
        continue;
      }
      if (!async || !slot.bot->source().needs_prompt()) {
        const auto before = slot.bot->stats().cycles;
        slot.bot->OnBarClosed(close);
        summary.cycles += slot.bot->stats().cycles - before;
        continue;
      }
      if (!slot.bot->OnBarClosedWithoutCycle(close)) continue;
      if (slot.in_flight) {
        ++summary.missed_cycles;
        m.Log("missed cycle: bot '" + slot.config->name + "' is still waiting for its previous decision at " +
              FormatUtc(close));
        continue;
      }
      auto pending = slot.bot->BeginCycle(close);
      if (pending) started.emplace_back(i, std::make_shared<PendingCycle>(std::move(*pending)));
    }
    std::vector<exchange::ExecutionEvent> discard;
    for (auto& a : m.orphan_accounts) {
      while (a->PollEvents(discard, 1024) > 0) discard.clear();
    }
    // What this bar's calls did at the venue (an invalidation's close that filled at once, a
    // stop's close) is recorded in this bar's transaction: a restart replays the venue to this
    // commit and discards the replayed events, so an event left for the next bar would be lost.
    for (auto& slot : m.slots) slot.bot->ProcessVenueEvents(close);
    if (!m.recorder->status().ok()) return fail(m.recorder->status());
    {
      // The bar's candles, compact (one row each), for charts and audits.
      std::vector<store::StoredCandle> candles;
      candles.reserve(bar.bars.size());
      for (const auto& sb : bar.bars) {
        const auto& c = sb.candle;
        candles.push_back({m.sim->symbols()[sb.symbol], interval, c.open_time, c.open, c.high, c.low, c.close, c.volume});
      }
      if (Status s = m.repo->InsertCandles(candles); !s.ok()) return fail(s);
    }
    if (Status s = m.repo->SetRunState("last_bar", close); !s.ok()) return fail(s);
    if (Status s = m.db->Commit(); !s.ok()) return fail(s);
    ++commits;
    ++summary.bars;
    summary.last_bar = close;
    MaybeCrash(m.crash, "commit", commits);
    publish();
    for (auto& [i, pending] : started) {
      auto& slot = m.slots[i];
      slot.in_flight = true;
      slot.cancel = std::make_shared<llm::CancelToken>();
      {
        std::lock_guard lock(mu);
        ++in_flight;
      }
      boost::asio::post(*pool, [&, i = i, pending = pending, cancel = slot.cancel, source = &slot.bot->source_for_worker()] {
        Bot::Decide(*source, *pending, cancel.get());
        std::lock_guard lock(mu);
        done.push_back({i, pending});
        --in_flight;
        cv.notify_all();
      });
    }
    if (summary.bars % 2000 == 0) {
      std::string line = FormatUtc(close) + " bar " + std::to_string(n + 1) + "/" + std::to_string(m.feed->bars().size());
      for (auto& slot : m.slots) line += "  " + slot.config->name + " " + slot.bot->Equity().ToString(2);
      m.Log(line);
    }
    return Status::Ok();
  };
  Status bar_failure;  // rolled back: the run ends at once
  hooks.process = [&](std::size_t n, const MergedBar& bar, bool catch_up) -> Status {
    if (async) {
      // At --speed 0 (a deterministic replay) and on the live feed every answer is in before
      // the next bar; paced, the answers that are back.
      if (!paced) AITRADER_RETURN_IF_ERROR(finish_cycles(true, std::nullopt));
      AITRADER_RETURN_IF_ERROR(finish_cycles(false, std::nullopt));
    }
    m.next_bar = n;
    bar_failure = process_bar(n, bar, catch_up);
    if (bar_failure.ok()) m.next_bar = n + 1;
    return bar_failure;
  };
  auto end = DriveBars(*m.feed, m.next_bar, driver, hooks);
  if (!bar_failure.ok()) return bar_failure;
  Status failure = end.ok() ? Status::Ok() : end.status();
  if (async) {
    // Let the calls in flight finish (they are bounded by the clients' timeouts) and store them.
    if (failure.ok()) failure = finish_cycles(true, std::nullopt);
    pool->join();
  }
  if (!failure.ok()) return failure;
  for (std::size_t a = 0; a < m.sim->account_count(); ++a) {
    Status s = m.sim->SelfCheck(static_cast<exchange::paper::AccountIndex>(a));
    if (!s.ok()) return s.WithContext("paper ledger of account " + std::to_string(a));
  }
  return summary;
}

Status DeleteBot(store::Repository& repo, std::string_view name, UnixMs now) {
  auto all = repo.ListBots();
  if (!all.ok()) return all.status();
  const store::BotRecord* found = nullptr;
  for (const auto& b : *all) {
    if (b.name == name) found = &b;
  }
  if (found == nullptr) return NotFound("no bot named '" + std::string(name) + "'");
  if (found->status == "running" || found->status == "paused") {
    return FailedPrecondition("bot '" + std::string(name) + "' is " + found->status + ": stop it first");
  }
  auto open = repo.ListPositions(found->id, true);
  if (!open.ok()) return open.status();
  if (!open->empty()) {
    return FailedPrecondition("bot '" + std::string(name) + "' still has " + std::to_string(open->size()) +
                              " open position(s): close them first");
  }
  return repo.UpdateBotStatus(found->id, "deleted", now);
}

}  // namespace aitrader::engine
