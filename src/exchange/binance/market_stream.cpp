#include "exchange/binance/market_stream.hpp"

#include "exchange/binance/convert.hpp"

namespace aitrader::exchange::binance {

namespace {
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

MarketStream::MarketStream(MarketStreamOptions options, RestClient& rest) : options_(std::move(options)), rest_(rest) {
  while (!options_.ws_url.empty() && options_.ws_url.back() == '/') options_.ws_url.pop_back();
}

MarketStream::~MarketStream() { Stop(); }

Status MarketStream::Start(const std::map<std::string, UnixMs>& resume_after) {
  if (options_.symbols.empty()) return InvalidArgument("market stream: no symbols");
  std::string streams;
  const std::string interval = FormatInterval(options_.interval);
  for (const auto& s : options_.symbols) {
    if (!streams.empty()) streams += "/";
    streams += Lower(s) + "@kline_" + interval + "/" + Lower(s) + "@markPrice";
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [s, t] : resume_after) last_[s] = t;
  }
  WsCallbacks cb;
  cb.on_open = [this] { OnOpen(); };
  cb.on_message = [this](const std::string& text) { OnMessage(text); };
  ws_ = std::make_unique<WsClient>(options_.ws_url + "/market/stream?streams=" + streams, options_.ws, std::move(cb));
  return ws_->Start();
}

void MarketStream::Stop() {
  if (ws_) ws_->Stop();
}

std::size_t MarketStream::PollCandles(std::vector<ClosedCandle>& out, std::size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  while (n < max && !queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
    ++n;
  }
  return n;
}

std::optional<MarkPriceEvent> MarketStream::LatestMark(const std::string& symbol) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = marks_.find(symbol);
  if (it == marks_.end()) return std::nullopt;
  return it->second;
}

std::int64_t MarketStream::connects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opens_;
}
std::int64_t MarketStream::backfilled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backfilled_;
}
std::vector<std::string> MarketStream::errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_;
}

void MarketStream::Deliver(const std::string& symbol, const market::Candle& c, bool backfilled) {
  auto it = last_.find(symbol);
  if (it != last_.end() && c.open_time <= it->second) return;  // already delivered
  last_[symbol] = c.open_time;
  queue_.push_back(ClosedCandle{symbol, c, backfilled});
  if (backfilled) ++backfilled_;
  while (queue_.size() > options_.max_queue) queue_.pop_front();
}

// Candles with open time in [from_open, to_open], closed by now, in order.
void MarketStream::Backfill(const std::string& symbol, UnixMs from_open, UnixMs to_open) {
  const UnixMs now = rest_.ServerNowMs();
  while (from_open <= to_open) {
    Params p;
    p.Add("symbol", symbol).Add("interval", FormatInterval(options_.interval));
    p.Add("startTime", std::to_string(from_open)).Add("endTime", std::to_string(to_open)).Add("limit", "1000");
    RestRequest r;
    r.path = "/fapi/v1/klines";
    r.params = std::move(p);
    r.weight = 5;
    auto body = rest_.Call(r);
    if (!body.ok()) {
      errors_.push_back("back-fill " + symbol + ": " + body.status().message());
      return;
    }
    auto klines = ParseKlines(*body);
    if (!klines.ok()) {
      errors_.push_back("back-fill " + symbol + ": " + klines.status().message());
      return;
    }
    if (klines->empty()) return;
    for (const auto& k : *klines) {
      if (k.open_time + options_.interval > now) return;  // still open
      Deliver(symbol, ToCandle(k), true);
    }
    from_open = klines->back().open_time + options_.interval;
  }
}

void MarketStream::OnOpen() {
  std::lock_guard<std::mutex> lock(mu_);
  ++opens_;
  // Whatever closed while we were away (or since the caller's last candle) comes first.
  const UnixMs now = rest_.ServerNowMs();
  for (const auto& s : options_.symbols) {
    auto it = last_.find(s);
    if (it == last_.end()) continue;
    Backfill(s, it->second + options_.interval, now - options_.interval);
  }
}

void MarketStream::OnMessage(const std::string& text) {
  auto ev = ParseMarketEvent(text);
  std::lock_guard<std::mutex> lock(mu_);
  if (!ev.ok()) {
    errors_.push_back(ev.status().message());
    if (errors_.size() > 100) errors_.erase(errors_.begin());
    return;
  }
  if (const auto* k = std::get_if<KlineEvent>(&*ev)) {
    if (!k->closed) return;
    auto it = last_.find(k->symbol);
    if (it != last_.end() && k->kline.open_time > it->second + options_.interval) {
      Backfill(k->symbol, it->second + options_.interval, k->kline.open_time - options_.interval);
    }
    Deliver(k->symbol, ToCandle(k->kline), false);
  } else if (const auto* m = std::get_if<MarkPriceEvent>(&*ev)) {
    marks_[m->symbol] = *m;
  }
}

}  // namespace aitrader::exchange::binance
