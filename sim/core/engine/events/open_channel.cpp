// open_channel (docs/model.md, section 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const OpenChannel& ev, EventContext& at) {
    at.each([&](int s, ServiceParams&) { at.impl.open_channels[static_cast<std::size_t>(s)] |= Engine::Impl::channel_bit(ev.channel); });
}

}  // namespace demat::event
