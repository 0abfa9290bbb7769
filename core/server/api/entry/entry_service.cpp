#include "server/api/entry/entry_service.h"

#include <string>
#include <utility>

#include "server/api/entry/entry_convert.h"
#include "server/api/entry/entry_filter.h"
#include "server/api/grpc_status.h"

namespace spire::server::api::entry {
namespace {

namespace types = ::spire::api::types;

constexpr std::string_view kCountEntries = "/spire.api.server.entry.v1.Entry/CountEntries";
constexpr std::string_view kListEntries = "/spire.api.server.entry.v1.Entry/ListEntries";
constexpr std::string_view kGetEntry = "/spire.api.server.entry.v1.Entry/GetEntry";
constexpr std::string_view kBatchCreateEntry = "/spire.api.server.entry.v1.Entry/BatchCreateEntry";
constexpr std::string_view kBatchUpdateEntry = "/spire.api.server.entry.v1.Entry/BatchUpdateEntry";
constexpr std::string_view kBatchDeleteEntry = "/spire.api.server.entry.v1.Entry/BatchDeleteEntry";
constexpr std::string_view kGetAuthorizedEntries =
    "/spire.api.server.entry.v1.Entry/GetAuthorizedEntries";

// SPIRE's api.MakeErr / MakeStatus: "<msg>" or "<msg>: <cause>".
Status makeError(StatusCode code, std::string_view message, const Status& cause = {}) {
  if (cause.isOk()) {
    return {code, std::string(message)};
  }
  return {code, std::string(message) + ": " + cause.message()};
}

// A datastore failure keeps its code (so NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT reach the
// caller, as SPIRE's status.Code(err)), except UNKNOWN, which SPIRE reports as INTERNAL.
StatusCode datastoreCode(const Status& status) {
  return status.code() == StatusCode::kUnknown ? StatusCode::kInternal : status.code();
}

void setStatus(types::Status* out, const Status& status) {
  out->set_code(static_cast<int>(status.code()));
  out->set_message(status.isOk() ? "" : status.message());
}

const types::EntryMask* maskOrNull(bool present, const types::EntryMask& mask) {
  return present ? &mask : nullptr;
}

// The filter of a Count/List request: none (everything) when the request has no filter.
template <class Request>
Result<plugin_host::EntryFilter> requestedFilter(const spiffe::TrustDomain& td,
                                                 const Request& req) {
  if (!req.has_filter()) {
    return plugin_host::EntryFilter{};
  }
  return entryFilterFromProto(td, req.filter());
}

} // namespace

EntryService::EntryService(ServerState& state, const Authorizer& authorizer,
                           std::size_t sync_page_size)
    : state_(state), authorizer_(authorizer),
      sync_page_size_(sync_page_size == 0 ? registration::kDefaultEntryPageSize : sync_page_size) {}

grpc::Status EntryService::CountEntries(grpc::ServerContext* context,
                                        const entryv1::CountEntriesRequest* req,
                                        entryv1::CountEntriesResponse* resp) {
  auto caller = authorizer_.authorize(*context, kCountEntries);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  auto built = requestedFilter(state_.trust_domain, *req);
  if (!built) {
    return toGrpcStatus(built.status());
  }
  plugin_host::EntryFilter filter = std::move(*built);
  Result<std::int64_t> count = state_.datastore->countEntries(&filter);
  if (!count) {
    state_.log().error("Failed to count entries: {}", count.status().message());
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to count entries", count.status()));
  }
  resp->set_count(static_cast<std::int32_t>(*count));
  return grpc::Status::OK;
}

grpc::Status EntryService::ListEntries(grpc::ServerContext* context,
                                       const entryv1::ListEntriesRequest* req,
                                       entryv1::ListEntriesResponse* resp) {
  auto caller = authorizer_.authorize(*context, kListEntries);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  auto built = requestedFilter(state_.trust_domain, *req);
  if (!built) {
    return toGrpcStatus(built.status());
  }
  plugin_host::EntryFilter filter = std::move(*built);
  // As SPIRE: paging only with a positive page size; otherwise everything, token ignored.
  plugin_host::Pagination page;
  if (req->page_size() > 0) {
    page.page_size = req->page_size();
    page.token = req->page_token();
  }
  auto listed = state_.datastore->listEntries(&filter, page);
  if (!listed) {
    state_.log().error("Failed to list entries: {}", listed.status().message());
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to list entries", listed.status()));
  }
  const types::EntryMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const plugin_host::Entry& record : listed->items) {
    Result<types::Entry> entry = entryToProto(record, mask);
    if (!entry) {
      // SPIRE logs and skips an entry it cannot convert rather than failing the whole list.
      state_.log().error("Failed to convert entry {}: {}", record.entry_id,
                         entry.status().message());
      continue;
    }
    *resp->add_entries() = std::move(*entry);
  }
  resp->set_next_page_token(listed->next_token);
  return grpc::Status::OK;
}

grpc::Status EntryService::GetEntry(grpc::ServerContext* context,
                                    const entryv1::GetEntryRequest* req, types::Entry* resp) {
  auto caller = authorizer_.authorize(*context, kGetEntry);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (req->id().empty()) {
    return toGrpcStatus(invalidArgument("missing ID"));
  }
  auto fetched = state_.datastore->fetchEntry(req->id());
  if (!fetched) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to fetch entry", fetched.status()));
  }
  if (!fetched->has_value()) {
    return toGrpcStatus(notFound("entry not found"));
  }
  Result<types::Entry> entry =
      entryToProto(**fetched, maskOrNull(req->has_output_mask(), req->output_mask()));
  if (!entry) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to convert entry", entry.status()));
  }
  *resp = std::move(*entry);
  return grpc::Status::OK;
}

grpc::Status EntryService::BatchCreateEntry(grpc::ServerContext* context,
                                            const entryv1::BatchCreateEntryRequest* req,
                                            entryv1::BatchCreateEntryResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchCreateEntry);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  const types::EntryMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const types::Entry& in : req->entries()) {
    createEntry(in, mask, resp->add_results());
  }
  return grpc::Status::OK;
}

void EntryService::createEntry(const types::Entry& in, const types::EntryMask* mask,
                               entryv1::BatchCreateEntryResponse::Result* result) const {
  Result<plugin_host::Entry> record = entryFromProto(state_.trust_domain, in);
  if (!record) {
    setStatus(result->mutable_status(),
              makeError(StatusCode::kInvalidArgument, registration::kConvertEntryPrefix,
                        record.status()));
    return;
  }
  // One datastore transaction decides "similar entry exists" and creates otherwise, so two
  // concurrent identical creates cannot both succeed.
  auto created = state_.datastore->createOrReturnEntry(*record);
  if (!created) {
    state_.log().error("Failed to create entry: {}", created.status().message());
    setStatus(result->mutable_status(), makeError(datastoreCode(created.status()),
                                                  "failed to create entry", created.status()));
    return;
  }
  const auto& [stored, existed] = *created;
  Status outcome;
  if (existed) {
    outcome = registration::similarEntryExists();
  } else if (state_.index != nullptr) {
    state_.index->upsertEntry(stored);
  }
  Result<types::Entry> entry = entryToProto(stored, mask);
  if (!entry) {
    setStatus(result->mutable_status(),
              makeError(StatusCode::kInternal, "failed to convert entry", entry.status()));
    return;
  }
  setStatus(result->mutable_status(), outcome);
  *result->mutable_entry() = std::move(*entry);
}

grpc::Status EntryService::BatchUpdateEntry(grpc::ServerContext* context,
                                            const entryv1::BatchUpdateEntryRequest* req,
                                            entryv1::BatchUpdateEntryResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchUpdateEntry);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  const types::EntryMask* input = maskOrNull(req->has_input_mask(), req->input_mask());
  const types::EntryMask* output = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const types::Entry& in : req->entries()) {
    updateEntry(in, input, output, resp->add_results());
  }
  return grpc::Status::OK;
}

void EntryService::updateEntry(const types::Entry& in, const types::EntryMask* input_mask,
                               const types::EntryMask* output_mask,
                               entryv1::BatchUpdateEntryResponse::Result* result) const {
  Result<plugin_host::Entry> record = entryFromProto(state_.trust_domain, in, input_mask);
  if (!record) {
    setStatus(result->mutable_status(),
              makeError(StatusCode::kInvalidArgument, registration::kConvertEntryPrefix,
                        record.status()));
    return;
  }
  // The datastore writes the masked fields and bumps revision_number in one transaction.
  auto updated = state_.datastore->updateEntry(*record, datastoreEntryMask(input_mask));
  if (!updated) {
    state_.log().error("Failed to update entry {}: {}", in.id(), updated.status().message());
    setStatus(result->mutable_status(), makeError(datastoreCode(updated.status()),
                                                  "failed to update entry", updated.status()));
    return;
  }
  if (state_.index != nullptr) {
    state_.index->upsertEntry(*updated);
  }
  Result<types::Entry> entry = entryToProto(*updated, output_mask);
  if (!entry) {
    setStatus(
        result->mutable_status(),
        makeError(StatusCode::kInternal, "failed to convert entry in updateEntry", entry.status()));
    return;
  }
  setStatus(result->mutable_status(), Status::ok());
  *result->mutable_entry() = std::move(*entry);
}

grpc::Status EntryService::BatchDeleteEntry(grpc::ServerContext* context,
                                            const entryv1::BatchDeleteEntryRequest* req,
                                            entryv1::BatchDeleteEntryResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchDeleteEntry);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  for (const std::string& id : req->ids()) {
    deleteEntry(id, resp->add_results());
  }
  return grpc::Status::OK;
}

void EntryService::deleteEntry(const std::string& id,
                               entryv1::BatchDeleteEntryResponse::Result* result) const {
  result->set_id(id);
  if (id.empty()) {
    setStatus(result->mutable_status(), invalidArgument("missing entry ID"));
    return;
  }
  auto deleted = state_.datastore->deleteEntry(id);
  if (!deleted) {
    if (deleted.status().code() == StatusCode::kNotFound) {
      setStatus(result->mutable_status(), notFound("entry not found"));
    } else {
      state_.log().error("Failed to delete entry {}: {}", id, deleted.status().message());
      setStatus(result->mutable_status(),
                makeError(StatusCode::kInternal, "failed to delete entry", deleted.status()));
    }
    return;
  }
  if (state_.index != nullptr) {
    state_.index->removeEntry(id);
  }
  setStatus(result->mutable_status(), Status::ok());
}

grpc::Status EntryService::GetAuthorizedEntries(grpc::ServerContext* context,
                                                const entryv1::GetAuthorizedEntriesRequest* req,
                                                entryv1::GetAuthorizedEntriesResponse* resp) {
  auto caller = authorizer_.authorize(*context, kGetAuthorizedEntries);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (!caller->id.has_value()) {
    return toGrpcStatus(internalError("caller ID missing from request context"));
  }
  if (state_.index == nullptr) {
    return toGrpcStatus(internalError("failed to fetch entries: no authorized entries index"));
  }
  const registration::AuthorizedEntries authorized =
      state_.index->authorizedEntries(caller->id->toString());
  const types::EntryMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const registration::EntryPtr& record : authorized.entries) {
    Result<types::Entry> entry = entryToProto(*record, mask);
    if (!entry) {
      state_.log().error("Failed to convert entry {}: {}", record->entry_id,
                         entry.status().message());
      continue;
    }
    *resp->add_entries() = std::move(*entry);
  }
  return grpc::Status::OK;
}

} // namespace spire::server::api::entry
