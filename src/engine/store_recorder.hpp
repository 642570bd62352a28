// StoreRecorder: the BotObserver that writes what bots do into the database (step 8 of the
// cycle) — decisions with their raw answers, risk verdicts and the account value the prompt
// showed, LLM usage (one row per call, stamped with the wall clock), orders with their
// status history, fills, positions with exit plans, equity, alerts and status changes.
//
// It writes through the Repository inside the transaction the runtime holds open for the
// current bar, so one bar's effects are stored together or not at all. Observers can not
// return errors: the first failure is kept and the runtime checks it before committing
// (a bar whose records could not be stored is rolled back and the process stops).
// Events for the WebSocket stream are queued and handed out only after the commit
// (TakePublished()): state is stored before it is published.
// Thread safety: the bots' strand only.
#pragma once

#include <string>
#include <vector>

#include "engine/bot.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

// One line of the live event stream: {"type": "cycle"|"decision"|"order"|"fill"|"position"|
// "equity"|"alert"|"status", "bot_id": …, …}.
struct PublishedEvent {
  std::string type;
  std::int64_t bot_id = 0;
  std::string json;
};

class StoreRecorder final : public BotObserver {
 public:
  explicit StoreRecorder(store::Repository& repo, bool keep_equity_every_bar = true)
      : repo_(repo), every_bar_(keep_equity_every_bar) {}

  void OnCycle(const Bot& bot, const CycleRecord& r) override;
  void OnTradeOpened(const Bot& bot, const ClosedTrade& t) override;
  void OnTradeClosed(const Bot& bot, const ClosedTrade& t) override;
  void OnExecutionEvent(const Bot& bot, const exchange::ExecutionEvent& e) override;
  void OnEquity(const Bot& bot, UnixMs t, const exchange::Balance& b) override;
  void OnAlert(const Bot& bot, std::string_view severity, std::string_view kind, const std::string& message) override;
  void OnStatus(const Bot& bot, BotStatus from, BotStatus to) override;

  // The first write error since the last Reset (OK when none).
  const Status& status() const { return status_; }
  void Reset() { status_ = Status::Ok(); pending_.clear(); }
  // Events to publish once the bar's transaction committed.
  std::vector<PublishedEvent> TakePublished() { return std::move(pending_); }

 private:
  void Check(Status s);
  void Publish(std::string type, std::int64_t bot_id, std::string json);

  store::Repository& repo_;
  bool every_bar_;
  Status status_;
  std::vector<PublishedEvent> pending_;
};

// JSON of a cycle's decisions verdicts ([{"coin":…,"signal":…,"action":…,"detail":…,"denials":[…]}]).
std::string VerdictsJson(const std::vector<CoinVerdict>& verdicts);

}  // namespace aitrader::engine
