// prefill_renewals (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const PrefillRenewals& ev, EventContext& at) {
    at.each([&](int s, ServiceParams&) {
        at.impl.prefilled_complexity[static_cast<std::size_t>(s)] = ev.prefilled ? ev.complexity : -1.0;
    });
}

}  // namespace demat::event
