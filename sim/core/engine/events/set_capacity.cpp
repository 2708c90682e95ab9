// set_capacity (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const SetCapacity& ev, EventContext& at) {
    at.each([&](int s, ServiceParams& svc) {
        svc.channels[static_cast<std::size_t>(ev.channel)].capacity_per_10k = ev.capacity_per_10k;
        if (ev.channel != Channel::online) at.impl.set_daily_capacity(s, staffed_index(ev.channel));
    });
}

}  // namespace demat::event
