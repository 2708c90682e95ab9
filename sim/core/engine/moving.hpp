// Moving house (docs/model.md 2.2) on a day context: when a household moves,
// and what a move does to the claims tied to the dwelling. Defined in
// engine/moving.cpp; the engine's kernel finds the household's first adult
// (households.hpp, household_positions) and keeps each citizen's next move
// day in the store. Unit test: tests/core/test_moving_unit.cpp.
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat::mechanism {

// The yearly probability of moving of a household of tenure `tenant`
// (Population::tenant: 0 owner, 1 private tenant, 2 social tenant).
double moving_rate(const MovingParams& m, std::uint8_t tenant);

// The day after `from` on which household `head` (its first adult) next
// moves: a geometric wait of daily probability 1 - (1 - rate)^(1/365),
// drawn from the first word of stream Purpose::moving of the household and
// `from`; `never` if none falls before it (a rate of 0). Every adult of the
// household draws the same day.
std::uint16_t next_move(const MovingParams& m, std::uint64_t seed, std::uint32_t head, std::uint8_t tenant, int from);

// Days since household `head` last moved, before day 0 (the initial
// conditions, docs/model.md 1): the backward recurrence time of the same
// moves, exponential at their daily hazard, from the second word of the
// stream of day 0. Infinite at a rate of 0.
double days_since_move(const MovingParams& m, std::uint64_t seed, std::uint32_t head, std::uint8_t tenant);

// The services tied to the dwelling: those whose eligibility requires a
// tenant and that are not automatic (bit s).
std::uint8_t dwelling_services(const std::vector<ServiceParams>& services);

// Citizen c's household moves today. Each claim to a service of `dwelling`
// that the citizen knows of ends, and a new one starts for the new
// dwelling: aware (they know the service), nothing received, no procedure
// or queue under way, the spell begun today, and decided tomorrow as any
// new awareness (6.2). Unaware and ineligible claims are left as they are.
// No event is counted. Returns the services whose claim restarted.
std::uint8_t move_house(const DayContext& day, std::uint8_t dwelling, int services, std::size_t c);

}  // namespace demat::mechanism
