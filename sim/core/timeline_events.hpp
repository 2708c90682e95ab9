// Policy timeline events as data (docs/model.md, section 10): one struct per
// event kind, whose keys are listed once, in its `keys` function. The
// scenario reader, to_toml, `demat params` and the table of docs/model.md
// all walk that list (scenario/timeline_reader.cpp); the engine applies an
// event with the `apply` overload declared here and defined in
// core/engine/events/<event>.cpp. Adding an event kind: its struct here
// (and in EventData), its application there, its test
// (docs/architecture.md, "Add a timeline event").
//
// A key visitor V provides, for a key of name `key` documented by `doc`:
//   channel(key, Channel&, Need, bool staffed_only, doc)
//   number(key, double&, Need, Range, doc)
//   days(key, int&, Need, doc)                    1 .. the `days` key's maximum
//   boolean(key, bool&, Need, doc)
//   identity(key, IdentityRequirement&, Need, doc)
//   territory(key, int&, Need, doc)               a TerritoryType, -1 = "*"
//   segment_group(int& segment, int& group, doc)  keys `segment` and `group`, both or neither
//   one_of(key_a, key_b)                          at least one of two optional keys
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace demat {

// Declared in core/scenario.hpp, which includes this file.
enum class Channel : std::uint8_t;
enum class IdentityRequirement : std::uint8_t;

struct EventContext;  // the engine's side of an application (core/engine/impl.hpp)

namespace event {

enum class Need : std::uint8_t {
    required,  // the event is refused without it
    optional,  // absent: the struct's default, which is written back
    unset,     // absent: "unchanged" (a negative value), not written back
};

// The range of a number: that of the scenario key it changes ("services.
// complexity_first", "channels.capacity_per_10k"), so a timeline cannot set
// what a file could not; or its own bounds, open below if `open_min`.
struct Range {
    const char* like = nullptr;
    double min = 0.0;
    double max = 1.0;
    bool open_min = false;
};
constexpr Range like(const char* key) { return Range{key}; }
constexpr Range between(double min, double max, bool open_min = false) { return Range{nullptr, min, max, open_min}; }

struct CloseChannel {
    static constexpr std::string_view name = "close_channel";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "The channel closes. Claims waiting at it (in its queue, or for a neighbour's help when online closes) fail "
        "back to their citizen as a failed attempt: they retry another channel, ask for help, or give up after "
        "`max_failures`.";
    std::string service = "*";
    Channel channel{};  // online
    template <class V> void keys(V& v) { v.channel("channel", channel, Need::required, false, "online, phone, counter or mediation"); }
    bool operator==(const CloseChannel&) const = default;
};

struct OpenChannel {
    static constexpr std::string_view name = "open_channel";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect = "The channel opens (again), with the capacity it has then.";
    std::string service = "*";
    Channel channel{};  // online
    template <class V> void keys(V& v) { v.channel("channel", channel, Need::required, false, "online, phone, counter or mediation"); }
    bool operator==(const OpenChannel&) const = default;
};

struct SetCapacity {
    static constexpr std::string_view name = "set_capacity";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "New daily capacity of the queues; the fraction of a place carried over from the previous day is kept.";
    std::string service = "*";
    Channel channel{2};  // counter
    double capacity_per_10k = 0.0;
    template <class V> void keys(V& v) {
        v.channel("channel", channel, Need::required, true, "phone, counter or mediation");
        v.number("capacity_per_10k", capacity_per_10k, Need::required, like("channels.capacity_per_10k"),
                 "places per day per 10,000 residents");
    }
    bool operator==(const SetCapacity&) const = default;
};

struct SetComplexity {
    static constexpr std::string_view name = "set_complexity";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "New complexity of first claims and/or renewals, for every later decision and attempt.";
    std::string service = "*";
    double first = -1.0;    // negative: unchanged
    double renewal = -1.0;  // negative: unchanged
    template <class V> void keys(V& v) {
        v.number("first", first, Need::unset, like("services.complexity_first"), "complexity of first claims");
        v.number("renewal", renewal, Need::unset, like("services.complexity_renewal"), "complexity of renewals");
        v.one_of("first", "renewal");
    }
    bool operator==(const SetComplexity&) const = default;
};

struct SetOutreach {
    static constexpr std::string_view name = "set_outreach";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "New outreach hazard (6.1); a campaign is a `set_outreach` up, then one back down. With `segment` and "
        "`group`, a campaign aimed at one group: its `rate` is added to the service's outreach for the citizens "
        "in the group when they draw (group as of that day; capital quintiles are fixed); a later targeted "
        "`set_outreach` for the same service and group replaces the rate, `rate = 0` ends it; an untargeted one "
        "changes the service's own rate and leaves targeted campaigns running.";
    std::string service = "*";
    double rate = 0.0;
    int segment = -1;  // a segment dimension of segments.hpp, -1 = everybody
    int group = -1;    // one of its groups
    template <class V> void keys(V& v) {
        v.number("rate", rate, Need::required, like("services.outreach"), "probability per day");
        v.segment_group(segment, group,
                        "a segment dimension of the output (age_group, education, income_quintile, capital_quintile, "
                        "digital_skill, territory, isolation, equipment, household_type, tenure, agency_contact) and one of its groups, e.g. \"Q1\", "
                        "\"75+\", \"rural\"");
    }
    bool operator==(const SetOutreach&) const = default;
};

struct SetAutomatic {
    static constexpr std::string_view name = "set_automatic";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "Switching on: every eligible claim not yet receiving (unaware, declined, attempting, waiting, rejected, "
        "abandoned, interrupted) becomes an automatic claim submitted that day and accepted after "
        "`processing_days`; claims already submitted are processed as they are; a renewal under way is taken over "
        "(next renewal in `renewal_days`). Switching off: claims already submitted or received stay; newly eligible "
        "citizens must learn of the right and claim it, and renewals need a declaration again.";
    std::string service = "*";
    bool automatic = false;
    template <class V> void keys(V& v) { v.boolean("automatic", automatic, Need::required, "true or false"); }
    bool operator==(const SetAutomatic&) const = default;
};

struct Outage {
    static constexpr std::string_view name = "outage";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "The online channel of the services it names closes as with `close_channel`, and reopens at the start of "
        "day `day + days` for the services it closed (a service whose online channel was already closed, or is "
        "closed by a `close_channel` during the outage, stays closed). On the day it ends, the reopening comes "
        "before that day's other events.";
    std::string service = "*";
    int days = 1;
    template <class V> void keys(V& v) { v.days("days", days, Need::required, "duration"); }
    bool operator==(const Outage&) const = default;
};

struct SetIdentity {
    static constexpr std::string_view name = "set_identity";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect = "New identity requirement online (6.4).";
    std::string service = "*";
    IdentityRequirement identity{1};  // account
    template <class V> void keys(V& v) { v.identity("identity", identity, Need::required, "none, account or strong"); }
    bool operator==(const SetIdentity&) const = default;
};

struct OpenMediation {
    static constexpr std::string_view name = "open_mediation";
    static constexpr bool per_service = false;  // a site serves every service
    static constexpr std::string_view effect =
        "In every zone of that type, sites := sites + `sites` (each zone starts at 1, the network the scenario "
        "describes). Mediation capacity and distance follow (below).";
    int territory = -1;
    double sites = 0.0;
    template <class V> void keys(V& v) {
        v.territory("territory", territory, Need::required, "dense_urban, intermediate, rural or \"*\"");
        v.number("sites", sites, Need::required, between(0.0, 100.0, true),
                 "sites added, as a multiple of the zone's initial network");
    }
    bool operator==(const OpenMediation&) const = default;
};

struct CloseMediation {
    static constexpr std::string_view name = "close_mediation";
    static constexpr bool per_service = false;
    static constexpr std::string_view effect =
        "sites := sites × (1 − `share`). Claims already queued at a closed site stay in the zone's queue, served "
        "at the lower capacity or leaving after `patience_days`.";
    int territory = -1;
    double share = 0.0;
    template <class V> void keys(V& v) {
        v.territory("territory", territory, Need::required, "dense_urban, intermediate, rural or \"*\"");
        v.number("share", share, Need::required, between(0.0, 1.0, true), "share of the sites that close");
    }
    bool operator==(const CloseMediation&) const = default;
};

struct CloseCounters {
    static constexpr std::string_view name = "close_counters";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "The counters of the service close in a `share` of the zones of type `territory` whose counter is open, "
        "chosen by a fixed rank of the zones drawn from the seed (the round(`share` x n) first in rank; "
        "docs/model.md 6.13); without `share` and `territory`, in every zone. A closed zone's residents go to "
        "the nearest open counter (farther: its distance enters the choice, 6.3, and the trip, 6.13) and join "
        "its queue, at its capacity; those already queued move to that queue; if no counter of the service "
        "stays open anywhere, they fail back as with `close_channel` (reason distance).";
    std::string service = "*";
    double share = 1.0;
    int territory = -1;
    template <class V> void keys(V& v) {
        v.number("share", share, Need::optional, between(0.0, 1.0), "share of the zones whose counter closes");
        v.territory("territory", territory, Need::optional, "dense_urban, intermediate, rural or \"*\"");
    }
    bool operator==(const CloseCounters&) const = default;
};

struct OpenCounters {
    static constexpr std::string_view name = "open_counters";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "The converse of `close_counters`: the counters reopen in a `share` of the zones of type `territory` "
        "whose counter is closed, the last in the closing rank first; without `share` and `territory`, in every "
        "zone. Residents already queued at a neighbour's counter stay in that queue.";
    std::string service = "*";
    double share = 1.0;
    int territory = -1;
    template <class V> void keys(V& v) {
        v.number("share", share, Need::optional, between(0.0, 1.0), "share of the closed zones whose counter reopens");
        v.territory("territory", territory, Need::optional, "dense_urban, intermediate, rural or \"*\"");
    }
    bool operator==(const OpenCounters&) const = default;
};

struct SkillsProgramme {
    static constexpr std::string_view name = "skills_programme";
    static constexpr bool per_service = false;  // it trains citizens, whatever they claim
    static constexpr std::string_view effect =
        "On its day and every 30 days after while day < `day + days`, each citizen whose digital skill is below "
        "`skill_below` is trained with probability `share_per_month`; a trainee's skill becomes skill + "
        "`skill_gain` × (1 − skill).";
    double share_per_month = 0.0;
    double skill_gain = 0.0;
    double skill_below = 0.5;
    int days = 1;
    template <class V> void keys(V& v) {
        v.number("share_per_month", share_per_month, Need::required, between(0.0, 1.0),
                 "share of low-skill citizens trained per 30 days");
        v.number("skill_gain", skill_gain, Need::required, between(0.0, 1.0), "skill += skill_gain × (1 − skill)");
        v.number("skill_below", skill_below, Need::optional, between(0.0, 1.0), "low skill: digital skill below this");
        v.days("days", days, Need::required, "duration");
    }
    bool operator==(const SkillsProgramme&) const = default;
};

struct PrefillRenewals {
    static constexpr std::string_view name = "prefill_renewals";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "While true, renewals (the periodic declarations, 6.5) of the service are pre-filled: their complexity is "
        "`complexity` instead of the service's `complexity_renewal`. Switching back to false restores "
        "`complexity_renewal` (as a `set_complexity` may have changed it meanwhile).";
    std::string service = "*";
    bool prefilled = true;
    double complexity = 0.05;
    template <class V> void keys(V& v) {
        v.boolean("prefilled", prefilled, Need::required, "true or false");
        v.number("complexity", complexity, Need::optional, like("services.complexity_renewal"),
                 "complexity of a pre-filled renewal");
    }
    bool operator==(const PrefillRenewals&) const = default;
};

struct ShareTaxData {
    static constexpr std::string_view name = "share_tax_data";
    static constexpr bool per_service = false;  // the data reach every agency
    static constexpr std::string_view effect =
        "While true, the tax return's data are on file at every agency (6.15): a unit whose return is filed "
        "(its claim to a service of the tax administration receiving) counts as known to every agency for "
        "'tell us once', and its first claims to their services have the complexity lowered by the agency's "
        "`tell_us_once`. Switching back to false stops it for the claims decided or attempted afterwards.";
    bool shared = true;
    template <class V> void keys(V& v) { v.boolean("shared", shared, Need::required, "true or false"); }
    bool operator==(const ShareTaxData&) const = default;
};

struct EligibilityLetter {
    static constexpr std::string_view name = "eligibility_letter";
    static constexpr bool per_service = true;
    static constexpr std::string_view effect =
        "A letter to every eligible citizen not receiving the service, saying they are likely entitled (6.16): "
        "read and believed with probability `share`, it makes an unaware claim aware (deciding the next day, "
        "believing it is entitled) and tells a citizen who believes not to be entitled that they are (a declined "
        "one decides again the next day); a citizen who knows they are entitled and declined decides again the next "
        "day (the letter is a prompt), with the same weights as at any decision. Others are not moved.";
    std::string service = "*";
    double share = 0.0;
    template <class V> void keys(V& v) {
        v.number("share", share, Need::required, between(0.0, 1.0), "share of the letters read and believed");
    }
    bool operator==(const EligibilityLetter&) const = default;
};

// When an event acts: on its day, and for some kinds again later (an
// outage's end, a programme's monthly cohorts). Days are recorded days.
struct Occurrence {
    int day;
    bool reopen;  // an outage's end
};
template <class E>
void schedule(const E&, int day, int /*days*/, std::vector<Occurrence>& out) {
    out.push_back({day, false});
}
void schedule(const Outage& ev, int day, int days, std::vector<Occurrence>& out);
void schedule(const SkillsProgramme& ev, int day, int days, std::vector<Occurrence>& out);

// The engine's application of each kind (core/engine/events/<event>.cpp).
void apply(const CloseChannel& ev, EventContext& at);
void apply(const OpenChannel& ev, EventContext& at);
void apply(const SetCapacity& ev, EventContext& at);
void apply(const SetComplexity& ev, EventContext& at);
void apply(const SetOutreach& ev, EventContext& at);
void apply(const SetAutomatic& ev, EventContext& at);
void apply(const Outage& ev, EventContext& at);
void apply(const SetIdentity& ev, EventContext& at);
void apply(const OpenMediation& ev, EventContext& at);
void apply(const CloseMediation& ev, EventContext& at);
void apply(const SkillsProgramme& ev, EventContext& at);
void apply(const PrefillRenewals& ev, EventContext& at);
void apply(const CloseCounters& ev, EventContext& at);
void apply(const OpenCounters& ev, EventContext& at);
void apply(const ShareTaxData& ev, EventContext& at);
void apply(const EligibilityLetter& ev, EventContext& at);

}  // namespace event

// Every event kind, in the order `demat params` and docs/model.md list them.
using EventData = std::variant<event::CloseChannel, event::OpenChannel, event::SetCapacity, event::SetComplexity,
                               event::SetOutreach, event::SetAutomatic, event::Outage, event::SetIdentity,
                               event::OpenMediation, event::CloseMediation, event::SkillsProgramme,
                               event::PrefillRenewals, event::CloseCounters, event::OpenCounters,
                               event::ShareTaxData, event::EligibilityLetter>;

// A policy change dated in recorded days (docs/model.md, section 10).
struct TimelineEvent {
    int day = 0;  // recorded day (absolute day warmup_days + day), in [0, days)
    EventData what;

    std::string_view name() const {
        return std::visit([](const auto& ev) { return std::string_view(ev.name); }, what);
    }
    // The service it names ("*": every service); null for kinds that take none.
    const std::string* service() const {
        return std::visit(
            [](const auto& ev) -> const std::string* {
                if constexpr (std::decay_t<decltype(ev)>::per_service) return &ev.service;
                else return nullptr;
            },
            what);
    }
    template <class E> const E* as() const { return std::get_if<E>(&what); }
    bool operator==(const TimelineEvent&) const = default;
};

}  // namespace demat
