// PaperSimulator::SaveCheckpoint / LoadCheckpoint: the binary codec of the simulator's
// mutable state (format: docs/paper-exchange.md, "Checkpoints").
//
// Encoding: little-endian fixed-width integers, strings as a u32 length and the bytes, enums
// and flags as one byte, money/price/quantity/ratio as their i64 raw value, candle volume as
// the IEEE-754 bits of the double. Counts are u32. The payload is canonical: one state has
// one encoding, and every load check refuses what the saver never writes (unknown flag bits,
// out-of-range enums, unsorted lists), so a state that loads saves back to the same bytes.
#include <algorithm>
#include <bit>
#include <cstring>

#include "exchange/paper/simulator.hpp"

namespace aitrader::exchange::paper {

namespace {

constexpr char kMagic[8] = {'A', 'I', 'T', 'R', 'P', 'S', 'I', 'M'};
constexpr std::size_t kHeaderSize = 8 + 4 + 8 + 8;  // magic, version, payload size, checksum

std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Hex(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int i = 60; i >= 0; i -= 4) out += kDigits[(v >> i) & 0xF];
  return out;
}

class Writer {
 public:
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(std::uint16_t v) { Le(v, 2); }
  void U32(std::uint32_t v) { Le(v, 4); }
  void U64(std::uint64_t v) { Le(v, 8); }
  void I16(std::int16_t v) { U16(static_cast<std::uint16_t>(v)); }
  void I32(std::int32_t v) { U32(static_cast<std::uint32_t>(v)); }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  template <class Tag>
  void Fx(Fixed<Tag> v) {
    I64(v.raw());
  }
  void F64(double v) { U64(std::bit_cast<std::uint64_t>(v)); }
  template <class E>
  void Enum(E v) {
    U8(static_cast<std::uint8_t>(v));
  }
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void Candle(const market::Candle& c) {
    I64(c.open_time);
    Fx(c.open);
    Fx(c.high);
    Fx(c.low);
    Fx(c.close);
    F64(c.volume);
  }
  std::string& out() { return out_; }

 private:
  void Le(std::uint64_t v, int n) {
    char b[8];
    for (int i = 0; i < n; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    out_.append(b, static_cast<std::size_t>(n));
  }
  std::string out_;
};

constexpr std::size_t kCandleBytes = 48;

// Reads the payload. The first error sticks (later reads return zeros and do nothing), so a
// caller checks ok() where a value is about to be trusted (a count, the end of a section).
class Reader {
 public:
  Reader(std::string_view data, std::size_t base) : data_(data), base_(base) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  std::size_t offset() const { return base_ + pos_; }  // absolute, in the whole checkpoint
  std::size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }

  // Where the reads are (named in errors).
  void Section(const char* section) {
    section_ = section;
    account_ = -1;
    item_kind_ = nullptr;
  }
  void Account(std::int64_t a) {
    account_ = a;
    item_kind_ = nullptr;
  }
  void Item(const char* kind, std::int64_t i) {
    item_kind_ = kind;
    item_ = i;
  }
  void NoItem() { item_kind_ = nullptr; }

  // Records an error about the field that starts at `at` (absolute offset).
  void FailAt(std::size_t at, const char* field, const std::string& what) {
    if (!status_.ok()) return;
    std::string where = "paper checkpoint: byte " + std::to_string(at) + " (" + section_;
    if (account_ >= 0) where += ", account " + std::to_string(account_);
    if (item_kind_ != nullptr) where += std::string(", ") + item_kind_ + " " + std::to_string(item_);
    where += std::string(", field '") + field + "'): ";
    status_ = ParseError(where + what);
  }
  // An error about the field just read.
  void Fail(const char* field, const std::string& what) { FailAt(last_, field, what); }

  std::uint64_t Le(const char* field, int n) {
    last_ = offset();
    if (!ok()) return 0;
    if (remaining() < static_cast<std::size_t>(n)) {
      Fail(field, "truncated: needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(data_[pos_ + i])} << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::uint8_t U8(const char* f) { return static_cast<std::uint8_t>(Le(f, 1)); }
  std::uint16_t U16(const char* f) { return static_cast<std::uint16_t>(Le(f, 2)); }
  std::uint32_t U32(const char* f) { return static_cast<std::uint32_t>(Le(f, 4)); }
  std::uint64_t U64(const char* f) { return Le(f, 8); }
  std::int16_t I16(const char* f) { return static_cast<std::int16_t>(U16(f)); }
  std::int32_t I32(const char* f) { return static_cast<std::int32_t>(U32(f)); }
  std::int64_t I64(const char* f) { return static_cast<std::int64_t>(U64(f)); }
  bool Bool(const char* f) {
    const std::uint8_t v = U8(f);
    if (v > 1) Fail(f, "boolean byte " + std::to_string(v) + " is neither 0 nor 1");
    return v == 1;
  }
  template <class Tag>
  Fixed<Tag> Fx(const char* f) {
    return Fixed<Tag>::FromRaw(I64(f));
  }
  Price Px(const char* f) { return Fx<PriceTag>(f); }
  Quantity Qty(const char* f) { return Fx<QuantityTag>(f); }
  Money Mon(const char* f) { return Fx<MoneyTag>(f); }
  Ratio Rat(const char* f) { return Fx<RatioTag>(f); }
  double F64(const char* f) { return std::bit_cast<double>(U64(f)); }
  // An enum stored as one byte, valid in 0..max.
  template <class E>
  E Enum(const char* f, E max) {
    const std::uint8_t v = U8(f);
    if (v > static_cast<std::uint8_t>(max)) {
      Fail(f, "value " + std::to_string(v) + " is out of range 0.." + std::to_string(static_cast<int>(max)));
      return static_cast<E>(0);
    }
    return static_cast<E>(v);
  }
  std::string Str(const char* f, std::size_t max_len = SIZE_MAX) {
    const std::uint32_t n = U32(f);
    if (!ok()) return {};
    if (n > remaining()) {
      Fail(f, "truncated: a string of " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
      return {};
    }
    if (n > max_len) {
      Fail(f, "a string of " + std::to_string(n) + " bytes, at most " + std::to_string(max_len) + " allowed");
      return {};
    }
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items of at least `min_bytes` each: refused when the bytes left cannot hold
  // them (so a corrupt count never makes a huge allocation).
  std::uint32_t Count(const char* f, std::size_t min_bytes) {
    const std::uint32_t n = U32(f);
    if (ok() && static_cast<std::uint64_t>(n) * min_bytes > remaining()) {
      Fail(f, "count " + std::to_string(n) + " needs at least " + std::to_string(std::uint64_t{n} * min_bytes) +
                  " bytes, " + std::to_string(remaining()) + " left");
      return 0;
    }
    return ok() ? n : 0;
  }
  market::Candle Candle(const char* f) {
    market::Candle c;
    c.open_time = I64(f);
    c.open = Px(f);
    c.high = Px(f);
    c.low = Px(f);
    c.close = Px(f);
    c.volume = F64(f);
    return c;
  }

 private:
  std::string_view data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
  std::size_t last_ = 0;
  Status status_;
  const char* section_ = "header";
  std::int64_t account_ = -1;
  const char* item_kind_ = nullptr;
  std::int64_t item_ = 0;
};

bool WellFormed(const market::Candle& c) {
  return c.low.IsPositive() && c.low <= c.open && c.low <= c.close && c.high >= c.open && c.high >= c.close;
}
bool IsDefault(const market::Candle& c) {
  return c.open_time == 0 && c.open.IsZero() && c.high.IsZero() && c.low.IsZero() && c.close.IsZero() &&
         std::bit_cast<std::uint64_t>(c.volume) == 0;
}

// The encoding of what the checkpoint fingerprints: an instrument's fields, a symbol's tiers.
std::uint64_t InstrumentFingerprint(const Instrument& i) {
  Writer w;
  w.Str(i.symbol);
  w.Str(i.base);
  w.Str(i.quote);
  w.Fx(i.tick_size);
  w.Fx(i.step_size);
  w.Fx(i.min_qty);
  w.Fx(i.min_notional);
  w.I32(i.max_leverage);
  w.Fx(i.maint_margin_rate);
  w.Fx(i.maint_amount);
  w.Fx(i.liquidation_fee_rate);
  return Fnv1a64(w.out());
}
std::uint64_t TiersFingerprint(const std::vector<MarginBracket>& tiers) {
  Writer w;
  w.U32(static_cast<std::uint32_t>(tiers.size()));
  for (const auto& b : tiers) {
    w.Fx(b.notional_floor);
    w.Fx(b.notional_cap);
    w.Fx(b.maint_margin_rate);
    w.Fx(b.maint_amount);
    w.I32(b.max_leverage);
  }
  return Fnv1a64(w.out());
}

std::string_view FillModeName(MarketFillMode m) { return m == MarketFillMode::kImmediate ? "immediate" : "next-open"; }

// Order flags byte.
constexpr std::uint8_t kFlagReduceOnly = 1;
constexpr std::uint8_t kFlagClosePosition = 2;
constexpr std::uint8_t kFlagPendingTaker = 4;
constexpr std::uint8_t kFlagOwnSymbol = 8;  // the order names a symbol the venue does not list
constexpr std::uint8_t kOrderFlags = 15;

// Smallest encodings (for Count): an order, an event, a ledger entry, a position.
constexpr std::size_t kMinOrderBytes = 4 + 2 + 1 + 3 + 8 * 3 + 2 + 8 * 3 + 8 * 2;
constexpr std::size_t kMinEventBytes = 1 + 8 + 8 + 4 + 8 + 4 + 1 + 1 + 1 + 8 * 10 + 1 + 8;
constexpr std::size_t kLedgerEntryBytes = 8 + 1 + 2 + 8 + 8 + 8;
constexpr std::size_t kPositionBytes = 8 * 3 + 4 + 1;
constexpr std::size_t kMinAccountBytes = 8 * 3 + 4 * 2 + 1 + 4 * 4 + 8 * 3;

bool Fits64(__int128 v) { return v <= INT64_MAX && v >= INT64_MIN; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// The codec: a nested type, so it may read the simulator's private state.

struct PaperSimulator::Checkpoint {
  static void WriteOrder(Writer& w, const PaperSimulator& sim, const OrderRecord& r) {
    const Order& o = r.order;
    const bool own_symbol = o.symbol != sim.instruments_[r.symbol].symbol;
    w.Str(o.client_id.value());
    w.U16(r.symbol);
    std::uint8_t flags = 0;
    if (o.reduce_only) flags |= kFlagReduceOnly;
    if (o.close_position) flags |= kFlagClosePosition;
    if (r.pending_taker) flags |= kFlagPendingTaker;
    if (own_symbol) flags |= kFlagOwnSymbol;
    w.U8(flags);
    if (own_symbol) w.Str(o.symbol);
    w.Enum(o.side);
    w.Enum(o.type);
    w.Enum(o.time_in_force);
    w.Fx(o.quantity);
    w.Fx(o.price);
    w.Fx(o.stop_price);
    w.Enum(o.status);
    w.Enum(o.reason);
    w.Fx(o.filled_quantity);
    w.Fx(o.average_price);
    w.Fx(o.fee_paid);
    w.I64(o.created_at);
    w.I64(o.updated_at);
  }

  static void WriteEvent(Writer& w, const ExecutionEvent& e) {
    w.Enum(e.kind);
    w.I64(e.time);
    w.U64(e.seq);
    w.Str(e.symbol);
    w.I64(e.order_id.value());
    w.Str(e.client_id.value());
    w.Enum(e.order_status);
    w.Enum(e.reason);
    w.Enum(e.side);
    w.Fx(e.quantity);
    w.Fx(e.price);
    w.Fx(e.fee);
    w.Fx(e.realized_pnl);
    w.Fx(e.insurance);
    w.Fx(e.funding);
    w.Fx(e.funding_due);
    w.Fx(e.funding_rate);
    w.Fx(e.position_after);
    w.Fx(e.entry_after);
    w.Enum(e.liquidity);
    w.U64(e.count);
  }

  static Result<std::string> Save(const PaperSimulator& sim) {
    const std::size_t nsym = sim.nsym_;
    auto too_many = [](std::size_t n, const char* what) -> Status {
      return OutOfRange("paper checkpoint: " + std::to_string(n) + " " + what + " do not fit the format's 32-bit count");
    };
    if (sim.accounts_.size() > UINT32_MAX) return too_many(sim.accounts_.size(), "accounts");
    // One buffer, sized up front from the counts: the header first (its size and checksum
    // filled in at the end), then the payload.
    std::size_t estimate = kHeaderSize + 256 + nsym * 128;
    for (std::size_t s = 0; s < nsym; ++s) estimate += sim.history_[s].size() * kCandleBytes;
    for (const Account& acc : sim.accounts_) {
      estimate += kMinAccountBytes + nsym * kPositionBytes + acc.ledger.entries().size() * kLedgerEntryBytes +
                  acc.orders.size() * (kMinOrderBytes + 16) + acc.open.size() * 4 +
                  acc.events.size() * (kMinEventBytes + 24);
    }
    Writer w;
    w.out().reserve(estimate);
    w.out().append(kMagic, sizeof kMagic);
    w.U32(kCheckpointVersion);
    w.U64(0);  // payload size
    w.U64(0);  // checksum
    // The configuration it was made with (checked on load).
    w.U32(static_cast<std::uint32_t>(nsym));
    for (std::size_t s = 0; s < nsym; ++s) {
      w.Str(sim.instruments_[s].symbol);
      w.U64(InstrumentFingerprint(sim.instruments_[s]));
      w.U64(TiersFingerprint(sim.tiers_[s]));
    }
    const SimulatorConfig& c = sim.config_;
    w.I64(c.bar_interval);
    w.I64(c.funding_interval);
    w.Enum(c.market_fill);
    w.Bool(c.limit_fill_on_touch);
    w.Bool(c.keep_history);
    w.U64(c.event_queue_capacity);
    w.U64(c.max_open_orders);
    w.U64(c.seed);
    // The models' own state.
    w.Str(sim.slippage_->SaveState());
    w.Str(sim.fees_->SaveState());
    w.Str(sim.funding_->SaveState());
    // Market state.
    w.I64(sim.last_bar_open_);
    w.I64(sim.next_funding_);
    for (std::size_t s = 0; s < nsym; ++s) {
      w.I64(sim.marks_[s]);
      w.Candle(sim.last_candle_[s]);
      const market::CandleSeries& h = sim.history_[s];
      if (h.size() > UINT32_MAX) return too_many(h.size(), "history bars");
      w.U32(static_cast<std::uint32_t>(h.size()));
      for (std::size_t i = 0; i < h.size(); ++i) w.Candle(h[i]);
      const std::vector<OpenInterest>& oi = sim.open_interest_[s];
      if (oi.size() > UINT32_MAX) return too_many(oi.size(), "open-interest points");
      w.U32(static_cast<std::uint32_t>(oi.size()));
      for (const OpenInterest& o : oi) {
        w.Str(o.symbol);
        w.Fx(o.open_interest);
        w.I64(o.time);
      }
    }
    // Accounts.
    w.U32(static_cast<std::uint32_t>(sim.accounts_.size()));
    for (std::size_t a = 0; a < sim.accounts_.size(); ++a) {
      const Account& acc = sim.accounts_[a];
      const AccountConfig& ac = acc.config;
      w.Fx(ac.deposit);
      w.Fx(ac.fees.maker);
      w.Fx(ac.fees.taker);
      w.I32(ac.max_leverage);
      w.I32(ac.default_leverage);
      w.Enum(ac.default_margin_mode);
      for (std::size_t s = 0; s < nsym; ++s) {
        const PositionState& p = sim.positions_[a * nsym + s];
        w.I64(p.qty);
        w.I64(p.entry);
        w.I64(p.iso_margin);
        w.I32(p.leverage);
        w.Enum(p.mode);
      }
      const auto& entries = acc.ledger.entries();
      if (entries.size() > UINT32_MAX) return too_many(entries.size(), "ledger entries");
      w.U32(static_cast<std::uint32_t>(entries.size()));
      for (const LedgerEntry& e : entries) {
        w.I64(e.time);
        w.Enum(e.kind);
        w.I16(e.symbol);
        w.Fx(e.amount);
        w.Fx(e.balance_after);
        w.I64(e.ref);
      }
      if (acc.orders.size() > UINT32_MAX) return too_many(acc.orders.size(), "orders");
      w.U32(static_cast<std::uint32_t>(acc.orders.size()));
      for (const OrderRecord& r : acc.orders) WriteOrder(w, sim, r);
      w.U32(static_cast<std::uint32_t>(acc.open.size()));
      for (std::uint32_t idx : acc.open) w.U32(idx);
      if (acc.events.size() > UINT32_MAX) return too_many(acc.events.size(), "events");
      w.U32(static_cast<std::uint32_t>(acc.events.size()));
      for (const ExecutionEvent& e : acc.events) WriteEvent(w, e);
      w.U64(acc.events_dropped);
      w.U64(acc.event_seq);
      w.U64(acc.trade_seq);
    }
    // The header's size and checksum of the payload.
    std::string out = std::move(w.out());
    const std::string_view payload = std::string_view(out).substr(kHeaderSize);
    const std::uint64_t fields[2] = {payload.size(), Fnv1a64(payload)};
    for (int f = 0; f < 2; ++f) {
      for (int i = 0; i < 8; ++i) out[12 + 8 * f + i] = static_cast<char>((fields[f] >> (8 * i)) & 0xFF);
    }
    return out;
  }

  // --- loading ---

  // Everything a checkpoint replaces, read into temporaries first.
  struct State {
    std::string slippage_state, fee_state, funding_state;
    std::size_t model_offsets[3] = {0, 0, 0};
    UnixMs last_bar_open = INT64_MIN, next_funding = INT64_MIN;
    std::vector<std::int64_t> marks;
    std::vector<market::Candle> last_candle;
    std::vector<std::vector<market::Candle>> history;
    std::vector<std::vector<OpenInterest>> open_interest;
    std::vector<Account> accounts;
    std::vector<PositionState> positions;
    std::vector<std::size_t> account_offsets;
  };

  // The configuration section: its differences from this simulator, or "".
  static std::string ReadConfig(Reader& r, const PaperSimulator& sim) {
    std::vector<std::string> diffs;
    r.Section("configuration");
    const std::uint32_t n = r.Count("symbol count", 4 + 16);
    std::vector<std::string> symbols;
    std::vector<std::uint64_t> ins_fp, tier_fp;
    for (std::uint32_t s = 0; s < n && r.ok(); ++s) {
      r.Item("symbol", s);
      symbols.push_back(r.Str("symbol"));
      ins_fp.push_back(r.U64("instrument fingerprint"));
      tier_fp.push_back(r.U64("brackets fingerprint"));
    }
    r.NoItem();
    if (!r.ok()) return {};
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
      return out;
    };
    if (symbols != sim.config_.symbols) {
      diffs.push_back("symbols (checkpoint " + join(symbols) + ", simulator " + join(sim.config_.symbols) + ")");
    } else {
      for (std::size_t s = 0; s < symbols.size(); ++s) {
        const std::uint64_t mine = InstrumentFingerprint(sim.instruments_[s]);
        if (mine != ins_fp[s]) {
          diffs.push_back("instrument " + symbols[s] + " (tick, step, limits or margin fields: fingerprint " +
                          Hex(ins_fp[s]) + " in the checkpoint, " + Hex(mine) + " here)");
        }
        const std::uint64_t tiers = TiersFingerprint(sim.tiers_[s]);
        if (tiers != tier_fp[s]) {
          diffs.push_back("margin brackets of " + symbols[s] + " (fingerprint " + Hex(tier_fp[s]) +
                          " in the checkpoint, " + Hex(tiers) + " here)");
        }
      }
    }
    const SimulatorConfig& c = sim.config_;
    const UnixMs bar = r.I64("bar_interval");
    const UnixMs funding = r.I64("funding_interval");
    const MarketFillMode fill = r.Enum("market_fill", MarketFillMode::kImmediate);
    const bool touch = r.Bool("limit_fill_on_touch");
    const bool history = r.Bool("keep_history");
    const std::uint64_t queue = r.U64("event_queue_capacity");
    const std::uint64_t max_open = r.U64("max_open_orders");
    const std::uint64_t seed = r.U64("seed");
    if (!r.ok()) return {};
    auto interval = [](UnixMs v) { return v > 0 ? FormatInterval(v) : std::to_string(v) + " ms"; };
    if (bar != c.bar_interval) {
      diffs.push_back("bar interval (checkpoint " + interval(bar) + ", simulator " + interval(c.bar_interval) + ")");
    }
    if (funding != c.funding_interval) {
      diffs.push_back("funding interval (checkpoint " + interval(funding) + ", simulator " +
                      interval(c.funding_interval) + ")");
    }
    if (fill != c.market_fill) {
      diffs.push_back("market fill mode (checkpoint " + std::string(FillModeName(fill)) + ", simulator " +
                      std::string(FillModeName(c.market_fill)) + ")");
    }
    auto yes_no = [](bool b) { return std::string(b ? "true" : "false"); };
    if (touch != c.limit_fill_on_touch) {
      diffs.push_back("limit_fill_on_touch (checkpoint " + yes_no(touch) + ", simulator " +
                      yes_no(c.limit_fill_on_touch) + ")");
    }
    if (history != c.keep_history) {
      diffs.push_back("keep_history (checkpoint " + yes_no(history) + ", simulator " + yes_no(c.keep_history) + ")");
    }
    if (queue != c.event_queue_capacity) {
      diffs.push_back("event_queue_capacity (checkpoint " + std::to_string(queue) + ", simulator " +
                      std::to_string(c.event_queue_capacity) + ")");
    }
    if (max_open != c.max_open_orders) {
      diffs.push_back("max_open_orders (checkpoint " + std::to_string(max_open) + ", simulator " +
                      std::to_string(c.max_open_orders) + ")");
    }
    if (seed != c.seed) {
      diffs.push_back("seed (checkpoint " + std::to_string(seed) + ", simulator " + std::to_string(c.seed) + ")");
    }
    std::string out;
    for (const auto& d : diffs) out += (out.empty() ? "" : "; ") + d;
    return out;
  }

  static void ReadMarket(Reader& r, const PaperSimulator& sim, State& st) {
    const std::size_t nsym = sim.nsym_;
    r.Section("models");
    st.model_offsets[0] = r.offset();
    st.slippage_state = r.Str("slippage model state");
    st.model_offsets[1] = r.offset();
    st.fee_state = r.Str("fee model state");
    st.model_offsets[2] = r.offset();
    st.funding_state = r.Str("funding model state");
    r.Section("market");
    st.last_bar_open = r.I64("last_bar_open");
    st.next_funding = r.I64("next_funding");
    if (!r.ok()) return;
    const UnixMs fi = sim.config_.funding_interval;
    if ((st.last_bar_open == INT64_MIN) != (st.next_funding == INT64_MIN)) {
      r.Fail("next_funding", "the funding clock and the last bar disagree on whether a bar was seen");
      return;
    }
    if (st.last_bar_open != INT64_MIN &&
        (st.next_funding <= st.last_bar_open || st.next_funding % fi != 0 ||
         static_cast<__int128>(st.next_funding) - fi > st.last_bar_open)) {
      r.Fail("next_funding", "next funding " + std::to_string(st.next_funding) +
                                 " is not the first funding time after the last bar " +
                                 std::to_string(st.last_bar_open));
      return;
    }
    st.marks.assign(nsym, 0);
    st.last_candle.assign(nsym, market::Candle{});
    st.history.assign(nsym, {});
    st.open_interest.assign(nsym, {});
    for (std::size_t s = 0; s < nsym && r.ok(); ++s) {
      r.Item("symbol", static_cast<std::int64_t>(s));
      st.marks[s] = r.I64("mark");
      if (r.ok() && st.marks[s] < 0) r.Fail("mark", "negative mark price");
      const std::size_t at = r.offset();
      st.last_candle[s] = r.Candle("last candle");
      if (r.ok()) {
        const market::Candle& c = st.last_candle[s];
        const bool seen = st.marks[s] != 0;
        if (seen ? !WellFormed(c) || c.open_time > st.last_bar_open : !IsDefault(c)) {
          r.FailAt(at, "last candle", seen ? "malformed candle or one after the last bar" : "a candle without a mark");
        }
      }
      const std::uint32_t nh = r.Count("history count", kCandleBytes);
      if (nh > 0 && !sim.config_.keep_history) r.Fail("history count", "bars kept though keep_history is false");
      auto& h = st.history[s];
      h.reserve(nh);
      for (std::uint32_t i = 0; i < nh && r.ok(); ++i) {
        const std::size_t cat = r.offset();
        const market::Candle c = r.Candle("history bar");
        if (!r.ok()) break;
        if (!WellFormed(c) || c.open_time > st.last_bar_open || (!h.empty() && c.open_time <= h.back().open_time)) {
          r.FailAt(cat, "history bar", "bar " + std::to_string(i) + " is malformed, out of order or after the last bar");
        }
        h.push_back(c);
      }
      const std::uint32_t noi = r.Count("open-interest count", 4 + 16);
      auto& oi = st.open_interest[s];
      oi.reserve(noi);
      for (std::uint32_t i = 0; i < noi && r.ok(); ++i) {
        OpenInterest o;
        o.symbol = r.Str("open-interest symbol");
        o.open_interest = r.Qty("open interest");
        o.time = r.I64("open-interest time");
        oi.push_back(std::move(o));
      }
    }
    r.NoItem();
  }

  static void ReadOrder(Reader& r, const PaperSimulator& sim, std::uint32_t idx, Account& acc) {
    const std::size_t at = r.offset();
    OrderRecord rec;
    Order& o = rec.order;
    o.id = OrderId(static_cast<std::int64_t>(idx) + 1);
    o.client_id = ClientOrderId(r.Str("client_id", 36));
    if (r.ok() && !IsValidClientOrderId(o.client_id.value())) r.Fail("client_id", "not a valid client order id");
    if (r.ok() && !acc.by_client_id.emplace(o.client_id.value(), idx).second) {
      r.Fail("client_id", "client order id '" + o.client_id.value() + "' is used twice");
    }
    rec.symbol = r.U16("symbol index");
    if (r.ok() && rec.symbol >= sim.nsym_) r.Fail("symbol index", "symbol index " + std::to_string(rec.symbol) + " out of range");
    const std::uint8_t flags = r.U8("flags");
    if (r.ok() && (flags & ~kOrderFlags) != 0) r.Fail("flags", "unknown flag bits");
    o.reduce_only = (flags & kFlagReduceOnly) != 0;
    o.close_position = (flags & kFlagClosePosition) != 0;
    rec.pending_taker = (flags & kFlagPendingTaker) != 0;
    const bool own = (flags & kFlagOwnSymbol) != 0;
    if (!r.ok()) return;
    if (own) {
      o.symbol = r.Str("symbol");
      if (r.ok() && (rec.symbol != 0 || o.symbol == sim.instruments_[rec.symbol].symbol)) {
        r.Fail("symbol", "an unlisted symbol's order must name it with symbol index 0");
      }
    } else {
      o.symbol = sim.instruments_[rec.symbol].symbol;
    }
    o.side = r.Enum("side", Side::kSell);
    o.type = r.Enum("type", OrderType::kTakeProfitMarket);
    o.time_in_force = r.Enum("time_in_force", TimeInForce::kGtx);
    o.quantity = r.Qty("quantity");
    o.price = r.Px("price");
    o.stop_price = r.Px("stop_price");
    o.status = r.Enum("status", OrderStatus::kRejected);
    o.reason = r.Enum("reason", kLastRejectReason);
    o.filled_quantity = r.Qty("filled_quantity");
    o.average_price = r.Px("average_price");
    o.fee_paid = r.Mon("fee_paid");
    o.created_at = r.I64("created_at");
    o.updated_at = r.I64("updated_at");
    if (!r.ok()) return;
    const bool open = !IsTerminal(o.status);
    if (own && (open || o.status != OrderStatus::kRejected)) {
      r.FailAt(at, "status", "an order on an unlisted symbol must be rejected");
    }
    if (rec.pending_taker && (!open || (o.type != OrderType::kMarket && o.type != OrderType::kLimit))) {
      r.FailAt(at, "flags", "only an open market or limit order waits for the next open");
    }
    if (o.quantity.IsNegative() || o.price.IsNegative() || o.stop_price.IsNegative() ||
        o.filled_quantity.IsNegative() || o.average_price.IsNegative() || o.fee_paid.IsNegative()) {
      r.FailAt(at, "quantity", "a negative quantity, price or fee");
    }
    acc.orders.push_back(std::move(rec));
  }

  static void ReadEvent(Reader& r, ExecutionEvent& e) {
    e.kind = r.Enum("kind", EventKind::kEventsDropped);
    e.time = r.I64("time");
    e.seq = r.U64("seq");
    e.symbol = r.Str("symbol");
    e.order_id = OrderId(r.I64("order_id"));
    e.client_id = ClientOrderId(r.Str("client_id"));
    e.order_status = r.Enum("order_status", OrderStatus::kRejected);
    e.reason = r.Enum("reason", kLastRejectReason);
    e.side = r.Enum("side", Side::kSell);
    e.quantity = r.Qty("quantity");
    e.price = r.Px("price");
    e.fee = r.Mon("fee");
    e.realized_pnl = r.Mon("realized_pnl");
    e.insurance = r.Mon("insurance");
    e.funding = r.Mon("funding");
    e.funding_due = r.Mon("funding_due");
    e.funding_rate = r.Rat("funding_rate");
    e.position_after = r.Qty("position_after");
    e.entry_after = r.Px("entry_after");
    e.liquidity = r.Enum("liquidity", Liquidity::kTaker);
    e.count = r.U64("count");
  }

  static void ReadAccount(Reader& r, const PaperSimulator& sim, const State& st, Account& acc, PositionState* pos) {
    const std::size_t nsym = sim.nsym_;
    AccountConfig& ac = acc.config;
    ac.deposit = r.Mon("deposit");
    ac.fees.maker = r.Rat("maker fee");
    ac.fees.taker = r.Rat("taker fee");
    ac.max_leverage = r.I32("max_leverage");
    ac.default_leverage = r.I32("default_leverage");
    ac.default_margin_mode = r.Enum("default_margin_mode", MarginMode::kCross);
    if (!r.ok()) return;
    if (ac.max_leverage < 1 || ac.max_leverage > kHardLeverageCap) r.Fail("max_leverage", "outside 1..10");
    if (ac.deposit.IsNegative() || ac.fees.maker.IsNegative() || ac.fees.taker.IsNegative()) {
      r.Fail("default_margin_mode", "a negative deposit or fee rate");
    }
    // Positions: the state SelfCheck verifies, plus the ranges its arithmetic needs (every
    // sum SelfCheck, Equity and Refresh form must fit, or they would abort).
    std::vector<__int128> upnl(nsym, 0);
    __int128 notional_sum = 0;
    for (std::size_t s = 0; s < nsym && r.ok(); ++s) {
      r.Item("position", static_cast<std::int64_t>(s));
      const std::size_t at = r.offset();
      PositionState& p = pos[s];
      p.qty = r.I64("quantity");
      p.entry = r.I64("entry");
      p.iso_margin = r.I64("isolated margin");
      p.leverage = r.I32("leverage");
      p.mode = r.Enum("margin mode", MarginMode::kCross);
      if (!r.ok()) break;
      const int cap = std::min({ac.max_leverage, kHardLeverageCap, std::max(1, sim.instruments_[s].max_leverage)});
      if (p.leverage < 1 || p.leverage > cap) {
        r.FailAt(at, "leverage", "leverage " + std::to_string(p.leverage) + " outside 1.." + std::to_string(cap));
        break;
      }
      if (p.qty == INT64_MIN || p.entry < 0 || p.iso_margin < 0) {
        r.FailAt(at, "quantity", "quantity, entry or isolated margin out of range");
        break;
      }
      if (p.qty == 0) continue;
      const __int128 size = p.qty < 0 ? -static_cast<__int128>(p.qty) : p.qty;
      const __int128 mark = st.marks[s];
      const __int128 n_entry = size * p.entry, n_mark = size * mark;
      const __int128 limit = static_cast<__int128>(INT64_MAX) * kFixedScale;
      if (mark == 0 || n_entry > limit || n_mark > limit) {
        r.FailAt(at, "quantity", "a position without a mark, or whose notional does not fit");
        break;
      }
      upnl[s] = fixed_detail::DivRound(static_cast<__int128>(p.qty) * (mark - p.entry), kFixedScale, Rounding::kHalfEven);
      notional_sum += n_mark / kFixedScale;
    }
    r.NoItem();
    // Ledger.
    const std::size_t ledger_at = r.offset();
    const std::uint32_t nl = r.Count("ledger count", kLedgerEntryBytes);
    acc.ledger.Reserve(nl);
    __int128 totals[6] = {0, 0, 0, 0, 0, 0};
    for (std::uint32_t i = 0; i < nl && r.ok(); ++i) {
      r.Item("ledger entry", i + 1);
      const std::size_t at = r.offset();
      LedgerEntry e;
      e.seq = i + 1;
      e.time = r.I64("time");
      e.kind = r.Enum("kind", LedgerKind::kInsuranceCredit);
      e.symbol = r.I16("symbol");
      e.amount = r.Mon("amount");
      e.balance_after = r.Mon("balance_after");
      e.ref = r.I64("ref");
      if (!r.ok()) break;
      if (e.symbol < -1 || e.symbol >= static_cast<std::int64_t>(nsym)) {
        r.FailAt(at, "symbol", "symbol index " + std::to_string(e.symbol) + " out of range");
        break;
      }
      Status appended = acc.ledger.AppendRestored(e);
      if (!appended.ok()) {
        r.FailAt(at, "amount", appended.message());
        break;
      }
      __int128& total = totals[static_cast<int>(e.kind)];
      total += e.amount.raw();
      if (!Fits64(total)) {
        r.FailAt(at, "amount", "the total of " + std::string(ToString(e.kind)) + " entries overflows");
        break;
      }
    }
    r.NoItem();
    if (r.ok()) {
      // In SelfCheck's order: Σ uPnL, wallet + each uPnL, the totals one by one, plus Σ uPnL.
      bool fits = Fits64(notional_sum);
      __int128 upnl_sum = 0, equity = acc.ledger.balance().raw(), ledger_sum = 0;
      for (const __int128 u : upnl) {
        upnl_sum += u;
        equity += u;
        fits = fits && Fits64(u) && Fits64(upnl_sum) && Fits64(equity);
      }
      for (const __int128 t : totals) {
        ledger_sum += t;
        fits = fits && Fits64(ledger_sum);
      }
      fits = fits && Fits64(ledger_sum + upnl_sum);
      if (!fits) r.FailAt(ledger_at, "ledger count", "totals, equity or notional out of range");
    }
    // Orders.
    const std::uint32_t no = r.Count("order count", kMinOrderBytes);
    acc.orders.reserve(no);
    acc.by_client_id.reserve(no);
    for (std::uint32_t i = 0; i < no && r.ok(); ++i) {
      r.Item("order", i + 1);
      ReadOrder(r, sim, i, acc);
    }
    r.NoItem();
    // The open list: ascending indices of exactly the non-terminal orders.
    const std::uint32_t nopen = r.Count("open count", 4);
    acc.open.reserve(nopen);
    __int128 reserved = 0;
    for (std::uint32_t i = 0; i < nopen && r.ok(); ++i) {
      r.Item("open order", i);
      const std::uint32_t idx = r.U32("order index");
      if (!r.ok()) break;
      if (idx >= acc.orders.size() || (!acc.open.empty() && idx <= acc.open.back()) ||
          IsTerminal(acc.orders[idx].order.status)) {
        r.Fail("order index", "index " + std::to_string(idx) + " is not the next open order");
        break;
      }
      const OrderRecord& rec = acc.orders[idx];
      const __int128 px = std::max({rec.order.price.raw(), rec.order.stop_price.raw(), st.marks[rec.symbol]});
      const __int128 n = static_cast<__int128>(rec.order.quantity.raw()) * px;
      if (n > static_cast<__int128>(INT64_MAX) * kFixedScale) {
        r.Fail("order index", "the order's notional does not fit");
        break;
      }
      reserved += n / kFixedScale;
      acc.open.push_back(idx);
    }
    r.NoItem();
    if (r.ok()) {
      std::size_t live = 0;
      for (const OrderRecord& rec : acc.orders) live += IsTerminal(rec.order.status) ? 0 : 1;
      if (live != acc.open.size()) r.Fail("open count", "the open list misses a non-terminal order");
      if (!Fits64(reserved + notional_sum)) r.Fail("open count", "the open orders' notional does not fit");
    }
    // Events.
    const std::uint32_t ne = r.Count("event count", kMinEventBytes);
    if (r.ok() && ne > sim.config_.event_queue_capacity) r.Fail("event count", "more events than the queue holds");
    for (std::uint32_t i = 0; i < ne && r.ok(); ++i) {
      r.Item("event", i);
      const std::size_t at = r.offset();
      ExecutionEvent e;
      ReadEvent(r, e);
      if (r.ok() && !acc.events.empty() && e.seq <= acc.events.back().seq) {
        r.FailAt(at, "seq", "event sequence not increasing");
      }
      acc.events.push_back(std::move(e));
    }
    r.NoItem();
    acc.events_dropped = r.U64("events_dropped");
    acc.event_seq = r.U64("event_seq");
    acc.trade_seq = r.U64("trade_seq");
    if (r.ok() && !acc.events.empty() && acc.events.back().seq > acc.event_seq) {
      r.Fail("event_seq", "below the last queued event's seq");
    }
  }

  static Status Load(PaperSimulator& sim, std::string_view bytes) {
    if (!sim.accounts_.empty()) {
      return FailedPrecondition("paper checkpoint: LoadCheckpoint needs a freshly created simulator, this one has " +
                                std::to_string(sim.accounts_.size()) + " account(s)");
    }
    if (sim.last_bar_open_ != INT64_MIN) {
      return FailedPrecondition("paper checkpoint: LoadCheckpoint needs a freshly created simulator, this one has seen bars");
    }
    // Header.
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
      return ParseError("paper checkpoint: byte 0 (header, field 'magic'): not a paper simulator checkpoint");
    }
    Reader h(bytes.substr(0, std::min(bytes.size(), kHeaderSize)), 0);
    (void)h.U64("magic");
    const std::uint32_t version = h.U32("version");
    if (h.ok() && version != kCheckpointVersion) {
      return InvalidArgument("paper checkpoint: byte 8 (header, field 'version'): format version " +
                             std::to_string(version) + " is not supported (this build reads version " +
                             std::to_string(kCheckpointVersion) + ")");
    }
    const std::uint64_t size = h.U64("payload size");
    const std::uint64_t checksum = h.U64("checksum");
    if (!h.ok()) return h.status();
    if (size != bytes.size() - kHeaderSize) {
      return ParseError("paper checkpoint: byte 12 (header, field 'payload size'): " + std::to_string(size) +
                        " bytes announced, " + std::to_string(bytes.size() - kHeaderSize) +
                        " follow the header (truncated or padded)");
    }
    const std::string_view payload = bytes.substr(kHeaderSize);
    const std::uint64_t actual = Fnv1a64(payload);
    if (actual != checksum) {
      return ParseError("paper checkpoint: byte 20 (header, field 'checksum'): stored " + Hex(checksum) +
                        ", payload hashes to " + Hex(actual) + ": the checkpoint is corrupt");
    }

    Reader r(payload, kHeaderSize);
    const std::string diffs = ReadConfig(r, sim);
    if (!r.ok()) return r.status();
    if (!diffs.empty()) {
      return FailedPrecondition("paper checkpoint: made by a simulator configured differently: " + diffs);
    }
    State st;
    ReadMarket(r, sim, st);
    if (!r.ok()) return r.status();
    r.Section("accounts");
    const std::uint32_t na = r.Count("account count", kMinAccountBytes + sim.nsym_ * kPositionBytes);
    st.accounts.resize(na);
    st.positions.resize(std::size_t{na} * sim.nsym_);
    for (std::uint32_t a = 0; a < na && r.ok(); ++a) {
      r.Account(a);
      st.account_offsets.push_back(r.offset());
      ReadAccount(r, sim, st, st.accounts[a], st.positions.data() + std::size_t{a} * sim.nsym_);
    }
    if (!r.ok()) return r.status();
    if (!r.AtEnd()) {
      r.Section("end");
      r.FailAt(r.offset(), "end", std::to_string(r.remaining()) + " bytes after the last account");
      return r.status();
    }

    // The models' state: restored first, put back on any later failure.
    const std::string old_slippage = sim.slippage_->SaveState(), old_fees = sim.fees_->SaveState(),
                      old_funding = sim.funding_->SaveState();
    auto restore_models = [&] {
      (void)sim.slippage_->RestoreState(old_slippage);
      (void)sim.fees_->RestoreState(old_fees);
      (void)sim.funding_->RestoreState(old_funding);
    };
    const std::pair<CheckpointableModel*, const std::string*> models[] = {
        {sim.slippage_.get(), &st.slippage_state}, {sim.fees_.get(), &st.fee_state}, {sim.funding_.get(), &st.funding_state}};
    const char* model_names[] = {"slippage", "fee", "funding"};
    for (std::size_t m = 0; m < 3; ++m) {
      Status s = models[m].first->RestoreState(*models[m].second);
      if (!s.ok()) {
        restore_models();
        return InvalidArgument("paper checkpoint: byte " + std::to_string(st.model_offsets[m]) + " (models, field '" +
                               model_names[m] + " model state'): " + s.message());
      }
    }

    // Swap the state in, check every account as SelfCheck does, swap back on failure.
    auto swap_state = [&] {
      std::swap(sim.last_bar_open_, st.last_bar_open);
      std::swap(sim.next_funding_, st.next_funding);
      sim.marks_.swap(st.marks);
      sim.last_candle_.swap(st.last_candle);
      sim.open_interest_.swap(st.open_interest);
      sim.accounts_.swap(st.accounts);
      sim.positions_.swap(st.positions);
      sim.view_marks_ = sim.marks_.data();
    };
    swap_state();
    for (AccountIndex a = 0; a < sim.accounts_.size(); ++a) {
      Status chk = sim.SelfCheck(a);
      if (!chk.ok()) {
        swap_state();
        restore_models();
        return ParseError("paper checkpoint: byte " + std::to_string(st.account_offsets[a]) + " (accounts, account " +
                          std::to_string(a) + "): inconsistent state: " + chk.message());
      }
    }
    // Committed: the history (kept only when keep_history), and the derived state.
    for (std::size_t s = 0; s < sim.nsym_; ++s) {
      market::CandleSeries& series = sim.history_[s];
      series.clear();
      series.reserve(st.history[s].size());
      for (const market::Candle& c : st.history[s]) series.push_back(c);
    }
    const std::size_t n = sim.accounts_.size() * sim.nsym_;
    sim.bands_.assign(n, Band{});
    sim.cross_a_.assign(n, 0);
    sim.cross_lo_.assign(n, INT64_MIN);
    sim.cross_hi_.assign(n, INT64_MAX);
    sim.cross_c_.assign(sim.accounts_.size(), 0);
    sim.cross_active_.assign(sim.accounts_.size(), 0);
    for (AccountIndex a = 0; a < sim.accounts_.size(); ++a) sim.Refresh(a);
    return Status::Ok();
  }
};

Result<std::string> PaperSimulator::SaveCheckpoint() const { return Checkpoint::Save(*this); }

Status PaperSimulator::LoadCheckpoint(std::string_view bytes) { return Checkpoint::Load(*this, bytes); }

}  // namespace aitrader::exchange::paper
