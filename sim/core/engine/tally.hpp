// Counting: the state counts of the output (docs/output.md, "/states" and
// "/segments") are kept from day to day, block by block, by adding a
// citizen's eligible claims when phase A counts them and removing them at
// their first change of the day (docs/architecture.md, the transition
// rule). The rule that turns a citizen's claims into counts is here, on
// the store alone, so that it can be unit-tested without an Engine; the
// engine's Impl::tally_with gives it the citizen's groups.
#pragma once

#include "core/channels.hpp"
#include "core/claim.hpp"
#include "core/engine/citizen_store.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "core/segments.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat {

// One block's state counts, kept from day to day. A block has at most
// block_size citizens, so 16 bits hold any of them: this halves the memory
// and cache footprint of counts updated at random indices.
static_assert(block_size <= 32767);
struct BlockStock {
    std::vector<std::int16_t> segment_states;  // [service][group][reported state - 1], as DayCounts
    std::vector<std::int16_t> states;          // [service][reported state - 1]
    std::vector<std::int16_t> centiles;        // [service][capital centile][eligible, receiving]
    std::vector<std::int16_t> queue_length;    // [service][channel]: queued at a staffed channel
    // With digital control only (else empty): the claims interrupted by a
    // control (claim_flag::control), [service][group, then all].
    std::vector<std::int16_t> suspended;

    // Sized for `services` and `groups` segment groups, every count 0.
    void assign(int services, std::size_t groups, bool control) {
        const auto S = static_cast<std::size_t>(services);
        segment_states.assign(S * groups * 6, 0);
        states.assign(S * 6, 0);
        centiles.assign(S * capital_centiles * 2, 0);
        queue_length.assign(S * channel_count, 0);
        suspended.assign(control ? S * (groups + 1) : 0, 0);
    }
};

namespace mechanism {

// Adds citizen c's eligible claims to `out` through `add` (+1, -1, or an
// atomic decrement while zones are served in parallel): each in its
// reported state, in every segment group of `g` but agency_contact's
// (whose group is the claim's own: `agency_group(s)`, asked only when
// `agencies` is on), in the citizen's capital centile (eligible, and
// receiving), in its channel's queue while queued at a staffed one, and,
// with control, in the suspended stock while interrupted by a control
// (there in agency_contact's "none" group, g's, when agencies are off:
// /control/segments counts every dimension, docs/output.md).
template <class Add, class AgencyGroup>
inline void tally(const CitizenStore& store, std::size_t groups, bool agencies, BlockStock& out, std::size_t c,
                  std::size_t centile, const std::array<int, dimension_count>& g, AgencyGroup agency_group, Add add) {
    const Claim* k = store.claims_of(c);
    for (int s = 0; s < store.services; ++s) {
        const Claim& claim = k[s];
        if (claim.state == ClaimState::not_eligible) continue;
        const auto st = static_cast<std::size_t>(reported_state(claim)) - 1;  // 0..5
        const auto su = static_cast<std::size_t>(s);
        add(out.states[su * 6 + st]);
        std::int16_t* seg = &out.segment_states[su * groups * 6];
        for (int d = 0; d < dimension_count - 1; ++d) add(seg[static_cast<std::size_t>(g[static_cast<std::size_t>(d)]) * 6 + st]);
        if (agencies) add(seg[static_cast<std::size_t>(agency_group(s)) * 6 + st]);
        std::int16_t* cen = &out.centiles[(su * capital_centiles + centile) * 2];
        add(cen[0]);
        if (claim.state == ClaimState::receiving) add(cen[1]);
        if (claim.has(claim_flag::queued) && claim.channel != Channel::online)
            add(out.queue_length[su * channel_count + static_cast<std::size_t>(claim.channel)]);
    }
    // A pass of its own, taken only with control: the loop above, run for
    // every citizen counted, stays as it is without (8.5 M instructions of
    // 1,320 M at 20,000 citizens when the test was inside it).
    if (out.suspended.empty()) return;
    for (int s = 0; s < store.services; ++s) {
        const Claim& claim = k[s];
        if (!claim.has(claim_flag::control) || claim.state == ClaimState::not_eligible ||
            reported_state(claim) != ReportedState::interrupted)
            continue;
        std::int16_t* sus = &out.suspended[static_cast<std::size_t>(s) * (groups + 1)];
        add(sus[groups]);
        for (int d = 0; d < dimension_count - 1; ++d) add(sus[static_cast<std::size_t>(g[static_cast<std::size_t>(d)])]);
        add(sus[static_cast<std::size_t>(agencies ? agency_group(s) : g[dimension_count - 1])]);
    }
}

}  // namespace mechanism
}  // namespace demat
