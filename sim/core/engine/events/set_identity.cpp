// set_identity (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const SetIdentity& ev, EventContext& at) {
    at.each([&](int, ServiceParams& svc) { svc.identity = ev.identity; });
}

}  // namespace demat::event
