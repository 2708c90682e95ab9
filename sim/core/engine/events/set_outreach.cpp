// set_outreach, for everybody or aimed at one segment group (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const SetOutreach& ev, EventContext& at) {
    auto& impl = at.impl;
    if (ev.segment >= 0) {
        // A targeted campaign replaces the rate of an earlier one aimed at the
        // same group of the same service; a rate of 0 ends it.
        at.each([&](int s, ServiceParams&) {
            auto& campaigns = impl.targeted_outreach[static_cast<std::size_t>(s)];
            std::erase_if(campaigns, [&](const auto& t) { return t.segment == ev.segment && t.group == ev.group; });
            if (ev.rate > 0) campaigns.push_back({ev.segment, ev.group, ev.rate});
        });
    } else {
        at.each([&](int, ServiceParams& svc) { svc.outreach = ev.rate; });
    }
    // The candidate days of unaware claims were drawn with the former
    // outreach as a bound: phase A draws them again.
    impl.reschedule_awareness |= at.targets;
}

}  // namespace demat::event
