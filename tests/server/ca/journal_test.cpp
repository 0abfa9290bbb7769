#include <gtest/gtest.h>

#include "server/ca/journal.h"

namespace spire::server::ca {
namespace {

Journal sampleJournal() {
  Journal journal;
  journal.x509_cas.push_back(
      {"A", SlotStatus::kActive, 100, 200, "abcd", std::string("\x30\x01", 2), {}});
  journal.x509_cas.push_back(
      {"B", SlotStatus::kPrepared, 150, 250, "ef01", "der-b", {"chain-1", "chain-2"}});
  journal.jwt_keys.push_back({"A", SlotStatus::kOld, 1, 2, "kid-a", "pkix-a"});
  journal.jwt_keys.push_back({"B", SlotStatus::kActive, 3, 4, "kid-b", "pkix-b"});
  return journal;
}

TEST(JournalTest, RoundTrip) {
  Journal journal = sampleJournal();
  auto decoded = decodeJournal(encodeJournal(journal));
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(*decoded, journal);
  auto empty = decodeJournal(encodeJournal(Journal{}));
  ASSERT_TRUE(empty.isOk());
  EXPECT_EQ(*empty, Journal{});
}

TEST(JournalTest, DocumentedShape) {
  Journal journal;
  journal.jwt_keys.push_back({"B", SlotStatus::kPrepared, 3, 4, "kid", "k"});
  EXPECT_EQ(encodeJournal(journal),
            R"({"jwt_keys":[{"issued_at":3,"kid":"kid","not_after":4,"public_key":"aw==",)"
            R"("slot":"B","status":"PREPARED"}],"version":1,"x509_cas":[]})");
}

TEST(JournalTest, MalformedInputs) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"not json", "malformed CA journal: not a JSON object"},
      {"[]", "malformed CA journal: not a JSON object"},
      {R"({"version":2,"x509_cas":[],"jwt_keys":[]})",
       "malformed CA journal: unsupported version 2"},
      {R"({"version":1,"jwt_keys":[]})", "malformed CA journal: key 'x509_cas' not found"},
      {R"({"version":1,"x509_cas":[],"jwt_keys":[{"slot":"C","status":"OLD","issued_at":1,)"
       R"("not_after":2,"kid":"k","public_key":""}]})",
       "malformed CA journal: unknown slot \"C\""},
      {R"({"version":1,"x509_cas":[],"jwt_keys":[{"slot":"A","status":"GONE","issued_at":1,)"
       R"("not_after":2,"kid":"k","public_key":""}]})",
       "malformed CA journal: unknown slot status \"GONE\""},
      {R"({"version":1,"x509_cas":[],"jwt_keys":[{"slot":"A","status":"OLD","issued_at":1,)"
       R"("not_after":2,"kid":"k","public_key":"%%"}]})",
       "malformed CA journal: bad base64 in \"public_key\""},
      {R"({"version":1,"x509_cas":[{"slot":"A","status":"OLD","issued_at":"x"}],"jwt_keys":[]})",
       "malformed CA journal: type must be number, but is string"},
  };
  for (const Case& c : cases) {
    auto decoded = decodeJournal(c.text);
    ASSERT_FALSE(decoded.isOk()) << c.text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss) << c.text;
    EXPECT_EQ(decoded.status().message(), c.message) << c.text;
  }
}

} // namespace
} // namespace spire::server::ca
