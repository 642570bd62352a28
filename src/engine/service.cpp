#include "engine/service.hpp"

#include <boost/json.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <map>

#include "engine/bar_driver.hpp"
#include "engine/bot.hpp"
#include "engine/bot_restore.hpp"
#include "engine/crash_points.hpp"
#include "engine/journaled_exchange.hpp"
#include "engine/live_market.hpp"
#include "engine/paper_venue.hpp"
#include "engine/remote_bots.hpp"
#include "engine/venue_factory.hpp"
#include "engine/venue_replay.hpp"
#include "engine/store_recorder.hpp"
#include "engine/user_prompts.hpp"
#include "llm/client.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "store/api_repository.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

std::string_view ToString(BotCommandKind k) {
  switch (k) {
    case BotCommandKind::kStart: return "start";
    case BotCommandKind::kPause: return "pause";
    case BotCommandKind::kResume: return "resume";
    case BotCommandKind::kStop: return "stop";
    case BotCommandKind::kEmergencyStop: return "emergency_stop";
  }
  return "unknown";
}

namespace {
// A bot's parts with its prompt_version resolved: a system prompt, or a prompt template of the
// bot's owner ("user:<id>"). Defined with the dry runs at the end of this file.
Result<BotParts> MakeServiceBotParts(store::Database& db, std::int64_t user_id, const BotConfig& config,
                                     const RunConfig& run, const InstrumentTable& instruments,
                                     const ClientFactory& make_client);
}  // namespace

struct Service::Impl {
  ServiceOptions options;
  Service* owner = nullptr;
  RunConfig run;  // fees and slippage shared by every bot
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::Repository> repo;
  InstrumentTable instruments;
  std::shared_ptr<const MarketData> market;
  std::unique_ptr<SimulatedClock> clock;
  std::unique_ptr<exchange::paper::PaperSimulator> sim;
  std::unique_ptr<StoreRecorder> recorder;
  std::unique_ptr<BarFeed> feed;  // the replay's bars, or the live feed's
  LiveBarFeed* live = nullptr;    // the feed, when ServiceOptions::live is set
  SystemClock wall;               // testnet/live venues' request timestamps
  std::size_t next_bar = 0;
  std::vector<std::string> symbols;

  JournalCursor cursor;          // the venue journal's sequence and bar position
  UnixMs from = 0;               // the market time the runtime's venue started at (stored)
  std::optional<UnixMs> last_bar;  // close of the last committed bar
  CrashPoint crash = ReadCrashPoint();
  std::int64_t bars_done = 0;    // bars processed by this process
  bool recovered = false;        // Recover() ran: the bars may flow

  struct Slot {
    std::int64_t user_id = 0;
    std::string spec_json;
    BotConfig config;
    std::unique_ptr<exchange::paper::PaperExchange> paper;  // paper: the account, for reads
    std::unique_ptr<JournaledExchange> venue;               // paper: the account, as the bot trades it
    // testnet / live: the Binance venue itself (no journal: the venue is the record).
    std::unique_ptr<exchange::Exchange> remote;
    exchange::binance::BinanceExchange* binance = nullptr;
    std::vector<exchange::Position> remote_positions;  // as of the last bar or command
    std::unique_ptr<Bot> bot;
    bool in_flight = false;                    // an LLM decision runs on a worker
    std::shared_ptr<llm::CancelToken> cancel;  // of that decision
    exchange::Exchange& trading() { return remote ? *remote : static_cast<exchange::Exchange&>(*venue); }
    const InstrumentTable* venue_instruments() const { return binance ? &binance->instruments() : nullptr; }
  };
  std::map<std::int64_t, Slot> slots;
  // Accounts rebuilt at start whose bot is not (yet) held by a slot: bots that were stopped
  // or deleted, or whose spec could not be rebuilt. Their events are discarded each bar.
  std::map<std::int64_t, std::unique_ptr<exchange::paper::PaperExchange>> idle_accounts;
  // LLM decisions run here, never on the runtime thread; their answers come back as posted
  // work and finish the cycle in a transaction of their own.
  std::unique_ptr<boost::asio::thread_pool> decide_pool;
  std::int64_t missed_cycles = 0;

  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  // fn inside one transaction with the recorder; the events it produced are stored with it
  // and published after the commit.
  // refresh: which testnet/live venues it re-reads for the positions snapshot (a REST call
  // each) — the bots it acted on; the others keep their last snapshot, so a slow venue delays
  // only its own bot's transactions (and the bars), never another bot's command.
  using RefreshWhich = std::function<bool(std::int64_t bot_id, const Slot& slot)>;
  static bool RefreshAll(std::int64_t, const Slot&) { return true; }
  static bool RefreshNone(std::int64_t, const Slot&) { return false; }
  static RefreshWhich RefreshBot(std::int64_t bot_id) {
    return [bot_id](std::int64_t id, const Slot&) { return id == bot_id; };
  }
  Status Transaction(const std::function<Status()>& fn, const RefreshWhich& refresh);
  // catch_up: a bar the live feed missed while the server was down (no bot decides on it).
  Status ProcessBar(const MergedBar& bar, bool catch_up);
  // A new market snapshot of the live feed, for every reader.
  void SetMarket(std::shared_ptr<const MarketData> snapshot);
  // The runtime thread (Start): posted work until Recover(), then the bars through the
  // driver (engine/bar_driver.hpp) with posted work run while it waits, then posted work
  // until Stop().
  void RunThread();
  // A testnet/live bot's venue: the Binance adapter, started (clock, filters, user stream).
  // from_store: after a restart — the adapter's start reconciles with the store's open
  // positions and orders (what ended meanwhile arrives as events).
  Status OpenRemoteVenue(std::int64_t bot_id, const BotSpec& spec, Slot& slot, bool from_store = false);
  void FinishDecision(std::int64_t bot_id, const Bot* bot, std::shared_ptr<PendingCycle> pending);
  void CancelDecision(Slot& slot) {
    if (slot.cancel) slot.cancel->Cancel();
  }
  Result<Bot*> MakeBot(std::int64_t bot_id, Slot& slot);
  // Hands the started cycles' model calls to the worker pool.
  void Dispatch(std::vector<std::pair<std::int64_t, std::shared_ptr<PendingCycle>>>& started);
  Status Rebuild();
  Status SaveCheckpoint(UnixMs bar_time) {
    auto bytes = sim->SaveCheckpoint();
    if (!bytes.ok()) return bytes.status().WithContext("paper venue checkpoint");
    store::PaperCheckpoint c;
    c.bar_time = bar_time;
    c.journal_seq = cursor.next_seq;
    c.accounts = static_cast<std::int64_t>(sim->account_count());
    c.data = std::move(*bytes);
    c.created_at = bar_time;
    return repo->SavePaperCheckpoint(c, /*keep=*/2);
  }
  void DrainIdle() {
    std::vector<exchange::ExecutionEvent> discard;
    for (auto& [id, a] : idle_accounts) {
      AITRADER_CHECK(a != nullptr, "an idle account has its view");
      while (a->PollEvents(discard, 1024) > 0) discard.clear();
    }
  }
};

Status Service::Impl::Transaction(const std::function<Status()>& fn, const RefreshWhich& refresh) {
  recorder->Reset();
  AITRADER_RETURN_IF_ERROR(db->Begin());
  Status s = fn();
  // What the calls of this transaction did at the venue (immediate fills of closes, stops
  // that triggered) is recorded in it too: a restart rebuilds the venue up to this commit and
  // discards the replayed events, so an event left for later would be lost.
  if (s.ok()) {
    for (auto& [id, slot] : slots) slot.bot->ProcessVenueEvents(clock->NowMs());
  }
  if (s.ok()) s = recorder->status();
  std::vector<ServiceEvent> events;
  if (s.ok()) {
    store::ApiRepository api(*db);
    const UnixMs at = clock->NowMs();
    for (auto& e : recorder->TakePublished()) {
      auto seq = api.AppendEvent(e.bot_id, e.type, at, e.json);
      if (!seq.ok()) {
        s = seq.status();
        break;
      }
      auto owner = slots.find(e.bot_id);
      const std::int64_t user_id = owner == slots.end() ? 0 : owner->second.user_id;
      events.push_back({e.bot_id, user_id, *seq, std::move(e.type), at, std::move(e.json)});
    }
  }
  if (!s.ok()) {
    (void)db->Rollback();
    return s;
  }
  if (Status c = db->Commit(); !c.ok()) {
    (void)db->Rollback();
    return c;
  }
  // The positions snapshot the API reads (the state just committed).
  std::map<std::int64_t, std::vector<exchange::Position>> positions;
  for (auto& [id, slot] : slots) {
    if (slot.remote) {
      if (refresh(id, slot)) {
        auto p = slot.remote->FetchPositions();
        if (p.ok()) slot.remote_positions = std::move(*p);
      }
      if (!slot.remote_positions.empty()) positions.emplace(id, slot.remote_positions);
      continue;
    }
    auto p = slot.paper->FetchPositions();
    if (p.ok() && !p->empty()) positions.emplace(id, std::move(*p));
  }
  {
    std::lock_guard lock(owner->positions_mu_);
    owner->positions_.swap(positions);
  }
  owner->commit_version_.fetch_add(1, std::memory_order_acq_rel);
  if (options.on_events && !events.empty()) options.on_events(events);
  return Status::Ok();
}

Status Service::Impl::ProcessBar(const MergedBar& bar, bool catch_up) {
  const UnixMs close = bar.open_time + market->interval();
  std::vector<std::pair<std::int64_t, std::shared_ptr<PendingCycle>>> started;
  Status s = Transaction([&]() -> Status {
    clock->SetMs(close);
    cursor.bar_time = close;
    AITRADER_RETURN_IF_ERROR(sim->OnBars(bar.bars));
    MaybeCrash(crash, "bar", bars_done + 1);
    for (auto& [id, slot] : slots) {
      if (catch_up) {
        (void)slot.bot->OnBarClosedWithoutCycle(close);  // events and invalidations, no decision
        continue;
      }
      if (!slot.bot->source().needs_prompt()) {
        slot.bot->OnBarClosed(close);  // the baseline decides in microseconds
        continue;
      }
      if (!slot.bot->OnBarClosedWithoutCycle(close)) continue;
      if (slot.in_flight) {
        ++missed_cycles;
        Log("missed cycle: bot " + std::to_string(id) + " is still waiting for its previous decision");
        continue;
      }
      auto pending = slot.bot->BeginCycle(close);
      if (pending) started.emplace_back(id, std::make_shared<PendingCycle>(std::move(*pending)));
    }
    DrainIdle();
    // Once per market day, the venue as of this bar (with this bar's calls): a restart loads
    // it and replays only what came after (bars and journal), not the whole run.
    if (close % kDayMs == 0) {
      for (auto& [id, slot] : slots) slot.bot->ProcessVenueEvents(close);  // nothing left queued in it
      AITRADER_RETURN_IF_ERROR(SaveCheckpoint(close));
    }
    return repo->SetRunState("serve.last_bar", close);
  }, RefreshAll);
  if (!s.ok()) {
    cursor.bar_time = last_bar.value_or(from);
    return s;
  }
  last_bar = close;
  ++bars_done;
  MaybeCrash(crash, "commit", bars_done);
  Dispatch(started);
  return Status::Ok();
}

void Service::Impl::Dispatch(std::vector<std::pair<std::int64_t, std::shared_ptr<PendingCycle>>>& started) {
  for (auto& [id, pending] : started) {
    Slot& slot = slots.at(id);
    slot.in_flight = true;
    slot.cancel = std::make_shared<llm::CancelToken>();
    if (!decide_pool) decide_pool = std::make_unique<boost::asio::thread_pool>(16);
    Service* svc = owner;
    const Bot* bot = slot.bot.get();
    boost::asio::post(*decide_pool, [svc, id = id, bot, pending = pending, cancel = slot.cancel,
                                     source = &slot.bot->source_for_worker()] {
      Bot::Decide(*source, *pending, cancel.get());
      svc->Post([svc, id, bot, pending] { svc->impl_->FinishDecision(id, bot, pending); });
    });
  }
  started.clear();
}

void Service::Impl::FinishDecision(std::int64_t bot_id, const Bot* bot, std::shared_ptr<PendingCycle> pending) {
  auto it = slots.find(bot_id);
  if (it == slots.end() || it->second.bot.get() != bot) return;
  Slot& slot = it->second;
  slot.in_flight = false;
  slot.cancel.reset();
  // Paused, stopped or emergency-stopped while the model was thinking: the answer is
  // discarded, no order is placed.
  if (slot.bot->status() != BotStatus::kRunning) {
    Log("discarded the late decision of bot " + std::to_string(bot_id) + " (" +
        std::string(ToString(slot.bot->status())) + ")");
    return;
  }
  Status s = Transaction([&]() -> Status {
    slot.bot->FinishCycle(std::move(*pending));
    return Status::Ok();
  }, RefreshBot(bot_id));
  if (!s.ok()) Log("finishing a cycle of bot " + std::to_string(bot_id) + " failed (rolled back): " + s.message());
}

Result<Bot*> Service::Impl::MakeBot(std::int64_t bot_id, Slot& slot) {
  // A Binance venue's own filters (tick, step, notional) apply to its bot; paper: the bundled table.
  const InstrumentTable* table = slot.venue_instruments();
  const InstrumentTable& bot_instruments = table ? *table : instruments;
  auto parts = MakeServiceBotParts(*db, slot.user_id, slot.config, run, bot_instruments, options.make_client);
  if (!parts.ok()) return FailedPrecondition(parts.status().message());
  auto cycle = repo->MaxDecisionCycle(bot_id);
  if (!cycle.ok()) return cycle.status();
  BotOptions bo = std::move(parts->options);
  bo.keep_prompts = true;
  if (bo.budget) {
    // Today's (wall clock) LLM spend continues from the store.
    auto spent = repo->CostSince(bot_id, bo.budget->DayStart());
    if (!spent.ok()) return spent.status();
    bo.budget->Seed(*spent);
  }
  slot.bot = std::make_unique<Bot>(bot_id, slot.config, slot.trading(), market, bot_instruments,
                                   std::move(parts->source), std::move(*parts->risk), *clock, std::move(bo));
  slot.bot->AddObserver(recorder.get());
  // Client order ids carry the cycle: a rebuilt bot continues the count, never repeats it.
  slot.bot->Resume(from, *cycle, BotStatus::kCreated);
  return slot.bot.get();
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Service::~Service() { Stop(); }

Result<std::unique_ptr<Service>> Service::Start(ServiceOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Impl& m = *impl;
  auto dbr = store::OpenDatabase(m.options.database);
  if (!dbr.ok()) return dbr.status();
  m.db = std::move(*dbr);
  auto v = store::Migrate(*m.db);
  if (!v.ok()) return v.status();
  m.repo = std::make_unique<store::Repository>(*m.db);
  auto headless = m.repo->GetRunState("start");
  if (!headless.ok()) return headless.status();
  if (headless->has_value()) {
    return FailedPrecondition("the database holds a headless run (`aitrader run`, its own paper venue and journal); "
                              "give the server a database of its own");
  }
  auto stored_start = m.repo->GetRunState("serve.start");
  if (!stored_start.ok()) return stored_start.status();
  auto stored_interval = m.repo->GetRunState("serve.interval");
  if (!stored_interval.ok()) return stored_interval.status();
  if (stored_interval->has_value() && **stored_interval != m.options.interval) {
    return FailedPrecondition("the database's runtime trades " + FormatInterval(**stored_interval) +
                              " bars; this server is set to " + FormatInterval(m.options.interval));
  }
  auto stored_last = m.repo->GetRunState("serve.last_bar");
  if (!stored_last.ok()) return stored_last.status();
  m.last_bar = *stored_last;

  auto ins = InstrumentTable::LoadDefault();
  if (!ins.ok()) return ins.status();
  m.instruments = std::move(*ins);
  m.symbols = DefaultBotConfig().symbols;
  // The feed a database was started with stays its feed (0 replay, 1 live).
  const std::int64_t feed_code = m.options.live ? 1 : 0;
  auto stored_feed = m.repo->GetRunState("serve.feed");
  if (!stored_feed.ok()) return stored_feed.status();
  const std::int64_t db_feed = stored_feed->value_or(stored_start->has_value() ? 0 : feed_code);
  if (db_feed != feed_code) {
    return FailedPrecondition(std::string("the database's runtime runs on the ") +
                              (db_feed == 1 ? "live Binance feed" : "replayed candles") + "; this server is set to the " +
                              (feed_code == 1 ? "live feed (--market binance)" : "replay (--market replay)") +
                              ": give it a database of its own");
  }
  if (m.options.live) {
    const LiveFeedOptions& lf = *m.options.live;
    // A resumed run fetches its whole period again (closed klines are final): the venue is
    // rebuilt over exactly the bars it traded.
    auto live = LiveBarFeed::Open(lf, m.symbols, m.options.interval, m.instruments,
                                  stored_start->has_value() ? std::optional<UnixMs>(**stored_start) : std::nullopt,
                                  m.wall, m.options.log);
    if (!live.ok()) return live.status();
    m.live = live->get();
    m.feed = std::move(*live);
    m.market = m.live->live_market().market();
    m.from = m.live->from();
    if (m.options.from) m.Log("note: --from does not apply to the live feed");
    if (m.feed->bars().empty()) return NotFound("the live feed has no closed bar since " + FormatUtc(m.from));
    m.Log("live feed " + lf.name + ": " + std::to_string(m.feed->bars().size()) + " closed bar(s) since " +
          FormatUtc(m.from) + ", the last at " + FormatUtc(m.live->live_market().last_open()));
    m.live->OnMarket([&m](std::shared_ptr<const MarketData> snapshot) { m.SetMarket(std::move(snapshot)); });
  } else {
    auto md = MarketData::Load(m.options.data_dir.empty() ? DataDir() + "/binance-usdm" : m.options.data_dir, m.symbols,
                               m.options.interval, m.instruments);
    if (!md.ok()) return md.status();
    m.market = *md;
    auto span = m.market->DataSpan();
    if (!span.ok()) return span.status();
    const UnixMs data_from = span->from, data_to = span->to;
    // A restart continues the stored market run: its start is kept (the venue is rebuilt from
    // it); --from applies to a new database only.
    const UnixMs asked = FloorTo(m.options.from.value_or(data_from + 10 * kDayMs), m.options.interval);
    m.from = stored_start->value_or(asked);
    if (stored_start->has_value() && m.options.from && asked != m.from) {
      m.Log("note: the database's market run started at " + FormatUtc(m.from) + "; --from " + FormatUtc(asked) +
            " applies to a new database only");
    }
    m.feed = std::make_unique<ReplayBarFeed>(m.market->Bars(m.from, data_to, m.symbols));
    if (m.feed->bars().empty()) return InvalidArgument("no candles after --from " + FormatUtc(m.from));
  }
  m.clock = std::make_unique<SimulatedClock>(m.from);
  // Funding on the replay settles at the data's funding rates (as `aitrader run`), in market
  // runs started since (run_state serve.funding = 1); older databases keep the default rate
  // they were traded with, so their rebuild matches. The live feed: the default rate (see
  // MakePaperSimulator).
  auto stored_funding = m.repo->GetRunState("serve.funding");
  if (!stored_funding.ok()) return stored_funding.status();
  const bool funding_series = !m.options.live && (!stored_start->has_value() || stored_funding->value_or(0) == 1);
  auto sim = MakePaperSimulator(*m.clock, m.instruments, m.run, *m.market, m.symbols,
                                exchange::paper::MarketFillMode::kImmediate, m.run.seed,
                                funding_series ? FundingRates::kFromMarketData : FundingRates::kDefaultRate);
  if (!sim.ok()) return sim.status();
  m.sim = std::move(*sim);
  m.recorder = std::make_unique<StoreRecorder>(*m.repo);
  AITRADER_RETURN_IF_ERROR(m.Rebuild());
  if (!stored_start->has_value()) {
    AITRADER_RETURN_IF_ERROR(store::InTransaction(*m.db, [&]() -> Status {
      AITRADER_RETURN_IF_ERROR(m.repo->SetRunState("serve.start", m.from));
      AITRADER_RETURN_IF_ERROR(m.repo->SetRunState("serve.feed", feed_code));
      if (funding_series) AITRADER_RETURN_IF_ERROR(m.repo->SetRunState("serve.funding", 1));
      return m.repo->SetRunState("serve.interval", m.options.interval);
    }));
  }

  auto svc = std::unique_ptr<Service>(new Service(std::move(impl)));
  svc->impl_->owner = svc.get();
  if (m.live) {
    if (m.feed->bars().size() > m.next_bar + 1) {
      m.Log("live feed: " + std::to_string(m.feed->bars().size() - m.next_bar - 1) +
            " bar(s) closed while the server was down are caught up (the venue processes them; bots decide on the newest)");
    }
    // After the rebuild: the stream continues from the last candle the history held.
    if (Status st = m.live->StartStream(); !st.ok()) return st.WithContext("the live market stream");
  }
  svc->interval_ = m.options.interval;
  svc->market_ = m.market;
  if (m.options.live) svc->feed_ = m.options.live->name;
  svc->market_time_.store(m.clock->NowMs());
  Service* self = svc.get();
  self->thread_ = std::thread([self] { self->impl_->RunThread(); });
  return svc;
}

void Service::Impl::RunThread() {
  Service* self = owner;
  auto run_tasks = [&](std::unique_lock<std::mutex>& lock) {
    while (!self->tasks_.empty()) {
      auto task = std::move(self->tasks_.front());
      self->tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  };
  // Posted work until stop (or until `until` holds).
  auto serve_tasks = [&](const std::function<bool()>& until) {
    std::unique_lock lock(self->mu_);
    while (!self->stop_.load() && !until()) {
      self->cv_.wait(lock, [&] { return self->stop_.load() || !self->tasks_.empty(); });
      run_tasks(lock);
    }
  };
  // Until Recover() brings the bots back, only posted work runs (no bar).
  serve_tasks([&] { return recovered; });

  BarDriverOptions driver;
  driver.interval = options.interval;
  driver.speed = options.speed;
  // A new market run processes its first bar at once (the venue gets its prices); a resumed
  // one has them and waits one paced interval for its next bar, as in real time.
  driver.paced_offset = last_bar ? 1 : 0;
  BarDriverHooks hooks;
  hooks.stop = [self] { return self->stop_.load(); };
  // Posted work interrupts a wait and runs at once.
  hooks.work_until = [&](WallTime deadline) -> Status {
    std::unique_lock lock(self->mu_);
    self->cv_.wait_until(lock, deadline, [&] { return self->stop_.load() || !self->tasks_.empty(); });
    run_tasks(lock);
    return Status::Ok();
  };
  auto next_venue_poll = std::chrono::steady_clock::now();
  hooks.idle = [&]() -> Status {
    const auto now = std::chrono::steady_clock::now();
    const bool remote = std::any_of(slots.begin(), slots.end(), [](const auto& kv) { return kv.second.remote != nullptr; });
    if (remote && now >= next_venue_poll) {
      // Fills, exchange-side stops and liquidations of testnet/live bots, recorded as they come.
      next_venue_poll = now + std::chrono::milliseconds(options.live->venue_poll_ms);
      Status st = Transaction([] { return Status::Ok(); }, RefreshNone);
      if (!st.ok()) Log("runtime: recording venue events failed (rolled back): " + st.message());
    }
    return Status::Ok();
  };
  hooks.process = [&](std::size_t n, const MergedBar& bar, bool catch_up) -> Status {
    next_bar = n;
    Status s = ProcessBar(bar, catch_up);
    if (!s.ok()) {
      Log("runtime: bar " + FormatUtc(bar.open_time) + " failed (rolled back): " + s.message());
      return s;
    }
    self->market_time_.store(clock->NowMs());
    next_bar = n + 1;
    return Status::Ok();
  };
  auto end = DriveBars(*feed, next_bar, driver, hooks);
  // After the replay's last bar the API keeps working (queries, commands) until Stop().
  if (end.ok() && *end == DriveEnd::kEndOfFeed) serve_tasks([] { return false; });

  // Work still queued is refused; nothing new is accepted.
  std::unique_lock lock(self->mu_);
  self->stop_.store(true);
  run_tasks(lock);
  self->ready_.store(false);
}

void Service::Impl::SetMarket(std::shared_ptr<const MarketData> snapshot) {
  market = std::move(snapshot);
  for (auto& [id, slot] : slots) slot.bot->SetMarket(market);
  std::lock_guard lock(owner->market_mu_);
  owner->market_ = market;
}

Status Service::Impl::OpenRemoteVenue(std::int64_t bot_id, const BotSpec& spec, Slot& slot, bool from_store) {
  const TradingMode mode = spec.config.mode;
  if (!live) {
    return FailedPrecondition("a " + std::string(ToString(mode)) +
                              " bot needs the live market feed: start the server with --market binance (docs/binance.md)");
  }
  if (!spec.binance) {
    return FailedPrecondition(std::string("store the Binance ") + (mode == TradingMode::kTestnet ? "testnet " : "") +
                              "key pair first: PUT /api/credentials/" +
                              (mode == TradingMode::kTestnet ? "binance-testnet" : "binance"));
  }
  RemoteVenueRequest vr;
  vr.bot_id = bot_id;
  vr.symbols = spec.config.symbols;
  vr.venue.mode = mode;
  vr.venue.binance = options.binance;
  vr.venue.credentials = spec.binance;
  vr.venue.env = [](const std::string&) { return std::optional<std::string>(); };  // the server never reads keys from its environment
  vr.venue.allow_live = options.allow_live;
  vr.venue.min_record_days = options.live_min_record_days;
  vr.venue.now = wall.NowMs();
  vr.from_store = from_store;
  auto venue = engine::OpenRemoteVenue(vr, *db, *repo, wall);
  if (!venue.ok()) return venue.status();
  slot.binance = venue->binance;
  slot.remote = std::move(venue->exchange);
  return Status::Ok();
}

// The venue as of the last committed bar: the stored accounts in their order, then the bars
// from the start with the journaled calls re-applied where they were made.
Status Service::Impl::Rebuild() {
  auto accounts = repo->ListPaperAccounts();
  if (!accounts.ok()) return accounts.status();
  // The newest checkpoint, when one is usable: the venue as of its bar.
  std::optional<store::PaperCheckpoint> checkpoint;
  if (last_bar) {
    auto cp = repo->LatestPaperCheckpoint(*last_bar);
    if (!cp.ok() && cp.status().code() != StatusCode::kParseError) return cp.status();
    if (!cp.ok()) {
      Log("note: " + cp.status().message() + "; rebuilding the paper venue from the start");
    } else if (*cp) {
      clock->SetMs((*cp)->bar_time);
      Status loaded = sim->LoadCheckpoint((*cp)->data);
      if (loaded.ok()) {
        checkpoint = std::move(*cp);
      } else {
        // The simulator is unchanged by a failed load: the full replay follows.
        Log("note: the paper venue checkpoint of " + FormatUtc((*cp)->bar_time) + " is unusable (" +
            loaded.message() + "); rebuilding the paper venue from the start");
        clock->SetMs(from);
      }
    }
  }
  for (const auto& a : *accounts) {
    if (checkpoint && a.account_index < checkpoint->accounts) {
      // In the checkpoint already: only its view.
      idle_accounts[a.bot_id] =
          std::make_unique<exchange::paper::PaperExchange>(*sim, static_cast<exchange::paper::AccountIndex>(a.account_index));
      continue;
    }
    // An index with no stored account (a start whose transaction was rolled back after the
    // venue had added the account) gets an empty placeholder, so the indices line up.
    while (static_cast<std::int64_t>(sim->account_count()) < a.account_index) {
      auto gap = sim->AddAccount(exchange::paper::AccountConfig{});
      if (!gap.ok()) return gap.status();
    }
    if (static_cast<std::int64_t>(sim->account_count()) != a.account_index) {
      return Internal("paper account " + std::to_string(a.account_index) + " is stored twice");
    }
    exchange::paper::AccountConfig ac;
    ac.deposit = a.deposit;
    ac.fees.maker = run.maker_fee;
    ac.fees.taker = run.taker_fee;
    ac.max_leverage = a.max_leverage.value_or(exchange::paper::kHardLeverageCap);
    ac.default_leverage = a.default_leverage.value_or(1);
    auto idx = sim->AddAccount(ac);
    if (!idx.ok()) return idx.status().WithContext("stored paper account " + std::to_string(a.account_index));
    idle_accounts[a.bot_id] = std::make_unique<exchange::paper::PaperExchange>(*sim, *idx);
  }
  auto journal = checkpoint ? repo->LoadJournalFrom(checkpoint->journal_seq) : repo->LoadJournal();
  if (!journal.ok()) return journal.status();
  ReplayInput in;
  const std::vector<MergedBar>& bars = feed->bars();
  in.bars = bars;
  in.interval = market->interval();
  in.start_time = from;
  if (checkpoint) {
    in.start_time = checkpoint->bar_time;
    while (in.first_bar < bars.size() && bars[in.first_bar].open_time + in.interval <= checkpoint->bar_time) {
      ++in.first_bar;
    }
  }
  in.last_bar = last_bar;
  in.journal = *journal;
  in.venue_of = [&](std::int64_t bot_id) -> exchange::Exchange* {
    auto it = idle_accounts.find(bot_id);
    return it == idle_accounts.end() ? nullptr : it->second.get();
  };
  in.drain = [&] { DrainIdle(); };
  auto next = ReplayJournal(*sim, *clock, in);
  if (!next.ok()) return next.status().WithContext("rebuilding the paper venue");
  next_bar = *next;
  for (std::size_t a = 0; a < sim->account_count(); ++a) {
    Status s = sim->SelfCheck(static_cast<exchange::paper::AccountIndex>(a));
    if (!s.ok()) return s.WithContext("paper ledger of account " + std::to_string(a) + " after the rebuild");
  }
  cursor.next_seq = journal->empty() ? (checkpoint ? checkpoint->journal_seq : 1) : journal->back().seq + 1;
  cursor.bar_time = last_bar.value_or(from);
  clock->SetMs(cursor.bar_time);
  if (last_bar) {
    Log("rebuilt the paper venue: " + std::to_string(accounts->size()) + " account(s), " +
        (checkpoint ? "from the checkpoint of " + FormatUtc(checkpoint->bar_time) + ", " : std::string()) +
        std::to_string(next_bar - in.first_bar) + " bar(s) and " + std::to_string(journal->size()) +
        " journaled call(s) replayed; market time " + FormatUtc(*last_bar));
  }
  return Status::Ok();
}

Status Service::Recover(const SpecResolver& resolve, std::chrono::milliseconds timeout) {
  auto done = Call<int>(
      [this, &resolve]() -> Result<int> {
        Impl& m = *impl_;
        if (m.recovered) return FailedPrecondition("the bots were recovered already");
        const UnixMs now = m.clock->NowMs();
        std::vector<std::pair<std::int64_t, std::shared_ptr<PendingCycle>>> redo;
        int resumed = 0;
        // What a stored bot is restored from (bot_restore.hpp).
        auto restore_input = [&m](const store::BotRecord& rec) {
          RestoreInput in;
          in.bot_id = rec.id;
          in.status = ParseBotStatus(rec.status).value_or(BotStatus::kStopped);
          in.started_at = m.from;
          in.last_bar = m.last_bar.value_or(m.from);
          in.capital = rec.capital;
          return in;
        };
        Status s = m.Transaction([&]() -> Status {
          std::vector<std::int64_t> ids;
          for (const auto& [id, a] : m.idle_accounts) ids.push_back(id);
          for (const std::int64_t bot_id : ids) {
            auto rec = m.repo->GetBot(bot_id);
            if (!rec.ok()) return rec.status();
            if (rec->status == "deleted") continue;  // its account stays, idle
            const bool was_active = rec->status == "running" || rec->status == "paused";
            auto stop_with_alert = [&](const std::string& why) -> Status {
              if (!was_active) return Status::Ok();
              AITRADER_RETURN_IF_ERROR(m.repo->UpdateBotStatus(bot_id, "stopped", now));
              return RecordBotAlert(*m.repo, rec->user_id, bot_id, now, "warning",
                                  "the server restarted and could not resume the bot: " + why);
            };
            auto spec = resolve ? resolve(*rec) : Result<BotSpec>(FailedPrecondition("no spec resolver"));
            if (!spec.ok()) {
              AITRADER_RETURN_IF_ERROR(stop_with_alert(spec.status().message()));
              continue;
            }
            Impl::Slot slot;
            slot.user_id = rec->user_id;
            slot.config = spec->config;
            slot.spec_json = spec->spec_json;
            slot.paper = std::move(m.idle_accounts.at(bot_id));
            m.idle_accounts.erase(bot_id);
            slot.venue = std::make_unique<JournaledExchange>(*slot.paper, *m.repo, m.cursor, bot_id);
            auto bot = m.MakeBot(bot_id, slot);
            if (!bot.ok()) {
              m.idle_accounts[bot_id] = std::move(slot.paper);
              AITRADER_RETURN_IF_ERROR(stop_with_alert(bot.status().message()));
              continue;
            }
            const RestoreInput in = restore_input(*rec);
            auto again = RestoreBotFromStore(**bot, slot.config, in, *m.repo, m.instruments, *slot.paper);
            if (!again.ok()) return again.status().WithContext("restoring bot " + std::to_string(bot_id));
            if (*again && m.last_bar) {
              m.Log("bot " + std::to_string(bot_id) + ": the decision of " + FormatUtc(*m.last_bar) +
                    " was in flight when the server stopped; deciding again");
              auto pending = (*bot)->BeginCycle(*m.last_bar);
              if (pending) redo.emplace_back(bot_id, std::make_shared<PendingCycle>(std::move(*pending)));
            }
            if (was_active) {
              ++resumed;
              AITRADER_RETURN_IF_ERROR(RecordBotAlert(*m.repo, rec->user_id, bot_id, now, "info",
                                                    "the server restarted; the bot continues (" + rec->status +
                                                        ") from " + FormatUtc(now)));
            }
            m.slots.emplace(bot_id, std::move(slot));
          }
          // Bots marked active without a paper account (a database from before the runtime
          // kept one): nothing to resume them on.
          auto stale = m.db->Query(
              "SELECT b.id, b.user_id FROM bots b JOIN users u ON u.id = b.user_id "
              "WHERE b.status IN ('running', 'paused') AND u.email <> 'local@aitrader' "
              "AND NOT EXISTS (SELECT 1 FROM paper_accounts a WHERE a.bot_id = b.id)");
          if (!stale.ok()) return stale.status();
          for (const auto& row : *stale) {
            const std::int64_t bot_id = row.Int(0);
            auto rec = m.repo->GetBot(bot_id);
            if (!rec.ok()) return rec.status();
            auto spec = resolve ? resolve(*rec) : Result<BotSpec>(FailedPrecondition("no spec resolver"));
            if (spec.ok() && spec->config.mode != TradingMode::kPaper) {
              // A testnet/live bot: its venue is Binance itself, reconnected and compared with the store.
              Impl::Slot slot;
              slot.user_id = rec->user_id;
              slot.config = spec->config;
              slot.spec_json = spec->spec_json;
              Status opened = m.OpenRemoteVenue(bot_id, *spec, slot, /*from_store=*/true);
              Result<Bot*> bot = opened.ok() ? m.MakeBot(bot_id, slot) : Result<Bot*>(opened);
              if (!bot.ok()) {
                AITRADER_RETURN_IF_ERROR(m.repo->UpdateBotStatus(bot_id, "stopped", now));
                AITRADER_RETURN_IF_ERROR(RecordBotAlert(*m.repo, rec->user_id, bot_id, now, "warning",
                                                      "the server restarted and could not resume the bot: " +
                                                          bot.status().message() +
                                                          " (its exchange-side stop-loss and take-profit orders stay at the venue)"));
                continue;
              }
              const RestoreInput in = restore_input(*rec);
              auto again = ReconnectRemoteBot(**bot, slot.config, in, *m.repo, *slot.venue_instruments(), *slot.remote,
                                              rec->user_id, now);
              if (!again.ok()) return again.status();
              if (*again && m.last_bar) {
                auto pending = (*bot)->BeginCycle(*m.last_bar);
                if (pending) redo.emplace_back(bot_id, std::make_shared<PendingCycle>(std::move(*pending)));
              }
              ++resumed;
              AITRADER_RETURN_IF_ERROR(RecordBotAlert(*m.repo, rec->user_id, bot_id, now, "info",
                                                    "the server restarted; the bot continues (" + rec->status +
                                                        ") on the " + std::string(ToString(spec->config.mode)) +
                                                        " venue from " + FormatUtc(now)));
              m.slots.emplace(bot_id, std::move(slot));
              continue;
            }
            AITRADER_RETURN_IF_ERROR(m.repo->UpdateBotStatus(bot_id, "stopped", now));
            AITRADER_RETURN_IF_ERROR(RecordBotAlert(
                *m.repo, row.Int(1), bot_id, now, "warning",
                "the server restarted; the bot had no paper account to resume on and was stopped (start it again)"));
          }
          return Status::Ok();
        }, Impl::RefreshAll);
        if (!s.ok()) return s;
        m.Dispatch(redo);
        m.recovered = true;
        ready_.store(true);
        if (resumed > 0) m.Log("resumed " + std::to_string(resumed) + " bot(s) after the restart");
        return resumed;
      },
      timeout);
  return done.ok() ? Status::Ok() : done.status();
}

void Service::Stop() {
  stop_.store(true);
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Decisions in flight are cancelled and their workers joined before any Bot goes away;
  // their answers are not stored (the runtime has stopped).
  if (impl_ && impl_->decide_pool) {
    for (auto& [id, slot] : impl_->slots) impl_->CancelDecision(slot);
    impl_->decide_pool->join();
  }
}

void Service::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_all();
}

template <class T>
Result<T> Service::Call(std::function<Result<T>()> fn, std::chrono::milliseconds timeout) {
  if (stop_.load()) return Status(StatusCode::kCancelled, "the runtime is shutting down");
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  Post([this, fn = std::move(fn), promise] {
    if (stop_.load()) {
      promise->set_value(Status(StatusCode::kCancelled, "the runtime is shutting down"));
      return;
    }
    promise->set_value(fn());
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Status(StatusCode::kTimeout, "the runtime did not answer in time");
  }
  return future.get();
}

Result<std::string> Service::Command(std::int64_t bot_id, std::int64_t user_id, BotCommandKind kind,
                                     const std::optional<BotSpec>& spec, std::chrono::milliseconds timeout) {
  return Call<std::string>(
      [this, bot_id, user_id, kind, spec]() -> Result<std::string> {
        Impl& m = *impl_;
        auto it = m.slots.find(bot_id);
        const UnixMs now = m.clock->NowMs();
        if (kind == BotCommandKind::kStart) {
          if (!spec) return InvalidArgument("start needs the bot's spec");
          const bool remote_mode = spec->config.mode != TradingMode::kPaper;
          if (remote_mode && !m.live) {
            return FailedPrecondition("this server's runtime replays candles and trades paper only; the bot's mode is " +
                                      std::string(ToString(spec->config.mode)) +
                                      ": testnet and live bots need the live feed — start the server with --market binance "
                                      "(docs/binance.md)");
          }
          if (it != m.slots.end() && (it->second.remote != nullptr) != remote_mode) {
            return FailedPrecondition("the bot's mode changed since it last ran (" +
                                      std::string(it->second.remote ? "Binance" : "paper") +
                                      " venue): create a new bot for the new mode");
          }
          for (const auto& s : spec->config.symbols) {
            if (std::find(m.symbols.begin(), m.symbols.end(), s) == m.symbols.end()) {
              return FailedPrecondition(s + " has no candles in the market feed");
            }
          }
          if (it != m.slots.end()) {
            const BotStatus st = it->second.bot->status();
            if (st == BotStatus::kRunning) return FailedPrecondition("the bot is running already");
            if (st == BotStatus::kPaused) return FailedPrecondition("the bot is paused: resume it");
            if (it->second.in_flight) {
              return FailedPrecondition("the bot's last decision is still being cancelled; try again in a moment");
            }
          }
          Status s = m.Transaction([&]() -> Status {
            if (it == m.slots.end() && remote_mode) {
              Impl::Slot slot;
              slot.user_id = user_id;
              slot.config = spec->config;
              slot.spec_json = spec->spec_json;
              AITRADER_RETURN_IF_ERROR(m.OpenRemoteVenue(bot_id, *spec, slot));
              auto bot = m.MakeBot(bot_id, slot);
              if (!bot.ok()) return bot.status();
              it = m.slots.emplace(bot_id, std::move(slot)).first;
            } else if (it == m.slots.end()) {
              Impl::Slot slot;
              slot.user_id = user_id;
              slot.config = spec->config;
              slot.spec_json = spec->spec_json;
              exchange::paper::AccountConfig ac;
              ac.deposit = spec->config.capital;
              ac.fees.maker = m.run.maker_fee;
              ac.fees.taker = m.run.taker_fee;
              ac.max_leverage = spec->config.risk.max_leverage;
              ac.default_leverage = 1;
              bool reused = false;
              if (auto idle = m.idle_accounts.find(bot_id); idle != m.idle_accounts.end()) {
                // Its account from before a restart (the bot was stopped then).
                slot.paper = std::move(idle->second);
                m.idle_accounts.erase(idle);
                reused = true;
              } else {
                // Stored with the index the venue gives it, in this transaction: a restart
                // recreates the accounts in this order.
                const auto index = static_cast<std::int64_t>(m.sim->account_count());
                AITRADER_RETURN_IF_ERROR(
                    m.repo->SavePaperAccount({bot_id, index, ac.deposit, ac.max_leverage, ac.default_leverage}, now));
                auto idx = m.sim->AddAccount(ac);
                if (!idx.ok()) return idx.status();
                slot.paper = std::make_unique<exchange::paper::PaperExchange>(*m.sim, *idx);
              }
              slot.venue = std::make_unique<JournaledExchange>(*slot.paper, *m.repo, m.cursor, bot_id);
              auto bot = m.MakeBot(bot_id, slot);
              if (!bot.ok()) {
                // A stored account stays the bot's; a new one is rolled back with the
                // transaction and stays in the venue as an unused index.
                if (reused) m.idle_accounts[bot_id] = std::move(slot.paper);
                return bot.status();
              }
              it = m.slots.emplace(bot_id, std::move(slot)).first;
            } else if (it->second.spec_json != spec->spec_json) {
              // A changed spec: a new Bot on the same paper account.
              it->second.config = spec->config;
              it->second.spec_json = spec->spec_json;
              auto bot = m.MakeBot(bot_id, it->second);
              if (!bot.ok()) return bot.status();
            }
            it->second.bot->Start(now);
            return Status::Ok();
          }, Impl::RefreshBot(bot_id));
          if (!s.ok()) return s;
          return std::string(ToString(it->second.bot->status()));
        }
        if (it == m.slots.end()) {
          if (kind == BotCommandKind::kEmergencyStop || kind == BotCommandKind::kStop) {
            return std::string("stopped");  // nothing runs, nothing is open at the venue
          }
          return FailedPrecondition("the bot is not running");
        }
        Bot& bot = *it->second.bot;
        const BotStatus st = bot.status();
        if (kind == BotCommandKind::kPause && st != BotStatus::kRunning) {
          return FailedPrecondition("the bot is " + std::string(ToString(st)) + ", not running");
        }
        if (kind == BotCommandKind::kResume && st != BotStatus::kPaused) {
          return FailedPrecondition("the bot is " + std::string(ToString(st)) + ", not paused");
        }
        std::vector<std::string> problems;
        Status s = m.Transaction([&]() -> Status {
          switch (kind) {
            case BotCommandKind::kPause: bot.Pause(); break;
            case BotCommandKind::kResume: bot.Unpause(); break;
            case BotCommandKind::kStop:
              m.CancelDecision(it->second);
              bot.Stop(now);
              break;
            case BotCommandKind::kEmergencyStop:
              m.CancelDecision(it->second);
              problems = bot.EmergencyStop(now, "api");
              break;
            case BotCommandKind::kStart: break;
          }
          return Status::Ok();
        }, Impl::RefreshBot(bot_id));
        if (!s.ok()) return s;
        if (!problems.empty()) m.Log("emergency stop of bot " + std::to_string(bot_id) + ": " + problems.front());
        return std::string(ToString(bot.status()));
      },
      timeout);
}

Result<int> Service::EmergencyStopUser(std::int64_t user_id, std::chrono::milliseconds timeout) {
  return Call<int>(
      [this, user_id]() -> Result<int> {
        Impl& m = *impl_;
        int n = 0;
        const UnixMs now = m.clock->NowMs();
        Status s = m.Transaction([&]() -> Status {
          for (auto& [id, slot] : m.slots) {
            if (slot.user_id != user_id) continue;
            m.CancelDecision(slot);
            auto problems = slot.bot->EmergencyStop(now, "api: all bots");
            if (!problems.empty()) m.Log("emergency stop of bot " + std::to_string(id) + ": " + problems.front());
            ++n;
          }
          return Status::Ok();
        }, [user_id](std::int64_t, const Impl::Slot& slot) { return slot.user_id == user_id; });
        if (!s.ok()) return s;
        return n;
      },
      timeout);
}

std::vector<exchange::Position> Service::Positions(std::int64_t bot_id) const {
  std::lock_guard lock(positions_mu_);
  auto it = positions_.find(bot_id);
  return it == positions_.end() ? std::vector<exchange::Position>{} : it->second;
}

// ---- dry runs (POST /api/bots/{id}/dry-run) --------------------------------------------------

namespace {

Result<BotParts> MakeServiceBotParts(store::Database& db, std::int64_t user_id, const BotConfig& config,
                                     const RunConfig& run, const InstrumentTable& instruments,
                                     const ClientFactory& make_client) {
  BotConfig resolved = config;
  Status s = ResolvePromptTemplate(db, user_id, resolved);
  if (!s.ok()) {
    return s.code() == StatusCode::kNotFound ? FailedPrecondition(s.message()) : s;
  }
  return MakeBotParts(resolved, run, instruments, /*keep_raw=*/true, make_client);
}

// The venue a dry run's bot trades on: the market of the runtime's simulator; the account of
// the bot's paper account when the runtime holds it, else a fresh one with the bot's capital
// (no position, no order); and no trading at all — every order, cancel and setting is refused,
// and no event is ever taken from the account's queue (the real bot reads those).
class DryRunVenue final : public exchange::Exchange {
 public:
  DryRunVenue(exchange::paper::PaperSimulator& sim, std::optional<exchange::paper::AccountIndex> account, Money capital)
      : sim_(sim), account_(account), capital_(capital) {}

  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                  std::size_t limit) override {
    return sim_.FetchOhlcv(symbol, interval, since, limit);
  }
  Result<exchange::Ticker> FetchTicker(std::string_view symbol) override { return sim_.FetchTicker(symbol); }
  Result<Price> FetchMarkPrice(std::string_view symbol) override {
    auto t = sim_.FetchTicker(symbol);
    if (!t.ok()) return t.status();
    return t->mark;
  }
  Result<exchange::FundingRateInfo> FetchFundingRate(std::string_view symbol) override {
    return sim_.FetchFundingRate(symbol);
  }
  Result<exchange::OpenInterest> FetchOpenInterest(std::string_view symbol) override {
    return sim_.FetchOpenInterest(symbol);
  }
  Result<exchange::Balance> FetchBalance() override {
    if (account_) return sim_.FetchBalance(*account_);
    exchange::Balance b;
    b.wallet_balance = b.margin_balance = b.available_balance = capital_;
    return b;
  }
  Result<std::vector<exchange::Position>> FetchPositions() override {
    if (account_) return sim_.FetchPositions(*account_);
    return std::vector<exchange::Position>{};
  }
  Result<std::vector<exchange::Order>> FetchOpenOrders(std::string_view symbol) override {
    if (account_) return sim_.FetchOpenOrders(*account_, symbol);
    return std::vector<exchange::Order>{};
  }
  Result<exchange::Order> FetchOrder(std::string_view, const ClientOrderId& id) override {
    if (account_) return sim_.FetchOrder(*account_, id);
    return NotFound("a dry run's fresh account has no orders");
  }
  Result<exchange::Order> CreateOrder(const exchange::OrderRequest&) override { return Refused(); }
  Result<exchange::Order> CancelOrder(std::string_view, const ClientOrderId&) override { return Refused(); }
  Result<std::vector<exchange::Order>> CancelAllOrders(std::string_view) override { return Refused(); }
  Status SetLeverage(std::string_view, int) override { return Refused(); }
  Status SetMarginMode(std::string_view, MarginMode) override { return Refused(); }
  std::size_t PollEvents(std::vector<exchange::ExecutionEvent>&, std::size_t) override { return 0; }

 private:
  static Status Refused() { return FailedPrecondition("a dry run places no order and changes nothing at the venue"); }

  exchange::paper::PaperSimulator& sim_;
  std::optional<exchange::paper::AccountIndex> account_;
  Money capital_;
};

}  // namespace

// One dry run in progress: shared by the caller waiting for it, the runtime thread and the
// decision pool's worker.
struct Service::DryRunJob {
  std::int64_t bot_id = 0;
  std::unique_ptr<exchange::Exchange> venue;
  std::unique_ptr<Bot> bot;  // after its venue: destroyed first
  PendingCycle pending;
  llm::CancelToken cancel;
  std::promise<Result<std::int64_t>> promise;
  bool answered = false;

  void Answer(Result<std::int64_t> r) {
    if (answered) return;
    answered = true;
    promise.set_value(std::move(r));
  }
  // A job dropped unanswered (the runtime stopped with its answer still queued).
  ~DryRunJob() { Answer(Status(StatusCode::kCancelled, "the runtime stopped before the dry run finished")); }
};

Result<std::int64_t> Service::DryRun(std::int64_t bot_id, std::int64_t user_id, const BotSpec& spec,
                                     std::chrono::milliseconds timeout) {
  if (dry_runs_cancelled_.load()) return Status(StatusCode::kCancelled, "the server is shutting down");
  auto job = std::make_shared<DryRunJob>();
  job->bot_id = bot_id;
  auto answer = job->promise.get_future();
  auto begun = Call<bool>(
      [this, job, bot_id, user_id, spec]() -> Result<bool> {
        Impl& m = *impl_;
        const BotConfig& cfg = spec.config;
        if (cfg.mode != TradingMode::kPaper) {
          return FailedPrecondition("this server trades paper only; the bot's mode is " + std::string(ToString(cfg.mode)));
        }
        for (const auto& s : cfg.symbols) {
          if (std::find(m.symbols.begin(), m.symbols.end(), s) == m.symbols.end()) {
            return FailedPrecondition(s + " has no candles in the market feed");
          }
        }
        if (dry_runs_.count(bot_id) > 0) return Status(StatusCode::kAlreadyExists, "a dry run of this bot is in progress");
        auto parts = MakeServiceBotParts(*m.db, user_id, cfg, m.run, m.instruments, m.options.make_client);
        if (!parts.ok()) return FailedPrecondition(parts.status().message());
        BotOptions bo = std::move(parts->options);
        bo.keep_prompts = true;
        const UnixMs now = m.clock->NowMs();
        auto it = m.slots.find(bot_id);
        const bool held = it != m.slots.end() && it->second.user_id == user_id;
        std::optional<exchange::paper::AccountIndex> account;
        if (held && it->second.paper) account = it->second.paper->account();
        job->venue = std::make_unique<DryRunVenue>(*m.sim, account, cfg.capital);
        job->bot = std::make_unique<Bot>(bot_id, cfg, *job->venue, m.market, m.instruments, std::move(parts->source),
                                         std::move(*parts->risk), *m.clock, std::move(bo));
        if (held && it->second.spec_json == spec.spec_json) {
          job->bot->MirrorForDryRun(*it->second.bot);  // the bot as its next cycle will see itself
        } else {
          // As start would make it: the cycle count continues, the budget from today's spend.
          auto cycle = m.repo->MaxDecisionCycle(bot_id);
          if (!cycle.ok()) return cycle.status();
          job->bot->Resume(now, *cycle, BotStatus::kRunning);
          if (const auto& budget = job->bot->llm_budget()) {
            auto spent = m.repo->CostSince(bot_id, budget->DayStart());
            if (!spent.ok()) return spent.status();
            budget->Seed(*spent);
          }
        }
        auto pending = job->bot->BeginCycle(now);
        if (!pending) return NotFound("no candle of the bot's coins has closed by the market time " + FormatUtc(now));
        job->pending = std::move(*pending);
        dry_runs_.insert(bot_id);
        if (!job->bot->source().needs_prompt() || job->pending.decided) {
          // The baseline decides by rule in microseconds (or the budget refused the call).
          Bot::Decide(job->bot->source_for_worker(), job->pending, nullptr);
          FinishDryRun(job);
          return true;
        }
        if (!m.decide_pool) m.decide_pool = std::make_unique<boost::asio::thread_pool>(16);
        boost::asio::post(*m.decide_pool, [this, job] {
          Bot::Decide(job->bot->source_for_worker(), job->pending, &job->cancel);
          Post([this, job] { FinishDryRun(job); });
        });
        return true;
      },
      std::chrono::seconds(10));
  if (!begun.ok()) return begun.status();
  // The model call: bounded by `timeout`, then cancelled (its outcome is stored as a failed
  // call) with 10 s more for that outcome. A shutdown (CancelDryRuns) cancels it at once, waits
  // the same 10 s at most for that outcome to be stored, and answers Cancelled; so does a
  // runtime that stops (without waiting: it stores nothing more).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto give_up = deadline;
  bool cancelled = false, shutting_down = false;
  while (answer.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    const auto now = std::chrono::steady_clock::now();
    if (stop_.load()) {
      job->cancel.Cancel();
      return Status(StatusCode::kCancelled, "the runtime is shutting down");
    }
    const bool shutdown_now = !shutting_down && dry_runs_cancelled_.load();
    if (shutdown_now || (!cancelled && now >= deadline)) {
      job->cancel.Cancel();
      if (!cancelled) give_up = now + std::chrono::seconds(10);
      cancelled = true;
      shutting_down = shutting_down || shutdown_now;
    }
    if (cancelled && now >= give_up) {
      if (shutting_down) break;
      return Status(StatusCode::kTimeout, "the model did not answer in time");
    }
  }
  if (shutting_down) {
    std::string stored = "its outcome was not stored in time";
    if (answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      auto r = answer.get();
      stored = r.ok() ? "stored as the failed dry-run decision " + std::to_string(*r) : "not stored: " + r.status().message();
    }
    return Status(StatusCode::kCancelled,
                  "the server is shutting down: the dry run's model call was cancelled (" + stored + ")");
  }
  return answer.get();
}

void Service::CancelDryRuns() { dry_runs_cancelled_.store(true); }

void Service::FinishDryRun(const std::shared_ptr<DryRunJob>& job) {
  Impl& m = *impl_;
  dry_runs_.erase(job->bot_id);
  CycleRecord rec = job->bot->EvaluateCycle(std::move(job->pending));
  std::int64_t id = 0;
  Status s = m.Transaction([&]() -> Status {
    // The cycle's records as a real cycle's are written (decision, LLM usage), marked dry run;
    // the stream event this recorder queues is dropped with it.
    store::Repository repo(*m.db);
    repo.StoreDecisionsAsDryRuns();
    StoreRecorder recorder(repo);
    recorder.OnCycle(*job->bot, rec);
    AITRADER_RETURN_IF_ERROR(recorder.status());
    if (!repo.last_decision_id()) return Internal("the dry run's decision was not stored");
    id = *repo.last_decision_id();
    return Status::Ok();
  }, Impl::RefreshNone);
  m.Log("dry run of bot " + std::to_string(job->bot_id) + " (cycle " + std::to_string(rec.cycle) +
        "): " + (s.ok() ? rec.status : "not stored: " + s.message()));
  if (s.ok()) job->Answer(id);
  else job->Answer(s);
}

}  // namespace aitrader::engine
