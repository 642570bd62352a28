#include "indicators/lookback.hpp"

#include <cmath>
#include <string>

namespace aitrader::indicators {

Status CheckPeriod(std::string_view what, int period, int min_period) {
  if (period < min_period || period > kMaxPeriod) {
    return InvalidArgument(std::string(what) + " " + std::to_string(period) + " is out of range [" +
                           std::to_string(min_period) + ", " + std::to_string(kMaxPeriod) + "]");
  }
  return Status::Ok();
}

Status CheckFinite(std::string_view what, double v) {
  if (!std::isfinite(v)) return InvalidArgument(std::string(what) + " must be a finite number");
  return Status::Ok();
}

Status CheckSma(int period) { return CheckPeriod("SMA period", period, 2); }
Status CheckEma(int period) { return CheckPeriod("EMA period", period, 2); }
Status CheckRsi(int period) { return CheckPeriod("RSI period", period, 2); }
Status CheckMacd(int fast, int slow, int signal) {
  AITRADER_RETURN_IF_ERROR(CheckPeriod("MACD fast period", fast, 2));
  AITRADER_RETURN_IF_ERROR(CheckPeriod("MACD slow period", slow, 2));
  return CheckPeriod("MACD signal period", signal, 1);
}
Status CheckAtr(int period) { return CheckPeriod("ATR period", period, 1); }
Status CheckBbands(int period, double dev_up, double dev_down) {
  AITRADER_RETURN_IF_ERROR(CheckPeriod("BBANDS period", period, 2));
  AITRADER_RETURN_IF_ERROR(CheckFinite("BBANDS upper deviation", dev_up));
  return CheckFinite("BBANDS lower deviation", dev_down);
}
Status CheckStdDev(int period, double dev) {
  AITRADER_RETURN_IF_ERROR(CheckPeriod("STDDEV period", period, 2));
  return CheckFinite("STDDEV deviation", dev);
}
Status CheckDmi(int period) { return CheckPeriod("ADX/DI period", period, 2); }
Status CheckStoch(int fast_k, int slow_k, int slow_d) {
  AITRADER_RETURN_IF_ERROR(CheckPeriod("STOCH fast %K period", fast_k, 1));
  AITRADER_RETURN_IF_ERROR(CheckPeriod("STOCH slow %K period", slow_k, 1));
  return CheckPeriod("STOCH slow %D period", slow_d, 1);
}
Status CheckCci(int period) { return CheckPeriod("CCI period", period, 2); }

int SmaLookback(int period) { return CheckSma(period).ok() ? period - 1 : -1; }
int EmaLookback(int period) { return CheckEma(period).ok() ? period - 1 : -1; }
int RsiLookback(int period) { return CheckRsi(period).ok() ? period : -1; }
int MacdLookback(int fast, int slow, int signal) {
  if (!CheckMacd(fast, slow, signal).ok()) return -1;
  const int longer = slow < fast ? fast : slow;
  return (longer - 1) + (signal - 1);
}
int AtrLookback(int period) { return CheckAtr(period).ok() ? period : -1; }
int BbandsLookback(int period) { return CheckPeriod("", period, 2).ok() ? period - 1 : -1; }
int StdDevLookback(int period) { return CheckPeriod("", period, 2).ok() ? period - 1 : -1; }
int PlusDiLookback(int period) { return CheckDmi(period).ok() ? period : -1; }
int MinusDiLookback(int period) { return CheckDmi(period).ok() ? period : -1; }
int AdxLookback(int period) { return CheckDmi(period).ok() ? 2 * period - 1 : -1; }
int StochLookback(int fast_k, int slow_k, int slow_d) {
  if (!CheckStoch(fast_k, slow_k, slow_d).ok()) return -1;
  return (fast_k - 1) + (slow_k - 1) + (slow_d - 1);
}
int CciLookback(int period) { return CheckCci(period).ok() ? period - 1 : -1; }

}  // namespace aitrader::indicators
