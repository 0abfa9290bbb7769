#include "crypto/pem.h"

#include <gtest/gtest.h>

namespace spire::crypto {
namespace {

TEST(PemTest, EncodesWith64ColumnLines) {
  std::string der(100, '\x5a');
  std::string pem = encodePem("CERTIFICATE", der);
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_NE(pem.find("-----END CERTIFICATE-----\n"), std::string::npos);
  size_t first_line_end = pem.find('\n', 28);
  EXPECT_EQ(first_line_end - 28, 64u);
  std::vector<PemBlock> blocks = decodePemBlocks(pem);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, "CERTIFICATE");
  EXPECT_EQ(blocks[0].der, der);
}

TEST(PemTest, FindsBlocksAmongTextAndSkipsHeaders) {
  std::string text = "leading text\n" + encodePem("A", "one") + "between\r\n" +
                     "-----BEGIN B-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: x\r\n\r\ndHdv\r\n"
                     "-----END B-----\r\n" +
                     encodePem("C", "three") + "trailing";
  std::vector<PemBlock> blocks = decodePemBlocks(text);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].type, "A");
  EXPECT_EQ(blocks[0].der, "one");
  EXPECT_EQ(blocks[1].type, "B");
  EXPECT_EQ(blocks[1].der, "two");
  EXPECT_EQ(blocks[2].type, "C");
  EXPECT_EQ(blocks[2].der, "three");
}

TEST(PemTest, SkipsMalformedBlocks) {
  EXPECT_TRUE(decodePemBlocks("").empty());
  EXPECT_TRUE(decodePemBlocks("no pem here").empty());
  // Bad base64, missing END, END of another type, trailing text on the BEGIN line.
  EXPECT_TRUE(decodePemBlocks("-----BEGIN X-----\n!!!!\n-----END X-----\n").empty());
  EXPECT_TRUE(decodePemBlocks("-----BEGIN X-----\nAAAA\n").empty());
  EXPECT_TRUE(decodePemBlocks("-----BEGIN X-----\nAAAA\n-----END Y-----\n").empty());
  EXPECT_TRUE(decodePemBlocks("-----BEGIN X----- extra\nAAAA\n-----END X-----\n").empty());
  // BEGIN in the middle of a line does not start a block.
  EXPECT_TRUE(decodePemBlocks("text -----BEGIN X-----\nAAAA\n-----END X-----\n").empty());
  std::vector<PemBlock> blocks =
      decodePemBlocks("-----BEGIN X-----\n!!!!\n-----END X-----\n" + encodePem("Y", "ok"));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, "Y");
}

} // namespace
} // namespace spire::crypto
