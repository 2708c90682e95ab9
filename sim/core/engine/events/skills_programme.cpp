// skills_programme: low-skill citizens trained every 30 days (docs/model.md, section 10).
#include "core/engine/impl.hpp"

#include <algorithm>

namespace demat::event {

// A programme trains a cohort on its first day and every 30 days until it stops.
void schedule(const SkillsProgramme& ev, int day, int days, std::vector<Occurrence>& out) {
    out.push_back({day, false});
    const long end = static_cast<long>(day) + std::max(ev.days, 1);
    for (long t = static_cast<long>(day) + 30; t < end && t < days; t += 30) out.push_back({static_cast<int>(t), false});
}

// One month's cohort: each citizen whose digital skill is below the
// threshold is trained with probability share_per_month, from its own
// stream (citizen, day), so the cohort does not depend on the order of the
// loop or on threads.
void apply(const SkillsProgramme& ev, EventContext& at) {
    auto& impl = at.impl;
    Population& p = impl.population();
    const auto below = static_cast<float>(ev.skill_below);
    for (std::size_t c = 0; c < impl.citizens; ++c) {
        if (p.digital_skill[c] >= below) continue;
        Stream rng(impl.seed(), c, static_cast<std::uint32_t>(at.day), Purpose::skills_programme);
        if (rng.uniform() >= ev.share_per_month) continue;
        impl.touch(c);  // the digital-skill group and the capable_ snapshot read the skill
        p.digital_skill[c] += static_cast<float>(ev.skill_gain * (1.0 - p.digital_skill[c]));
    }
}

}  // namespace demat::event
