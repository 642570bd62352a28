#include "core/io.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

namespace aitrader {
namespace {

TEST(Io, ReadsPlainAndGzipFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_io_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string plain = (dir / "a.csv").string();
  ASSERT_TRUE(WriteFileAtomic(plain, "a,b\n1,2\n").ok());
  EXPECT_EQ(*ReadFile(plain), "a,b\n1,2\n");

  std::string gz = (dir / "a.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzputs(f, "x,y\n3,4\n");
  gzclose(f);
  EXPECT_EQ(*ReadFile(gz), "x,y\n3,4\n");

  auto missing = ReadFile((dir / "none.csv").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("none.csv"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader
