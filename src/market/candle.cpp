#include "market/candle.hpp"

#include <algorithm>

namespace aitrader::market {

namespace {
std::vector<double> ToF64(const std::vector<Price>& v) {
  std::vector<double> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i].ToDouble();
  return out;
}
}  // namespace

void CandleSeries::reserve(std::size_t n) {
  open_time_.reserve(n);
  open_.reserve(n);
  high_.reserve(n);
  low_.reserve(n);
  close_.reserve(n);
  volume_.reserve(n);
}

void CandleSeries::clear() {
  open_time_.clear();
  open_.clear();
  high_.clear();
  low_.clear();
  close_.clear();
  volume_.clear();
}

void CandleSeries::push_back(const Candle& c) {
  open_time_.push_back(c.open_time);
  open_.push_back(c.open);
  high_.push_back(c.high);
  low_.push_back(c.low);
  close_.push_back(c.close);
  volume_.push_back(c.volume);
}

std::vector<double> CandleSeries::OpenF64() const { return ToF64(open_); }
std::vector<double> CandleSeries::HighF64() const { return ToF64(high_); }
std::vector<double> CandleSeries::LowF64() const { return ToF64(low_); }
std::vector<double> CandleSeries::CloseF64() const { return ToF64(close_); }

std::size_t CandleSeries::LowerBound(UnixMs t) const {
  return static_cast<std::size_t>(std::lower_bound(open_time_.begin(), open_time_.end(), t) - open_time_.begin());
}

CandleSeries CandleSeries::Slice(UnixMs from, UnixMs to) const {
  CandleSeries out(symbol_, interval_);
  std::size_t b = LowerBound(from), e = LowerBound(to);
  if (e < b) e = b;
  out.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) out.push_back((*this)[i]);
  return out;
}

}  // namespace aitrader::market
