// set_complexity (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const SetComplexity& ev, EventContext& at) {
    at.each([&](int, ServiceParams& svc) {
        if (ev.first >= 0) svc.complexity_first = ev.first;
        if (ev.renewal >= 0) svc.complexity_renewal = ev.renewal;
    });
}

}  // namespace demat::event
