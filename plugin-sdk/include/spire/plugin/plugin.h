/* spire-cpp plugin ABI: the whole header set. Include this, or only the headers you need. */
#ifndef SPIRE_PLUGIN_PLUGIN_H
#define SPIRE_PLUGIN_PLUGIN_H

#include "spire/plugin/agent_node_attestor.h"
#include "spire/plugin/common.h"
#include "spire/plugin/datastore.h"
#include "spire/plugin/host.h"
#include "spire/plugin/key_manager.h"
#include "spire/plugin/server_node_attestor.h"
#include "spire/plugin/types.h"
#include "spire/plugin/upstream_authority.h"
#include "spire/plugin/workload_attestor.h"

#endif /* SPIRE_PLUGIN_PLUGIN_H */
