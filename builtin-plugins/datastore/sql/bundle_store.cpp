// Bundles, their X.509 / JWT authorities, and federation relationships.

#include <algorithm>

#include "datastore/sql/bundle_codec.h"
#include "datastore/sql/query_builder.h"
#include "datastore/sql/sql_store.h"

namespace spire::datastore::sql {

using spire::plugin::Error;

namespace {

void requireTrustDomain(const std::string& td) {
  if (td.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "trust domain is required");
  }
}

Bundle mustLoad(Connection& conn, const std::string& td) {
  auto b = loadBundle(conn, td);
  if (!b) {
    notFound("bundle not found");
  }
  return std::move(*b);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<X509Authority>::iterator findCa(Bundle& b, const std::string& ski) {
  std::string want = lower(ski);
  return std::find_if(b.x509_authorities.begin(), b.x509_authorities.end(),
                      [&](const X509Authority& a) { return subjectKeyIdHex(a.der) == want; });
}

std::vector<JwtKey>::iterator findKey(Bundle& b, const std::string& kid) {
  return std::find_if(b.jwt_authorities.begin(), b.jwt_authorities.end(),
                      [&](const JwtKey& k) { return k.key_id == kid; });
}

} // namespace

Bundle SqlStore::createBundle(const Bundle& bundle) {
  requireTrustDomain(bundle.trust_domain);
  return write([&](Connection& conn) {
    if (loadBundle(conn, bundle.trust_domain)) {
      throw Error(SPIRE_ALREADY_EXISTS, "bundle already exists");
    }
    storeBundle(conn, bundle, false);
    return bundle;
  });
}

std::optional<Bundle> SqlStore::fetchBundle(const std::string& trust_domain) {
  return read([&](Connection& conn) { return loadBundle(conn, trust_domain); });
}

Listed<Bundle> SqlStore::listBundles(const Page& page) {
  return read([&](Connection& conn) {
    Where where;
    if (!page.token.empty()) {
      where.add("trust_domain > ?", {page.token});
    }
    std::string sql =
        "SELECT trust_domain, data FROM bundles" + where.clause() + " ORDER BY trust_domain";
    if (page.page_size > 0) {
      sql += " LIMIT " + std::to_string(page.page_size + 1);
    }
    std::vector<Bundle> rows;
    auto st = conn.query(sql, where.params());
    while (st->next()) {
      rows.push_back(decodeBundle(st->getText(0), st->getBlob(1)));
    }
    return toPage(std::move(rows), page, [](const Bundle& b) { return b.trust_domain; });
  });
}

std::int64_t SqlStore::countBundles() {
  return read([&](Connection& conn) {
    auto st = conn.query("SELECT COUNT(*) FROM bundles", {});
    st->next();
    return st->getInt(0);
  });
}

Bundle SqlStore::setBundle(const Bundle& bundle) {
  requireTrustDomain(bundle.trust_domain);
  return write([&](Connection& conn) {
    storeBundle(conn, bundle, loadBundle(conn, bundle.trust_domain).has_value());
    return bundle;
  });
}

Bundle SqlStore::appendBundle(const Bundle& bundle) {
  requireTrustDomain(bundle.trust_domain);
  return write([&](Connection& conn) {
    auto current = loadBundle(conn, bundle.trust_domain);
    if (!current) {
      storeBundle(conn, bundle, false);
      return bundle;
    }
    bool changed = false;
    for (const auto& a : bundle.x509_authorities) {
      bool present = std::any_of(current->x509_authorities.begin(), current->x509_authorities.end(),
                                 [&](const X509Authority& c) { return c.der == a.der; });
      if (!present) {
        current->x509_authorities.push_back(a);
        changed = true;
      }
    }
    for (const auto& k : bundle.jwt_authorities) {
      if (findKey(*current, k.key_id) == current->jwt_authorities.end()) {
        current->jwt_authorities.push_back(k);
        changed = true;
      }
    }
    if (changed) {
      current->sequence_number++;
      storeBundle(conn, *current, true);
    }
    return *current;
  });
}

Bundle SqlStore::updateBundle(const Bundle& bundle, std::uint32_t mask) {
  requireTrustDomain(bundle.trust_domain);
  return write([&](Connection& conn) {
    Bundle current = mustLoad(conn, bundle.trust_domain);
    if ((mask & SPIRE_BUNDLE_MASK_REFRESH_HINT) != 0) {
      current.refresh_hint = bundle.refresh_hint;
    }
    if ((mask & SPIRE_BUNDLE_MASK_SEQUENCE_NUMBER) != 0) {
      current.sequence_number = bundle.sequence_number;
    }
    if ((mask & SPIRE_BUNDLE_MASK_X509_AUTHORITIES) != 0) {
      current.x509_authorities = bundle.x509_authorities;
    }
    if ((mask & SPIRE_BUNDLE_MASK_JWT_AUTHORITIES) != 0) {
      current.jwt_authorities = bundle.jwt_authorities;
    }
    storeBundle(conn, current, true);
    return current;
  });
}

void SqlStore::deleteBundle(const std::string& trust_domain, spire_delete_mode mode) {
  if (mode != SPIRE_DELETE_RESTRICT && mode != SPIRE_DELETE_DELETE &&
      mode != SPIRE_DELETE_DISSOCIATE) {
    throw Error(SPIRE_INVALID_ARGUMENT, "unknown delete mode " + std::to_string(mode));
  }
  write([&](Connection& conn) {
    auto st = conn.query("SELECT id FROM bundles WHERE trust_domain = ?", {trust_domain});
    if (!st->next()) {
      notFound("bundle not found");
    }
    std::int64_t bundle_id = st->getInt(0);
    st.reset();
    std::vector<std::pair<std::int64_t, std::string>> federated;
    auto linked = conn.query("SELECT e.id, e.entry_id FROM registered_entries e JOIN "
                             "federated_registration_entries f ON f.registered_entry_id = e.id "
                             "WHERE f.bundle_id = ?",
                             {bundle_id});
    while (linked->next()) {
      federated.emplace_back(linked->getInt(0), linked->getText(1));
    }
    linked.reset();
    if (!federated.empty()) {
      if (mode == SPIRE_DELETE_RESTRICT) {
        throw Error(SPIRE_FAILED_PRECONDITION, "cannot delete bundle; federated with " +
                                                   std::to_string(federated.size()) +
                                                   " registration entries");
      }
      std::int64_t now = nowSeconds();
      for (const auto& [id, entry_id] : federated) {
        if (mode == SPIRE_DELETE_DELETE) {
          conn.exec("DELETE FROM registered_entries WHERE id = ?", {id});
        } else {
          conn.exec("UPDATE registered_entries SET revision_number = revision_number + 1, "
                    "updated_at = ? WHERE id = ?",
                    {now, id});
        }
        insertEntryEvent(conn, entry_id);
      }
      conn.exec("DELETE FROM federated_registration_entries WHERE bundle_id = ?", {bundle_id});
    }
    conn.exec("DELETE FROM bundles WHERE id = ?", {bundle_id});
  });
}

bool SqlStore::pruneBundle(const std::string& trust_domain, std::int64_t expires_before) {
  return write([&](Connection& conn) {
    auto current = loadBundle(conn, trust_domain);
    if (!current) {
      return false;
    }
    Bundle pruned = *current;
    std::erase_if(pruned.x509_authorities, [&](const X509Authority& a) {
      auto not_after = certNotAfter(a.der);
      return not_after && *not_after < expires_before;
    });
    if (pruned.x509_authorities.empty() && !current->x509_authorities.empty()) {
      throw Error(SPIRE_FAILED_PRECONDITION, "prune failed: would prune all certificates");
    }
    std::erase_if(pruned.jwt_authorities,
                  [&](const JwtKey& k) { return k.expires_at < expires_before; });
    bool changed = pruned.x509_authorities.size() != current->x509_authorities.size() ||
                   pruned.jwt_authorities.size() != current->jwt_authorities.size();
    if (changed) {
      pruned.sequence_number++;
      storeBundle(conn, pruned, true);
    }
    return changed;
  });
}

void SqlStore::taintX509Ca(const std::string& td, const std::string& ski) {
  write([&](Connection& conn) {
    Bundle b = mustLoad(conn, td);
    auto it = findCa(b, ski);
    if (it == b.x509_authorities.end()) {
      notFound("no ca found with provided subject key ID");
    }
    if (it->tainted) {
      throw Error(SPIRE_FAILED_PRECONDITION, "root CA is already tainted");
    }
    it->tainted = true;
    storeBundle(conn, b, true);
  });
}

void SqlStore::revokeX509Ca(const std::string& td, const std::string& ski) {
  write([&](Connection& conn) {
    Bundle b = mustLoad(conn, td);
    auto it = findCa(b, ski);
    if (it == b.x509_authorities.end()) {
      notFound("no root CA found with provided subject key ID");
    }
    if (!it->tainted) {
      throw Error(SPIRE_FAILED_PRECONDITION, "it is not possible to revoke an untainted root CA");
    }
    b.x509_authorities.erase(it);
    storeBundle(conn, b, true);
  });
}

JwtKey SqlStore::taintJwtKey(const std::string& td, const std::string& key_id) {
  return write([&](Connection& conn) {
    Bundle b = mustLoad(conn, td);
    auto it = findKey(b, key_id);
    if (it == b.jwt_authorities.end()) {
      notFound("no JWT Key found with provided key ID");
    }
    if (it->tainted) {
      throw Error(SPIRE_FAILED_PRECONDITION, "key is already tainted");
    }
    it->tainted = true;
    JwtKey out = *it;
    storeBundle(conn, b, true);
    return out;
  });
}

JwtKey SqlStore::revokeJwtKey(const std::string& td, const std::string& key_id) {
  return write([&](Connection& conn) {
    Bundle b = mustLoad(conn, td);
    auto it = findKey(b, key_id);
    if (it == b.jwt_authorities.end()) {
      notFound("no JWT Key found with provided key ID");
    }
    if (!it->tainted) {
      throw Error(SPIRE_FAILED_PRECONDITION, "it is not possible to revoke an untainted key");
    }
    JwtKey out = *it;
    b.jwt_authorities.erase(it);
    storeBundle(conn, b, true);
    return out;
  });
}

// ---- Federation relationships ----

namespace {

void validateRelationship(const FederationRelationship& rel) {
  requireTrustDomain(rel.trust_domain);
  if (rel.bundle_endpoint_url.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "bundle endpoint URL is required");
  }
  if (rel.bundle_endpoint_profile == "https_spiffe") {
    if (rel.endpoint_spiffe_id.empty()) {
      throw Error(SPIRE_INVALID_ARGUMENT, "bundle endpoint SPIFFE ID is required");
    }
  } else if (rel.bundle_endpoint_profile != "https_web") {
    throw Error(SPIRE_INVALID_ARGUMENT,
                "unknown bundle endpoint profile type: \"" + rel.bundle_endpoint_profile + "\"");
  }
}

constexpr const char* kRelationshipSelect =
    "SELECT f.trust_domain, f.bundle_endpoint_url, f.bundle_endpoint_profile, "
    "f.endpoint_spiffe_id, b.data FROM federated_trust_domains f LEFT JOIN bundles b ON "
    "b.trust_domain = f.trust_domain";

FederationRelationship relationshipRow(Statement& st) {
  FederationRelationship rel{st.getText(0), st.getText(1), st.getText(2), st.getText(3), {}};
  if (!st.isNull(4)) {
    rel.trust_domain_bundle = decodeBundle(rel.trust_domain, st.getBlob(4));
  }
  return rel;
}

std::optional<FederationRelationship> loadRelationship(Connection& conn, const std::string& td) {
  auto st = conn.query(std::string(kRelationshipSelect) + " WHERE f.trust_domain = ?", {td});
  if (!st->next()) {
    return std::nullopt;
  }
  return relationshipRow(*st);
}

void writeRelationshipBundle(Connection& conn, const FederationRelationship& rel) {
  if (!rel.trust_domain_bundle) {
    return;
  }
  Bundle bundle = *rel.trust_domain_bundle;
  bundle.trust_domain = rel.trust_domain;
  storeBundle(conn, bundle, loadBundle(conn, rel.trust_domain).has_value());
}

} // namespace

FederationRelationship SqlStore::createRelationship(const FederationRelationship& rel) {
  validateRelationship(rel);
  return write([&](Connection& conn) {
    if (loadRelationship(conn, rel.trust_domain)) {
      throw Error(SPIRE_ALREADY_EXISTS, "federation relationship already exists");
    }
    std::int64_t now = nowSeconds();
    std::string endpoint_id =
        rel.bundle_endpoint_profile == "https_spiffe" ? rel.endpoint_spiffe_id : "";
    conn.exec("INSERT INTO federated_trust_domains (created_at, updated_at, trust_domain, "
              "bundle_endpoint_url, bundle_endpoint_profile, endpoint_spiffe_id, implicit) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)",
              {now, now, rel.trust_domain, rel.bundle_endpoint_url, rel.bundle_endpoint_profile,
               endpoint_id, std::int64_t{0}});
    writeRelationshipBundle(conn, rel);
    return *loadRelationship(conn, rel.trust_domain);
  });
}

std::optional<FederationRelationship> SqlStore::fetchRelationship(const std::string& td) {
  return read([&](Connection& conn) { return loadRelationship(conn, td); });
}

Listed<FederationRelationship> SqlStore::listRelationships(const Page& page) {
  return read([&](Connection& conn) {
    Where where;
    if (!page.token.empty()) {
      where.add("f.trust_domain > ?", {page.token});
    }
    std::string sql = kRelationshipSelect + where.clause() + " ORDER BY f.trust_domain";
    if (page.page_size > 0) {
      sql += " LIMIT " + std::to_string(page.page_size + 1);
    }
    std::vector<FederationRelationship> rows;
    auto st = conn.query(sql, where.params());
    while (st->next()) {
      rows.push_back(relationshipRow(*st));
    }
    return toPage(std::move(rows), page,
                  [](const FederationRelationship& r) { return r.trust_domain; });
  });
}

FederationRelationship SqlStore::updateRelationship(const FederationRelationship& rel,
                                                    std::uint32_t mask) {
  requireTrustDomain(rel.trust_domain);
  return write([&](Connection& conn) {
    auto current = loadRelationship(conn, rel.trust_domain);
    if (!current) {
      notFound("unable to fetch federation relationship: record not found");
    }
    if ((mask & SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_URL) != 0) {
      current->bundle_endpoint_url = rel.bundle_endpoint_url;
    }
    if ((mask & SPIRE_FEDERATION_MASK_BUNDLE_ENDPOINT_PROFILE) != 0) {
      current->bundle_endpoint_profile = rel.bundle_endpoint_profile;
      current->endpoint_spiffe_id =
          rel.bundle_endpoint_profile == "https_spiffe" ? rel.endpoint_spiffe_id : "";
    }
    validateRelationship(*current);
    conn.exec("UPDATE federated_trust_domains SET updated_at = ?, bundle_endpoint_url = ?, "
              "bundle_endpoint_profile = ?, endpoint_spiffe_id = ? WHERE trust_domain = ?",
              {nowSeconds(), current->bundle_endpoint_url, current->bundle_endpoint_profile,
               current->endpoint_spiffe_id, rel.trust_domain});
    if ((mask & SPIRE_FEDERATION_MASK_TRUST_DOMAIN_BUNDLE) != 0) {
      writeRelationshipBundle(conn, rel);
    }
    return *loadRelationship(conn, rel.trust_domain);
  });
}

void SqlStore::deleteRelationship(const std::string& trust_domain) {
  write([&](Connection& conn) {
    if (conn.exec("DELETE FROM federated_trust_domains WHERE trust_domain = ?", {trust_domain}) ==
        0) {
      notFound("record not found");
    }
  });
}

} // namespace spire::datastore::sql
