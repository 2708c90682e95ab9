// The life course after 75 (docs/model.md 2.1) on a day context: the fall
// of digital skill and mobility, the death of a partner and what it makes
// of the household. Defined in engine/life_course.cpp; the engine's kernel
// walks the couples and adds what only it has (the survivor's claims anew,
// the pension fund's letters). Unit test: tests/core/test_life_course_unit.cpp.
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <cstdint>

namespace demat::mechanism {

// The age from which skill and mobility fall and a partner's death is drawn.
inline constexpr int life_course_age = 75;

// A 30-day step's rates of decline, the same for everyone.
struct Decline {
    float skill_factor;    // share of digital skill kept over the step
    double mobility_step;  // probability over the step of falling one step of mobility
};
Decline decline_of(const LifeCourseParams& lc);

// 30 days of decline for citizen c (nothing before 75 or once gone): the
// skill falls by its factor; mobility, with probability mobility_step
// (stream Purpose::life_course of c and the day), falls from car to public
// transport or from public transport to none.
void decline(const DayContext& day, const Decline& step, std::uint64_t seed, Population& p, std::size_t c);

// Which adult of the couple (c, c + 1) dies in this 30-day step, at the
// mortality of their ages (france_calibration.hpp, partner_mortality), one
// draw of stream Purpose::widowhood: only when both are alive and one is 75
// or more (otherwise no draw).
enum class CoupleDeath { none, first, second };
CoupleDeath couple_death(const DayContext& day, std::uint64_t seed, const Population& p, std::size_t c);

// `dead` dies: gone from now on, and both become one-adult households
// (their amounts at the single rate, 5.2: the survivor claims alone what
// the unit claimed). `units` may be empty (no household units). The
// engine then updates both citizens' eligibility.
void widow(const DayContext& day, Population& p, Households& units, std::size_t dead, std::size_t survivor);

}  // namespace demat::mechanism
