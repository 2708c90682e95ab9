// The citizen store: the one owner of every per-citizen array the engine
// changes from day to day, of the claims, and of the dirty and due sets
// (docs/architecture.md, the store and the transition rule). Structs of
// arrays, indexed by citizen (claims and service habits by citizen and
// service), so that the per-citizen loops stay plain reads and writes.
// Everything here carries over from one day to the next and is
// checkpointed (Engine::visit_own_state and engine/checkpoint.cpp name each
// array); what a day uses and leaves empty is Engine::Impl::DayScratch.
// Fixed traits of the population (age, skills, capital score) are not
// here: the population and the capital ranking own them.
#pragma once

#include "core/claim.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat {

struct CitizenStore {
    int services = 0;
    std::vector<Claim> claims;                    // [citizen][service]
    // Snapshots of phase A, read by the others' awareness and help in
    // phase B: bit s of knows, service s known; capable, bit c: citizen c
    // can help others online (a bitset, so that scanning neighbours for a
    // helper stays in cache).
    std::vector<std::uint8_t> knows;
    std::vector<std::uint64_t> capable;
    std::vector<std::uint8_t> habit;              // channel of the last successful procedure, 255 = none
    std::vector<std::uint8_t> helps_this_month;
    std::vector<std::uint16_t> helps_total;
    // Per [citizen][service] with channel_habit_service > 0 (empty
    // otherwise): 1 + the channel of the last completed procedure of the
    // service, 0 for none (docs/model.md 6.3).
    std::vector<std::uint8_t> service_habit;
    // 1 once the citizen's identity was checked in person (served at a
    // counter or mediation site): a strong identity step then passes (6.11).
    std::vector<std::uint8_t> identity_checked;
    // Bit c: citizen c touched since phase A (un-counted, snapshot stale);
    // see Engine::Impl::touch for the rule.
    std::vector<std::uint64_t> dirty;
    // The earliest day something is due for the citizen (a claim's
    // next_day, a birthday, an employment event): phase B visits only the
    // citizens due today (Engine::Impl::earliest_due).
    std::vector<std::uint16_t> due;
    // The day of the citizen's next employment event (never_day for none):
    // drawn ahead rather than a draw for everyone every month.
    std::vector<std::uint16_t> next_employment_event;
    // Moving house (moving.enabled, docs/model.md 2.2): the day of the
    // citizen's household's next move (never for none); empty when off.
    std::vector<std::uint16_t> next_move;
    // Life course (life_course.enabled, docs/model.md 2.1): 1 for a citizen
    // who died (a partner lost to widowhood); empty when off.
    std::vector<std::uint8_t> gone;
    // Digital control (docs/model.md 11), empty when off: bit s, the monthly
    // round visits the citizen's unit s (received, or carrying a control's
    // error or suspension). Derived, not checkpointed: rebuilt from the
    // claims and the units at setup and after a restore
    // (Engine::Impl::control_watch_all); a claim becoming received sets it
    // in the transition (DayContext::transition), the round clears it.
    std::vector<std::uint8_t> watched;

    Claim& claim(std::size_t c, int s) { return claims[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)]; }
    const Claim& claim(std::size_t c, int s) const {
        return claims[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    }
    Claim* claims_of(std::size_t c) { return &claims[c * static_cast<std::size_t>(services)]; }
    const Claim* claims_of(std::size_t c) const { return &claims[c * static_cast<std::size_t>(services)]; }
    bool is_dirty(std::size_t c) const { return (dirty[c >> 6] >> (c & 63) & 1u) != 0; }
    void set_dirty(std::size_t c) { dirty[c >> 6] |= std::uint64_t{1} << (c & 63); }
    void watch(std::size_t c, int s) {
        if (!watched.empty()) watched[c] |= static_cast<std::uint8_t>(1u << s);
    }
    bool is_capable(std::size_t c) const { return (capable[c >> 6] >> (c & 63) & 1u) != 0; }
};

}  // namespace demat
