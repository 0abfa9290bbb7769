#pragma once

// The C++ plugin layer: derive from one of these bases, then SPIRE_CPP_PLUGIN(descriptorOf<T>()).

#include "spire/plugin/cpp/entry.hpp"
#include "spire/plugin/cpp/key_manager.hpp"
#include "spire/plugin/cpp/node_attestor.hpp"
#include "spire/plugin/cpp/upstream_authority.hpp"
#include "spire/plugin/cpp/workload_attestor.hpp"
