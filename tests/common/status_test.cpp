#include "common/status.h"

#include <gtest/gtest.h>

#include <set>

namespace spire {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.toString(), "OK");
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(invalidArgument("bad").toString(), "INVALID_ARGUMENT: bad");
  EXPECT_EQ(Status(StatusCode::kUnauthenticated, "x").toString(), "UNAUTHENTICATED: x");
}

TEST(StatusTest, WithPrefixKeepsCode) {
  Status status = notFound("no entry").withPrefix("datastore");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "datastore: no entry");
  EXPECT_TRUE(Status::ok().withPrefix("x").isOk());
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int c = 0; c <= 16; ++c) {
    names.insert(statusCodeName(static_cast<StatusCode>(c)));
  }
  EXPECT_EQ(names.size(), 17u);
  EXPECT_EQ(statusCodeName(StatusCode::kDataLoss), "DATA_LOSS");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.isOk());
  EXPECT_EQ(*good, 7);
  EXPECT_TRUE(good.status().isOk());

  Result<int> bad = invalidArgument("nope");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "nope");
}

TEST(ResultTest, MovesValueOut) {
  Result<std::string> r = std::string("hello");
  std::string taken = std::move(r).value();
  EXPECT_EQ(taken, "hello");
}

} // namespace
} // namespace spire
