#include "api/router.hpp"

#include <algorithm>

#include "core/status.hpp"

namespace aitrader::api {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  if (!path.empty() && path.front() == '/') pos = 1;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool IsParam(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Number of literal segments matched, or -1 when the pattern does not match.
int MatchScore(const Route& r, const std::vector<std::string>& segs, std::map<std::string, std::string>* params) {
  if (r.segments.size() != segs.size()) return -1;
  int literal = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (IsParam(r.segments[i])) {
      if (segs[i].empty()) return -1;
      if (params) (*params)[r.segments[i].substr(1, r.segments[i].size() - 2)] = segs[i];
    } else if (r.segments[i] == segs[i]) {
      ++literal;
    } else {
      return -1;
    }
  }
  return literal;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, bool auth, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.segments = SplitPath(pattern);
  r.pattern = std::move(pattern);
  r.auth = auth;
  r.handler = std::move(handler);
  for (const auto& e : routes_) {
    AITRADER_CHECK(!(e.method == r.method && e.pattern == r.pattern), "a route is registered once");
  }
  routes_.push_back(std::move(r));
}

void Router::AddWithFastPath(std::string method, std::string pattern, bool auth, FastHandler fast, Handler handler) {
  Add(std::move(method), std::move(pattern), auth, std::move(handler));
  routes_.back().fast = std::move(fast);
}

void Router::AddWebSocket(std::string pattern, bool auth) {
  Add("GET", std::move(pattern), auth, nullptr);
  routes_.back().kind = RouteKind::kWebSocket;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const auto segs = SplitPath(path);
  int best = -1;
  // The best-matching pattern decides (a literal segment beats a parameter).
  for (const auto& r : routes_) best = std::max(best, MatchScore(r, segs, nullptr));
  if (best < 0) return m;
  for (const auto& r : routes_) {
    if (MatchScore(r, segs, nullptr) != best) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET" && r.kind == RouteKind::kHttp)) {
      if (m.route == nullptr || r.method == method) {
        m.params.clear();
        MatchScore(r, segs, &m.params);
        m.route = &r;
      }
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) m.allowed.push_back(r.method);
  }
  if (m.route != nullptr) m.allowed.clear();
  return m;
}

std::vector<std::pair<std::string, std::string>> Router::List() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace aitrader::api
