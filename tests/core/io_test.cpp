#include "core/io.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

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


// Two workers caching one key write the same path at once: every write succeeds, the file is
// always one complete version, and no temporary file is left behind. With the old fixed
// "path.tmp" name the writers truncated each other's temporary and renames failed.
TEST(Io, ConcurrentWritersOfOnePathNeverCollide) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_io_race_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "key.json").string();
  constexpr int kThreads = 4;
  constexpr int kWrites = 50;
  constexpr std::size_t kSize = 64 * 1024;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string text(kSize, static_cast<char>('a' + t));
      for (int i = 0; i < kWrites; ++i) {
        if (!WriteFileAtomic(path, text).ok()) ++failures;
        auto back = ReadFile(path);
        // Readers always see one writer's complete text.
        if (!back.ok() || back->size() != kSize || back->find_first_not_of(back->front()) != std::string::npos) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename().string(), "key.json");
  }
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(dir);
}

// A small .gz that expands past the bound is a clear error naming the file, not an unbounded
// allocation.
TEST(Io, DecompressedSizeIsBounded) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_io_bomb_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string gz = (dir / "bomb.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  const std::string zeros(1 << 20, '0');
  for (int i = 0; i < 8; ++i) ASSERT_EQ(gzwrite(f, zeros.data(), static_cast<unsigned>(zeros.size())), static_cast<int>(zeros.size()));
  gzclose(f);
  EXPECT_LT(std::filesystem::file_size(gz), 100'000u);  // 8 MiB in a few KB
  auto bounded = ReadFile(gz, 4u << 20);
  ASSERT_FALSE(bounded.ok());
  EXPECT_EQ(bounded.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(bounded.status().message().find("bomb.csv.gz"), std::string::npos) << bounded.status().message();
  EXPECT_NE(bounded.status().message().find("4194304"), std::string::npos) << bounded.status().message();
  auto whole = ReadFile(gz, 8u << 20);  // exactly at the bound: allowed
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->size(), 8u << 20);
  EXPECT_TRUE(ReadFile(gz).ok());  // the default bound is far above real data files
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader
