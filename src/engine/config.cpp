#include "engine/config.hpp"

#include <boost/json.hpp>

#include <array>

#include "core/instrument.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader::engine {
namespace json = boost::json;
namespace {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Status Error(const std::string& path, const std::string& what) const {
    last_path_ = path;
    return InvalidArgument(source_ + ": " + path + ": " + what);
  }
  const std::string& last_path() const { return last_path_; }

  Status CheckKeys(const json::object& o, const std::string& path, std::initializer_list<std::string_view> allowed) const {
    for (const auto& kv : o) {
      bool known = false;
      for (auto a : allowed) known = known || kv.key() == a;
      if (!known) return Error(Join(path, std::string(kv.key())), "unknown key");
    }
    return Status::Ok();
  }

  static std::string Join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

  Result<std::string> String(const json::value& v, const std::string& path) const {
    if (!v.is_string()) return Error(path, "must be a string");
    return std::string(v.as_string());
  }

  // Decimals may be given as strings ("0.0005") or numbers (0.0005).
  template <class F>
  Result<F> Decimal(const json::value& v, const std::string& path) const {
    std::string text;
    if (v.is_string()) {
      text = std::string(v.as_string());
    } else if (v.is_int64()) {
      text = std::to_string(v.as_int64());
    } else if (v.is_uint64()) {
      text = std::to_string(v.as_uint64());
    } else if (v.is_double()) {
      auto f = F::FromDouble(v.as_double());
      if (!f.ok()) return Error(path, f.status().message());
      return *f;
    } else {
      return Error(path, "must be a decimal number or a string holding one");
    }
    auto f = F::Parse(text);
    if (!f.ok()) return Error(path, f.status().message());
    return *f;
  }

  Result<std::int64_t> Integer(const json::value& v, const std::string& path, std::int64_t lo, std::int64_t hi) const {
    std::int64_t x = 0;
    if (v.is_int64()) x = v.as_int64();
    else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) x = static_cast<std::int64_t>(v.as_uint64());
    else return Error(path, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    if (x < lo || x > hi) return Error(path, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }

  Result<bool> Bool(const json::value& v, const std::string& path) const {
    if (!v.is_bool()) return Error(path, "must be true or false");
    return v.as_bool();
  }

  Result<UnixMs> Interval(const json::value& v, const std::string& path) const {
    AITRADER_ASSIGN_OR_RETURN(std::string s, String(v, path));
    auto i = ParseInterval(s);
    if (!i.ok()) return Error(path, i.status().message());
    return *i;
  }

  Result<UnixMs> Time(const json::value& v, const std::string& path) const {
    AITRADER_ASSIGN_OR_RETURN(std::string s, String(v, path));
    auto t = ParseUtc(s);
    if (!t.ok()) return Error(path, t.status().message());
    return *t;
  }

  Result<std::vector<std::string>> Symbols(const json::value& v, const std::string& path) const {
    if (!v.is_array() || v.as_array().empty()) return Error(path, "must be a non-empty array of coins");
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const auto& e : v.as_array()) {
      std::string p = path + "[" + std::to_string(i++) + "]";
      AITRADER_ASSIGN_OR_RETURN(std::string s, String(e, p));
      auto sym = ResolveSymbol(s);
      if (!sym.ok()) return Error(p, sym.status().message());
      for (const auto& prev : out) {
        if (prev == *sym) return Error(p, "'" + s + "' is listed twice");
      }
      out.push_back(*sym);
    }
    return out;
  }

  Status Risk(const json::value& v, const std::string& path, risk::RiskLimits& r) const {
    if (!v.is_object()) return Error(path, "must be an object");
    const auto& o = v.as_object();
    AITRADER_RETURN_IF_ERROR(CheckKeys(o, path,
                                       {"max_leverage", "max_notional_to_equity", "max_open_positions",
                                        "min_reward_risk", "daily_loss_limit", "drawdown_reduce", "drawdown_halt",
                                        "max_price_deviation", "loss_cool_down"}));
    for (const auto& kv : o) {
      std::string p = Join(path, std::string(kv.key()));
      const auto& x = kv.value();
      if (kv.key() == "max_leverage") {
        AITRADER_ASSIGN_OR_RETURN(auto n, Integer(x, p, 1, risk::kHardMaxLeverage));
        r.max_leverage = static_cast<int>(n);
      } else if (kv.key() == "max_open_positions") {
        AITRADER_ASSIGN_OR_RETURN(auto n, Integer(x, p, 1, 100));
        r.max_open_positions = static_cast<int>(n);
      } else if (kv.key() == "loss_cool_down") {
        AITRADER_ASSIGN_OR_RETURN(r.loss_cool_down_ms, Interval(x, p));
      } else {
        AITRADER_ASSIGN_OR_RETURN(Ratio ratio, Decimal<Ratio>(x, p));
        if (kv.key() == "max_notional_to_equity") r.max_notional_to_equity = ratio;
        else if (kv.key() == "min_reward_risk") r.min_reward_risk = ratio;
        else if (kv.key() == "daily_loss_limit") r.daily_loss_limit = ratio;
        else if (kv.key() == "drawdown_reduce") r.drawdown_reduce = ratio;
        else if (kv.key() == "drawdown_halt") r.drawdown_halt = ratio;
        else if (kv.key() == "max_price_deviation") r.max_price_deviation = ratio;
      }
    }
    return Status::Ok();
  }

  // Keys that may appear at the top level (as defaults) and in a bot.
  Status Shared(const json::object& o, const std::string& path, BotConfig& b) const {
    for (const auto& kv : o) {
      std::string p = Join(path, std::string(kv.key()));
      const auto& x = kv.value();
      if (kv.key() == "symbols") {
        AITRADER_ASSIGN_OR_RETURN(b.symbols, Symbols(x, p));
      } else if (kv.key() == "interval") {
        AITRADER_ASSIGN_OR_RETURN(b.interval, Interval(x, p));
      } else if (kv.key() == "cadence") {
        AITRADER_ASSIGN_OR_RETURN(b.cadence, Interval(x, p));
      } else if (kv.key() == "capital") {
        AITRADER_ASSIGN_OR_RETURN(b.capital, Decimal<Money>(x, p));
        if (!b.capital.IsPositive()) return Error(p, "must be > 0");
      } else if (kv.key() == "risk") {
        AITRADER_RETURN_IF_ERROR(Risk(x, p, b.risk));
      } else if (kv.key() == "max_decision_retries") {
        AITRADER_ASSIGN_OR_RETURN(auto n, Integer(x, p, 0, 5));
        b.max_decision_retries = static_cast<int>(n);
      } else if (kv.key() == "close_on_stop") {
        AITRADER_ASSIGN_OR_RETURN(b.close_on_stop, Bool(x, p));
      } else if (kv.key() == "prompt_version") {
        AITRADER_ASSIGN_OR_RETURN(b.prompt_version, String(x, p));
      } else if (kv.key() == "daily_budget_usd") {
        AITRADER_ASSIGN_OR_RETURN(Money m, Decimal<Money>(x, p));
        b.daily_budget_usd = m;
      }
    }
    return Status::Ok();
  }

 private:
  std::string source_;
  mutable std::string last_path_;
};

constexpr std::array<std::string_view, 9> kSharedKeys = {
    "symbols", "interval", "cadence", "capital", "risk", "max_decision_retries", "close_on_stop", "prompt_version",
    "daily_budget_usd"};


// One bot object (`path` prefixes its errors; empty for a bot on its own).
Result<BotConfig> ParseBot(const Reader& rd, const json::value& bv, const std::string& path, const BotConfig& defaults) {
  auto at = [&](const std::string& key) { return Reader::Join(path, key); };
  if (!bv.is_object()) return rd.Error(path.empty() ? "(top)" : path, "must be an object");
  const auto& bo = bv.as_object();
  std::vector<std::string_view> bot_keys = {"name", "label", "model", "llm", "training_cutoff", "mode"};
  bot_keys.insert(bot_keys.end(), kSharedKeys.begin(), kSharedKeys.end());
  for (const auto& kv : bo) {
    bool known = false;
    for (auto a : bot_keys) known = known || kv.key() == a;
    if (!known) return rd.Error(at(std::string(kv.key())), "unknown key");
  }
  BotConfig b = defaults;
  AITRADER_RETURN_IF_ERROR(rd.Shared(bo, path, b));
  const json::value* name = bo.if_contains("name");
  if (name == nullptr) return rd.Error(at("name"), "is required");
  AITRADER_ASSIGN_OR_RETURN(b.name, rd.String(*name, at("name")));
  if (b.name.empty() || b.name.size() > 64) return rd.Error(at("name"), "must be 1..64 characters");
  b.label = b.name;
  if (auto* l = bo.if_contains("label")) {
    AITRADER_ASSIGN_OR_RETURN(b.label, rd.String(*l, at("label")));
  }
  std::string model = "baseline";
  if (auto* m = bo.if_contains("model")) {
    AITRADER_ASSIGN_OR_RETURN(model, rd.String(*m, at("model")));
  }
  if (model == "baseline") {
    b.model = ModelKind::kBaseline;
    if (bo.contains("llm")) return rd.Error(at("llm"), "not used by a baseline bot (set \"model\": \"llm\")");
  } else if (model == "llm") {
    b.model = ModelKind::kLlm;
    const json::value* l = bo.if_contains("llm");
    if (l == nullptr || !l->is_object()) return rd.Error(at("llm"), "an LLM bot needs an \"llm\" object");
    auto pc = llm::ParseProviderConfig(json::serialize(*l));
    if (!pc.ok()) return rd.Error(at("llm"), pc.status().message());
    b.llm = std::move(*pc);
  } else {
    return rd.Error(at("model"), "must be \"baseline\" or \"llm\"");
  }
  if (auto* md = bo.if_contains("mode")) {
    AITRADER_ASSIGN_OR_RETURN(std::string mode, rd.String(*md, at("mode")));
    auto m = ParseTradingMode(mode);
    if (!m) return rd.Error(at("mode"), "must be \"paper\", \"testnet\" or \"live\"");
    b.mode = *m;
  }
  if (auto* t = bo.if_contains("training_cutoff")) {
    AITRADER_ASSIGN_OR_RETURN(UnixMs c, rd.Time(*t, at("training_cutoff")));
    b.training_cutoff = c;
  }
  if (b.cadence % b.interval != 0) {
    return rd.Error(at("cadence"), "must be a multiple of the interval " + FormatInterval(b.interval));
  }
  auto engine = risk::RiskEngine::Create(b.risk, InstrumentTable());
  if (!engine.ok()) return rd.Error(at("risk"), engine.status().message());
  return b;
}

}  // namespace

Result<std::string> ResolveSymbol(std::string_view coin_or_symbol) {
  static const auto table = InstrumentTable::LoadDefault();
  if (!table.ok()) return table.status();
  const Instrument* i = table->Find(Trim(coin_or_symbol));
  if (i == nullptr) {
    return NotFound("unknown coin '" + std::string(coin_or_symbol) + "' (known: see `aitrader instruments`)");
  }
  return i->symbol;
}

Result<RunConfig> ParseRunConfig(std::string_view json_text, std::string_view source_name) {
  Reader rd{std::string(source_name)};
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value root = json::parse(json_text, ec, {}, opts);
  if (ec) return ParseError(std::string(source_name) + ": not valid JSON: " + ec.message());
  if (!root.is_object()) return rd.Error("(top)", "must be a JSON object");
  const auto& top = root.as_object();
  std::vector<std::string_view> allowed = {"database", "data", "from", "to", "fees", "slippage_bps", "slippage_jitter_bps", "runs", "seed", "bots"};
  allowed.insert(allowed.end(), kSharedKeys.begin(), kSharedKeys.end());
  for (const auto& kv : top) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) return rd.Error(std::string(kv.key()), "unknown key");
  }

  RunConfig cfg;
  BotConfig defaults = DefaultBotConfig();
  AITRADER_RETURN_IF_ERROR(rd.Shared(top, "", defaults));
  for (const auto& kv : top) {
    std::string p(kv.key());
    const auto& x = kv.value();
    if (kv.key() == "database") {
      AITRADER_ASSIGN_OR_RETURN(cfg.database, rd.String(x, p));
    } else if (kv.key() == "data") {
      AITRADER_ASSIGN_OR_RETURN(cfg.data_dir, rd.String(x, p));
    } else if (kv.key() == "from") {
      AITRADER_ASSIGN_OR_RETURN(UnixMs t, rd.Time(x, p));
      cfg.from = t;
    } else if (kv.key() == "to") {
      AITRADER_ASSIGN_OR_RETURN(UnixMs t, rd.Time(x, p));
      cfg.to = t;
    } else if (kv.key() == "slippage_bps") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 0, 1000));
      cfg.slippage_bps = static_cast<int>(n);
    } else if (kv.key() == "slippage_jitter_bps") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 0, 1000));
      cfg.slippage_jitter_bps = static_cast<int>(n);
    } else if (kv.key() == "runs") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 1, 100));
      cfg.runs = static_cast<int>(n);
    } else if (kv.key() == "seed") {
      AITRADER_ASSIGN_OR_RETURN(auto n, rd.Integer(x, p, 0, INT64_MAX));
      cfg.seed = static_cast<std::uint64_t>(n);
    } else if (kv.key() == "fees") {
      if (!x.is_object()) return rd.Error(p, "must be an object with maker and taker");
      AITRADER_RETURN_IF_ERROR(rd.CheckKeys(x.as_object(), p, {"maker", "taker"}));
      if (auto* m = x.as_object().if_contains("maker")) {
        AITRADER_ASSIGN_OR_RETURN(cfg.maker_fee, rd.Decimal<Ratio>(*m, p + ".maker"));
      }
      if (auto* t = x.as_object().if_contains("taker")) {
        AITRADER_ASSIGN_OR_RETURN(cfg.taker_fee, rd.Decimal<Ratio>(*t, p + ".taker"));
      }
    }
  }
  if (cfg.from && cfg.to && *cfg.to <= *cfg.from) return rd.Error("to", "must be after from");

  const json::value* bots = top.if_contains("bots");
  if (bots == nullptr || !bots->is_array() || bots->as_array().empty()) {
    return rd.Error("bots", "must be a non-empty array of bots");
  }
  std::size_t index = 0;
  for (const auto& bv : bots->as_array()) {
    std::string path = "bots[" + std::to_string(index++) + "]";
    AITRADER_ASSIGN_OR_RETURN(BotConfig b, ParseBot(rd, bv, path, defaults));
    for (const auto& prev : cfg.bots) {
      if (prev.name == b.name) return rd.Error(path + ".name", "'" + b.name + "' is used by another bot");
    }
    cfg.bots.push_back(std::move(b));
  }
  return cfg;
}

BotConfig DefaultBotConfig() {
  BotConfig b;
  b.symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
  return b;
}

Result<BotConfig> ParseBotConfig(std::string_view json_text, const BotConfig& defaults, std::string_view source_name,
                                 std::string* error_path) {
  Reader rd{std::string(source_name)};
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value v = json::parse(json_text, ec, {}, opts);
  if (ec) return ParseError(std::string(source_name) + ": not valid JSON: " + ec.message());
  auto b = ParseBot(rd, v, "", defaults);
  if (!b.ok() && error_path != nullptr) *error_path = rd.last_path();
  return b;
}

Result<RunConfig> LoadRunConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRunConfig(*text, path);
}

}  // namespace aitrader::engine
