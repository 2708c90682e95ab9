// eligibility_letter (docs/model.md, sections 6.16 and 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const EligibilityLetter& ev, EventContext& at) {
    auto& impl = at.impl;
    const DayContext day = impl.day_context(at.day, at.sink);
    at.each([&](int s, ServiceParams&) {
        // The letter's draw is the claim's own (its stream, the day): the
        // order of the citizens does not matter.
        for (std::size_t c = 0; c < impl.citizens; ++c) mechanism::read_letter(day, impl.seed(), c, s, ev.share);
    });
}

}  // namespace demat::event
