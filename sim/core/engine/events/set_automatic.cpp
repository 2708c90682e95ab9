// set_automatic (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const SetAutomatic& ev, EventContext& at) {
    at.each([&](int s, ServiceParams& svc) {
        const bool was = svc.automatic;
        svc.automatic = ev.automatic;
        if (ev.automatic && !was) at.impl.attribute_automatically(s, at.day);
    });
}

}  // namespace demat::event
