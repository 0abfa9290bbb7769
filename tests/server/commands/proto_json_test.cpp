#include <gtest/gtest.h>

#include "grpc/health/v1/health.pb.h"
#include "server/commands/go_time_parse.h"
#include "server/commands/proto_json.h"
#include "spire/api/server/entry/v1/entry.pb.h"
#include "spire/api/types/bundle.pb.h"

namespace spire::server::commands {
namespace {

TEST(ProtoJsonTest, WrappersAreBareValuesAndUnsetMessagesNull) {
  api::server::entry::v1::ListEntriesRequest req;
  req.mutable_filter()->mutable_by_hint()->set_value("h");
  req.mutable_filter()->mutable_by_downstream()->set_value(false);
  req.set_page_size(500);
  EXPECT_EQ(protoToJson(req).dump(),
            R"({"filter":{"by_spiffe_id":null,"by_parent_id":null,"by_selectors":null,)"
            R"("by_federates_with":null,"by_hint":"h","by_downstream":false},)"
            R"("output_mask":null,"page_size":500,"page_token":""})");
}

TEST(ProtoJsonTest, BytesUint64EnumsAndMaps) {
  api::types::Bundle b;
  b.set_trust_domain("td");
  b.add_jwt_authorities()->set_public_key(std::string("\xff\x00\x01", 3));
  b.set_sequence_number(18446744073709551615ULL);
  b.set_refresh_hint(-1);
  EXPECT_EQ(protoToJson(b).dump(),
            R"({"trust_domain":"td","x509_authorities":[],"jwt_authorities":[{"public_key":)"
            R"("/wAB","key_id":"","expires_at":"0","tainted":false,"hint":""}],)"
            R"("refresh_hint":"-1","sequence_number":"18446744073709551615"})");

  ::grpc::health::v1::HealthListResponse list;
  (*list.mutable_statuses())["svc"].set_status(::grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(protoToJson(list).dump(), R"({"statuses":{"svc":{"status":"SERVING"}}})");
  ::grpc::health::v1::HealthCheckResponse unknown_enum;
  unknown_enum.set_status(static_cast<::grpc::health::v1::HealthCheckResponse::ServingStatus>(9));
  EXPECT_EQ(protoToJson(unknown_enum).dump(), R"({"status":9})");
}

TEST(ProtoJsonTest, PrintEscapesHtmlCharactersAsGo) {
  api::types::Bundle b;
  b.set_trust_domain("<a&b>");
  std::ostringstream out;
  printProtoJson(out, b);
  EXPECT_EQ(out.str(), R"({"trust_domain":"\u003ca\u0026b\u003e","x509_authorities":[],)"
                       R"("jwt_authorities":[],"refresh_hint":"0","sequence_number":"0"})"
                       "\n");
}

TEST(GoTimeParseTest, AcceptsTheLayoutAndChecksRanges) {
  EXPECT_TRUE(checkExpiresBefore("2024-02-29 23:59:59 +0100 +01").isOk());
  EXPECT_TRUE(checkExpiresBefore("2024-01-02 3:04:05 -0700 -07").isOk());
  EXPECT_EQ(checkExpiresBefore("2023-02-29 00:00:00 +0000 +00").message(),
            "parsing time \"2023-02-29 00:00:00 +0000 +00\": day out of range");
  EXPECT_EQ(checkExpiresBefore("2023-01-01 24:00:00 +0000 +00").message(),
            "parsing time \"2023-01-01 24:00:00 +0000 +00\": hour out of range");
  EXPECT_EQ(checkExpiresBefore("2023-01-01 00:61:00 +0000 +00").message(),
            "parsing time \"2023-01-01 00:61:00 +0000 +00\": minute out of range");
  EXPECT_EQ(checkExpiresBefore("2023-1-01 00:00:00 +0000 +00").message(),
            "parsing time \"2023-1-01 00:00:00 +0000 +00\" as \"2006-01-02 15:04:05 -0700 "
            "-07\": cannot parse \"1-01 00:00:00 +0000 +00\" as \"01\"");
  EXPECT_EQ(checkExpiresBefore("2023-01-01 00:00:00 0000 +00").message(),
            "parsing time \"2023-01-01 00:00:00 0000 +00\" as \"2006-01-02 15:04:05 -0700 -07\": "
            "cannot parse \"0000 +00\" as \"-0700\"");
}

} // namespace
} // namespace spire::server::commands
