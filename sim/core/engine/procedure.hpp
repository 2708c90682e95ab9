// The procedure's mechanisms on a day context (engine/day_context.hpp):
// the channel choice, the online attempt and what a failure leads to
// (docs/model.md 6.3-6.5, 6.10-6.11). Defined in engine/procedure.cpp
// (but for choose_channel, below), where the Engine::Impl kernels gather
// what these read (the utilities, the odds, the deadlines) and act on what
// they return (queues, help, completion, giving up), which only the engine
// has.
#pragma once

#include "core/behaviour.hpp"
#include "core/channels.hpp"
#include "core/detmath.hpp"
#include "core/engine/day_context.hpp"
#include "core/rng.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace demat::mechanism {

// What the channel choice weighs (6.3): the channels open for the service
// (bit ch) and, for each open one, its utility to the citizen with their
// taste; -infinity for a channel they cannot use alone. The engine fills
// only the open channels'.
struct ChannelOptions {
    std::uint8_t open = 0;
    std::array<double, channel_count> utility{};
};
inline constexpr int no_channel = -1;

// Draws the channel of citizen c's next try at s (multinomial logit, one
// draw of `rng`), records it on the claim and counts its attempt; returns
// it, or no_channel (nothing drawn, nothing counted) if no open channel is
// usable alone. Defined here, inline: it runs at every procedure step, and
// inlined into the kernel its options need not go through memory.
[[gnu::always_inline]] inline int choose_channel(const DayContext& day, const ChannelOptions& options, Stream& rng, std::size_t c, int s) {
    std::array<double, channel_count> weight{};
    double total = 0;
    for (int i = 0; i < channel_count; ++i) {
        if ((options.open >> i & 1u) == 0) continue;
        const double u = options.utility[static_cast<std::size_t>(i)];
        if (std::isinf(u)) continue;
        weight[static_cast<std::size_t>(i)] = dmath::exp(std::min(u, 50.0));
        total += weight[static_cast<std::size_t>(i)];
    }
    if (total <= 0) return no_channel;
    double draw = rng.uniform() * total;
    int chosen = 0;
    for (; chosen < channel_count - 1; ++chosen) {
        draw -= weight[static_cast<std::size_t>(chosen)];
        if (draw < 0 && weight[static_cast<std::size_t>(chosen)] > 0) break;
    }
    while (weight[static_cast<std::size_t>(chosen)] <= 0) --chosen;  // guard against rounding
    const auto ch = static_cast<Channel>(chosen);
    day.store.claim(c, s).channel = ch;
    if (day.recording) day.counts->count(s, ch, ChannelEvent::attempts);
    return chosen;
}

// Sent online without a device (nothing else usable alone), the citizen
// borrows one with probability borrow_device (6.10; its own stream).
bool borrows_device(const DayContext& day, std::uint64_t seed, std::size_t c, int s);

// One online attempt (6.10) with odds the engine computes (the citizen's,
// a helper's standing in for them, or on a borrowed device), one draw of
// `rng`: success, or the stage it failed at. It counts the identity step
// of a service that has one (6.11). `borrowed`: the attempt on a borrowed
// device, whose channel is set and attempt counted here (a chosen
// channel's are at the choice, a helped attempt's at the help).
struct OnlineOutcome {
    bool ok;
    Reason why;  // of the failure, when !ok
};
OnlineOutcome attempt_online(const DayContext& day, const OnlineOdds& odds, IdentityRequirement identity,
                             Stream& rng, std::size_t c, int s, bool borrowed);

// A failed try, or a procedure that could not even start, for cause `why`
// (6.5): a failed online attempt (`online`) has its cause tallied; the
// claim leaves any queue or help and counts one more failure. True if the
// citizen gives up for good (max_failures reached).
bool record_failure(const DayContext& day, std::size_t c, int s, Reason why, bool online);

// After a failure, the citizen asks for help with probability
// min(1, ask_help x failures) (6.5; one draw of `rng`).
bool asks_help(const DayContext& day, Stream& rng, std::size_t c, int s);

// The next try comes retry_days later (the claim waits in `attempting`, or
// stays received while a renewal is under way), unless it would come too
// late: on or past the deadline of an answer to a document request
// (`answer`, docs/model.md 11.3) or the end of a renewal's window (6.9).
enum class Retry { later, answer_too_late, renewal_too_late };
Retry retry(const DayContext& day, std::size_t c, int s, bool answer, int answer_deadline);

}  // namespace demat::mechanism
