// Informal help on a day context (engine/day_context.hpp): asking someone,
// the helper's time, the helped citizen's side (docs/model.md 6.5, 6.12).
// Defined in engine/help.cpp, where the Engine::Impl kernels gather what
// these read (the household, the network) and act on what they return
// (the mediation queue, the online attempt with the helper's skills).
#pragma once

#include "core/engine/day_context.hpp"
#include "core/rng.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat {

// Citizen c asks `helper` for help with their procedure at `service`;
// served the next day in the order of `key` (engine/help.cpp).
struct HelpRequest {
    std::uint32_t citizen;
    std::uint32_t helper;
    std::uint32_t key;
    std::uint8_t service;
};

namespace mechanism {

// Whom a citizen may ask, as the engine finds them: the other adult of
// their household for a benefit unit's claim (5.1), their neighbours in
// the network, and whether the service's online and mediation channels are
// open. Who is capable of helping is the store's (CitizenStore::capable).
struct HelpCircle {
    bool has_partner;
    std::uint32_t partner;
    const std::uint32_t* first;  // the neighbours, [first, last)
    const std::uint32_t* last;
    bool online_open, mediation_open;
};

// Where a request for help goes: to a helper (a HelpRequest appended to
// `requests`, the claim waiting for them), to the mediation queue (which
// the engine joins), or nowhere.
enum class HelpRoute { helper, mediation, nobody };

// Citizen c asks for help with s (counted): for an online procedure, the
// other adult of the household first, if capable, else the first capable
// neighbour from a random one (one draw of `rng`, whose next word is the
// request's key); else a mediation site if open.
HelpRoute ask_for_help(const DayContext& day, const HelpCircle& circle, std::vector<HelpRequest>& requests,
                       Stream& rng, std::size_t c, int s);

// The helper's side of a request still waiting: whether they have time
// left this month (helper_capacity procedures, or with a time budget
// helper_hours_per_month the quarter-hours a help of `complexity` takes:
// read only then), which this help then uses.
bool take_help(CitizenStore& store, const BehaviourParams& b, std::uint32_t helper, double complexity);

// The helped citizen's side of their turn (`available`: the helper had
// time): the claim leaves the wait for help. A helper out of time sends
// it to mediation if open (the engine queues it the next day), else to a
// try retry_days later; a help given is counted with its online attempt,
// which the engine makes with the helper's skills.
enum class HelpTurnOutcome { to_mediation, retry_later, helped };
HelpTurnOutcome receive_help(const DayContext& day, bool available, bool mediation_open, std::size_t c, int s);

}  // namespace mechanism
}  // namespace demat
