#include "store/base64.hpp"

#include <sodium.h>

namespace aitrader::store {

std::string ToBase64(std::string_view bytes) {
  if (sodium_init() < 0) return {};
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  if (sodium_init() < 0) return std::nullopt;
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace aitrader::store
