// close_counters and open_counters: counters in a share of the zones
// (docs/model.md, sections 6.13 and 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const CloseCounters& ev, EventContext& at) {
    at.impl.change_counters(at.targets, ev.share, ev.territory, true, at.day, at.sink);
}

void apply(const OpenCounters& ev, EventContext& at) {
    at.impl.change_counters(at.targets, ev.share, ev.territory, false, at.day, at.sink);
}

}  // namespace demat::event
