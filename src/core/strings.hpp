// Small string helpers used across modules (splitting, trimming, case-insensitive compare,
// shortest round-trip double formatting). Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aitrader {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToUpper(std::string_view s);
std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);
// Splits on sep; keeps empty fields ("a,,b" → {"a","","b"}).
std::vector<std::string_view> Split(std::string_view s, char sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// Shortest text that parses back to the identical double ("NaN" for NaN, "inf"/"-inf").
std::string FormatDouble(double v);
// Appends FormatDouble(v) to out without a temporary string.
void AppendDouble(std::string& out, double v);
// Appends s as a JSON string literal (quotes, \" \\ \n \r \t, other control bytes as \u00XX).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace aitrader
