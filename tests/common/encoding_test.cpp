#include "common/encoding.h"

#include <gtest/gtest.h>

namespace spire {
namespace {

// RFC 4648 §10 test vectors.
struct Vector {
  const char* plain;
  const char* b64;
};
constexpr Vector kRfcVectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"foobar", "Zm9vYmFy"},
    {"fooba", "Zm9vYmE="},
};

TEST(Base64Test, Rfc4648Vectors) {
  for (const auto& v : kRfcVectors) {
    EXPECT_EQ(base64Encode(v.plain), v.b64);
    auto decoded = base64Decode(v.b64);
    ASSERT_TRUE(decoded.has_value()) << v.b64;
    EXPECT_EQ(*decoded, v.plain);
  }
}

TEST(Base64Test, RejectsMalformed) {
  EXPECT_FALSE(base64Decode("Zg=").has_value());    // wrong length
  EXPECT_FALSE(base64Decode("Zm9v\n").has_value()); // whitespace
  EXPECT_FALSE(base64Decode("Zm-v").has_value());   // url alphabet
  EXPECT_FALSE(base64Decode("Zh==").has_value());   // non-zero trailing bits
  EXPECT_FALSE(base64Decode("Z===").has_value());   // too much padding
}

TEST(Base64UrlTest, EncodesWithoutPadding) {
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64UrlTest, DecodesWithOrWithoutPadding) {
  EXPECT_EQ(base64UrlDecode("-_8").value(), "\xfb\xff");
  EXPECT_EQ(base64UrlDecode("-_8=").value(), "\xfb\xff");
  EXPECT_FALSE(base64UrlDecode("+/8").has_value());
  EXPECT_FALSE(base64UrlDecode("A").has_value());
  EXPECT_FALSE(base64UrlDecode("-_8==").has_value());
}

TEST(HexTest, RoundTrip) {
  EXPECT_EQ(hexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(hexDecode("0001ABff").value(), std::string("\x00\x01\xab\xff", 4));
  EXPECT_FALSE(hexDecode("abc").has_value());
  EXPECT_FALSE(hexDecode("zz").has_value());
}

TEST(BytesTest, StringViewRoundTrip) {
  Bytes bytes = toBytes("abc");
  EXPECT_EQ(bytes.size(), 3u);
  EXPECT_EQ(asStringView(bytes), "abc");
}

} // namespace
} // namespace spire
