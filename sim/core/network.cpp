// Social network (docs/population.md, section 2); method and measurements in docs/population.md.
//
// 1. Isolation: a pure function of (seed, citizen) marks a share
//    isolated_share of citizens who get no tie outside their household.
// 2. Per block of citizens (in parallel): household ties, and for every
//    non-isolated citizen a geometric number of initiated ties with mean
//    mean_extra_degree / 2 (each tie also counts for its other end, so the
//    mean non-household degree is mean_extra_degree). An initiated tie goes
//    across the whole population with probability long_range_share, else to a
//    resident of the same zone accepted with probability
//    exp(-homophily_age * |age gap| / 10 - homophily_education * |education gap|).
// 3. Merge: counting sort by source into CSR rows (blocks in parallel, the
//    order within a row left to the next step), sort and deduplicate each
//    row (in parallel), compact, and hand the sorted edges to Boost's
//    edges_are_sorted constructor.
#include "core/network.hpp"
#include "core/atomic_ref.hpp"
#include "core/detmath.hpp"
#include "core/error.hpp"

#include "core/rng.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace demat {

namespace {

// Counter index reserved for the isolation draw inside the citizen's
// Purpose::network stream (day 0); the sequential stream of tie draws starts
// at index 0 and never reaches it.
constexpr std::uint32_t isolation_draw_index = 0xFFFFF;

// A citizen who finds no acceptable partner after this many candidates
// drops the tie (only citizens of very unusual age for their zone do).
constexpr int max_candidates = 64;
// Upper bound of initiated ties per citizen, far in the geometric tail.
constexpr std::uint64_t max_initiated = 1000;

bool is_isolated(std::uint64_t seed, std::uint32_t citizen, double share) {
    return Rng::uniform(Rng::block(seed, citizen, 0, Purpose::network, isolation_draw_index)[0]) < share;
}

// Sorted edges of a CSR (row starts + columns) as (source, target) pairs, the
// input Boost's edges_are_sorted constructor reads.
class SortedEdges {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::pair<std::uint32_t, std::uint32_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    SortedEdges(const std::vector<std::uint32_t>& rows, const std::vector<std::uint32_t>& columns, std::size_t edge)
        : rows_(&rows), columns_(&columns), edge_(edge) {
        settle();
    }
    reference operator*() const { return current_; }
    pointer operator->() const { return &current_; }
    SortedEdges& operator++() {
        ++edge_;
        settle();
        return *this;
    }
    bool operator==(const SortedEdges& other) const { return edge_ == other.edge_; }
    bool operator!=(const SortedEdges& other) const { return edge_ != other.edge_; }

private:
    void settle() {
        if (edge_ >= columns_->size()) return;
        while ((*rows_)[row_ + 1] <= edge_) ++row_;
        current_ = {row_, (*columns_)[edge_]};
    }
    const std::vector<std::uint32_t>* rows_;
    const std::vector<std::uint32_t>* columns_;
    std::size_t edge_;
    std::uint32_t row_ = 0;
    value_type current_{};
};

}  // namespace

Network build_network(const Scenario& scenario, const Population& population, Executor& executor) {
    const NetworkParams& params = scenario.network;
    const std::size_t n = population.size();
    const std::uint64_t seed = scenario.seed;
    if (n == 0) return Network{};
    if (n >= std::numeric_limits<std::uint32_t>::max())
        throw InternalError("build_network: " + std::to_string(n) + " citizens exceed 32-bit vertex indices");
    // Household ties rely on the generator's layout: a household's adults are
    // contiguous and its id is the index of the first of them.
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint32_t id = population.household_id[c];
        if (!(id == c || (c > 0 && id == population.household_id[c - 1])))
            throw InternalError("build_network: household " + std::to_string(id) + " of citizen " +
                                        std::to_string(c) +
                                        " is not laid out as generate_population does (contiguous, id = first adult)");
    }

    const double mean_initiated = std::max(0.0, params.mean_extra_degree) / 2.0;
    // Geometric on {0, 1, ...} with mean m: P(k) = (1 - q) q^k, q = m / (1 + m).
    const double log_q = mean_initiated > 0.0 ? dmath::log(mean_initiated / (1.0 + mean_initiated)) : 0.0;

    // The acceptance of an in-zone candidate by (age gap, education gap):
    // ages are bytes and education has three levels, so every value is
    // tabulated once instead of an exp per candidate.
    constexpr int education_gaps = education_count;
    std::vector<double> acceptance(256 * education_gaps);
    for (int gap_age = 0; gap_age < 256; ++gap_age)
        for (int gap_edu = 0; gap_edu < education_gaps; ++gap_edu)
            acceptance[static_cast<std::size_t>(gap_age * education_gaps + gap_edu)] =
                dmath::exp(-params.homophily_age * static_cast<double>(gap_age) / 10.0 -
                         params.homophily_education * static_cast<double>(gap_edu));

    const std::size_t blocks = block_count(n);
    // Who is isolated, drawn once per citizen (a Philox call) rather than
    // for every time a citizen is a candidate. Bit c; blocks hold a multiple
    // of 64 citizens, so a word is its block's.
    std::vector<std::uint64_t> isolated((n + 63) / 64, 0);
    executor.for_each_block(blocks, [&](std::size_t b) {
        const std::size_t begin = b * block_size, end = std::min(n, begin + block_size);
        for (std::size_t c = begin; c < end; ++c)
            if (is_isolated(seed, static_cast<std::uint32_t>(c), params.isolated_share))
                isolated[c >> 6] |= std::uint64_t{1} << (c & 63);
    });
    auto isolated_citizen = [&isolated](std::size_t c) { return (isolated[c >> 6] >> (c & 63) & 1u) != 0; };
    std::vector<std::vector<std::uint64_t>> block_edges(blocks);
    executor.for_each_block(blocks, [&](std::size_t b) {
        auto& edges = block_edges[b];
        const std::size_t begin = b * block_size, end = std::min(n, begin + block_size);
        edges.reserve((end - begin) * static_cast<std::size_t>(2.0 * mean_initiated + 2.0));
        auto add = [&edges](std::uint64_t a, std::uint64_t z) {
            edges.push_back(a << 32 | z);
            edges.push_back(z << 32 | a);
        };
        for (std::size_t c = begin; c < end; ++c) {
            const auto citizen = static_cast<std::uint32_t>(c);
            const std::uint32_t household = population.household_id[c];
            for (std::size_t j = c + 1; j < n && population.household_id[j] == household; ++j) add(c, j);

            if (mean_initiated <= 0.0 || isolated_citizen(c)) continue;
            Stream stream(seed, citizen, 0, Purpose::network);
            Stream long_range(seed, citizen, 0, Purpose::network_long_range);
            const double u = (std::floor(stream.uniform() * 16777216.0) + 0.5) / 16777216.0;
            const auto initiated = std::min(max_initiated, static_cast<std::uint64_t>(dmath::log(u) / log_q));
            const Zone& zone = population.zones[population.zone_of(c)];
            const int age = population.age[c];
            const int education = static_cast<int>(population.education[c]);
            for (std::uint64_t k = 0; k < initiated; ++k) {
                const bool across = long_range.uniform() < params.long_range_share;
                for (int attempt = 0; attempt < max_candidates; ++attempt) {
                    const auto other = static_cast<std::uint32_t>(
                        across ? long_range.below(n) : zone.first_citizen + stream.below(zone.residents));
                    if (population.household_id[other] == household) continue;  // self or household
                    if (isolated_citizen(other)) continue;
                    if (!across) {
                        // Homophily only inside the zone: long-range ties stand
                        // for dispersed family and old friends.
                        const int gap_age = std::abs(age - static_cast<int>(population.age[other]));
                        const int gap_edu = std::abs(education - static_cast<int>(population.education[other]));
                        const double accept = acceptance[static_cast<std::size_t>(gap_age * education_gaps + gap_edu)];
                        if (stream.uniform() >= accept) continue;
                    }
                    add(c, other);
                    break;
                }
            }
        }
    });

    // Counting sort by source, the blocks in parallel. Within a row the
    // columns land in any order (atomic slots), which the sort of each row
    // below makes canonical: the network does not depend on threads.
    std::size_t total = 0;
    for (const auto& edges : block_edges) total += edges.size();
    if (total >= std::numeric_limits<std::uint32_t>::max())
        throw InternalError("build_network: " + std::to_string(total) + " directed ties exceed 32-bit edge indices");
    std::vector<std::uint32_t> rows(n + 1, 0);
    executor.for_each_block(blocks, [&](std::size_t b) {
        for (std::uint64_t e : block_edges[b])
            atomic_ref<std::uint32_t>(rows[(e >> 32) + 1]).fetch_add(1, std::memory_order_relaxed);
    });
    for (std::size_t v = 0; v < n; ++v) rows[v + 1] += rows[v];
    std::vector<std::uint32_t> columns(total);
    {
        std::vector<std::uint32_t> next(rows.begin(), rows.end() - 1);
        executor.for_each_block(blocks, [&](std::size_t b) {
            for (std::uint64_t e : block_edges[b]) {
                const std::uint32_t slot = atomic_ref<std::uint32_t>(next[e >> 32]).fetch_add(1, std::memory_order_relaxed);
                columns[slot] = static_cast<std::uint32_t>(e);
            }
            std::vector<std::uint64_t>().swap(block_edges[b]);
        });
    }

    // Sort and deduplicate each row; count the distinct ties.
    std::vector<std::uint32_t> distinct(n, 0);
    executor.for_each_block(blocks, [&](std::size_t b) {
        const std::size_t begin = b * block_size, end = std::min(n, begin + block_size);
        for (std::size_t v = begin; v < end; ++v) {
            auto first = columns.begin() + rows[v], last = columns.begin() + rows[v + 1];
            std::sort(first, last);
            distinct[v] = static_cast<std::uint32_t>(std::unique(first, last) - first);
        }
    });
    // Compact in place: a row never moves right.
    std::uint32_t write = 0;
    for (std::size_t v = 0; v < n; ++v) {
        const std::uint32_t read = rows[v];
        rows[v] = write;
        std::copy(columns.begin() + read, columns.begin() + read + distinct[v], columns.begin() + write);
        write += distinct[v];
    }
    rows[n] = write;
    columns.resize(write);

    NetworkGraph graph(boost::edges_are_sorted, SortedEdges(rows, columns, 0), SortedEdges(rows, columns, write),
                       static_cast<std::uint32_t>(n), write);
    return Network(std::move(graph));
}

}  // namespace demat
