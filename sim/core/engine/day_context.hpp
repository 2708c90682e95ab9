// The day context: what a mechanism reads and writes, passed to it
// explicitly rather than the whole engine (docs/architecture.md, "testing
// a mechanism alone"). A mechanism written against it (the functions of
// namespace mechanism below, each defined in its mechanism's file of this
// folder) can be unit-tested on a CitizenStore of a few citizens, without
// an Engine. It holds references only: building one costs a few stores,
// and everything it calls is inline or a direct call.
#pragma once

#include "core/engine.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat {

// Engine::Impl::touch (engine/counting.cpp), callable where Engine::Impl
// is an incomplete type.
void touch_citizen(Engine::Impl& engine, std::size_t c);

// Marks a claim's change that no output counts as an event.
struct NoEvent {};
inline constexpr NoEvent no_event{};

struct DayContext {
    CitizenStore& store;
    const BehaviourParams& b;
    int day;
    // Where the day's events go: the counts of the block or phase at work
    // (one per block or per chunk of zones, summed later, so that threads
    // never share one). Null where nothing is counted (the initial
    // conditions; the control round, which counts with its own measures).
    DayCounts* counts;
    bool recording;  // false during the warm-up: no event is counted
    // The engine whose phase A counts the citizens: a citizen's first change
    // of the day un-counts them (Engine::Impl::touch). Null for a store
    // built alone (a mechanism's unit test): a change then only marks the
    // citizen in the dirty set.
    Engine::Impl* engine = nullptr;

    void touch(std::size_t c) const {
        if (engine != nullptr)
            touch_citizen(*engine, c);
        else
            store.set_dirty(c);
    }

    // The transition rule (docs/architecture.md): a claim's state changes
    // only here. The citizen is un-counted first (touch: nothing more once
    // they are, the same day), so the next phase A counts them in their new
    // state; then the state is set and the change's event counted for
    // service s (when recording).
    void transition(std::size_t c, int s, Claim& k, ClaimState to, Event event) const {
        touch(c);
        if (to == ClaimState::receiving) store.watch(c, s);  // the control round visits it
        k.state = to;
        if (recording) counts->count(s, event);
    }
    // A change that is no event of the outputs (the rejection and the
    // control's suspension are counted by their own measures before it).
    void transition(std::size_t c, Claim& k, ClaimState to, NoEvent) const {
        touch(c);
        if (to == ClaimState::receiving && !store.watched.empty())
            store.watch(c, static_cast<int>(&k - store.claims_of(c)));
        k.state = to;
    }
};

// Mechanisms that take a day context. The engine's kernels of the same name
// (Engine::Impl) build the context, call these and add what only the engine
// has (the trace of chosen citizens, the draws of the next steps).
namespace mechanism {

// Citizen c learns of their right to s (docs/model.md 6.1).
void become_aware(const DayContext& day, std::size_t c, int s);

// The decision to claim (docs/model.md 6.2, 6.14): what it weighs besides
// the claim and the parameters, which the engine gathers (engine/decision.cpp).
struct DecisionTerms {
    double admin_literacy, trust;
    double taste;             // lasting inclination, net of fear of controls and of lost access
    double efficacy;          // the self-efficacy term (0 when its weight is 0)
    double amount;            // monthly amount at stake
    double first_complexity;  // of the first procedure
};
// Draws the decision of citizen c on their right to s (stream of Purpose::
// decision, the claim and the day) and applies it; true if they claim.
bool decide(const DayContext& day, const ServiceParams& svc, std::uint64_t seed, const DecisionTerms& terms,
            std::size_t c, int s);

// A right received or being renewed is interrupted: the procedure is given
// up, the citizen loses some trust (6.9). `trust` is the population's.
void interrupt(const DayContext& day, std::vector<float>& trust, std::size_t c, int s);

// The start or end of an eligibility spell (docs/model.md 5): `eligible`
// as the rule says today, `svc` the service as the timeline has it.
enum class SpellChange { none, ended, started };
SpellChange update_eligibility(const DayContext& day, const ServiceParams& svc, std::size_t c, int s, bool eligible);

}  // namespace mechanism
}  // namespace demat
