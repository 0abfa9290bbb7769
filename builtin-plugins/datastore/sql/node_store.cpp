// Attested nodes and node selectors.

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "datastore/sql/entry_query.h"
#include "datastore/sql/query_builder.h"
#include "datastore/sql/sql_store.h"

namespace spire::datastore::sql {

using spire::plugin::Error;

namespace {

constexpr const char* kNodeColumns =
    "SELECT n.spiffe_id, n.data_type, n.serial_number, n.expires_at, n.new_serial_number, "
    "n.new_expires_at, n.can_reattest, n.agent_version FROM attested_node_entries n";

Node nodeRow(Statement& st) {
  Node n;
  n.spiffe_id = st.getText(0);
  n.attestation_data_type = st.getText(1);
  n.cert_serial_number = st.getText(2);
  n.cert_not_after = st.getInt(3);
  n.new_cert_serial_number = st.getText(4);
  n.new_cert_not_after = st.getInt(5);
  n.can_reattest = st.getInt(6) != 0;
  n.agent_version = st.getText(7);
  return n;
}

std::optional<Node> loadNode(Connection& conn, const std::string& spiffe_id) {
  auto st = conn.query(std::string(kNodeColumns) + " WHERE n.spiffe_id = ?", {spiffe_id});
  if (!st->next()) {
    return std::nullopt;
  }
  return nodeRow(*st);
}

std::vector<Node> selectNodes(Connection& conn, const Where& where, std::int64_t limit) {
  std::string sql = kNodeColumns + where.clause() + " ORDER BY n.spiffe_id";
  if (limit > 0) {
    sql += " LIMIT " + std::to_string(limit);
  }
  std::vector<Node> out;
  auto st = conn.query(sql, where.params());
  while (st->next()) {
    out.push_back(nodeRow(*st));
  }
  return out;
}

// Node selectors of `nodes`, one query per chunk of kChunk nodes.
void loadNodeSelectors(Connection& conn, std::vector<Node>& nodes) {
  for (size_t begin = 0; begin < nodes.size(); begin += kChunk) {
    size_t end = std::min(nodes.size(), begin + kChunk);
    std::unordered_map<std::string, Node*> by_id;
    Params ids;
    for (size_t i = begin; i < end; ++i) {
      by_id[nodes[i].spiffe_id] = &nodes[i];
      ids.emplace_back(nodes[i].spiffe_id);
    }
    auto st = conn.query("SELECT spiffe_id, type, value FROM node_resolver_map_entries WHERE "
                         "spiffe_id IN " +
                             placeholders(ids.size()) + " ORDER BY id",
                         ids);
    while (st->next()) {
      by_id[st->getText(0)]->selectors.push_back(Selector{st->getText(1), st->getText(2)});
    }
  }
}

Where nodeWhere(const spire_node_filter* f) {
  Where where;
  if (f == nullptr) {
    return where;
  }
  if (f->struct_size < sizeof(spire_node_filter)) {
    throw Error(SPIRE_INVALID_ARGUMENT, "node filter: struct_size too small");
  }
  if (f->expires_before != 0) {
    where.add("n.expires_at < ?", {f->expires_before});
  }
  if (f->has_attestation_type) {
    where.add("n.data_type = ?", {str(f->attestation_type)});
  }
  if (f->banned == SPIRE_TRUE) {
    where.add("n.serial_number = ''");
  } else if (f->banned == SPIRE_FALSE) {
    where.add("n.serial_number <> ''");
  }
  if (f->can_reattest == SPIRE_TRUE || f->can_reattest == SPIRE_FALSE) {
    where.add("n.can_reattest = ?", {std::int64_t{f->can_reattest == SPIRE_TRUE ? 1 : 0}});
  }
  if (f->has_selectors) {
    if (f->selectors_len == 0) {
      throw Error(SPIRE_INVALID_ARGUMENT, "cannot list by empty selectors set");
    }
    auto selectors = selectorsOf(f->selectors, f->selectors_len);
    std::set<Selector> distinct(selectors.begin(), selectors.end());
    std::vector<Params> members;
    for (const auto& s : distinct) {
      members.push_back({s.type, s.value});
    }
    addSetMatch(where, "n.spiffe_id", "node_resolver_map_entries", "spiffe_id",
                "(type = ? AND value = ?)", members, f->selectors_match);
  }
  return where;
}

std::int64_t flag(bool b) {
  return b ? 1 : 0;
}

void deleteNodeRows(Connection& conn, const std::string& spiffe_id) {
  conn.exec("DELETE FROM attested_node_entries WHERE spiffe_id = ?", {spiffe_id});
  conn.exec("DELETE FROM node_resolver_map_entries WHERE spiffe_id = ?", {spiffe_id});
  insertNodeEvent(conn, spiffe_id);
}

} // namespace

Node SqlStore::createNode(const Node& node) {
  if (node.spiffe_id.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid attested node: missing SPIFFE ID");
  }
  return write([&](Connection& conn) {
    if (loadNode(conn, node.spiffe_id)) {
      throw Error(SPIRE_ALREADY_EXISTS, "attested node already exists");
    }
    std::int64_t now = nowSeconds();
    conn.exec("INSERT INTO attested_node_entries (created_at, updated_at, spiffe_id, data_type, "
              "serial_number, expires_at, new_serial_number, new_expires_at, can_reattest, "
              "agent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {now, now, node.spiffe_id, node.attestation_data_type, node.cert_serial_number,
               node.cert_not_after, node.new_cert_serial_number, node.new_cert_not_after,
               flag(node.can_reattest), node.agent_version});
    insertNodeEvent(conn, node.spiffe_id);
    return *loadNode(conn, node.spiffe_id);
  });
}

std::optional<Node> SqlStore::fetchNode(const std::string& spiffe_id) {
  return read([&](Connection& conn) { return loadNode(conn, spiffe_id); });
}

Listed<Node> SqlStore::listNodes(const spire_node_filter* filter, const Page& page) {
  Where where = nodeWhere(filter);
  if (!page.token.empty()) {
    where.add("n.spiffe_id > ?", {page.token});
  }
  bool with_selectors = filter != nullptr && filter->fetch_selectors;
  return read([&](Connection& conn) {
    auto nodes = selectNodes(conn, where, page.page_size > 0 ? page.page_size + 1 : 0);
    if (with_selectors) {
      loadNodeSelectors(conn, nodes);
    }
    return toPage(std::move(nodes), page, [](const Node& n) { return n.spiffe_id; });
  });
}

std::int64_t SqlStore::countNodes(const spire_node_filter* filter) {
  Where where = nodeWhere(filter);
  return read([&](Connection& conn) {
    auto st =
        conn.query("SELECT COUNT(*) FROM attested_node_entries n" + where.clause(), where.params());
    st->next();
    return st->getInt(0);
  });
}

Node SqlStore::updateNode(const Node& in, std::uint32_t mask) {
  return write([&](Connection& conn) {
    auto current = loadNode(conn, in.spiffe_id);
    if (!current) {
      notFound("record not found");
    }
    Node n = *current;
    if ((mask & SPIRE_NODE_MASK_CERT_SERIAL_NUMBER) != 0) {
      n.cert_serial_number = in.cert_serial_number;
    }
    if ((mask & SPIRE_NODE_MASK_CERT_NOT_AFTER) != 0) {
      n.cert_not_after = in.cert_not_after;
    }
    if ((mask & SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER) != 0) {
      n.new_cert_serial_number = in.new_cert_serial_number;
    }
    if ((mask & SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER) != 0) {
      n.new_cert_not_after = in.new_cert_not_after;
    }
    if ((mask & SPIRE_NODE_MASK_CAN_REATTEST) != 0) {
      n.can_reattest = in.can_reattest;
    }
    if ((mask & SPIRE_NODE_MASK_AGENT_VERSION) != 0) {
      n.agent_version = in.agent_version;
    }
    conn.exec("UPDATE attested_node_entries SET updated_at = ?, serial_number = ?, "
              "expires_at = ?, new_serial_number = ?, new_expires_at = ?, can_reattest = ?, "
              "agent_version = ? WHERE spiffe_id = ?",
              {nowSeconds(), n.cert_serial_number, n.cert_not_after, n.new_cert_serial_number,
               n.new_cert_not_after, flag(n.can_reattest), n.agent_version, n.spiffe_id});
    insertNodeEvent(conn, n.spiffe_id);
    return n;
  });
}

Node SqlStore::deleteNode(const std::string& spiffe_id) {
  return write([&](Connection& conn) {
    auto current = loadNode(conn, spiffe_id);
    if (!current) {
      notFound("record not found");
    }
    deleteNodeRows(conn, spiffe_id);
    return *current;
  });
}

void SqlStore::pruneNodes(std::int64_t expired_before, bool include_non_reattestable) {
  write([&](Connection& conn) {
    // Banned nodes (serial "") are kept: pruning them would lift the ban.
    Where where;
    where.add("n.expires_at < ?", {expired_before});
    where.add("n.serial_number <> ''");
    if (!include_non_reattestable) {
      where.add("n.can_reattest = ?", {std::int64_t{1}});
    }
    for (const Node& n : selectNodes(conn, where, 0)) {
      deleteNodeRows(conn, n.spiffe_id);
    }
  });
}

std::vector<Selector> SqlStore::getNodeSelectors(const std::string& spiffe_id) {
  return read([&](Connection& conn) {
    std::vector<Selector> out;
    auto st = conn.query("SELECT type, value FROM node_resolver_map_entries WHERE spiffe_id = ? "
                         "ORDER BY id",
                         {spiffe_id});
    while (st->next()) {
      out.push_back(Selector{st->getText(0), st->getText(1)});
    }
    return out;
  });
}

NodeSelectorList SqlStore::listNodeSelectors(std::int64_t valid_at) {
  return read([&](Connection& conn) {
    Where where;
    if (valid_at != 0) {
      where.add("spiffe_id IN (SELECT spiffe_id FROM attested_node_entries WHERE "
                "expires_at >= ?)",
                {valid_at});
    }
    NodeSelectorList out;
    auto st = conn.query("SELECT spiffe_id, type, value FROM node_resolver_map_entries" +
                             where.clause() + " ORDER BY spiffe_id, id",
                         where.params());
    while (st->next()) {
      std::string id = st->getText(0);
      if (out.empty() || out.back().first != id) {
        out.emplace_back(id, std::vector<Selector>{});
      }
      out.back().second.push_back(Selector{st->getText(1), st->getText(2)});
    }
    return out;
  });
}

void SqlStore::setNodeSelectors(const std::string& spiffe_id,
                                const std::vector<Selector>& selectors) {
  if (spiffe_id.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "missing SPIFFE ID");
  }
  write([&](Connection& conn) {
    conn.exec("DELETE FROM node_resolver_map_entries WHERE spiffe_id = ?", {spiffe_id});
    std::int64_t now = nowSeconds();
    std::set<Selector> seen;
    for (const auto& s : selectors) {
      if (seen.insert(s).second) {
        conn.exec("INSERT INTO node_resolver_map_entries (created_at, updated_at, spiffe_id, "
                  "type, value) VALUES (?, ?, ?, ?, ?)",
                  {now, now, spiffe_id, s.type, s.value});
      }
    }
    insertNodeEvent(conn, spiffe_id);
  });
}

} // namespace spire::datastore::sql
