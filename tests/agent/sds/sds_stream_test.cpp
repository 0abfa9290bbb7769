// StreamSecrets, FetchSecrets and DeltaSecrets end to end over the agent's socket
// (spiffe-standards.md §7.1, §7.4).

#include <algorithm>

#include "agent/sds/sds_fixture.h"
#include "crypto/certificate.h"

namespace spire::agent::sds::testing {
namespace {

using Stream = grpc::ClientReaderWriter<DiscoveryRequest, DiscoveryResponse>;

bool isNonce(const std::string& nonce) {
  return nonce.size() == 8 && std::all_of(nonce.begin(), nonce.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// An ACK/NACK for `previous` asking for `names`.
DiscoveryRequest followUp(const DiscoveryResponse& previous, const std::vector<std::string>& names,
                          const std::string& version) {
  DiscoveryRequest req = request(names);
  req.set_response_nonce(previous.nonce());
  req.set_version_info(version);
  return req;
}

class SdsStreamTest : public SdsTest {
protected:
  // Opens a stream and waits until the service has subscribed, so a later publish is seen.
  std::unique_ptr<Stream> open(grpc::ClientContext& ctx) {
    auto stream = stub_->StreamSecrets(&ctx);
    EXPECT_TRUE(source_.waitForSubscribers(1));
    return stream;
  }

  static DiscoveryResponse mustRead(Stream& stream) {
    DiscoveryResponse response;
    EXPECT_TRUE(stream.Read(&response));
    return response;
  }
};

TEST_F(SdsStreamTest, FirstRequestIsAnsweredWithoutSecurityHeader) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"spiffe://example.org/a", "ROOTCA"})));
  DiscoveryResponse response = mustRead(*stream);
  EXPECT_EQ(response.version_info(), "1");
  EXPECT_TRUE(isNonce(response.nonce())) << response.nonce();
  EXPECT_EQ(response.type_url(), kSecretType);
  EXPECT_EQ(names(response), (std::vector<std::string>{"ROOTCA", "spiffe://example.org/a"}));
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, AckIsSilentAndCacheUpdatePushes) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"default"})));
  DiscoveryResponse first = mustRead(*stream);
  ASSERT_EQ(first.version_info(), "1");
  // The ACK (same names, right nonce and version) gets no answer; the next message is the update.
  ASSERT_TRUE(stream->Write(followUp(first, {"default"}, "1")));
  source_.publish(snapshot({"/c"}));
  DiscoveryResponse second = mustRead(*stream);
  EXPECT_EQ(second.version_info(), "2");
  EXPECT_TRUE(isNonce(second.nonce()));
  EXPECT_NE(second.nonce(), first.nonce());
  std::vector<tls::Secret> got = secrets(second);
  ASSERT_EQ(got.size(), 1U);
  auto svid = x509::X509Svid::parsePem(got[0].tls_certificate().certificate_chain().inline_bytes(),
                                       got[0].tls_certificate().private_key().inline_bytes());
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/c");
  // Another update, another version.
  ASSERT_TRUE(stream->Write(followUp(second, {"default"}, "2")));
  source_.publish(snapshot({"/d"}));
  EXPECT_EQ(mustRead(*stream).version_info(), "3");
  // Only Envoy's first request (no version yet) counts as a NACK; the ACKs do not. (An ACK the
  // server reads after it already pushed the next update carries a stale nonce and is ignored.)
  const std::vector<std::string> lines = logLines();
  EXPECT_EQ(
      std::count(lines.begin(), lines.end(), "Client rejected expected version and rolled back"), 1)
      << ::testing::PrintToString(lines);
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, ResourceNameChangeTriggersAResponseAtTheSameVersion) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  DiscoveryResponse first = mustRead(*stream);
  // Same set in another order, with a duplicate of equal length: not a change.
  ASSERT_TRUE(stream->Write(followUp(first, {"ROOTCA"}, "1")));
  ASSERT_TRUE(stream->Write(followUp(first, {"spiffe://federated.test", "ROOTCA"}, "1")));
  DiscoveryResponse second = mustRead(*stream);
  EXPECT_EQ(second.version_info(), "1");
  EXPECT_NE(second.nonce(), first.nonce());
  EXPECT_EQ(names(second), (std::vector<std::string>{"ROOTCA", "spiffe://federated.test"}));
  ASSERT_TRUE(stream->Write(followUp(second, {"ROOTCA", "spiffe://federated.test"}, "1")));
  ASSERT_TRUE(stream->Write(followUp(second, {"spiffe://federated.test", "ROOTCA"}, "1")));
  ASSERT_TRUE(stream->Write(followUp(second, {"spiffe://example.org/b"}, "1")));
  DiscoveryResponse third = mustRead(*stream);
  EXPECT_EQ(names(third), std::vector<std::string>{"spiffe://example.org/b"});
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, StaleNonceIsIgnored) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  DiscoveryResponse first = mustRead(*stream);
  DiscoveryRequest stale = request({"spiffe://example.org/a"});
  stale.set_response_nonce("00000000");
  stale.set_version_info("1");
  ASSERT_TRUE(stream->Write(stale));
  // Ignored entirely: the next update still answers the names of the first request.
  source_.publish(snapshot({"/a"}));
  DiscoveryResponse second = mustRead(*stream);
  EXPECT_EQ(second.version_info(), "2");
  EXPECT_EQ(names(second), std::vector<std::string>{"ROOTCA"});
  // Requests are handled in order, so once this one is answered the stale one has been seen.
  ASSERT_TRUE(stream->Write(followUp(second, {"default"}, "2")));
  EXPECT_EQ(names(mustRead(*stream)), std::vector<std::string>{"default"});
  EXPECT_EQ(logLines(),
            (std::vector<std::string>{"Client rejected expected version and rolled back",
                                      "Received unexpected nonce; ignoring request"}));
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, NackIsLoggedAndTolerated) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  DiscoveryResponse first = mustRead(*stream);
  DiscoveryRequest nack = followUp(first, {"ROOTCA", "default"}, "");
  nack.mutable_error_detail()->set_message("bad secret");
  ASSERT_TRUE(stream->Write(nack));
  DiscoveryResponse second = mustRead(*stream);
  EXPECT_EQ(names(second), (std::vector<std::string>{"ROOTCA", "default"}));
  EXPECT_EQ(logLines(),
            (std::vector<std::string>{// The first request carries no version either.
                                      "Client rejected expected version and rolled back",
                                      "Envoy reported errors applying secrets: bad secret",
                                      "Client rejected expected version and rolled back"}));
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, NodeIsReusedWhenMissing) {
  auto ctx = context();
  auto stream = open(*ctx);
  DiscoveryRequest first_req = request({"ROOTCA"});
  first_req.mutable_node()->set_id("envoy-1");
  (*first_req.mutable_node()
        ->mutable_metadata()
        ->mutable_fields())["disable_spiffe_cert_validation"]
      .set_string_value("true");
  ASSERT_TRUE(stream->Write(first_req));
  DiscoveryResponse first = mustRead(*stream);
  ASSERT_EQ(secrets(first).size(), 1U);
  EXPECT_TRUE(secrets(first)[0].validation_context().has_trusted_ca());
  // No node in the follow-up: the root-CA mode of the last node still applies.
  ASSERT_TRUE(stream->Write(followUp(first, {"spiffe://federated.test"}, "1")));
  DiscoveryResponse second = mustRead(*stream);
  ASSERT_EQ(secrets(second).size(), 1U);
  EXPECT_EQ(secrets(second)[0].validation_context().trusted_ca().inline_bytes(),
            crypto::certificatesToPem(fed_ca_.bundle().authorities()));
  EXPECT_FALSE(secrets(second)[0].validation_context().has_custom_validator_config());
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, UpdateBeforeAnyRequestIsHeldUntilTheFirstRequest) {
  auto ctx = context();
  auto stream = open(*ctx);
  source_.publish(snapshot({"/later"}));
  ASSERT_TRUE(stream->Write(request({"default"})));
  DiscoveryResponse first = mustRead(*stream);
  std::vector<tls::Secret> got = secrets(first);
  ASSERT_EQ(got.size(), 1U);
  auto svid = x509::X509Svid::parsePem(got[0].tls_certificate().certificate_chain().inline_bytes(),
                                       got[0].tls_certificate().private_key().inline_bytes());
  ASSERT_TRUE(svid.isOk());
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/later");
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, SnapshotWithoutOwnBundleIsNotAnUpdate) {
  auto no_bundle = snapshot({"/a"});
  no_bundle->bundle = nullptr;
  source_.publish(no_bundle);
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  // Nothing to answer with yet; the first real snapshot is version 1 and answers the request.
  source_.publish(snapshot({"/a"}));
  DiscoveryResponse first = mustRead(*stream);
  EXPECT_EQ(first.version_info(), "1");
  EXPECT_EQ(names(first), std::vector<std::string>{"ROOTCA"});
  ctx->TryCancel();
}

TEST_F(SdsStreamTest, UnmatchedNamesEndTheStreamWithInvalidArgument) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"spiffe://example.org/nope", "ROOTCA"})));
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_GRPC_STATUS(stream->Finish(), grpc::StatusCode::INVALID_ARGUMENT,
                     "workload is not authorized for the requested identities "
                     "[\"spiffe://example.org/nope\"]");
}

TEST_F(SdsStreamTest, UpdateThatCannotBeBuiltEndsTheStream) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"spiffe://example.org/b"})));
  mustRead(*stream);
  // /b disappears: the update cannot answer the last request. SPIRE returns InvalidArgument;
  // here the reader sits in a blocking Read, so the call is also cancelled, and which of the two
  // reaches the client is a race inside gRPC (README "Known gap"). Either way the stream ends.
  source_.publish(snapshot({"/a"}));
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  const grpc::Status status = stream->Finish();
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    EXPECT_EQ(status.error_message(), "workload is not authorized for the requested identities "
                                      "[\"spiffe://example.org/b\"]");
  } else {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  }
  EXPECT_TRUE(source_.waitForSubscribers(0));
}

TEST_F(SdsStreamTest, AllInRootCaModeEndsTheStreamWithInternal) {
  auto ctx = context();
  auto stream = open(*ctx);
  DiscoveryRequest req = request({"ALL"});
  req.mutable_node()->mutable_user_agent_build_version()->mutable_version()->set_major_number(1);
  req.mutable_node()->mutable_user_agent_build_version()->mutable_version()->set_minor_number(17);
  ASSERT_TRUE(stream->Write(req));
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_GRPC_STATUS(stream->Finish(), grpc::StatusCode::INTERNAL,
                     "unable to use \"SPIFFE validator\" on Envoy below 1.17");
}

TEST_F(SdsStreamTest, AttestationFailureIsUnavailable) {
  source_.failAttestation(Status(StatusCode::kInternal, "no such process"));
  auto ctx = context();
  auto stream = stub_->StreamSecrets(ctx.get());
  stream->Write(request({}));
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_GRPC_STATUS(stream->Finish(), grpc::StatusCode::UNAVAILABLE,
                     "workload attestation failed");
}

TEST_F(SdsStreamTest, ClientHalfCloseEndsTheStreamCleanly) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  mustRead(*stream);
  ASSERT_TRUE(stream->WritesDone());
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(source_.waitForSubscribers(0));
}

TEST_F(SdsStreamTest, ShutdownEndsOpenStreams) {
  auto ctx = context();
  auto stream = open(*ctx);
  ASSERT_TRUE(stream->Write(request({"ROOTCA"})));
  mustRead(*stream);
  sds_->shutdown();
  DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(SdsStreamTest, FetchSecretsBuildsWithoutVersionOrNonce) {
  auto ctx = context();
  DiscoveryResponse response;
  grpc::Status status = stub_->FetchSecrets(ctx.get(), request({}), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.version_info(), "");
  EXPECT_EQ(response.nonce(), "");
  EXPECT_EQ(names(response),
            (std::vector<std::string>{"spiffe://example.org", "spiffe://federated.test",
                                      "spiffe://example.org/a", "spiffe://example.org/b"}));
}

TEST_F(SdsStreamTest, FetchSecretsErrors) {
  {
    auto ctx = context();
    DiscoveryResponse response;
    EXPECT_GRPC_STATUS(stub_->FetchSecrets(ctx.get(), request({"ROOTCA", "x"}), &response),
                       grpc::StatusCode::INVALID_ARGUMENT,
                       "workload is not authorized for the requested identities [\"x\"]");
  }
  source_.failAttestation(Status(StatusCode::kInternal, "boom"));
  auto ctx = context();
  DiscoveryResponse response;
  EXPECT_GRPC_STATUS(stub_->FetchSecrets(ctx.get(), request({}), &response),
                     grpc::StatusCode::UNAVAILABLE, "workload attestation failed");
}

TEST_F(SdsStreamTest, DeltaSecretsIsUnimplemented) {
  auto ctx = context();
  auto stream = stub_->DeltaSecrets(ctx.get());
  envoy::service::discovery::v3::DeltaDiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_GRPC_STATUS(stream->Finish(), grpc::StatusCode::UNIMPLEMENTED,
                     "Method is not implemented");
}

} // namespace
} // namespace spire::agent::sds::testing
