#pragma once
// spire.api.server.entry.v1.Entry: registration entry management for admins (backed by the
// datastore) and the agents' view of their authorized entries (backed by the in-memory
// AuthorizedEntriesIndex, never a table scan). Codes and messages follow SPIRE's
// pkg/server/api/entry/v1/service.go.
//
// Writes go to the datastore first and, once committed, to the index (ServerState's rule), so an
// agent never syncs an entry the database does not hold.
//
// THREADS: gRPC handler threads, concurrently; the service itself holds no mutable state.
#include <cstddef>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "server/registration/sync_pager.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"

namespace spire::server::api::entry {

namespace entryv1 = ::spire::api::server::entry::v1;

class EntryService final : public entryv1::Entry::Service {
public:
  // `sync_page_size` is SPIRE's entryPageSize for SyncAuthorizedEntries (0 = 500).
  // LIFETIME: `state` and `authorizer` outlive the service.
  EntryService(ServerState& state, const Authorizer& authorizer,
               std::size_t sync_page_size = registration::kDefaultEntryPageSize);

  grpc::Status CountEntries(grpc::ServerContext* context, const entryv1::CountEntriesRequest* req,
                            entryv1::CountEntriesResponse* resp) override;
  grpc::Status ListEntries(grpc::ServerContext* context, const entryv1::ListEntriesRequest* req,
                           entryv1::ListEntriesResponse* resp) override;
  grpc::Status GetEntry(grpc::ServerContext* context, const entryv1::GetEntryRequest* req,
                        ::spire::api::types::Entry* resp) override;
  grpc::Status BatchCreateEntry(grpc::ServerContext* context,
                                const entryv1::BatchCreateEntryRequest* req,
                                entryv1::BatchCreateEntryResponse* resp) override;
  grpc::Status BatchUpdateEntry(grpc::ServerContext* context,
                                const entryv1::BatchUpdateEntryRequest* req,
                                entryv1::BatchUpdateEntryResponse* resp) override;
  grpc::Status BatchDeleteEntry(grpc::ServerContext* context,
                                const entryv1::BatchDeleteEntryRequest* req,
                                entryv1::BatchDeleteEntryResponse* resp) override;
  grpc::Status GetAuthorizedEntries(grpc::ServerContext* context,
                                    const entryv1::GetAuthorizedEntriesRequest* req,
                                    entryv1::GetAuthorizedEntriesResponse* resp) override;
  grpc::Status SyncAuthorizedEntries(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<entryv1::SyncAuthorizedEntriesResponse,
                               entryv1::SyncAuthorizedEntriesRequest>* stream) override;

private:
  void createEntry(const ::spire::api::types::Entry& in, const ::spire::api::types::EntryMask* mask,
                   entryv1::BatchCreateEntryResponse::Result* result) const;
  void updateEntry(const ::spire::api::types::Entry& in,
                   const ::spire::api::types::EntryMask* input_mask,
                   const ::spire::api::types::EntryMask* output_mask,
                   entryv1::BatchUpdateEntryResponse::Result* result) const;
  void deleteEntry(const std::string& id, entryv1::BatchDeleteEntryResponse::Result* result) const;

  ServerState& state_;
  const Authorizer& authorizer_;
  std::size_t sync_page_size_;
};

} // namespace spire::server::api::entry
