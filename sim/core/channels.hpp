// The channels as data: one row per channel, read by everything that
// treats channels differently (docs/model.md, 6.3-6.7; docs/architecture.md,
// "Add a channel"). The order is that of the Channel enum and of every
// `channel` axis of the output.
#pragma once

#include "core/population.hpp"
#include "core/scenario.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace demat {

struct ChannelTraits {
    Channel channel;
    std::string_view name;  // in scenario keys ([channels.<name>]) and HDF5 labels
    bool staffed;           // has agents: queues and a daily capacity (6.6)
    bool zoned;             // one queue per zone (a place); otherwise one national line (zone 0)
    bool informs_other_rights;  // its agents tell of the citizen's other rights (6.1)
    bool needs_equipment;       // unavailable alone to a citizen without a device (6.3)
    double BehaviourParams::*utility;  // the channel's constant in the choice utility (6.3)
    // Skill term of the utility: +channel_skill × (skill − 0.5) online, where
    // skill helps; +(1 − skill) at mediation, sought by those who lack it.
    enum class SkillTerm : std::uint8_t { none, skilled, unskilled } skill_term;
    float Zone::*distance;                   // km to the nearest site, costly to reach; null: no travel
    double BehaviourParams::*agent_intercept;  // success of a procedure done by its agents (6.6); null: none
};

inline constexpr std::array<ChannelTraits, channel_count> channel_traits{{
    {Channel::online, "online", false, false, false, true, &BehaviourParams::channel_online,
     ChannelTraits::SkillTerm::skilled, nullptr, nullptr},
    {Channel::phone, "phone", true, false, false, false, &BehaviourParams::channel_phone, ChannelTraits::SkillTerm::none,
     nullptr, &BehaviourParams::phone_intercept},
    {Channel::counter, "counter", true, true, true, false, &BehaviourParams::channel_counter,
     ChannelTraits::SkillTerm::none, &Zone::km_to_counter, &BehaviourParams::counter_intercept},
    {Channel::mediation, "mediation", true, true, true, false, &BehaviourParams::channel_mediation,
     ChannelTraits::SkillTerm::unskilled, &Zone::km_to_mediation, &BehaviourParams::mediation_intercept},
}};

// The names in Channel order, as an output axis's labels.
inline std::vector<std::string> channel_labels() {
    std::vector<std::string> out;
    for (const auto& t : channel_traits) out.emplace_back(t.name);
    return out;
}

constexpr const ChannelTraits& traits(Channel c) { return channel_traits[static_cast<std::size_t>(c)]; }

// Staffed channels are numbered among themselves (queues, capacities).
constexpr int staffed_count = [] {
    int n = 0;
    for (const auto& t : channel_traits) n += t.staffed ? 1 : 0;
    return n;
}();
constexpr int staffed_index(Channel c) {
    int k = 0;
    for (const auto& t : channel_traits) {
        if (t.channel == c) return t.staffed ? k : -1;
        k += t.staffed ? 1 : 0;
    }
    return -1;
}
constexpr Channel staffed_channel(int k) {
    for (const auto& t : channel_traits)
        if (t.staffed && k-- == 0) return t.channel;
    return Channel::online;
}

static_assert([] {
    for (std::size_t i = 0; i < channel_traits.size(); ++i)
        if (static_cast<std::size_t>(channel_traits[i].channel) != i) return false;
    return true;
}(), "channel_traits is in the order of the Channel enum");

}  // namespace demat
