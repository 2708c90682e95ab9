// outage: the online channel closes for `days`, then reopens (docs/model.md, section 10).
#include "core/engine/impl.hpp"

#include <algorithm>

namespace demat::event {

void schedule(const Outage& ev, int day, int days, std::vector<Occurrence>& out) {
    out.push_back({day, false});
    // In 64 bits: a Scenario built in code need not respect the schema's bounds.
    const long end = static_cast<long>(day) + std::max(ev.days, 1);
    if (end < days) out.push_back({static_cast<int>(end), true});
}

void apply(const Outage&, EventContext& at) {
    auto& impl = at.impl;
    std::uint8_t& closed = impl.outage_closed[at.at.index];
    if (at.at.reopen) {
        // Only what the outage itself closed reopens.
        at.each([&](int s, ServiceParams&) {
            if ((closed >> s & 1u) != 0) impl.open_channels[static_cast<std::size_t>(s)] |= Engine::Impl::channel_bit(Channel::online);
        });
        return;
    }
    std::uint8_t closing = 0;
    at.each([&](int s, ServiceParams&) {
        if (impl.channel_open(s, Channel::online)) closing |= static_cast<std::uint8_t>(1u << s);
    });
    closed = closing;
    impl.close_channel(closing, Channel::online, at.day, at.sink);
}

}  // namespace demat::event
