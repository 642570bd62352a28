#include "store/secret_box.hpp"

#include <gtest/gtest.h>

namespace aitrader::store {
namespace {

TEST(SecretBox, SealsAndOpens) {
  auto box = SecretBox::FromKeyBase64(SecretBox::GenerateKeyBase64());
  ASSERT_TRUE(box.ok());
  auto sealed = box->Seal("my-binance-secret");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("my-binance-secret"), std::string::npos);
  EXPECT_NE(*sealed, *box->Seal("my-binance-secret"));  // fresh nonce each time
  EXPECT_EQ(*box->Open(*sealed), "my-binance-secret");
}

TEST(SecretBox, RejectsWrongKeyAndTampering) {
  auto a = SecretBox::FromKeyBase64(SecretBox::GenerateKeyBase64());
  auto b = SecretBox::FromKeyBase64(SecretBox::GenerateKeyBase64());
  auto sealed = *a->Seal("secret");
  auto wrong = b->Open(sealed);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  std::string tampered = sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(a->Open(tampered).ok());
  EXPECT_FALSE(a->Open("plain").ok());
}

TEST(SecretBox, KeyErrorsDoNotEchoTheKey) {
  auto r = SecretBox::FromKeyBase64("c2hvcnQta2V5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("c2hvcnQta2V5"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::store
