// SPIRE's shared API types (spire-api-sdk proto/spire/api/types), typed from
// spire-inventory.md §5 with the field numbers of spire-api-sdk.

#include <gtest/gtest.h>

#include "proto/descriptor_expectations.h"

namespace spire::proto::testing {
namespace {

constexpr FileExpectation kTypeFiles[] = {
    {"spire/api/types/agent.proto", "spire.api.types"},
    {"spire/api/types/attestation.proto", "spire.api.types"},
    {"spire/api/types/bundle.proto", "spire.api.types"},
    {"spire/api/types/entry.proto", "spire.api.types"},
    {"spire/api/types/federateswith.proto", "spire.api.types"},
    {"spire/api/types/federationrelationship.proto", "spire.api.types"},
    {"spire/api/types/jointoken.proto", "spire.api.types"},
    {"spire/api/types/jwtsvid.proto", "spire.api.types"},
    {"spire/api/types/logger.proto", "spire.api.types"},
    {"spire/api/types/selector.proto", "spire.api.types"},
    {"spire/api/types/spiffeid.proto", "spire.api.types"},
    {"spire/api/types/status.proto", "spire.api.types"},
    {"spire/api/types/x509svid.proto", "spire.api.types"},
};

constexpr FieldExpectation kTypeFields[] = {
    {"spire.api.types.SPIFFEID", "trust_domain", 1, "string"},
    {"spire.api.types.SPIFFEID", "path", 2, "string"},
    {"spire.api.types.Selector", "type", 1, "string"},
    {"spire.api.types.Selector", "value", 2, "string"},
    {"spire.api.types.SelectorMatch", "selectors", 1, "repeated spire.api.types.Selector"},
    {"spire.api.types.SelectorMatch", "match", 2, "spire.api.types.SelectorMatch.MatchBehavior"},
    {"spire.api.types.FederatesWithMatch", "trust_domains", 1, "repeated string"},
    {"spire.api.types.FederatesWithMatch", "match", 2,
     "spire.api.types.FederatesWithMatch.MatchBehavior"},
    {"spire.api.types.AttestationData", "type", 1, "string"},
    {"spire.api.types.AttestationData", "payload", 2, "bytes"},
    {"spire.api.types.JoinToken", "value", 1, "string"},
    {"spire.api.types.JoinToken", "expires_at", 2, "int64"},
    {"spire.api.types.Status", "code", 1, "int32"},
    {"spire.api.types.Status", "message", 2, "string"},
    {"spire.api.types.PermissionDeniedDetails", "reason", 1,
     "spire.api.types.PermissionDeniedDetails.Reason"},
    {"spire.api.types.Logger", "current_level", 1, "spire.api.types.LogLevel"},
    {"spire.api.types.Logger", "launch_level", 2, "spire.api.types.LogLevel"},
    {"spire.api.types.X509SVID", "cert_chain", 1, "repeated bytes"},
    {"spire.api.types.X509SVID", "id", 2, "spire.api.types.SPIFFEID"},
    {"spire.api.types.X509SVID", "expires_at", 3, "int64"},
    {"spire.api.types.X509SVID", "hint", 4, "string"},
    {"spire.api.types.JWTSVID", "token", 1, "string"},
    {"spire.api.types.JWTSVID", "id", 2, "spire.api.types.SPIFFEID"},
    {"spire.api.types.JWTSVID", "expires_at", 3, "int64"},
    {"spire.api.types.JWTSVID", "issued_at", 4, "int64"},
    {"spire.api.types.JWTSVID", "hint", 5, "string"},
    {"spire.api.types.Bundle", "trust_domain", 1, "string"},
    {"spire.api.types.Bundle", "x509_authorities", 2, "repeated spire.api.types.X509Certificate"},
    {"spire.api.types.Bundle", "jwt_authorities", 3, "repeated spire.api.types.JWTKey"},
    {"spire.api.types.Bundle", "refresh_hint", 4, "int64"},
    {"spire.api.types.Bundle", "sequence_number", 5, "uint64"},
    {"spire.api.types.X509Certificate", "asn1", 1, "bytes"},
    {"spire.api.types.X509Certificate", "tainted", 2, "bool"},
    {"spire.api.types.X509Certificate", "hint", 3, "string"},
    {"spire.api.types.JWTKey", "public_key", 1, "bytes"},
    {"spire.api.types.JWTKey", "key_id", 2, "string"},
    {"spire.api.types.JWTKey", "expires_at", 3, "int64"},
    {"spire.api.types.JWTKey", "tainted", 4, "bool"},
    {"spire.api.types.JWTKey", "hint", 5, "string"},
    {"spire.api.types.BundleMask", "x509_authorities", 2, "bool"},
    {"spire.api.types.BundleMask", "jwt_authorities", 3, "bool"},
    {"spire.api.types.BundleMask", "refresh_hint", 4, "bool"},
    {"spire.api.types.BundleMask", "sequence_number", 5, "bool"},
    {"spire.api.types.Agent", "id", 1, "spire.api.types.SPIFFEID"},
    {"spire.api.types.Agent", "attestation_type", 2, "string"},
    {"spire.api.types.Agent", "x509svid_serial_number", 3, "string"},
    {"spire.api.types.Agent", "x509svid_expires_at", 4, "int64"},
    {"spire.api.types.Agent", "selectors", 5, "repeated spire.api.types.Selector"},
    {"spire.api.types.Agent", "banned", 6, "bool"},
    {"spire.api.types.Agent", "can_reattest", 7, "bool"},
    {"spire.api.types.Agent", "agent_version", 8, "string"},
    {"spire.api.types.AgentMask", "attestation_type", 2, "bool"},
    {"spire.api.types.AgentMask", "can_reattest", 7, "bool"},
    {"spire.api.types.Entry", "id", 1, "string"},
    {"spire.api.types.Entry", "spiffe_id", 2, "spire.api.types.SPIFFEID"},
    {"spire.api.types.Entry", "parent_id", 3, "spire.api.types.SPIFFEID"},
    {"spire.api.types.Entry", "selectors", 4, "repeated spire.api.types.Selector"},
    {"spire.api.types.Entry", "x509_svid_ttl", 5, "int32"},
    {"spire.api.types.Entry", "federates_with", 6, "repeated string"},
    {"spire.api.types.Entry", "admin", 7, "bool"},
    {"spire.api.types.Entry", "downstream", 8, "bool"},
    {"spire.api.types.Entry", "expires_at", 9, "int64"},
    {"spire.api.types.Entry", "dns_names", 10, "repeated string"},
    {"spire.api.types.Entry", "revision_number", 11, "int64"},
    {"spire.api.types.Entry", "store_svid", 12, "bool"},
    {"spire.api.types.Entry", "jwt_svid_ttl", 13, "int32"},
    {"spire.api.types.Entry", "hint", 14, "string"},
    {"spire.api.types.Entry", "created_at", 15, "int64"},
    {"spire.api.types.Entry", "additional_attributes", 16,
     "spire.api.types.Entry.AdditionalAttributes"},
    {"spire.api.types.Entry.AdditionalAttributes", "disable_x509_svid_prefetch", 1, "bool"},
    {"spire.api.types.Entry.AdditionalAttributes", "jwt_svid_include_jti", 2, "bool"},
    {"spire.api.types.EntryMask", "spiffe_id", 2, "bool"},
    {"spire.api.types.EntryMask", "hint", 14, "bool"},
    {"spire.api.types.EntryMask", "created_at", 15, "bool"},
    {"spire.api.types.EntryMask", "additional_attributes", 16, "bool"},
    {"spire.api.types.FederationRelationship", "trust_domain", 1, "string"},
    {"spire.api.types.FederationRelationship", "bundle_endpoint_url", 2, "string"},
    {"spire.api.types.FederationRelationship", "https_web", 3, "spire.api.types.HTTPSWebProfile"},
    {"spire.api.types.FederationRelationship", "https_spiffe", 4,
     "spire.api.types.HTTPSSPIFFEProfile"},
    {"spire.api.types.FederationRelationship", "trust_domain_bundle", 5, "spire.api.types.Bundle"},
    {"spire.api.types.HTTPSSPIFFEProfile", "endpoint_spiffe_id", 1, "string"},
    {"spire.api.types.FederationRelationshipMask", "bundle_endpoint_url", 1, "bool"},
    {"spire.api.types.FederationRelationshipMask", "bundle_endpoint_profile", 2, "bool"},
    {"spire.api.types.FederationRelationshipMask", "trust_domain_bundle", 3, "bool"},
};

constexpr OneofExpectation kTypeOneofs[] = {
    {"spire.api.types.FederationRelationship", "https_web", "bundle_endpoint_profile"},
    {"spire.api.types.FederationRelationship", "https_spiffe", "bundle_endpoint_profile"},
};

constexpr EnumValueExpectation kTypeEnums[] = {
    {"spire.api.types.SelectorMatch.MatchBehavior", "MATCH_EXACT", 0},
    {"spire.api.types.SelectorMatch.MatchBehavior", "MATCH_SUBSET", 1},
    {"spire.api.types.SelectorMatch.MatchBehavior", "MATCH_SUPERSET", 2},
    {"spire.api.types.SelectorMatch.MatchBehavior", "MATCH_ANY", 3},
    {"spire.api.types.FederatesWithMatch.MatchBehavior", "MATCH_EXACT", 0},
    {"spire.api.types.FederatesWithMatch.MatchBehavior", "MATCH_SUBSET", 1},
    {"spire.api.types.FederatesWithMatch.MatchBehavior", "MATCH_SUPERSET", 2},
    {"spire.api.types.FederatesWithMatch.MatchBehavior", "MATCH_ANY", 3},
    {"spire.api.types.PermissionDeniedDetails.Reason", "UNKNOWN", 0},
    {"spire.api.types.PermissionDeniedDetails.Reason", "AGENT_EXPIRED", 1},
    {"spire.api.types.PermissionDeniedDetails.Reason", "AGENT_NOT_ATTESTED", 2},
    {"spire.api.types.PermissionDeniedDetails.Reason", "AGENT_NOT_ACTIVE", 3},
    {"spire.api.types.PermissionDeniedDetails.Reason", "AGENT_BANNED", 4},
    {"spire.api.types.PermissionDeniedDetails.Reason", "AGENT_MUST_REATTEST", 5},
    {"spire.api.types.LogLevel", "UNSPECIFIED", 0},
    {"spire.api.types.LogLevel", "PANIC", 1},
    {"spire.api.types.LogLevel", "FATAL", 2},
    {"spire.api.types.LogLevel", "ERROR", 3},
    {"spire.api.types.LogLevel", "WARN", 4},
    {"spire.api.types.LogLevel", "INFO", 5},
    {"spire.api.types.LogLevel", "DEBUG", 6},
    {"spire.api.types.LogLevel", "TRACE", 7},
};

TEST(SpireTypesProto, FilesKeepSpirePaths) {
  for (const auto& expected : kTypeFiles) {
    EXPECT_EQ(checkFile(expected), "");
  }
}

TEST(SpireTypesProto, FieldsMatchSpire) {
  for (const auto& expected : kTypeFields) {
    EXPECT_EQ(checkField(expected), "");
  }
}

TEST(SpireTypesProto, OneofsMatchSpire) {
  for (const auto& expected : kTypeOneofs) {
    EXPECT_EQ(checkOneof(expected), "");
  }
}

TEST(SpireTypesProto, EnumsMatchSpire) {
  for (const auto& expected : kTypeEnums) {
    EXPECT_EQ(checkEnumValue(expected), "");
  }
}

TEST(SpireTypesProto, AdditionalAttributesHasPresence) {
  const auto* entry = linkedPool().FindMessageTypeByName("spire.api.types.Entry");
  ASSERT_NE(entry, nullptr);
  const auto* field = entry->FindFieldByName("additional_attributes");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(field->has_presence());
}

TEST(SpireTypesProto, WitTtlNumberIsReservedNotReused) {
  for (const auto* name : {"spire.api.types.Entry", "spire.api.types.EntryMask"}) {
    const auto* message = linkedPool().FindMessageTypeByName(name);
    ASSERT_NE(message, nullptr) << name;
    EXPECT_TRUE(message->IsReservedNumber(17)) << name;
  }
}

TEST(SpireTypesProto, OldAgentFieldNameIsGone) {
  // Early SDKs spelled it can_re_attest; the JSON name clients use today is can_reattest.
  EXPECT_EQ(checkField({"spire.api.types.Agent", "can_re_attest", 7, "bool"}),
            "\"spire.api.types.Agent\" has no field \"can_re_attest\"");
}

TEST(SpireTypesProto, EntryMaskHintIsBool) {
  // One SDK release typed EntryMask.hint as string by mistake; masks are bool throughout.
  EXPECT_EQ(checkField({"spire.api.types.EntryMask", "hint", 14, "string"}),
            "spire.api.types.EntryMask.hint: type \"bool\" != \"string\";");
}

TEST(SpireTypesProto, UnknownEnumValueIsReported) {
  EXPECT_EQ(checkEnumValue({"spire.api.types.LogLevel", "WARNING", 4}),
            "\"spire.api.types.LogLevel\" has no value \"WARNING\"");
}

} // namespace
} // namespace spire::proto::testing
