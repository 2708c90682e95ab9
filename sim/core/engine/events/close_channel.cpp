// close_channel (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const CloseChannel& ev, EventContext& at) {
    auto& impl = at.impl;
    // A closure during an outage outlasts it: the outage's end does not reopen it.
    if (ev.channel == Channel::online)
        for (auto& closed : impl.outage_closed) closed &= static_cast<std::uint8_t>(~at.targets);
    impl.close_channel(at.targets, ev.channel, at.day, at.sink);
}

}  // namespace demat::event
