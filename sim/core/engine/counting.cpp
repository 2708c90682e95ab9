// Counting: phase A and the touch rule (docs/model.md, sections 7 and 9).
#include "core/engine/impl.hpp"
#include "core/atomic_ref.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

// The flat group index of citizen c in each dimension, with its age and
// income decile given: phase B un-counts a citizen with the values it
// had before a birthday or an employment change.
std::array<int, dimension_count> Engine::Impl::groups_of(std::size_t c, int age, int income_decile) const {
    const Population& p = e.population_;
    std::array<int, dimension_count> g{};
    g[0] = offsets[0] + age_group_of(age);
    g[1] = offsets[1] + static_cast<int>(p.education[c]);
    g[2] = offsets[2] + (income_decile - 1) / 2;
    g[3] = offsets[3] + e.capital_quintile(c);
    g[4] = offsets[4] + digital_skill_level(p.digital_skill[c], p.equipment[c], sc.population.illectronisme_threshold);
    g[5] = offsets[5] + static_cast<int>(p.zones[p.zone_of(c)].type);
    g[6] = offsets[6] + isolation_level(e.network_.degree(static_cast<std::uint32_t>(c)));
    g[7] = offsets[7] + static_cast<int>(p.equipment[c]);
    g[8] = offsets[8] + static_cast<int>(p.household[c]);
    g[9] = offsets[9] + static_cast<int>(p.tenant[c]);
    // agency_contact depends on the claim: "none" here, the claim's group
    // in groups_of_claim and tally_with (docs/model.md 6.15).
    g[10] = offsets[10];
    return g;
}

// Citizen c's groups for its claim to s: agency_contact is the claim's own.
std::array<int, dimension_count> Engine::Impl::groups_of_claim(std::size_t c, int s) const {
    auto g = groups_of(c);
    if (agencies_on) g[10] = offsets[10] + agency_contact_group(c, s, e.population_.employment[c] == Employment::retired);
    return g;
}

// Adds (sign +1) or removes (sign -1) citizen c's eligible claims to or
// from the state counts.
void Engine::Impl::tally(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, int sign) const {
    tally(out, c, g, sign, e.population_.employment[c]);
}

// With the employment given: phase B's life events un-count with the
// employment from before them (agency_contact counts the pension).
void Engine::Impl::tally(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, int sign,
                         Employment employment) const {
    tally_with(out, c, g, [sign](std::int16_t& x) { x = static_cast<std::int16_t>(x + sign); },
               employment == Employment::retired);
}

// The rule is mechanism::tally (engine/tally.hpp); agency_contact's group
// is the claim's own (groups_of_claim): g's is not read, and nothing is
// counted in that dimension without agencies.
template <class Add>
void Engine::Impl::tally_with(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, Add add,
                              bool retired) const {
    mechanism::tally(
        store, static_cast<std::size_t>(total_groups_), agencies_on, out, c, e.capital_centile_[c], g,
        [&](int s) { return offsets[10] + agency_contact_group(c, s, retired); }, add);
}

// Un-counts citizen c before its first change of the day (phases B and C).
void Engine::Impl::touch(std::size_t c) {
    if (scratch.serving_zones) return touch_concurrently(c);
    if (is_dirty(c)) return;
    if (recording()) tally(blocks[c / block_size].stock, c, groups_of(c), -1);
    set_dirty(c);
}

// A day context's touch when it has an engine (engine/day_context.hpp).
void touch_citizen(Engine::Impl& engine, std::size_t c) { engine.touch(c); }

// touch() during phase C's zone-parallel pass: citizens of two zones
// served by two workers can share a block's counts and a dirty word, so
// both are updated atomically. Each citizen is served by its zone's
// worker only, and integer sums do not depend on their order: the
// counts are those of the serial pass.
void Engine::Impl::touch_concurrently(std::size_t c) {
    atomic_ref<std::uint64_t> word(store.dirty[c >> 6]);
    const std::uint64_t bit = std::uint64_t{1} << (c & 63);
    if ((word.load(std::memory_order_relaxed) & bit) != 0) return;
    if (recording())
        tally_with(
            blocks[c / block_size].stock, c, groups_of(c),
            [](std::int16_t& x) { atomic_ref<std::int16_t>(x).fetch_sub(1, std::memory_order_relaxed); },
            e.population_.employment[c] == Employment::retired);
    word.fetch_or(bit, std::memory_order_relaxed);
}

void Engine::Impl::observe_block(std::size_t blk) {
    const Population& p = e.population_;
    DayCounts& out = blocks[blk].counts;
    // Today's event counters start at zero; the state counts carry over.
    std::fill(out.events.begin(), out.events.end(), 0);
    std::fill(out.channel_events.begin(), out.channel_events.end(), 0);
    std::fill(out.overdue.begin(), out.overdue.end(), 0);
    std::fill(out.unclaimed_cents.begin(), out.unclaimed_cents.end(), 0);
    out.helps_given = 0;
    out.tallies.clear();
    const std::size_t begin = blk * block_size;
    const std::size_t end = std::min(citizens, begin + block_size);
    const bool rec = recording();
    const int day = e.day_;
    const float helper_skill = static_cast<float>(b.helper_skill);
    const float helper_admin = static_cast<float>(b.helper_admin);
    auto overdue = [&](const InProgress& ip) {
        if (rec && day - ip.episode_start > b.grace_days) out.overdue[ip.service] += 1;
    };

    // The state counts (the block's stock and in-progress list) serve
    // only recorded days: during the warm-up nobody is counted, and the
    // first recorded day counts everyone afresh (full_count below).
    const bool full_count = day == sc.warmup_days;
    const bool incremental = rec && !full_count;
    std::vector<InProgress>& progress = in_progress[blk];
    std::size_t kept = 0;
    if (incremental) {
        // Claims in progress of untouched citizens: only the date moved.
        for (const InProgress& ip : progress) {
            if (is_dirty(ip.citizen)) continue;  // recounted below
            overdue(ip);
            progress[kept++] = ip;
        }
    }
    progress.resize(kept);
    // The first days (automatic claims all being processed) fill these
    // lists far beyond their usual size: give the memory back.
    if (progress.capacity() > 4 * kept + 256) progress.shrink_to_fit();

    // Touched citizens: count them again, refresh their snapshot and what
    // phase B has to do. Blocks hold a multiple of 64 citizens, so their
    // dirty words are their own.
    std::array<std::uint32_t, block_size> touched;
    std::size_t n = 0;
    for (std::size_t w = begin / 64; w < (end + 63) / 64; ++w) {
        std::uint64_t bits = store.dirty[w];
        store.dirty[w] = 0;
        for (; bits != 0; bits &= bits - 1)
            touched[n++] = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
    }
    const std::size_t stride = static_cast<std::size_t>(services);
    for (std::size_t i = 0; i < n; ++i) {
        // Touched citizens are scattered: fetch claims a few citizens ahead.
        if (i + prefetch_distance < n) {
            const std::uint32_t ahead = touched[i + prefetch_distance];
            prefetch_claims(ahead);
            __builtin_prefetch(&p.digital_skill[ahead]);
            __builtin_prefetch(&p.admin_literacy[ahead]);
            __builtin_prefetch(&p.equipment[ahead]);
            prefetch_life(ahead);
        }
        const std::size_t c = touched[i];
        Claim* k = &store.claims[c * stride];
        std::uint8_t knows = 0;
        std::uint16_t next = never;
        for (int s = 0; s < services; ++s) {
            const auto bit = static_cast<std::uint8_t>(1u << s);
            // Peers pass on what they know now: eligible neighbours who are
            // aware of, claiming or receiving the service.
            if (k[s].state > ClaimState::unaware) knows |= bit;
            // What bounds the awareness hazard may have changed with the
            // citizen: candidate days are drawn again from today.
            if (k[s].state == ClaimState::unaware) schedule_awareness(c, s, day);
            next = std::min(next, k[s].next_day);
            if (incremental && k[s].state != ClaimState::not_eligible &&
                reported_state(k[s]) == ReportedState::in_progress) {
                const InProgress ip{static_cast<std::uint32_t>(c), k[s].episode_start, static_cast<std::uint8_t>(s)};
                overdue(ip);
                progress.push_back(ip);
            }
        }
        store.knows[c] = knows;
        // Blocks hold a multiple of 64 citizens: this word is the block's own.
        const bool capable = p.digital_skill[c] >= helper_skill && p.admin_literacy[c] >= helper_admin &&
                             p.equipment[c] != Equipment::none && !gone(c);
        const std::uint64_t bit = std::uint64_t{1} << (c & 63);
        store.capable[c >> 6] = capable ? store.capable[c >> 6] | bit : store.capable[c >> 6] & ~bit;
        store.due[c] = std::min(next, life_due(c, day));
        if (incremental) tally(blocks[blk].stock, c, groups_of(c), +1);
    }
    if (rec) count_unclaimed(begin, end, out);
    if (full_count) {
        BlockStock& stock = blocks[blk].stock;
        for (auto* v : {&stock.segment_states, &stock.states, &stock.centiles, &stock.queue_length, &stock.suspended})
            std::fill(v->begin(), v->end(), std::int16_t{0});
        for (std::size_t c = begin; c < end; ++c) {
            const Claim* k = &store.claims[c * stride];
            for (int s = 0; s < services; ++s) {
                if (k[s].state == ClaimState::not_eligible || reported_state(k[s]) != ReportedState::in_progress) continue;
                const InProgress ip{static_cast<std::uint32_t>(c), k[s].episode_start, static_cast<std::uint8_t>(s)};
                overdue(ip);
                progress.push_back(ip);
            }
            tally(stock, c, groups_of(c), +1);
        }
    }
    // A timeline event changed the hazard of untouched citizens too (a
    // draw is a function of the claim, the state and the day: drawing a
    // touched citizen's again gives the same day).
    if (reschedule_awareness != 0) {
        for (std::size_t c = begin; c < end; ++c) {
            Claim* k = &store.claims[c * stride];
            bool drawn = false;
            for (int s = 0; s < services; ++s)
                if ((reschedule_awareness >> s & 1u) != 0 && k[s].state == ClaimState::unaware) {
                    schedule_awareness(c, s, day);
                    drawn = true;
                }
            if (drawn) store.due[c] = earliest_due(c, day);
        }
    }
    // Citizen indicators: the touched citizens, or everyone on the first
    // day of a window (the others' states, hence their bits, are unchanged).
    if (tracking.full_pass(day)) {
        for (std::size_t c = begin; c < end; ++c) tracking.observe(c, &store.claims[c * stride], services, day);
    } else {
        for (std::size_t i = 0; i < n; ++i) tracking.observe(touched[i], &store.claims[touched[i] * stride], services, day);
    }
}

// Engine::check_counts_every_day: right after phase A every citizen is
// counted in the blocks' stocks; a fresh count of each block must give the
// same numbers, or some change skipped its touch.
void Engine::Impl::check_counts() const {
    for (std::size_t blk = 0; blk < blocks.size(); ++blk) {
        const BlockStock& kept = blocks[blk].stock;
        BlockStock fresh;
        fresh.segment_states.assign(kept.segment_states.size(), 0);
        fresh.states.assign(kept.states.size(), 0);
        fresh.centiles.assign(kept.centiles.size(), 0);
        fresh.queue_length.assign(kept.queue_length.size(), 0);
        fresh.suspended.assign(kept.suspended.size(), 0);
        const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
        for (std::size_t c = begin; c < end; ++c) tally(fresh, c, groups_of(c), +1);
        if (fresh.segment_states != kept.segment_states || fresh.states != kept.states ||
            fresh.centiles != kept.centiles || fresh.queue_length != kept.queue_length || fresh.suspended != kept.suspended)
            throw InternalError("the incremental counts of citizens " + std::to_string(begin) + "-" +
                                   std::to_string(end - 1) + " differ from a recount on day " + std::to_string(e.day_) +
                                   " (a change without its touch, docs/architecture.md)");
    }
    if (control_on()) check_control_watch();
}

// The day's tallied events (reasons, identity steps, help records), counted
// by service and by each segment group of their citizen at the end of the
// day. Most of the work is finding the groups (about ten traits of the
// citizen, scattered in memory at a million citizens): that is done first,
// list by list in parallel (each block's records, then the serial phase's
// in pieces), and only the additions are serial. The records of one online
// attempt (its identity steps, its failure) follow one another and share
// their groups, which are found once. Integer sums do not depend on the
// order of the records nor on the thread count.
void Engine::Impl::count_tallies(DayCounts& total) {
    constexpr auto K = static_cast<std::size_t>(tally_index::count);
    const auto G = static_cast<std::size_t>(total_groups_);
    static_assert(std::numeric_limits<TallyGroups::value_type>::max() >= 255);
    if (G > 256) throw InternalError("count_tallies: more than 256 segment groups");
    const Population& p = e.population_;
    std::vector<TallyRecord>& serial_records = serial.counts.tallies;
    const std::size_t nblocks = blocks.size();
    const std::size_t lists = nblocks + (serial_records.size() + block_size - 1) / block_size;
    auto list = [&](std::size_t i) -> std::pair<const TallyRecord*, std::size_t> {
        if (i < nblocks) return {blocks[i].counts.tallies.data(), blocks[i].counts.tallies.size()};
        const std::size_t from = (i - nblocks) * block_size;
        return {serial_records.data() + from, std::min(block_size, serial_records.size() - from)};
    };
    auto& first = scratch.tally_groups.first;
    auto& groups = scratch.tally_groups.groups;
    first.resize(lists + 1);
    first[0] = 0;
    for (std::size_t i = 0; i < lists; ++i) first[i + 1] = first[i] + list(i).second;
    groups.resize(first[lists]);
    // What groups_of reads (agencies add the citizen's claims and employment).
    auto prefetch_traits = [&](std::size_t c) {
        __builtin_prefetch(&p.age[c]);
        __builtin_prefetch(&p.income_decile[c]);
        __builtin_prefetch(&p.education[c]);
        __builtin_prefetch(&e.capital_centile_[c]);
        __builtin_prefetch(&p.digital_skill[c]);
        __builtin_prefetch(&p.equipment[c]);
        __builtin_prefetch(&p.household[c]);
        __builtin_prefetch(&p.tenant[c]);
    };
    e.executor_.for_each_block(lists, [&](std::size_t i) {
        const auto [records, n] = list(i);
        TallyGroups* out = groups.data() + first[i];
        for (std::size_t j = 0; j < n; ++j) {
            if (j + prefetch_distance < n) prefetch_traits(records[j + prefetch_distance].citizen);
            const TallyRecord& t = records[j];
            if (t.what >= K) {  // a /counter_closure record (count_closure): its zone's rank and education
                out[j][0] = closure_rank[p.zone_of(t.citizen)];
                out[j][1] = static_cast<std::uint8_t>(p.education[t.citizen]);
                continue;
            }
            if (j > 0 && records[j - 1].what < K && records[j - 1].citizen == t.citizen &&
                records[j - 1].service == t.service) {
                out[j] = out[j - 1];
                continue;
            }
            const auto g = groups_of_claim(t.citizen, t.service);
            for (std::size_t d = 0; d < dimension_count; ++d) out[j][d] = static_cast<std::uint8_t>(g[d]);
        }
    });
    for (std::size_t i = 0; i < lists; ++i) {
        const auto [records, n] = list(i);
        const TallyGroups* in = groups.data() + first[i];
        for (std::size_t j = 0; j < n; ++j) {
            const TallyRecord& t = records[j];
            const std::size_t s = t.service;
            if (t.what >= K) {
                total.count_closure(t.service, in[j][0], in[j][1], static_cast<ClosureMeasure>(t.what - K));
                continue;
            }
            total.tally_counts[s * K + t.what] += 1;
            std::int64_t* seg = &total.segment_tally_counts[s * G * K + t.what];
            for (const std::uint8_t g : in[j]) seg[static_cast<std::size_t>(g) * K] += 1;
        }
    }
    serial_records.clear();
    for (auto& blk : blocks) blk.counts.tallies.clear();
}

}  // namespace demat
