// Helpers for the integration tests: register and log in users over the real API.
#pragma once

#include <gtest/gtest.h>

#include "api/serve_process.hpp"

namespace aitrader::testing {

struct TestUser {
  std::int64_t id = 0;
  std::string email;
  std::string password;
  std::string access_token;
  std::string refresh_token;
};

inline TestUser RegisterAndLogin(HttpClient& c, const std::string& email, const std::string& password = "correct horse 1") {
  TestUser u;
  u.email = email;
  u.password = password;
  auto r = c.Post("/api/auth/register", boost::json::object{{"email", email}, {"password", password}});
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status == 201) u.id = r.json.at("id").as_int64();
  r = c.Post("/api/auth/login", boost::json::object{{"email", email}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status == 200) {
    u.access_token = std::string(r.json.at("access_token").as_string());
    u.refresh_token = std::string(r.json.at("refresh_token").as_string());
  }
  return u;
}

}  // namespace aitrader::testing
