// The social network (docs/population.md, section 2): household ties, homophilous ties inside
// the zone, a few long-range ties, and isolated citizens.
#pragma once

#include "core/executor.hpp"
#include "core/population.hpp"
#include "core/scenario.hpp"
#include "core/state_visitor.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include <cstdint>
#include <utility>

namespace demat {

// Undirected ties stored in both directions; 32-bit vertex and edge indices
// keep the graph at 4 bytes per directed edge plus 4 per citizen.
using NetworkGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                         boost::no_property, std::uint32_t, std::uint32_t>;

class Network {
public:
    Network() = default;
    explicit Network(NetworkGraph graph) : graph_(std::move(graph)) {}

    const NetworkGraph& graph() const { return graph_; }
    std::size_t citizens() const { return boost::num_vertices(graph_); }
    std::uint32_t degree(std::uint32_t citizen) const {
        return static_cast<std::uint32_t>(boost::out_degree(citizen, graph_));
    }
    // Neighbours of a citizen as a contiguous range of citizen indices.
    std::pair<const std::uint32_t*, const std::uint32_t*> neighbours(std::uint32_t citizen) const {
        const auto& rows = graph_.m_forward.m_rowstart;
        const std::uint32_t* columns = graph_.m_forward.m_column.data();
        return {columns + rows[citizen], columns + rows[citizen + 1]};
    }
    // The graph is fixed once built; checkpoints store it so that a resume
    // does not depend on regenerating it.
    void visit_state(StateVisitor& visit) {
        visit("network.rowstart", graph_.m_forward.m_rowstart);
        visit("network.column", graph_.m_forward.m_column);
    }
    std::size_t memory_bytes() const {
        return graph_.m_forward.m_rowstart.capacity() * sizeof(std::uint32_t) +
               graph_.m_forward.m_column.capacity() * sizeof(std::uint32_t);
    }

private:
    NetworkGraph graph_;
};

// Builds the network; deterministic in (scenario, seed, population).
Network build_network(const Scenario& scenario, const Population& population, Executor& executor);

}  // namespace demat
