#include "crypto/digest.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include "common/encoding.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

TEST(DigestTest, KnownVectors) {
  EXPECT_EQ(hexEncode(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hexEncode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexEncode(sha384("abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baec"
            "a134c825a7");
  EXPECT_EQ(hexEncode(sha512("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(sha256Hex("abc"), hexEncode(sha256("abc")));
  EXPECT_EQ(digest(HashAlgorithm::kSha384, "abc"), sha384("abc"));
}

TEST(DigestTest, SizesAndNames) {
  EXPECT_EQ(digestSize(HashAlgorithm::kSha256), 32u);
  EXPECT_EQ(digestSize(HashAlgorithm::kSha384), 48u);
  EXPECT_EQ(digestSize(HashAlgorithm::kSha512), 64u);
  EXPECT_EQ(hashAlgorithmName(HashAlgorithm::kSha256), "SHA256");
  EXPECT_EQ(hashAlgorithmName(HashAlgorithm::kSha384), "SHA384");
  EXPECT_EQ(hashAlgorithmName(HashAlgorithm::kSha512), "SHA512");
}

TEST(DigestTest, FileHashLeavesOffsetAlone) {
  testing::TempDir dir;
  // Bigger than the read buffer, so that several reads are needed.
  std::string content(200 * 1024 + 7, 'x');
  content[12345] = 'y';
  std::string path = dir.writeFile("plugin.so", content);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::lseek(fd, 100, SEEK_SET), 100);
  Result<std::string> hash = sha256File(fd);
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 100);
  ::close(fd);
  ASSERT_TRUE(hash.isOk()) << hash.status().toString();
  EXPECT_EQ(*hash, sha256Hex(content));

  Result<std::string> by_path = sha256FilePath(path);
  ASSERT_TRUE(by_path.isOk());
  EXPECT_EQ(*by_path, *hash);
}

TEST(DigestTest, FileHashErrors) {
  Result<std::string> bad_fd = sha256File(-1);
  EXPECT_EQ(bad_fd.status(),
            Status(StatusCode::kInternal, "cannot read file: Bad file descriptor"));

  testing::TempDir dir;
  std::string missing = (dir.path() / "missing.so").string();
  EXPECT_EQ(
      sha256FilePath(missing).status(),
      Status(StatusCode::kNotFound, "cannot open \"" + missing + "\": No such file or directory"));
}

TEST(DigestCrossCheckTest, AgreesWithSha256sum) {
  if (testing::runCommand("sha256sum --version").exit_code != 0) {
    GTEST_SKIP() << "sha256sum not available";
  }
  testing::TempDir dir;
  std::string path = dir.writeFile("data.bin", std::string("\x00\x01\x02 binary\xff", 12));
  testing::CommandResult result = testing::runCommand("sha256sum " + path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.substr(0, 64), *sha256FilePath(path));
}

} // namespace
} // namespace spire::crypto
