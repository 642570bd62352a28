#include "api/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace aitrader::api {
namespace {
namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("aitrader_static_" + std::to_string(::getpid()));
    fs::create_directories(base_ / "web" / "assets");
    std::ofstream(base_ / "web" / "index.html") << "<html>app</html>";
    std::ofstream(base_ / "web" / "assets" / "index-4f3a9c1b.js") << "js";
    std::ofstream(base_ / "web" / "favicon.ico") << "ico";
    std::ofstream(base_ / "secret.txt") << "do not serve";
    fs::create_symlink(base_ / "secret.txt", base_ / "web" / "link.txt");
    auto sf = StaticFiles::Open((base_ / "web").string());
    ASSERT_TRUE(sf.ok());
    files_.emplace(std::move(*sf));
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
  std::optional<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  auto r = files_->Serve("/assets/index-4f3a9c1b.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "js");
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r->headers.at(0).second, "public, max-age=31536000, immutable");
  r = files_->Serve("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<html>app</html>");
  EXPECT_EQ(r->headers.at(0).second, "no-cache");
  r = files_->Serve("/favicon.ico");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers.at(0).second, "no-cache");
}

TEST_F(StaticFilesTest, SpaFallbackOnlyForPathsWithoutExtension) {
  auto r = files_->Serve("/bots/12/decisions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<html>app</html>");
  EXPECT_FALSE(files_->Serve("/assets/missing-12345678.js"));
}

TEST_F(StaticFilesTest, NothingOutsideTheFolder) {
  EXPECT_FALSE(files_->Serve("/../secret.txt"));
  EXPECT_FALSE(files_->Serve("/assets/../../secret.txt"));
  EXPECT_FALSE(files_->Serve("/./index.html"));
  EXPECT_FALSE(files_->Serve("/..\\secret.txt"));
  EXPECT_FALSE(files_->Serve("/link.txt")) << "a symlink leading out of the folder";
  EXPECT_FALSE(files_->Serve(std::string("/index.html\0.js", 15)));
  auto r = files_->Serve("/etc/passwd");  // no extension: the SPA, never the system file
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<html>app</html>");
}

TEST(StaticFiles, HashedAssetNames) {
  EXPECT_TRUE(StaticFiles::IsHashedAsset("assets/index-4f3a9c1b.js"));
  EXPECT_TRUE(StaticFiles::IsHashedAsset("assets/vendor-Dx3_a9Zk.css"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("assets/logo.svg"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("index-4f3a9c1b.js"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("assets/a-b.js"));
}

TEST(StaticFiles, MissingFolderIsAnError) { EXPECT_FALSE(StaticFiles::Open("/nonexistent/aitrader/web").ok()); }

}  // namespace
}  // namespace aitrader::api
