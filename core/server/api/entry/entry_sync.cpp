// EntryService::SyncAuthorizedEntries: SPIRE's incremental sync, driven by registration::SyncPager
// over the agent's entries from the AuthorizedEntriesIndex.
#include <vector>

#include "server/api/entry/entry_convert.h"
#include "server/api/entry/entry_service.h"
#include "server/api/grpc_status.h"

namespace spire::server::api::entry {
namespace {

namespace types = ::spire::api::types;

constexpr std::string_view kSyncAuthorizedEntries =
    "/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries";

using SyncStream = grpc::ServerReaderWriter<entryv1::SyncAuthorizedEntriesResponse,
                                            entryv1::SyncAuthorizedEntriesRequest>;

// Sends the pages in order; false once the client is gone.
bool sendPages(SyncStream& stream, const std::vector<registration::SyncPage>& pages,
               const types::EntryMask* mask, spdlog::logger& log) {
  for (const registration::SyncPage& page : pages) {
    entryv1::SyncAuthorizedEntriesResponse resp;
    for (const registration::EntryPtr& record : page.entries) {
      Result<types::Entry> entry = entryToProto(*record, mask);
      if (!entry) {
        log.error("Failed to convert entry {}: {}", record->entry_id, entry.status().message());
        continue;
      }
      *resp.add_entries() = std::move(*entry);
    }
    for (const registration::EntryRevision& revision : page.entry_revisions) {
      entryv1::EntryRevision* out = resp.add_entry_revisions();
      out->set_id(revision.id);
      out->set_revision_number(revision.revision_number);
      out->set_created_at(revision.created_at);
    }
    resp.set_more(page.more);
    if (!stream.Write(resp)) {
      return false;
    }
  }
  return true;
}

} // namespace

grpc::Status EntryService::SyncAuthorizedEntries(grpc::ServerContext* context, SyncStream* stream) {
  auto caller = authorizer_.authorize(*context, kSyncAuthorizedEntries);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (!caller->id.has_value()) {
    return toGrpcStatus(internalError("caller ID missing from request context"));
  }
  if (state_.index == nullptr) {
    return toGrpcStatus(internalError("failed to fetch entries: no authorized entries index"));
  }
  entryv1::SyncAuthorizedEntriesRequest first;
  if (!stream->Read(&first)) {
    return grpc::Status::OK; // the agent hung up before asking
  }
  const std::vector<std::string> first_ids(first.ids().begin(), first.ids().end());
  if (Status st = registration::SyncPager::checkInitialRequest(first_ids); !st.isOk()) {
    return toGrpcStatus(st);
  }
  // The agent decides what to fetch from revision numbers, so they may not be masked away.
  if (first.has_output_mask() && !first.output_mask().revision_number()) {
    return toGrpcStatus(invalidArgument("revision number cannot be masked"));
  }
  // The first request's mask applies to the whole stream, as in SPIRE.
  const types::EntryMask mask = first.output_mask();
  const types::EntryMask* mask_ptr = first.has_output_mask() ? &mask : nullptr;

  registration::AuthorizedEntries authorized =
      state_.index->authorizedEntries(caller->id->toString());
  const registration::SyncPager pager(std::move(authorized.entries), sync_page_size_);
  if (!sendPages(*stream, pager.initialPages(), mask_ptr, state_.log())) {
    return grpc::Status::OK;
  }
  if (!pager.sendsRevisions()) {
    return grpc::Status::OK;
  }
  // Each follow-up request names the entries the agent lacks; answer each in full pages. The
  // stream ends when the agent closes its side (or cancels), which is normal.
  entryv1::SyncAuthorizedEntriesRequest next;
  while (stream->Read(&next)) {
    const std::vector<std::string> ids(next.ids().begin(), next.ids().end());
    if (!sendPages(*stream, pager.pagesForIds(ids), mask_ptr, state_.log())) {
      break;
    }
  }
  return grpc::Status::OK;
}

} // namespace spire::server::api::entry
