#include "jwt/go_compat.h"

#include <gtest/gtest.h>

namespace spire::jwt {
namespace {

TEST(GoBase64Test, RawUrlDecodes) {
  EXPECT_EQ(*goDecodeRawUrl(""), "");
  EXPECT_EQ(*goDecodeRawUrl("YQ"), "a");
  EXPECT_EQ(*goDecodeRawUrl("YWI"), "ab");
  EXPECT_EQ(*goDecodeRawUrl("YWJj"), "abc");
  EXPECT_EQ(*goDecodeRawUrl("-_8"), "\xfb\xff");
  EXPECT_EQ(*goDecodeRawUrl("YW\nJj"), "abc"); // Go skips CR and LF
}

TEST(GoBase64Test, RawUrlErrorsCarryGoOffsets) {
  auto message = [](std::string_view text) { return goDecodeRawUrl(text).status().message(); };
  EXPECT_EQ(message("Y"), "illegal base64 data at input byte 0");
  EXPECT_EQ(message("YWJjZ"), "illegal base64 data at input byte 4");
  EXPECT_EQ(message("YQ=="), "illegal base64 data at input byte 2"); // '=' is not in the alphabet
  EXPECT_EQ(message("YW$j"), "illegal base64 data at input byte 2");
  EXPECT_EQ(message("a+b/"), "illegal base64 data at input byte 1"); // std alphabet
  EXPECT_EQ(goDecodeRawUrl("Y").status().code(), StatusCode::kInvalidArgument);
}

TEST(GoBase64Test, StdRequiresPadding) {
  EXPECT_EQ(*goDecodeStd("YQ=="), "a");
  EXPECT_EQ(*goDecodeStd("YWI="), "ab");
  EXPECT_EQ(*goDecodeStd("+/8="), "\xfb\xff");
  EXPECT_EQ(goDecodeStd("YQ").status().message(), "illegal base64 data at input byte 0");
  EXPECT_EQ(goDecodeStd("YQ=").status().message(), "illegal base64 data at input byte 3");
  EXPECT_EQ(goDecodeStd("YQ==YQ==").status().message(), "illegal base64 data at input byte 4");
  EXPECT_EQ(goDecodeStd("-_8=").status().message(), "illegal base64 data at input byte 0");
}

TEST(GoJsonTest, DumpEscapesLikeEncodingJson) {
  nlohmann::ordered_json doc = {{"b", "<a&b>"}, {"a", 1}};
  EXPECT_EQ(goJsonDump(doc), R"({"b":"\u003ca\u0026b\u003e","a":1})");
  EXPECT_EQ(goJsonDump(nlohmann::ordered_json{{"k", nlohmann::ordered_json::array()}}, 4),
            "{\n    \"k\": []\n}");
  EXPECT_EQ(goJsonDump(nlohmann::ordered_json("\xE2\x80\xA8")), R"("\u2028")");
  // Invalid UTF-8 never throws.
  EXPECT_EQ(goJsonDump(nlohmann::ordered_json("\xFF")), "\"\xEF\xBF\xBD\"");
}

TEST(GoJsonTest, TypeErrors) {
  EXPECT_EQ(goUnmarshalTypeError(nlohmann::ordered_json::array(), "jwt.Claims"),
            "json: cannot unmarshal array into Go value of type jwt.Claims");
  EXPECT_EQ(goUnmarshalFieldError(nlohmann::ordered_json(5), "Claims.sub", "string"),
            "json: cannot unmarshal number into Go struct field Claims.sub of type string");
  EXPECT_EQ(goJsonTypeName(nlohmann::ordered_json(true)), "bool");
  EXPECT_EQ(goJsonTypeName(nlohmann::ordered_json::object()), "object");
  EXPECT_EQ(goJsonTypeName(nlohmann::ordered_json("x")), "string");
}

TEST(GoJsonTest, ParseNeverThrows) {
  EXPECT_TRUE(parseJsonText(R"({"a":1})").isOk());
  Result<nlohmann::ordered_json> bad = parseJsonText("{");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("[json.exception"), std::string::npos);
  EXPECT_NE(bad.status().message().find("parse error"), std::string::npos);
}

} // namespace
} // namespace spire::jwt
