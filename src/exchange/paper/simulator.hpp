// PaperSimulator: a USDⓈ-M perpetual futures venue simulated over a market feed, for many
// accounts at once (one feed, e.g. 10,000 accounts of an arena or a parameter sweep).
//
// Driven by the feed: the replay driver (or a live feed) calls OnBars() once per closed bar
// with the candles of that bar time, after setting the injected clock to the bar's close.
// Orders are stamped with the clock when submitted and only data after that time can fill or
// trigger them (no look-ahead). The models (candle path, fills, slippage, fees, funding,
// margin, liquidation, reject codes) and their differences from Binance are described in
// docs/paper-exchange.md; in short:
//  - market orders fill at the next bar's open (or at once at the mark, kImmediate) plus
//    slippage; resting limit orders fill at their price as maker when the path crosses them;
//  - the intra-bar path is prev close → open → adverse extreme → favourable extreme → close
//    for the position held at the open (stop-loss before take-profit), and for a flat account
//    open → low → high → close on an up bar, open → high → low → close on a down bar;
//  - mark price = the path price, and the bar's close after the bar;
//  - one-way positions, isolated or cross margin, leverage 1..10 (hard cap), liquidation at
//    the tiered maintenance margin (the bracket the notional falls in) with Binance's
//    liquidation-price formula;
//  - every money movement is a ledger entry; SelfCheck() verifies the ledger invariant.
//
// Hot path: OnBars() scans per account a contiguous array of trigger bands (the nearest
// resting trigger below and above the price for each symbol, liquidation included) and, for
// cross accounts, one linear worst-case margin test; only an account whose band is touched
// takes the exact (slow) path. No allocation and no virtual call per account per bar unless
// something happens.
//
// Determinism: the same feed, calls and seed give byte-identical ledgers and events.
//
// Checkpoints: SaveCheckpoint() encodes every piece of mutable state (accounts, ledgers,
// orders, positions, queued events and their counters, marks, last candles, bar history,
// funding clock, open-interest series, the models' SaveState) in a versioned binary format;
// LoadCheckpoint() on a freshly created simulator with the same config, instruments, brackets
// and models restores it exactly: the restored simulator then behaves byte for byte like the
// one that was saved. Derived state (trigger bands, cross filters, the client-id index) is
// rebuilt on load. The bytes are untrusted on load: corrupt, truncated, foreign or
// mismatching input is an error naming the byte offset and field, never an abort. Format,
// version and errors: docs/paper-exchange.md, "Checkpoints".
// Thread safety: not thread-safe; one thread (or strand) drives the simulator and all its
// PaperExchange views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/instrument.hpp"
#include "core/margin_brackets.hpp"
#include "core/status.hpp"
#include "exchange/paper/ledger.hpp"
#include "exchange/paper/models.hpp"
#include "exchange/types.hpp"
#include "market/candle.hpp"

namespace aitrader::exchange::paper {

using AccountIndex = std::uint32_t;
using SymbolIndex = std::uint16_t;

// aitrader never trades above 10x, whatever the instrument allows.
inline constexpr int kHardLeverageCap = 10;

enum class MarketFillMode : std::uint8_t {
  kNextOpen,   // replay: a market order fills at the open of the next bar (default)
  kImmediate,  // live-like: a market order fills when submitted, at the current mark
};

struct SimulatorConfig {
  std::vector<std::string> symbols;       // instruments traded (each must be in the table)
  UnixMs bar_interval = 5 * kMinuteMs;     // the feed's bar length
  UnixMs funding_interval = 8 * kHourMs;   // funding at multiples of this since the epoch
  MarketFillMode market_fill = MarketFillMode::kNextOpen;
  bool limit_fill_on_touch = false;        // false: a resting limit fills only if price trades through it
  bool keep_history = true;                // keep bars for FetchOhlcv
  std::size_t event_queue_capacity = 4096; // per account; oldest dropped beyond
  std::size_t max_open_orders = 200;       // per account, [-2025] beyond
  std::uint64_t seed = 0;                  // feeds the slippage model's random draw
  bool walk_every_account = false;         // testing: skip the band filter, walk every account's bar
  // Maintenance-margin tiers; null: data/leverage_brackets.csv (MarginBracketTable::LoadDefault).
  // A symbol missing from the table has one tier from its instrument's first-tier fields.
  std::shared_ptr<const MarginBracketTable> brackets;
};

struct AccountConfig {
  Money deposit;                            // initial deposit (a ledger entry)
  FeeSchedule fees;                         // maker/taker rates
  int max_leverage = kHardLeverageCap;      // the account's cap, 1..10
  int default_leverage = kHardLeverageCap;  // per symbol until SetLeverage (clamped to the caps)
  MarginMode default_margin_mode = MarginMode::kCross;
};

// One symbol's candle of a bar.
struct SymbolBar {
  SymbolIndex symbol = 0;
  market::Candle candle;
};

class PaperSimulator {
 public:
  // Fails kInvalidArgument on an empty or unknown symbol list or a bad interval. Null models
  // mean the defaults: FixedBpsSlippage(2), RateFeeModel, SeriesFundingModel (0.01%).
  static Result<std::unique_ptr<PaperSimulator>> Create(const Clock& clock, const InstrumentTable& instruments,
                                                        SimulatorConfig config,
                                                        std::unique_ptr<SlippageModel> slippage = nullptr,
                                                        std::unique_ptr<FeeModel> fees = nullptr,
                                                        std::unique_ptr<FundingModel> funding = nullptr);
  ~PaperSimulator();
  PaperSimulator(const PaperSimulator&) = delete;
  PaperSimulator& operator=(const PaperSimulator&) = delete;

  // --- setup ---
  // kInvalidArgument when a cap is outside 1..10 or the deposit is negative.
  Result<AccountIndex> AddAccount(const AccountConfig& config);
  // Reserves room for n accounts (avoids reallocation while adding many).
  void ReserveAccounts(std::size_t n);
  std::size_t account_count() const { return accounts_.size(); }
  Status Deposit(AccountIndex account, Money amount);

  const std::vector<std::string>& symbols() const { return config_.symbols; }
  std::optional<SymbolIndex> FindSymbol(std::string_view symbol) const;
  const Instrument& instrument(SymbolIndex s) const { return instruments_[s]; }
  const SimulatorConfig& config() const { return config_; }

  // --- feed ---
  // Processes one closed bar: every candle has the same open_time, greater than the last
  // bar's; symbols strictly increasing; candles well-formed (low <= open, close <= high,
  // low > 0). Funding falling in (last bar, this bar's open] is applied first. Errors
  // (kInvalidArgument) leave the simulator unchanged.
  Status OnBars(std::span<const SymbolBar> bars);
  // One symbol's bar (convenience for single-symbol feeds and tests).
  Status OnCandle(std::string_view symbol, const market::Candle& candle);
  UnixMs last_bar_open() const { return last_bar_open_; }

  // --- the port, per account (PaperExchange forwards here) ---
  Result<Order> CreateOrder(AccountIndex account, const OrderRequest& request);
  Result<Order> CancelOrder(AccountIndex account, std::string_view symbol, const ClientOrderId& id);
  Result<std::vector<Order>> CancelAllOrders(AccountIndex account, std::string_view symbol);
  Status SetLeverage(AccountIndex account, std::string_view symbol, int leverage);
  Status SetMarginMode(AccountIndex account, std::string_view symbol, MarginMode mode);
  Result<Balance> FetchBalance(AccountIndex account) const;
  Result<std::vector<Position>> FetchPositions(AccountIndex account) const;
  Result<Position> FetchPosition(AccountIndex account, std::string_view symbol) const;  // even if flat
  Result<std::vector<Order>> FetchOpenOrders(AccountIndex account, std::string_view symbol) const;
  Result<Order> FetchOrder(AccountIndex account, const ClientOrderId& id) const;
  std::size_t PollEvents(AccountIndex account, std::vector<ExecutionEvent>& out, std::size_t max_events);
  // Market data the venue has seen.
  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                  std::size_t limit) const;
  Result<Ticker> FetchTicker(std::string_view symbol) const;
  Result<FundingRateInfo> FetchFundingRate(std::string_view symbol) const;
  Result<OpenInterest> FetchOpenInterest(std::string_view symbol) const;
  // Optional open-interest history for FetchOpenInterest (time-sorted by the caller).
  Status SetOpenInterestSeries(std::string_view symbol, std::vector<OpenInterest> series);

  // --- ledger and invariants ---
  const Ledger& ledger(AccountIndex account) const { return accounts_[account].ledger; }
  std::string SerializeLedger(AccountIndex account) const;
  // Wallet + unrealized PnL at the current marks.
  Money Equity(AccountIndex account) const;
  // Recomputes the wallet from the ledger and equity both ways (wallet + uPnL, and deposits +
  // realized − fees ± funding − liquidation fees + insurance + uPnL) and checks they agree to
  // the last unit, plus the structural invariants (running balances, leverage within 1..cap
  // <= 10, isolated margins >= 0, quantities on the step, open orders non-terminal).
  // kInternal naming the first violation.
  Status SelfCheck(AccountIndex account) const;

  // Called synchronously right after every event is queued, with the venue's state as of that
  // event (the mark of the traded symbol is the path price at that moment): tests check the
  // ledger invariant "after every event" with it, an audit log can record events in order.
  // The observer may call const queries (SelfCheck, Equity, Fetch*) but nothing that mutates.
  using EventObserver = std::function<void(AccountIndex, const ExecutionEvent&)>;
  void SetEventObserver(EventObserver observer) { observer_ = std::move(observer); }

  // --- checkpoints (docs/paper-exchange.md, "Checkpoints") ---
  // The format version SaveCheckpoint writes and LoadCheckpoint reads.
  static constexpr std::uint32_t kCheckpointVersion = 1;
  // The whole mutable state as bytes: a 28-byte header (magic "AITRPSIM", version, payload
  // size, FNV-1a-64 of the payload) and the little-endian payload. The bar history is included
  // (empty when keep_history is false). Byte-identical for identical states. kOutOfRange only
  // if a count does not fit the format's 32 bits.
  Result<std::string> SaveCheckpoint() const;
  // Restores a checkpoint into this simulator, which must be freshly created (no account, no
  // bar yet: else kFailedPrecondition) with the same symbols, bar and funding intervals, fill
  // modes, queue and order limits, seed, instruments and margin brackets as the saved one
  // (else kFailedPrecondition naming every difference), and the same models. Errors from the
  // bytes, which may be anything: kParseError (not a checkpoint, truncated, checksum
  // mismatch, a malformed or inconsistent field) or kInvalidArgument (an unsupported format
  // version, a model refusing its state), each naming the byte offset and the field. On any
  // error the simulator is unchanged.
  Status LoadCheckpoint(std::string_view bytes);

  // For tests and the docs: the liquidation price of the account's position on a symbol at
  // the current marks (0 when flat or not liquidatable).
  Price LiquidationPrice(AccountIndex account, std::string_view symbol) const;

 private:
  struct PositionState {
    std::int64_t qty = 0;         // signed Quantity raw
    std::int64_t entry = 0;       // Price raw
    std::int64_t iso_margin = 0;  // Money raw (isolated only)
    std::int32_t leverage = 1;
    MarginMode mode = MarginMode::kCross;
  };
  struct Band {  // a bar needs the slow path if low <= lo or high >= hi
    std::int64_t lo = INT64_MIN;
    std::int64_t hi = INT64_MAX;
  };
  struct OrderRecord {
    Order order;
    SymbolIndex symbol = 0;
    bool pending_taker = false;  // fills at the next open (market, marketable limit)
  };
  struct Account {
    AccountConfig config;
    Ledger ledger;
    std::vector<OrderRecord> orders;           // every order ever, index = id − 1
    std::vector<std::uint32_t> open;           // indices of open orders, oldest first
    std::unordered_map<std::string, std::uint32_t> by_client_id;
    std::deque<ExecutionEvent> events;
    std::uint64_t events_dropped = 0;
    std::uint64_t event_seq = 0;
    std::uint64_t trade_seq = 0;
  };
  struct PostTrade {
    std::int64_t qty = 0, entry = 0, iso_margin = 0;
    std::int64_t realized = 0;  // Money raw, quantized
    bool increases = false;     // exposure grows (opening, adding or flipping)
  };

  struct Checkpoint;  // the codec (checkpoint.cpp)

  PaperSimulator(const Clock& clock, SimulatorConfig config, std::vector<Instrument> instruments,
                 std::unique_ptr<SlippageModel> slippage, std::unique_ptr<FeeModel> fees,
                 std::unique_ptr<FundingModel> funding);

  PositionState& Pos(AccountIndex a, SymbolIndex s) { return positions_[std::size_t{a} * nsym_ + s]; }
  const PositionState& Pos(AccountIndex a, SymbolIndex s) const { return positions_[std::size_t{a} * nsym_ + s]; }
  Status CheckAccount(AccountIndex a) const;
  Result<SymbolIndex> SymbolOr(std::string_view symbol) const;

  // Order handling.
  RejectReason Validate(AccountIndex a, SymbolIndex s, const OrderRequest& r, bool* marketable) const;
  std::int64_t ProjectedQty(AccountIndex a, SymbolIndex s) const;
  Order& Reject(AccountIndex a, std::uint32_t idx, RejectReason reason);
  void Close(AccountIndex a, std::uint32_t idx, OrderStatus to, RejectReason reason, UnixMs time);
  void ExpireReduceOnlyIfFlat(AccountIndex a, SymbolIndex s, UnixMs time);

  // Money math.
  PostTrade ComputePostTrade(const PositionState& p, std::int64_t dq, std::int64_t price) const;
  bool MarginOk(AccountIndex a, SymbolIndex s, const PostTrade& t, std::int64_t fee, const std::int64_t* marks,
                bool include_open_orders, std::uint32_t exclude_order) const;
  std::int64_t UnrealizedRaw(const PositionState& p, std::int64_t mark) const;  // Money raw (1e-9)
  // Liquidation price raw (0 = none) of the position on s with the other symbols at marks.
  std::int64_t LiquidationRaw(AccountIndex a, SymbolIndex s, const std::int64_t* marks) const;
  // The same from its parts: the cross wallet and the sum of the other cross positions'
  // CrossTerm27 (both ignored for an isolated position). p.qty must be non-zero.
  std::int64_t LiquidationFromOthers(AccountIndex a, SymbolIndex s, std::int64_t cross_wallet, __int128 others27) const;
  // A cross position's term of Binance's cross liquidation formula, in 1e-27 USDT: its
  // unrealized PnL minus its maintenance margin at marks[j].
  __int128 CrossTerm27(SymbolIndex j, const PositionState& o, const std::int64_t* marks) const;
  // The maintenance tier of symbol s for a notional in 1e-18 USDT.
  const MarginBracket& Tier(SymbolIndex s, __int128 notional18) const;
  std::int64_t CrossWalletRaw(AccountIndex a) const;

  // Execution.
  enum class FillResult { kFilled, kExpired };
  FillResult ExecuteFill(AccountIndex a, std::uint32_t idx, std::int64_t price, Liquidity liq, std::int64_t* marks,
                         UnixMs time);
  void Liquidate(AccountIndex a, SymbolIndex s, std::int64_t price, UnixMs time);
  void ProcessAccountBar(AccountIndex a, std::span<const SymbolBar> bars, std::int64_t* marks);
  void ProcessSymbolCandle(AccountIndex a, SymbolIndex s, const market::Candle& c, std::int64_t* marks);
  void RunSegment(AccountIndex a, SymbolIndex s, std::int64_t from, std::int64_t to, const market::Candle& c,
                  UnixMs time, std::int64_t* marks);
  // Fills the orders waiting for this open; true when there were any.
  bool FillPendingTakers(AccountIndex a, SymbolIndex s, const market::Candle& c, std::int64_t* marks);
  std::int64_t SlippedPrice(AccountIndex a, SymbolIndex s, Side side, std::int64_t reference, std::int64_t qty,
                            const market::Candle& c);
  void ApplyFunding(UnixMs funding_time);
  void Refresh(AccountIndex a);  // recompute bands and the cross filter of an account

  void Emit(AccountIndex a, ExecutionEvent e);
  ExecutionEvent OrderEvent(EventKind kind, const OrderRecord& r, UnixMs time) const;
  void EmitPosition(AccountIndex a, SymbolIndex s, UnixMs time);
  Position MakePosition(AccountIndex a, SymbolIndex s) const;
  Position MakePosition(AccountIndex a, SymbolIndex s, std::int64_t liquidation_raw) const;

  const Clock& clock_;
  SimulatorConfig config_;
  std::vector<Instrument> instruments_;  // by SymbolIndex
  std::vector<std::vector<MarginBracket>> tiers_;  // maintenance tiers by SymbolIndex
  std::size_t nsym_ = 0;
  std::unique_ptr<SlippageModel> slippage_;
  std::unique_ptr<FeeModel> fees_;
  std::unique_ptr<FundingModel> funding_;

  // Per symbol.
  std::vector<std::int64_t> marks_;        // Price raw; 0 before the first bar
  std::vector<market::Candle> last_candle_;
  std::vector<market::CandleSeries> history_;
  std::vector<std::vector<OpenInterest>> open_interest_;
  std::vector<std::int64_t> worst_low_, worst_high_;  // per bar scratch
  std::vector<std::int64_t> scratch_marks_;
  // The marks queries see: marks_, or the path marks while an account's bar is processed.
  const std::int64_t* view_marks_ = nullptr;
  EventObserver observer_;
  UnixMs last_bar_open_ = INT64_MIN;
  UnixMs next_funding_ = INT64_MIN;

  // Per account (hot arrays are flat: index a * nsym_ + s).
  std::vector<Account> accounts_;
  std::vector<PositionState> positions_;
  std::vector<Band> bands_;
  std::vector<__int128> cross_a_;  // |q| × (side − MMR) in 1e-18; 0 when no cross position
  std::vector<__int128> cross_c_;  // per account, 1e-27: liquidation possible if Σ a × w <= c
  std::vector<std::int64_t> cross_lo_, cross_hi_;  // price range of each cross position's tier
  std::vector<std::uint8_t> cross_active_;
};

}  // namespace aitrader::exchange::paper
