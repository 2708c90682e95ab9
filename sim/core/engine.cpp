#include "core/engine.hpp"

#include "core/behaviour.hpp"
#include "core/eligibility.hpp"
#include "core/life_events.hpp"
#include "core/rng.hpp"
#include "core/segments.hpp"
#include "core/tracking.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uint16_t day_plus(int day, int delta) {
    const long v = static_cast<long>(day) + std::max(delta, 1);
    return v >= never ? never : static_cast<std::uint16_t>(v);
}

// Staffed channels have queues; index 0..2 for phone, counter, mediation.
constexpr int staffed_count = 3;
int staffed_index(Channel c) { return static_cast<int>(c) - 1; }

// Travel cost factor by means of transport (assumption: without a car a trip
// costs half as much again by public transport, three times on foot or by favour).
constexpr std::array<double, mobility_count> mobility_factor{1.0, 1.5, 3.0};

// A set of citizens for one day: open addressing in a table kept from day
// to day (no allocation once grown), emptied through the slots it used.
class CitizenSet {
public:
    void clear() {
        for (const std::size_t slot : used_) table_[slot] = empty;
        used_.clear();
    }
    // True if c was not in the set (and is now).
    bool insert(std::uint32_t c) {
        if (2 * (used_.size() + 1) > table_.size()) grow();
        const std::size_t mask = table_.size() - 1;
        for (std::size_t i = slot_of(c) & mask;; i = (i + 1) & mask) {
            if (table_[i] == c) return false;
            if (table_[i] == empty) {
                table_[i] = c;
                used_.push_back(i);
                return true;
            }
        }
    }

private:
    static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();  // never a citizen
    static std::size_t slot_of(std::uint32_t c) { return static_cast<std::size_t>(c * 0x9E3779B1u); }
    void grow() {
        std::vector<std::uint32_t> members;
        for (const std::size_t slot : used_) members.push_back(table_[slot]);
        table_.assign(std::max<std::size_t>(64, 2 * table_.size()), empty);
        used_.clear();
        for (const std::uint32_t c : members) insert(c);
    }
    std::vector<std::uint32_t> table_;
    std::vector<std::size_t> used_;
};

struct QueueRequest {
    std::uint32_t citizen;
    std::uint32_t key;
    std::uint16_t day;     // day the citizen joins the queue
    std::uint8_t service;
    Channel channel;
};

struct HelpRequest {
    std::uint32_t citizen;
    std::uint32_t helper;
    std::uint32_t key;
    std::uint8_t service;
};

// A claim in progress at its citizen's last count (for the overdue count).
struct InProgress {
    std::uint32_t citizen;
    std::uint16_t episode_start;
    std::uint8_t service;
};

struct QueueEntry {
    std::uint32_t citizen;
    std::uint32_t key;
    std::uint16_t day;
};

// One block's state counts, kept from day to day (see Engine::Impl). A
// block has at most block_size citizens, so 16 bits hold any of them: this
// halves the memory and cache footprint of counts updated at random indices.
static_assert(block_size <= 32767);
struct BlockStock {
    std::vector<std::int16_t> segment_states;  // as DayCounts
    std::vector<std::int16_t> states;
    std::vector<std::int16_t> centiles;
    std::vector<std::int16_t> queue_length;
};

// What one block of citizens produces in a day. Its DayCounts holds only
// the day's events and overdue count; the state counts live in BlockStock.
struct BlockOutput {
    BlockStock stock;
    DayCounts counts;
    std::vector<QueueRequest> queue_requests;
    std::vector<HelpRequest> help_requests;
};

// Where a procedure's consequences go: a block's output in phase B, the
// serial phase's in phase C.
struct Sink {
    DayCounts& counts;
    std::vector<QueueRequest>& queue_requests;
    std::vector<HelpRequest>& help_requests;
};

}  // namespace

// A timeline event at its absolute day; an outage appears twice, as its
// start and as its end (`reopen`).
struct Scheduled {
    int day;
    bool reopen;
    std::size_t index;  // in Scenario::timeline
};

struct Engine::Impl {
    Engine& e;
    const Scenario& sc;
    const BehaviourParams& b;
    const int services;
    const std::size_t citizens;
    // The services as the timeline has changed them so far; the scenario
    // itself stays as written (it is what the outputs record).
    std::vector<ServiceParams> policy;
    std::vector<Scheduled> schedule;  // by day, ends of outages first, then as written
    std::size_t next_event = 0;
    std::vector<std::uint8_t> outage_closed;  // per timeline event: services (bit s) whose online channel it closed
    // Timeline state beyond `policy` (docs/model.md, section 10):
    // mediation sites per zone, as a multiple of the zone's initial network
    // (1 = as the scenario says); the zones' initial distance to a site;
    std::vector<double> mediation_sites;
    std::vector<float> initial_km_to_mediation;
    // per service, outreach campaigns aimed at one segment group, added to the service's outreach;
    struct TargetedOutreach {
        int segment;
        int group;
        double rate;
    };
    std::vector<std::vector<TargetedOutreach>> targeted_outreach;
    // per service, the complexity of a pre-filled renewal, or -1 while renewals are not pre-filled.
    std::vector<double> prefilled_complexity;
    std::vector<BlockOutput> blocks;
    BlockOutput serial;
    // Phase C's zone-parallel pass (see serve): one output per chunk of
    // zones, summed (counts) or appended (requests, sorted the next day by
    // a total key) into `serial` and `carried` after the pass. Empty between
    // days, so not part of the checkpointed state.
    std::vector<BlockOutput> zone_chunks;
    // The phone line's entries to serve (or that gave up) today, by chunk
    // of zones and service, [chunk][service] (select_phone); empty between
    // days, like zone_chunks.
    struct PhoneTurn {
        QueueEntry entry;
        bool gave_up;
    };
    std::vector<std::vector<PhoneTurn>> phone_served;
    std::vector<std::uint32_t> chunk_of_zone;
    // Informal helps to give today, by chunk of zones (serve_help_requests); empty between days.
    struct HelpTurn {
        HelpRequest request;
        bool available;  // the helper had time left this month
    };
    std::vector<std::vector<HelpTurn>> help_turns;
    struct HelpScratch {
        std::vector<std::uint64_t> helped;
        std::vector<std::uint32_t> helpers, where, entangled;
        std::vector<HelpTurn> serial_turns;
    } help_scratch;
    std::vector<CitizenSet> taken;  // per service, citizens whose claim select_phone took today
    bool serving_zones = false;  // true during the zone-parallel pass: touch() is atomic
    std::vector<QueueRequest> carried;  // requests made during phase C, joining queues the next day
    // Phase C's lists of the day's help requests and queue arrivals, with
    // their sorting scratch: kept from day to day (no allocation once grown).
    struct {
        std::vector<HelpRequest> requests, scratch;
    } help_requests_today;
    struct {
        std::vector<QueueRequest> requests, by_service;
    } arrivals_today;
    std::vector<std::deque<QueueEntry>> queues;  // [service][staffed channel][zone]
    std::vector<double> queue_credit;
    std::vector<double> queue_daily_capacity;
    std::vector<std::uint8_t> open_channels;  // per service: bit c = channel c enabled
    std::array<int, dimension_count> offsets{};  // group_offset() of each dimension
    const int total_groups_ = total_groups();

    // Incremental observation. Most citizens change nothing on most days, so
    // the state counts (segment_states, states, centiles, queue_length of
    // each block's BlockStock) are kept from day to day instead of recounted:
    // a citizen is un-counted just before its first change of the day
    // (touch) and counted again, with its new state, in the next phase A.
    // Rule for any new code: call touch(c) before changing citizen c's
    // claims or anything its segment groups or its capable_ flag read
    // (age, income, digital skill, admin literacy, equipment...) in phase B
    // or C; phase B's life events un-count with the age and income from
    // before them. A missed touch shows as counts differing from a full
    // recount (the previous engine's outputs).
    // Nothing is counted during the warm-up (touch only marks), and phase A
    // of the first recorded day counts every citizen afresh.
    // The counts phase A leaves are therefore those of a full recount at the
    // start of the day. The integer sums do not depend on the order of the
    // updates, so results stay the same for any thread count.
    std::vector<std::uint64_t> dirty;  // bit c: touched since phase A (un-counted, snapshot stale)
    // Per citizen, the earliest day something is due: a claim's next_day
    // (for an unaware claim, its next awareness candidate day, see
    // schedule_awareness), their birthday, their next employment event
    // (life_events.hpp). Phase B visits only the citizens due today and
    // reads the claims (mostly out of cache) only of those. Refreshed in
    // phase A for touched citizens and in phase B for the others it visits,
    // hence exact for all.
    std::vector<std::uint16_t> due;
    // Per citizen, the day of their next employment event (never_day for
    // none): drawn ahead rather than a draw for everyone every month.
    std::vector<std::uint16_t> next_employment_event;
    static_assert(never_day == never, "life events and claims share one 'no day' value");
    // Services (bit s) whose awareness hazard the timeline changed today:
    // phase A draws every unaware claim's candidate day again.
    std::uint8_t reschedule_awareness = 0;
    // Per block, the claims in progress at their citizen's last count: the
    // only ones whose "overdue" status changes with the date alone.
    std::vector<std::vector<InProgress>> in_progress;
    DayCounts day_total;  // the day's counts, merged over blocks when recording
    // Per-citizen records behind persistent non-take-up, online procedures
    // and the outreach cohort (core/tracking.hpp).
    CitizenTracking tracking;
    // Awareness fast path: hazard_bound() >= hazard for any share of
    // informed neighbours, so a draw above it skips the neighbours and exp().
    double peer_share_bound = 1.0;
    // awareness_factor() by trait quantile (see there).
    std::array<double, lasting_quantile_count> awareness_factors{};

    explicit Impl(Engine& engine)
        : e(engine),
          sc(engine.scenario_),
          b(engine.scenario_.behaviour),
          services(engine.services_),
          citizens(engine.population_.size()),
          policy(engine.scenario_.services),
          tracking(engine.population_.size(), engine.scenario_.warmup_days, engine.scenario_.days) {
        const int groups = total_groups();
        blocks.resize(block_count(citizens));
        for (auto& blk : blocks) {
            // Only the event counters and the overdue count: no 64-bit state counts.
            blk.counts.services = services;
            blk.counts.groups = groups;
            blk.counts.events.assign(static_cast<std::size_t>(services * event_count), 0);
            blk.counts.channel_events.assign(static_cast<std::size_t>(services * channel_count * channel_event_count), 0);
            blk.counts.overdue.assign(static_cast<std::size_t>(services), 0);
            blk.stock.segment_states.assign(static_cast<std::size_t>(services * groups * 6), 0);
            blk.stock.states.assign(static_cast<std::size_t>(services * 6), 0);
            blk.stock.centiles.assign(static_cast<std::size_t>(services * capital_centiles * 2), 0);
            blk.stock.queue_length.assign(static_cast<std::size_t>(services * channel_count), 0);
        }
        serial.counts = DayCounts(services, groups);
        const std::size_t zones = e.population_.zones.size();
        queues.resize(static_cast<std::size_t>(services * staffed_count) * zones);
        queue_credit.assign(queues.size(), 0.0);
        queue_daily_capacity.assign(queues.size(), 0.0);
        open_channels.assign(static_cast<std::size_t>(services), 0);
        mediation_sites.assign(zones, 1.0);
        initial_km_to_mediation.resize(zones);
        for (std::size_t z = 0; z < zones; ++z) initial_km_to_mediation[z] = e.population_.zones[z].km_to_mediation;
        targeted_outreach.resize(static_cast<std::size_t>(services));
        prefilled_complexity.assign(static_cast<std::size_t>(services), -1.0);
        for (int s = 0; s < services; ++s) {
            const auto& svc = service(s);
            for (int c = 0; c < channel_count; ++c)
                if (svc.channels[static_cast<std::size_t>(c)].enabled)
                    open_channels[static_cast<std::size_t>(s)] |= static_cast<std::uint8_t>(1u << c);
            for (int k = 0; k < staffed_count; ++k) set_daily_capacity(s, k);
        }
        build_schedule();
        for (int d = 0; d < dimension_count; ++d) offsets[static_cast<std::size_t>(d)] = group_offset(static_cast<Dimension>(d));
        // Nobody is counted yet: every citizen starts touched, so the first
        // phase A is a full count.
        dirty.assign((citizens + 63) / 64, ~std::uint64_t{0});
        if (citizens % 64 != 0) dirty.back() = (std::uint64_t{1} << (citizens % 64)) - 1;
        due.assign(citizens, 0);
        next_employment_event.assign(citizens, static_cast<std::uint16_t>(never_day));
        in_progress.resize(blocks.size());
        day_total = DayCounts(services, groups);
        peer_share_bound = b.peer_information >= 0 ? 1.0 : 0.0;
        fill_awareness_factors();
    }

    void set_daily_capacity(int s, int staffed) {
        const auto& ch = service(s).channels[static_cast<std::size_t>(staffed + 1)];
        for (std::size_t z = 0; z < e.population_.zones.size(); ++z) {
            // The phone is one national line (zone 0); counters and mediation are local.
            const double residents = staffed == 0 ? (z == 0 ? static_cast<double>(citizens) : 0.0)
                                                  : e.population_.zones[z].residents;
            double capacity = ch.capacity_per_10k * residents / 10000.0;
            // Mediation capacity grows and shrinks with the zone's sites.
            if (staffed == staffed_index(Channel::mediation) && mediation_sites[z] != 1.0) capacity *= mediation_sites[z];
            queue_daily_capacity[queue_index(s, staffed, z)] = capacity;
        }
    }

    std::size_t queue_index(int service, int staffed, std::size_t zone) const {
        return (static_cast<std::size_t>(service * staffed_count + staffed)) * e.population_.zones.size() + zone;
    }
    Claim& claim(std::size_t c, int s) { return e.claims_[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)]; }
    const ServiceParams& service(int s) const { return policy[static_cast<std::size_t>(s)]; }
    bool channel_open(int s, Channel c) const { return (open_channels[static_cast<std::size_t>(s)] >> static_cast<int>(c) & 1u) != 0; }
    bool recording() const { return e.day_ >= sc.warmup_days; }
    std::uint64_t seed() const { return sc.seed; }

    double complexity(const Claim& k, int s) const {
        if (!k.has(claim_flag::renewing)) return service(s).complexity_first;
        const double prefilled = prefilled_complexity[static_cast<std::size_t>(s)];
        return prefilled >= 0 ? prefilled : service(s).complexity_renewal;
    }

    // ------------------------------------------------------------- timeline
    // Events apply at the start of their day, before phase A: the citizens
    // they change are touched, so phase A counts them again in their new
    // state and refreshes what phase B has to do for them. The engine is
    // serial here, so the thread count cannot change the outcome.
    void build_schedule() {
        outage_closed.assign(sc.timeline.size(), 0);
        for (std::size_t i = 0; i < sc.timeline.size(); ++i) {
            const TimelineEvent& ev = sc.timeline[i];
            // `--days` may shorten a run after the file was validated:
            // events past its end never happen.
            if (ev.day < 0 || ev.day >= sc.days) continue;
            schedule.push_back({sc.warmup_days + ev.day, false, i});
            // In 64 bits: a Scenario built in code need not respect the schema's bounds.
            const long end = static_cast<long>(ev.day) + std::max(ev.duration_days, 1);
            if (ev.action == TimelineAction::outage && end < sc.days)
                schedule.push_back({sc.warmup_days + static_cast<int>(end), true, i});
            // A programme trains a cohort on its first day and every 30 days until it stops.
            if (ev.action == TimelineAction::skills_programme)
                for (long t = static_cast<long>(ev.day) + 30; t < end && t < sc.days; t += 30)
                    schedule.push_back({sc.warmup_days + static_cast<int>(t), false, i});
        }
        std::stable_sort(schedule.begin(), schedule.end(), [](const Scheduled& x, const Scheduled& y) {
            return std::tie(x.day, y.reopen) < std::tie(y.day, x.reopen);  // same day: reopenings first
        });
    }

    std::uint8_t services_of(const TimelineEvent& ev) const {
        std::uint8_t mask = 0;
        for (int s = 0; s < services; ++s)
            if (ev.service == "*" || ev.service == service(s).name) mask |= static_cast<std::uint8_t>(1u << s);
        return mask;
    }

    void apply_timeline(int day) {
        Sink sink{serial.counts, carried, serial.help_requests};
        for (; next_event < schedule.size() && schedule[next_event].day <= day; ++next_event)
            apply_event(schedule[next_event], day, sink);
    }

    void apply_event(const Scheduled& at, int day, Sink& sink) {
        const TimelineEvent& ev = sc.timeline[at.index];
        const std::uint8_t targets = services_of(ev);
        auto each = [&](auto&& f) {
            for (int s = 0; s < services; ++s)
                if ((targets >> s & 1u) != 0) f(s, policy[static_cast<std::size_t>(s)]);
        };
        switch (ev.action) {
            case TimelineAction::close_channel:
                // A closure during an outage outlasts it: the outage's end does not reopen it.
                if (ev.channel == Channel::online)
                    for (auto& closed : outage_closed) closed &= static_cast<std::uint8_t>(~targets);
                close_channel(targets, ev.channel, day, sink);
                break;
            case TimelineAction::open_channel:
                each([&](int s, ServiceParams&) { open_channels[static_cast<std::size_t>(s)] |= channel_bit(ev.channel); });
                break;
            case TimelineAction::set_capacity:
                each([&](int s, ServiceParams& svc) {
                    svc.channels[static_cast<std::size_t>(ev.channel)].capacity_per_10k = ev.capacity_per_10k;
                    if (ev.channel != Channel::online) set_daily_capacity(s, staffed_index(ev.channel));
                });
                break;
            case TimelineAction::set_complexity:
                each([&](int, ServiceParams& svc) {
                    if (ev.complexity_first >= 0) svc.complexity_first = ev.complexity_first;
                    if (ev.complexity_renewal >= 0) svc.complexity_renewal = ev.complexity_renewal;
                });
                break;
            // The candidate days of unaware claims were drawn with the former
            // outreach as a bound: phase A draws them again.
            case TimelineAction::set_outreach:
                if (ev.segment >= 0) each([&](int s, ServiceParams&) { target_outreach(s, ev); });
                else each([&](int, ServiceParams& svc) { svc.outreach = ev.outreach; });
                reschedule_awareness |= targets;
                break;
            case TimelineAction::set_automatic:
                each([&](int s, ServiceParams& svc) {
                    const bool was = svc.automatic;
                    svc.automatic = ev.automatic;
                    if (ev.automatic && !was) attribute_automatically(s, day);
                });
                break;
            case TimelineAction::set_identity: each([&](int, ServiceParams& svc) { svc.identity = ev.identity; }); break;
            case TimelineAction::open_mediation:
            case TimelineAction::close_mediation: change_mediation_sites(ev); break;
            case TimelineAction::skills_programme: train_low_skill(ev, day); break;
            case TimelineAction::prefill_renewals:
                each([&](int s, ServiceParams&) {
                    prefilled_complexity[static_cast<std::size_t>(s)] = ev.prefilled ? ev.prefilled_complexity : -1.0;
                });
                break;
            case TimelineAction::outage:
                if (at.reopen) {
                    // Only what the outage itself closed reopens.
                    each([&](int s, ServiceParams&) {
                        if ((outage_closed[at.index] >> s & 1u) != 0)
                            open_channels[static_cast<std::size_t>(s)] |= channel_bit(Channel::online);
                    });
                } else {
                    std::uint8_t closed = 0;
                    each([&](int s, ServiceParams&) {
                        if (channel_open(s, Channel::online)) closed |= static_cast<std::uint8_t>(1u << s);
                    });
                    outage_closed[at.index] = closed;
                    close_channel(closed, Channel::online, day, sink);
                }
                break;
        }
    }

    // A targeted campaign replaces the rate of an earlier one aimed at the
    // same group of the same service; a rate of 0 ends it.
    void target_outreach(int s, const TimelineEvent& ev) {
        auto& campaigns = targeted_outreach[static_cast<std::size_t>(s)];
        std::erase_if(campaigns, [&](const TargetedOutreach& t) { return t.segment == ev.segment && t.group == ev.segment_group; });
        if (ev.outreach > 0) campaigns.push_back({ev.segment, ev.segment_group, ev.outreach});
    }

    // Sites open (sites_z += sites) or close (sites_z *= 1 - share) in the
    // zones of a territory type. Capacity is proportional to the sites; the
    // distance to the nearest site scales as 1 / sqrt(sites), as for points
    // spread uniformly over an area, at most 10 times the initial distance
    // (docs/model.md, section 10). No citizen's segment or snapshot depends
    // on either, so nobody is touched.
    void change_mediation_sites(const TimelineEvent& ev) {
        auto& zones = e.population_.zones;
        for (std::size_t z = 0; z < zones.size(); ++z) {
            if (ev.territory >= 0 && static_cast<int>(zones[z].type) != ev.territory) continue;
            double& sites = mediation_sites[z];
            sites = ev.action == TimelineAction::open_mediation ? sites + ev.sites : sites * (1.0 - ev.share);
            const double factor = sites == 1.0 ? 1.0 : std::min(10.0, 1.0 / std::sqrt(sites));
            zones[z].km_to_mediation = static_cast<float>(initial_km_to_mediation[z] * factor);
        }
        for (int s = 0; s < services; ++s) set_daily_capacity(s, staffed_index(Channel::mediation));
    }

    // One month's cohort of a skills programme: each citizen whose digital
    // skill is below the threshold is trained with probability
    // share_per_month, from its own stream (citizen, day), so the cohort
    // does not depend on the order of the loop or on threads.
    void train_low_skill(const TimelineEvent& ev, int day) {
        Population& p = e.population_;
        const auto below = static_cast<float>(ev.skill_below);
        for (std::size_t c = 0; c < citizens; ++c) {
            if (p.digital_skill[c] >= below) continue;
            Stream rng(seed(), c, static_cast<std::uint32_t>(day), Purpose::skills_programme);
            if (rng.uniform() >= ev.share_per_month) continue;
            touch(c);  // the digital-skill group and the capable_ snapshot read the skill
            p.digital_skill[c] += static_cast<float>(ev.skill_gain * (1.0 - p.digital_skill[c]));
        }
    }

    static std::uint8_t channel_bit(Channel c) { return static_cast<std::uint8_t>(1u << static_cast<int>(c)); }

    // Forgets the waiting lines and the not yet queued arrivals of the given
    // services at the given channels (bit c), whose claims the caller
    // releases. Leaving them would let a stale entry hold a place should the
    // citizen queue there again later.
    void drop_waiting(std::uint8_t service_mask, std::uint8_t channel_mask) {
        auto dropped = [&](int s, Channel ch) {
            return (service_mask >> s & 1u) != 0 && (channel_mask & channel_bit(ch)) != 0;
        };
        for (int s = 0; s < services; ++s)
            for (int k = 0; k < staffed_count; ++k) {
                if (!dropped(s, static_cast<Channel>(k + 1))) continue;
                for (std::size_t z = 0; z < e.population_.zones.size(); ++z) queues[queue_index(s, k, z)].clear();
            }
        std::erase_if(carried, [&](const QueueRequest& r) { return dropped(r.service, r.channel); });
    }

    // A closure fails back every claim waiting at the channel (in a queue,
    // or for a neighbour's help online): the citizen must find another way,
    // exactly as after a failed attempt.
    void close_channel(std::uint8_t service_mask, Channel ch, int day, Sink& sink) {
        std::uint8_t closing = 0;
        for (int s = 0; s < services; ++s) {
            if ((service_mask >> s & 1u) == 0 || !channel_open(s, ch)) continue;
            open_channels[static_cast<std::size_t>(s)] &= static_cast<std::uint8_t>(~channel_bit(ch));
            closing |= static_cast<std::uint8_t>(1u << s);
        }
        if (closing == 0) return;
        drop_waiting(closing, channel_bit(ch));
        for (std::size_t c = 0; c < citizens; ++c)
            for (int s = 0; s < services; ++s) {
                if ((closing >> s & 1u) == 0) continue;
                const Claim& k = claim(c, s);
                if (k.state == ClaimState::not_eligible || !k.has(claim_flag::queued) || k.channel != ch) continue;
                touch(c);
                Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::timeline);
                fail(c, s, day, sink, rng, false);
            }
    }

    // The administration attributes the right from its own data: every
    // eligible citizen not yet receiving is processed as a new automatic
    // claim (as update_eligibility does for a new spell), and renewals under
    // way are taken over.
    void attribute_automatically(int s, int day) {
        drop_waiting(static_cast<std::uint8_t>(1u << s), 0xFF);
        const ServiceParams& svc = service(s);
        constexpr auto released = static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted |
                                                               claim_flag::renewing | claim_flag::reclaiming));
        for (std::size_t c = 0; c < citizens; ++c) {
            Claim& k = claim(c, s);
            if (k.state == ClaimState::not_eligible || k.state == ClaimState::submitted) continue;
            if (k.state == ClaimState::receiving) {
                if (!k.has(claim_flag::renewing)) continue;
                touch(c);
                k.flags &= released;
                k.failures = 0;
                k.next_day = day_plus(day, svc.renewal_days);
                continue;
            }
            touch(c);
            k.flags = static_cast<std::uint8_t>((k.flags & released & ~claim_flag::appealing) | claim_flag::knows);
            k.state = ClaimState::submitted;
            k.channel = Channel::online;
            k.failures = 0;
            k.episode_start = static_cast<std::uint16_t>(day);
            k.next_day = day_plus(day, svc.processing_days);
        }
    }

    // ---------------------------------------------------------------- phase A
    bool is_dirty(std::size_t c) const { return (dirty[c >> 6] >> (c & 63) & 1u) != 0; }
    void set_dirty(std::size_t c) { dirty[c >> 6] |= std::uint64_t{1} << (c & 63); }

    // The flat group index of citizen c in each dimension, with its age and
    // income decile given: phase B un-counts a citizen with the values it
    // had before a birthday or an employment change.
    std::array<int, dimension_count> groups_of(std::size_t c, int age, int income_decile) const {
        const Population& p = e.population_;
        std::array<int, dimension_count> g{};
        g[0] = offsets[0] + age_group_of(age);
        g[1] = offsets[1] + static_cast<int>(p.education[c]);
        g[2] = offsets[2] + (income_decile - 1) / 2;
        g[3] = offsets[3] + e.capital_quintile(c);
        g[4] = offsets[4] + digital_skill_level(p.digital_skill[c], p.equipment[c], sc.population.illectronisme_threshold);
        g[5] = offsets[5] + static_cast<int>(p.zones[p.zone_of(c)].type);
        g[6] = offsets[6] + isolation_level(e.network_.degree(static_cast<std::uint32_t>(c)));
        g[7] = offsets[7] + static_cast<int>(p.equipment[c]);
        return g;
    }
    std::array<int, dimension_count> groups_of(std::size_t c) const {
        return groups_of(c, e.population_.age[c], e.population_.income_decile[c]);
    }

    // Adds (sign +1) or removes (sign -1) citizen c's eligible claims to or
    // from the state counts.
    void tally(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, int sign) const {
        tally_with(out, c, g, [sign](std::int16_t& x) { x = static_cast<std::int16_t>(x + sign); });
    }
    template <class Add>
    void tally_with(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, Add add) const {
        const Claim* k = &e.claims_[c * static_cast<std::size_t>(services)];
        const std::size_t groups = static_cast<std::size_t>(total_groups_);
        const std::size_t centile = e.capital_centile_[c];
        for (int s = 0; s < services; ++s) {
            const Claim& claim = k[s];
            if (claim.state == ClaimState::not_eligible) continue;
            const auto st = static_cast<std::size_t>(reported_state(claim)) - 1;  // 0..5
            const auto su = static_cast<std::size_t>(s);
            add(out.states[su * 6 + st]);
            std::int16_t* seg = &out.segment_states[su * groups * 6];
            for (int d = 0; d < dimension_count; ++d) add(seg[static_cast<std::size_t>(g[static_cast<std::size_t>(d)]) * 6 + st]);
            std::int16_t* cen = &out.centiles[(su * capital_centiles + centile) * 2];
            add(cen[0]);
            if (claim.state == ClaimState::receiving) add(cen[1]);
            if (claim.has(claim_flag::queued) && claim.channel != Channel::online)
                add(out.queue_length[su * channel_count + static_cast<std::size_t>(claim.channel)]);
        }
    }

    // Un-counts citizen c before its first change of the day (phases B and C).
    void touch(std::size_t c) {
        if (serving_zones) return touch_concurrently(c);
        if (is_dirty(c)) return;
        if (recording()) tally(blocks[c / block_size].stock, c, groups_of(c), -1);
        set_dirty(c);
    }
    // touch() during phase C's zone-parallel pass: citizens of two zones
    // served by two workers can share a block's counts and a dirty word, so
    // both are updated atomically. Each citizen is served by its zone's
    // worker only, and integer sums do not depend on their order: the
    // counts are those of the serial pass.
    void touch_concurrently(std::size_t c) {
        std::atomic_ref<std::uint64_t> word(dirty[c >> 6]);
        const std::uint64_t bit = std::uint64_t{1} << (c & 63);
        if ((word.load(std::memory_order_relaxed) & bit) != 0) return;
        if (recording())
            tally_with(blocks[c / block_size].stock, c, groups_of(c), [](std::int16_t& x) {
                std::atomic_ref<std::int16_t>(x).fetch_sub(1, std::memory_order_relaxed);
            });
        word.fetch_or(bit, std::memory_order_relaxed);
    }

    void observe_block(std::size_t blk) {
        const Population& p = e.population_;
        DayCounts& out = blocks[blk].counts;
        // Today's event counters start at zero; the state counts carry over.
        std::fill(out.events.begin(), out.events.end(), 0);
        std::fill(out.channel_events.begin(), out.channel_events.end(), 0);
        std::fill(out.overdue.begin(), out.overdue.end(), 0);
        out.helps_given = 0;
        const std::size_t begin = blk * block_size;
        const std::size_t end = std::min(citizens, begin + block_size);
        const bool rec = recording();
        const int day = e.day_;
        const float helper_skill = static_cast<float>(b.helper_skill);
        const float helper_admin = static_cast<float>(b.helper_admin);
        auto overdue = [&](const InProgress& ip) {
            if (rec && day - ip.episode_start > b.grace_days) out.overdue[ip.service] += 1;
        };

        // The state counts (the block's stock and in-progress list) serve
        // only recorded days: during the warm-up nobody is counted, and the
        // first recorded day counts everyone afresh (full_count below).
        const bool full_count = day == sc.warmup_days;
        const bool incremental = rec && !full_count;
        std::vector<InProgress>& progress = in_progress[blk];
        std::size_t kept = 0;
        if (incremental) {
            // Claims in progress of untouched citizens: only the date moved.
            for (const InProgress& ip : progress) {
                if (is_dirty(ip.citizen)) continue;  // recounted below
                overdue(ip);
                progress[kept++] = ip;
            }
        }
        progress.resize(kept);
        // The first days (automatic claims all being processed) fill these
        // lists far beyond their usual size: give the memory back.
        if (progress.capacity() > 4 * kept + 256) progress.shrink_to_fit();

        // Touched citizens: count them again, refresh their snapshot and what
        // phase B has to do. Blocks hold a multiple of 64 citizens, so their
        // dirty words are their own.
        std::array<std::uint32_t, block_size> touched;
        std::size_t n = 0;
        for (std::size_t w = begin / 64; w < (end + 63) / 64; ++w) {
            std::uint64_t bits = dirty[w];
            dirty[w] = 0;
            for (; bits != 0; bits &= bits - 1)
                touched[n++] = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
        }
        const std::size_t stride = static_cast<std::size_t>(services);
        for (std::size_t i = 0; i < n; ++i) {
            // Touched citizens are scattered: fetch claims a few citizens ahead.
            if (i + prefetch_distance < n) {
                const std::uint32_t ahead = touched[i + prefetch_distance];
                prefetch_claims(ahead);
                __builtin_prefetch(&p.digital_skill[ahead]);
                __builtin_prefetch(&p.admin_literacy[ahead]);
                __builtin_prefetch(&p.equipment[ahead]);
                prefetch_life(ahead);
            }
            const std::size_t c = touched[i];
            Claim* k = &e.claims_[c * stride];
            std::uint8_t knows = 0;
            std::uint16_t next = never;
            for (int s = 0; s < services; ++s) {
                const auto bit = static_cast<std::uint8_t>(1u << s);
                // Peers pass on what they know now: eligible neighbours who are
                // aware of, claiming or receiving the service.
                if (k[s].state > ClaimState::unaware) knows |= bit;
                // What bounds the awareness hazard may have changed with the
                // citizen: candidate days are drawn again from today.
                if (k[s].state == ClaimState::unaware) schedule_awareness(c, s, day);
                next = std::min(next, k[s].next_day);
                if (incremental && k[s].state != ClaimState::not_eligible &&
                    reported_state(k[s]) == ReportedState::in_progress) {
                    const InProgress ip{static_cast<std::uint32_t>(c), k[s].episode_start, static_cast<std::uint8_t>(s)};
                    overdue(ip);
                    progress.push_back(ip);
                }
            }
            e.knows_[c] = knows;
            // Blocks hold a multiple of 64 citizens: this word is the block's own.
            const bool capable = p.digital_skill[c] >= helper_skill && p.admin_literacy[c] >= helper_admin &&
                                 p.equipment[c] != Equipment::none;
            const std::uint64_t bit = std::uint64_t{1} << (c & 63);
            e.capable_[c >> 6] = capable ? e.capable_[c >> 6] | bit : e.capable_[c >> 6] & ~bit;
            due[c] = std::min(next, life_due(c, day));
            if (incremental) tally(blocks[blk].stock, c, groups_of(c), +1);
        }
        if (full_count) {
            BlockStock& stock = blocks[blk].stock;
            for (auto* v : {&stock.segment_states, &stock.states, &stock.centiles, &stock.queue_length})
                std::fill(v->begin(), v->end(), std::int16_t{0});
            for (std::size_t c = begin; c < end; ++c) {
                const Claim* k = &e.claims_[c * stride];
                for (int s = 0; s < services; ++s) {
                    if (k[s].state == ClaimState::not_eligible || reported_state(k[s]) != ReportedState::in_progress) continue;
                    const InProgress ip{static_cast<std::uint32_t>(c), k[s].episode_start, static_cast<std::uint8_t>(s)};
                    overdue(ip);
                    progress.push_back(ip);
                }
                tally(stock, c, groups_of(c), +1);
            }
        }
        // A timeline event changed the hazard of untouched citizens too (a
        // draw is a function of the claim, the state and the day: drawing a
        // touched citizen's again gives the same day).
        if (reschedule_awareness != 0) {
            for (std::size_t c = begin; c < end; ++c) {
                Claim* k = &e.claims_[c * stride];
                bool drawn = false;
                for (int s = 0; s < services; ++s)
                    if ((reschedule_awareness >> s & 1u) != 0 && k[s].state == ClaimState::unaware) {
                        schedule_awareness(c, s, day);
                        drawn = true;
                    }
                if (drawn) due[c] = earliest_due(c, day);
            }
        }
        // Citizen indicators: the touched citizens, or everyone on the first
        // day of a window (the others' states, hence their bits, are unchanged).
        if (tracking.full_pass(day)) {
            for (std::size_t c = begin; c < end; ++c) tracking.observe(c, &e.claims_[c * stride], services, day);
        } else {
            for (std::size_t i = 0; i < n; ++i) tracking.observe(touched[i], &e.claims_[touched[i] * stride], services, day);
        }
    }

    static constexpr std::size_t prefetch_distance = 8;
    void prefetch_claims(std::size_t c) const {
        const auto* first = reinterpret_cast<const char*>(&e.claims_[c * static_cast<std::size_t>(services)]);
        __builtin_prefetch(first);
        __builtin_prefetch(first + static_cast<std::size_t>(services) * sizeof(Claim) - 1);
    }

    // ---------------------------------------------------------------- phase B
    // The awareness hazard for a share of informed neighbours. With
    // share = peer_share_bound it bounds the hazard for every share in
    // [0, 1]: floating-point sums and products are monotone in each operand.
    double awareness_hazard(std::size_t c, int s, double share) const {
        return awareness_hazard(c, s, share, awareness_factor(c, s));
    }
    // The same with the citizen's factor given: a draw computes it once.
    double awareness_hazard(std::size_t c, int s, double share, double factor) const {
        return factor *
               (outreach(c, s) + b.peer_information * share + b.base_awareness * e.population_.admin_literacy[c]);
    }

    // The service's outreach plus the targeted campaigns citizen c is in.
    double outreach(std::size_t c, int s) const {
        double rate = service(s).outreach;
        for (const auto& t : targeted_outreach[static_cast<std::size_t>(s)])
            if (group_in(c, t.segment) == t.group) rate += t.rate;
        return rate;
    }

    // Citizen c's group in one segment dimension (as groups_of, without the offset).
    int group_in(std::size_t c, int dimension) const {
        const Population& p = e.population_;
        switch (static_cast<Dimension>(dimension)) {
            case Dimension::age_group: return age_group_of(p.age[c]);
            case Dimension::education: return static_cast<int>(p.education[c]);
            case Dimension::income_quintile: return (p.income_decile[c] - 1) / 2;
            case Dimension::capital_quintile: return e.capital_quintile(c);
            case Dimension::digital_skill:
                return digital_skill_level(p.digital_skill[c], p.equipment[c], sc.population.illectronisme_threshold);
            case Dimension::territory: return static_cast<int>(p.zones[p.zone_of(c)].type);
            case Dimension::isolation: return isolation_level(e.network_.degree(static_cast<std::uint32_t>(c)));
            case Dimension::equipment: return static_cast<int>(p.equipment[c]);
        }
        return -1;
    }

    // A lasting personal factor (lognormal, mean 1) on the awareness hazard:
    // some people are well informed, others out of every information loop.
    // The trait is one of 4096 quantiles, so the factor is read from a table
    // of exp(spread * quantile - spread^2 / 2), filled once with that very
    // expression (same values, bit for bit, without an exp() per draw).
    double awareness_factor(std::size_t c, int s) const {
        if (b.awareness_spread == 0) return 1.0;
        return awareness_factors[lasting_index(seed(), Rng::claim_subject(c, s), Purpose::awareness_taste)];
    }

    void fill_awareness_factors() {
        const double spread = b.awareness_spread;
        const auto& quantile = lasting_quantiles();
        for (std::size_t i = 0; i < lasting_quantile_count; ++i)
            awareness_factors[i] = std::exp(spread * quantile[i] - spread * spread / 2);
    }

    // ------------------------------------------------- initial conditions
    // The model has no births or deaths: a citizen eligible on day 0 is in
    // the middle of a spell that began before the run, and has been exposed
    // to the awareness hazards for that long (docs/model.md section 1).
    // Eligibility changes only with age and with a change of employment
    // (which redraws the income decile), so the spell began at the later of
    // the day the citizen reached the service's minimum age and their last
    // change of situation: for the retired, their retirement; for the
    // others, the time already spent in their employment state, exponential
    // at steady state with the mean 30 / monthly exit rate of that state.
    // At most prior_eligibility_days are counted.
    // Draws of Purpose::initial_awareness, day 0, in this order.
    struct PriorDraws {
        double aware, spell, learnt, claimed, phase;
    };
    PriorDraws prior_draws(std::size_t c, int s) const {
        Stream rng(seed(), Rng::claim_subject(c, s), 0, Purpose::initial_awareness);
        PriorDraws d{};
        d.aware = rng.uniform();
        d.spell = rng.uniform();
        d.learnt = rng.uniform();
        d.claimed = rng.uniform();
        d.phase = rng.uniform();
        return d;
    }

    double prior_spell_days(std::size_t c, int s, const PriorDraws& d) const {
        const double cap = b.prior_eligibility_days;
        if (cap <= 0) return 0.0;
        const Population& p = e.population_;
        const auto citizen = static_cast<std::uint32_t>(c);
        const double since_birthday = (365 - p.birthday[c]) % 365;
        const int age_min = std::max(service(s).eligibility.age_min, 18);
        const double since_age = 365.0 * (p.age[c] - age_min) + since_birthday;
        double since_change;
        if (p.employment[c] == Employment::retired) {
            since_change = 365.0 * (p.age[c] - std::min<int>(p.age[c], retirement_age(sc.seed, citizen))) + since_birthday;
        } else {
            const double exit = monthly_situation_exit(sc, p, citizen);
            since_change = exit > 0 ? -30.0 / exit * std::log1p(-d.spell) : cap;
        }
        return std::clamp(std::min(since_age, since_change), 0.0, cap);
    }

    // The expected daily chance that counter agents and mediators tell c of
    // service s: mediator_information for each declaration c makes at a
    // counter or with a mediator for another service t they know and that
    // asks one every renewal_days. A declaration reaches an agent if c
    // chooses the counter or mediation (the share of their channel weights,
    // without habit, which has not formed yet), or chooses online, fails
    // (online_success) and turns to an agent on the next try (online then
    // weighs e^-1 less, as after a failure in procedure_step).
    // Per service t, the expected daily chance that one of c's declarations
    // for t tells them of their other rights (0 where t asks none).
    std::array<double, max_services> prior_agent_rates(std::size_t c) const {
        std::array<double, max_services> rates{};
        if (b.mediator_information <= 0) return rates;
        Claim renewal{};
        renewal.flags = claim_flag::renewing;
        // A channel's weight does not depend on the service (only whether it
        // is open does): one taste and one exp per channel, not per service.
        std::array<double, channel_count> weight{};
        std::uint8_t usable = 0;
        for (int i = 0; i < channel_count; ++i) {
            const auto ch = static_cast<Channel>(i);
            const double u = channel_utility(c, 0, ch, renewal) + channel_taste(c, ch);
            if (std::isinf(u)) continue;
            weight[static_cast<std::size_t>(i)] = std::exp(std::min(u, 50.0));
            usable |= static_cast<std::uint8_t>(1u << i);
        }
        for (int t = 0; t < services; ++t) {
            const ServiceParams& svc = service(t);
            if (svc.automatic || svc.renewal_days <= 0) continue;
            double agents = 0, online = 0, total = 0;
            for (int i = 0; i < channel_count; ++i) {
                const auto ch = static_cast<Channel>(i);
                if (!channel_open(t, ch) || (usable >> i & 1u) == 0) continue;
                const double w = weight[static_cast<std::size_t>(i)];
                total += w;
                if (ch == Channel::counter || ch == Channel::mediation) agents += w;
                if (ch == Channel::online) online = w;
            }
            if (total <= 0) continue;
            const double retry_total = total - online + online * std::exp(-1.0);
            const double reach = agents / total +
                                 online / total * (1.0 - online_success(c, t, renewal, nullptr)) * agents / retry_total;
            rates[static_cast<std::size_t>(t)] = b.mediator_information * reach / svc.renewal_days;
        }
        return rates;
    }

    // prior_agent_rates(c) where prior_agent_hazard reads them: only the
    // rates of services c knows enter it, and those of services with no
    // declaration to make (automatic, or no renewal) are zero; if c knows
    // none with one, the hazard is zero with or without them, and they are
    // not computed (an exp and a channel taste per channel).
    std::array<double, max_services> prior_agent_rates_read(std::size_t c, std::uint8_t known) const {
        std::uint8_t declaring = 0;
        for (int t = 0; t < services; ++t)
            if (!service(t).automatic && service(t).renewal_days > 0) declaring |= static_cast<std::uint8_t>(1u << t);
        if ((known & declaring) == 0) return {};
        return prior_agent_rates(c);
    }

    // The agents' hazard for s: the rates of the other services c knows.
    double prior_agent_hazard(int s, std::uint8_t known, const std::array<double, max_services>& rates) const {
        double rate = 0;
        for (int t = 0; t < services; ++t)
            if (t != s && (known >> t & 1u) != 0) rate += rates[static_cast<std::size_t>(t)];
        return rate;
    }

    // Draws who knows each service on day 0. Peers and agents inform too,
    // and what they know is itself being drawn: starting from what is known
    // for certain (automatic rights), each round draws every unaware claim
    // with the hazard the previous round's knowledge implies (own hazard,
    // the share of informed neighbours, agents for the services known), with
    // the same uniform, until no claim changes. Knowledge only grows from
    // round to round (the hazard is monotone in what others know), so this
    // reaches the least fixed point whatever the number of threads.
    void initial_awareness() {
        const std::size_t blocks_n = block_count(citizens);
        std::vector<std::uint8_t> known(citizens, 0), next(citizens, 0);
        e.executor_.for_each_block(blocks_n, [&](std::size_t blk) {
            const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
            for (std::size_t c = begin; c < end; ++c)
                for (int s = 0; s < services; ++s)
                    if (claim(c, s).state > ClaimState::unaware) known[c] |= static_cast<std::uint8_t>(1u << s);
        });
        // Per block, the citizens drawn in the last round (all in round 0):
        // only those with claims still open are drawn again. The others'
        // known and next agree (what they know no longer changes).
        std::vector<std::vector<std::uint32_t>> drawn(blocks_n);
        // Bit c: known[c] changed in the last round. A citizen whose own and
        // neighbours' known did not would draw what it drew then: skipped.
        // (Blocks hold a multiple of 64 citizens: a word is its block's.)
        std::vector<std::uint64_t> moved((citizens + 63) / 64, 0), moving(moved.size(), 0);
        auto has_moved = [&](std::uint32_t c) { return (moved[c >> 6] >> (c & 63) & 1u) != 0; };
        for (int round = 0; round < max_initial_rounds; ++round) {
            std::vector<std::uint8_t> changed(blocks_n, 0);
            e.executor_.for_each_block(blocks_n, [&](std::size_t blk) {
                const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
                std::vector<std::uint32_t>& list = drawn[blk];
                if (round == 0) {
                    list.resize(end - begin);
                    std::iota(list.begin(), list.end(), static_cast<std::uint32_t>(begin));
                }
                std::size_t still = 0;
                for (const std::uint32_t c : list) {
                    // What is known stays known (the hazards only grow): only
                    // the unaware claims not yet drawn known are drawn again.
                    std::uint8_t bits = known[c];
                    std::uint8_t open = 0;
                    for (int s = 0; s < services; ++s)
                        if (claim(c, s).state == ClaimState::unaware && (bits >> s & 1u) == 0)
                            open |= static_cast<std::uint8_t>(1u << s);
                    if (open == 0) {
                        next[c] = bits;
                        continue;
                    }
                    list[still++] = c;
                    if (round > 0 && !has_moved(c)) {
                        const auto [first, last] = e.network_.neighbours(c);
                        if (std::none_of(first, last, has_moved)) {
                            next[c] = bits;
                            continue;
                        }
                    }
                    const auto shares = informed_shares(c, known);
                    const auto rates = prior_agent_rates_read(c, known[c]);
                    for (int s = 0; s < services; ++s) {
                        if ((open >> s & 1u) == 0) continue;
                        const double hazard = prior_hazard(c, s, shares, known[c], rates);
                        const PriorDraws d = prior_draws(c, s);
                        if (d.aware < -std::expm1(-hazard * prior_spell_days(c, s, d)))
                            bits |= static_cast<std::uint8_t>(1u << s);
                    }
                    next[c] = bits;
                    if (bits != known[c]) {
                        changed[blk] = 1;
                        moving[c >> 6] |= std::uint64_t{1} << (c & 63);
                    }
                }
                list.resize(still);
            });
            known.swap(next);
            moved.swap(moving);
            std::fill(moving.begin(), moving.end(), 0);
            if (std::none_of(changed.begin(), changed.end(), [](std::uint8_t x) { return x != 0; })) break;
        }
        e.executor_.for_each_block(block_count(citizens), [&](std::size_t blk) {
            const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
            for (std::size_t c = begin; c < end; ++c) {
                std::uint8_t learnt = 0;
                for (int s = 0; s < services; ++s)
                    if (claim(c, s).state == ClaimState::unaware && (known[c] >> s & 1u) != 0)
                        learnt |= static_cast<std::uint8_t>(1u << s);
                if (learnt == 0) continue;
                const auto shares = informed_shares(c, known);
                const auto rates = prior_agent_rates_read(c, known[c]);
                for (int s = 0; s < services; ++s)
                    if ((learnt >> s & 1u) != 0) prior_claim(c, s, prior_hazard(c, s, shares, known[c], rates));
            }
        });
    }

    // Whether a claim for s can succeed under the day-0 policy: a channel
    // open online, or staffed with some capacity. If not, nobody has
    // claimed before the run either.
    bool could_claim(int s) const {
        for (int i = 0; i < channel_count; ++i) {
            const auto ch = static_cast<Channel>(i);
            if (!channel_open(s, ch)) continue;
            if (ch == Channel::online || service(s).channels[static_cast<std::size_t>(i)].capacity_per_10k > 0) return true;
        }
        return false;
    }

    // Share of c's neighbours who know each service, by `known`.
    std::array<double, max_services> informed_shares(std::size_t c, const std::vector<std::uint8_t>& known) const {
        std::array<std::uint32_t, max_services> knowing{};
        const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
        for (auto it = first; it != last; ++it)
            for (int t = 0; t < services; ++t) knowing[static_cast<std::size_t>(t)] += (known[*it] >> t) & 1u;
        std::array<double, max_services> shares{};
        const auto degree = static_cast<double>(last - first);
        if (degree > 0)
            for (int t = 0; t < services; ++t)
                shares[static_cast<std::size_t>(t)] = static_cast<double>(knowing[static_cast<std::size_t>(t)]) / degree;
        return shares;
    }

    // The awareness hazard of c for s before the run: own, peers, agents.
    double prior_hazard(std::size_t c, int s, const std::array<double, max_services>& shares, std::uint8_t known,
                        const std::array<double, max_services>& rates) const {
        return awareness_hazard(c, s, shares[static_cast<std::size_t>(s)]) + prior_agent_hazard(s, known, rates);
    }

    // A citizen who knew the service before day 0 has decided on it every
    // reconsider_days since learning of it (at a time drawn given the
    // spell and the hazard): with the claim probability p of today's
    // decision, they have claimed with probability 1 - (1 - p)^m, m the
    // decisions taken. Those start receiving, their next declaration due
    // on a day drawn uniformly in the period; the others start aware and
    // reconsider on a day drawn uniformly in the reconsideration cycle.
    // (Assumption: a past claim succeeded if a channel can serve it; the
    // failures, rejections and learning of the years before are not
    // replayed.)
    void prior_claim(std::size_t c, int s, double hazard) {
        Claim& k = claim(c, s);
        const PriorDraws d = prior_draws(c, s);
        const double spell = prior_spell_days(c, s, d);
        const double learnt = hazard > 0 ? -std::log1p(d.learnt * std::expm1(-hazard * spell)) / hazard : 0.0;
        const double decisions = 1.0 + std::floor(std::max(0.0, spell - learnt) / b.reconsider_days);
        const ServiceParams& svc = service(s);
        const Population& p = e.population_;
        const double taste =
            b.decision_taste_spread * lasting_normal(seed(), Rng::claim_subject(c, s), Purpose::decision_taste);
        const double claim_p = claim_probability(b, svc, p.admin_literacy[c], p.trust[c], taste);
        k.flags |= claim_flag::knows;
        if (could_claim(s) && d.claimed < 1.0 - std::pow(1.0 - claim_p, decisions)) {
            k.state = ClaimState::receiving;
            k.flags |= claim_flag::ever_received;
            // Given the claim, d.claimed / P is uniform in [0, 1): the phase of the period.
            const double phase = d.claimed / (1.0 - std::pow(1.0 - claim_p, decisions));
            const int next = std::min(svc.renewal_days, 1 + static_cast<int>(phase * svc.renewal_days));
            k.next_day = svc.renewal_days > 0 ? day_plus(0, next) : never;
        } else {
            // Their next reconsideration falls anywhere in the cycle: all
            // deciding on day 1 would start a wave of first claims.
            k.state = ClaimState::aware;
            k.next_day = day_plus(0, 1 + static_cast<int>(d.phase * b.reconsider_days));
        }
    }
    static constexpr int max_initial_rounds = 20;

    // Neighbours' knowledge, read once per citizen and only if needed.
    struct Peers {
        std::array<std::uint16_t, max_services> knowing{};
        std::uint32_t degree = 0;
        bool read = false;
    };

    // Awareness is a daily chance p_t = 1 - exp(-h_t) whose hazard h_t
    // moves with the neighbours' knowledge. Rather than a draw per unaware
    // claim per day, each unaware claim waits for its next *candidate* day,
    // drawn with the bound q = 1 - exp(-H) where H = awareness_hazard at
    // the largest share of informed neighbours, and on that day becomes
    // aware with probability p_t / q (thinning, Lewis and Shedler 1979): the
    // same law as the daily draws, at a cost that follows the candidates.
    // H depends on the citizen (admin literacy, outreach groups), which only
    // changes with a touch, and on the service's outreach, which only the
    // timeline changes: phase A draws the candidate again in both cases, so
    // q bounds p_t on every day it covers. (On the day of such a change, a
    // candidate drawn with the former bound is tested against the new p_t,
    // at most 1: a difference of one day's chance, once per change.)
    double awareness_bound(std::size_t c, int s, double factor) const {
        return -std::expm1(-awareness_hazard(c, s, peer_share_bound, factor));
    }

    // Sets an unaware claim's next_day to its first candidate day from
    // `from` on: a geometric number of days with success q, from the
    // stream of (claim, from), so the draw is a function of the state and
    // the day alone.
    void schedule_awareness(std::size_t c, int s, int from) {
        Claim& k = claim(c, s);
        const double q = awareness_bound(c, s, awareness_factor(c, s));
        if (!(q > 0)) {
            k.next_day = never;
            return;
        }
        int gap = 0;
        if (q < 1) {
            // (w + 1/2) / 2^32 is uniform in (0, 1) without 0: log is finite.
            const auto w = Rng::block(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(from),
                                      Purpose::awareness_schedule)[0];
            const double u = (static_cast<double>(w) + 0.5) * 0x1p-32;
            const double days = std::floor(std::log(u) / std::log1p(-q));
            gap = days < 65536.0 ? static_cast<int>(days) : 65536;
        }
        // Not day_plus: a candidate may fall on `from` itself.
        const long candidate = static_cast<long>(from) + gap;
        k.next_day = candidate >= never ? never : static_cast<std::uint16_t>(candidate);
    }

    // The candidate day of an unaware claim: aware with probability p_t / q,
    // else the next candidate is drawn from tomorrow.
    void awareness_candidate(std::size_t c, int s, int day, Peers& peers, Sink& sink) {
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::awareness);
        const double factor = awareness_factor(c, s);
        const double q = awareness_bound(c, s, factor);
        const double u = rng.uniform() * q;  // aware if u < p_t
        // With nobody informed around, p_t is smallest: below that, the
        // neighbours need not be read.
        bool aware = u < -std::expm1(-awareness_hazard(c, s, 0.0, factor));
        if (!aware && peer_share_bound > 0) {
            if (!peers.read) {
                const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
                peers.degree = static_cast<std::uint32_t>(last - first);
                for (auto it = first; it != last; ++it) {
                    const std::uint8_t kn = e.knows_[*it];
                    for (int t = 0; t < services; ++t) peers.knowing[static_cast<std::size_t>(t)] += (kn >> t) & 1u;
                }
                peers.read = true;
            }
            const double share =
                peers.degree ? static_cast<double>(peers.knowing[static_cast<std::size_t>(s)]) / peers.degree : 0.0;
            aware = share > 0 && u < -std::expm1(-awareness_hazard(c, s, share, factor));
        }
        if (aware) {
            touch(c);
            become_aware(c, s, day, sink);
        } else {
            schedule_awareness(c, s, day + 1);
        }
    }

    // The per-citizen arrays of the Impl (the per-block lists vary from day to day).
    std::size_t memory_bytes() const {
        return tracking.memory_bytes() + dirty.capacity() * sizeof(std::uint64_t) +
               (due.capacity() + next_employment_event.capacity()) * sizeof(std::uint16_t);
    }

    void prefetch_life(std::size_t c) const {
        __builtin_prefetch(&e.population_.birthday[c]);
        __builtin_prefetch(&next_employment_event[c]);
    }

    // The first day on or after `day` with a life event for citizen c.
    std::uint16_t life_due(std::size_t c, int day) const {
        const int birthday = next_birthday(e.population_, static_cast<std::uint32_t>(c), day);
        return static_cast<std::uint16_t>(std::min<int>({birthday, next_employment_event[c], never}));
    }

    // What is due for citizen c first, on or after `day`: the earliest
    // next_day of its claims or a life event.
    std::uint16_t earliest_due(std::size_t c, int day) const {
        const Claim* k = &e.claims_[c * static_cast<std::size_t>(services)];
        std::uint16_t next = life_due(c, day);
        for (int s = 0; s < services; ++s) next = std::min(next, k[s].next_day);
        return next;
    }

    void act_block(std::size_t blk) {
        BlockOutput& out = blocks[blk];
        Sink sink{out.counts, out.queue_requests, out.help_requests};
        Population& p = e.population_;
        const std::size_t begin = blk * block_size;
        const std::size_t end = std::min(citizens, begin + block_size);
        const int day = e.day_;
        const int day_of_year = day % 365;
        // The month's informal help starts afresh for everyone.
        if (day > 0 && day % 30 == 0) std::fill(&e.helps_this_month_[begin], &e.helps_this_month_[begin] + (end - begin), 0);

        // Who has something to do today: a claim due (an awareness
        // candidate included) or a life event.
        std::array<std::uint32_t, block_size> work;
        std::size_t n = 0;
        for (std::size_t c = begin; c < end; ++c) {  // branch-free: most citizens are skipped
            work[n] = static_cast<std::uint32_t>(c);
            n += due[c] <= day;
        }

        for (std::size_t i = 0; i < n; ++i) {
            if (i + prefetch_distance < n) {
                prefetch_claims(work[i + prefetch_distance]);
                prefetch_life(work[i + prefetch_distance]);
            }
            const std::size_t c = work[i];
            const auto ci = static_cast<std::uint32_t>(c);
            if ((day > 0 && p.birthday[c] == day_of_year) || next_employment_event[c] == day) {
                const int age_before = p.age[c];
                const int income_before = p.income_decile[c];
                if (life_events_today(sc, p, ci, day, next_employment_event[c])) {
                    // Claims are untouched so far: un-count with the former age and income.
                    if (!is_dirty(c)) {
                        if (recording()) tally(out.stock, c, groups_of(c, age_before, income_before), -1);
                        set_dirty(c);
                    }
                    for (int s = 0; s < services; ++s) {
                        const bool was_unaware = claim(c, s).state == ClaimState::unaware;
                        update_eligibility(c, s, day, sink);
                        // A new spell's chance of learning of it starts today.
                        if (!was_unaware && claim(c, s).state == ClaimState::unaware) schedule_awareness(c, s, day);
                    }
                }
            }
            Peers peers;
            for (int s = 0; s < services; ++s) {
                Claim& k = claim(c, s);
                if (k.next_day != day) continue;
                if (k.state == ClaimState::unaware) {
                    awareness_candidate(c, s, day, peers, sink);
                } else {
                    touch(c);
                    handle_due(c, s, day, sink);
                }
            }
            // Phase A refreshes the days of touched citizens.
            if (!is_dirty(c)) due[c] = earliest_due(c, day + 1);
        }
    }

    void become_aware(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        k.state = ClaimState::aware;
        k.flags |= claim_flag::knows;
        k.next_day = day_plus(day, 1);
        if (recording()) sink.counts.count(s, Event::awareness_gained);
    }

    void update_eligibility(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        const bool eligible = is_eligible(service(s).eligibility, e.population_, c);
        const bool was = k.state != ClaimState::not_eligible;
        if (eligible == was) return;
        if (!eligible) {
            // Losing eligibility ends the claim; it is not non-take-up. Queue
            // entries left behind are skipped when they reach the front.
            k.state = ClaimState::not_eligible;
            // Knowing one's entitlement belongs to the spell: once it ends,
            // nothing tells the citizen they are entitled again.
            k.flags = 0;
            k.next_day = never;
            k.failures = 0;
            return;
        }
        k.eligible_since = static_cast<std::uint16_t>(day);
        k.failures = 0;
        if (service(s).automatic) {
            k.flags |= claim_flag::knows;
            k.state = ClaimState::submitted;
            k.channel = Channel::online;
            k.next_day = day_plus(day, service(s).processing_days);
        } else {  // a new spell: the entitlement is not known yet (its first
            // awareness candidate is drawn by the caller: see act_block)
            k.state = ClaimState::unaware;
            k.next_day = never;
        }
        (void)sink;
    }

    void handle_due(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        switch (k.state) {
            case ClaimState::aware:
            case ClaimState::declined:
            case ClaimState::interrupted: decide(c, s, day, sink); break;
            case ClaimState::attempting: procedure_step(c, s, day, sink); break;
            case ClaimState::submitted: finish_processing(c, s, day, sink); break;
            case ClaimState::receiving:
                if (k.has(claim_flag::renewing)) procedure_step(c, s, day, sink);
                else start_renewal(c, s, day, sink);
                break;
            case ClaimState::rejected:
            case ClaimState::abandoned: {
                Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::abandon);
                if (rng.bernoulli(b.abandon_retry)) decide(c, s, day, sink);
                else k.next_day = day_plus(day, b.abandon_revisit_days);
                break;
            }
            case ClaimState::not_eligible:
            case ClaimState::unaware:
            case ClaimState::waiting_help: k.next_day = never; break;
        }
    }

    // Perceived benefit against perceived cost (docs/model.md, section 6.2).
    void decide(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        const Population& p = e.population_;
        const ServiceParams& svc = service(s);
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::decision);
        const bool after_interruption = k.state == ClaimState::interrupted || k.has(claim_flag::reclaiming);
        // A lasting personal inclination for or against this service: some
        // never want it, however often they reconsider.
        const double taste =
            b.decision_taste_spread * lasting_normal(seed(), Rng::claim_subject(c, s), Purpose::decision_taste);
        if (rng.uniform() < claim_probability(b, svc, p.admin_literacy[c], p.trust[c], taste)) {
            k.state = ClaimState::attempting;
            k.failures = 0;
            k.episode_start = static_cast<std::uint16_t>(day);
            k.flags &= static_cast<std::uint8_t>(~(claim_flag::assisted | claim_flag::queued | claim_flag::renewing));
            if (after_interruption) k.flags |= claim_flag::reclaiming;
            k.next_day = day_plus(day, 1);
            if (recording()) sink.counts.count(s, Event::claims_started);
        } else {
            if (k.state != ClaimState::interrupted) k.state = ClaimState::declined;
            k.next_day = day_plus(day, b.reconsider_days);
            if (recording()) sink.counts.count(s, Event::claims_declined);
        }
    }

    // Channel-choice utilities (multinomial logit); -inf = not available alone.
    double channel_utility(std::size_t c, int s, Channel ch, const Claim& k) const {
        const Population& p = e.population_;
        const Zone& zone = p.zones[p.zone_of(c)];
        double u = 0;
        switch (ch) {
            case Channel::online:
                if (p.equipment[c] == Equipment::none) return -std::numeric_limits<double>::infinity();
                u = b.channel_online + b.channel_skill * (p.digital_skill[c] - 0.5);
                break;
            case Channel::phone: u = b.channel_phone; break;
            case Channel::counter:
                u = b.channel_counter - b.channel_distance * zone.km_to_counter *
                                            mobility_factor[static_cast<std::size_t>(p.mobility[c])];
                break;
            case Channel::mediation:
                u = b.channel_mediation + (1.0 - p.digital_skill[c]) -
                    b.channel_distance * zone.km_to_mediation * mobility_factor[static_cast<std::size_t>(p.mobility[c])];
                break;
        }
        if (e.habit_[c] == static_cast<std::uint8_t>(ch)) u += b.channel_habit;
        // A channel that just failed is less attractive for the next try.
        if (k.failures > 0 && k.channel == ch) u -= 1.0;
        (void)s;
        return u;
    }

    // Personal, lifelong taste for each channel ("happy non-use"): a pure
    // function of the citizen, so it costs no memory.
    double channel_taste(std::size_t c, Channel ch) const {
        // A lasting trait like the others (rng.hpp): a hash and a table
        // lookup, where a Box-Muller draw cost a Philox block, a log and a
        // cos, four times per procedure step.
        return b.channel_taste_spread *
               lasting_normal(seed(), Rng::claim_subject(c, static_cast<int>(ch)), Purpose::channel_taste);
    }

    void procedure_step(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        if (k.has(claim_flag::renewing) && day >= k.episode_start + b.renewal_window_days) {
            interrupt(c, s, day, sink);
            return;
        }
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::channel_choice);
        std::array<double, channel_count> weight{};
        double total = 0;
        for (int i = 0; i < channel_count; ++i) {
            const auto ch = static_cast<Channel>(i);
            if (!channel_open(s, ch)) continue;
            const double u = channel_utility(c, s, ch, k) + channel_taste(c, ch);
            if (std::isinf(u)) continue;
            weight[static_cast<std::size_t>(i)] = std::exp(std::min(u, 50.0));
            total += weight[static_cast<std::size_t>(i)];
        }
        if (total <= 0) {
            // No channel the citizen can use alone: online without equipment,
            // or everything closed. Only help remains.
            if (!request_help(c, s, day, sink, rng)) fail(c, s, day, sink, rng, false);
            return;
        }
        double draw = rng.uniform() * total;
        int chosen = 0;
        for (; chosen < channel_count - 1; ++chosen) {
            draw -= weight[static_cast<std::size_t>(chosen)];
            if (draw < 0 && weight[static_cast<std::size_t>(chosen)] > 0) break;
        }
        while (weight[static_cast<std::size_t>(chosen)] <= 0) --chosen;  // guard against rounding
        const auto ch = static_cast<Channel>(chosen);
        k.channel = ch;
        if (recording()) sink.counts.count(s, ch, ChannelEvent::attempts);
        if (ch == Channel::online) {
            const bool ok = rng.uniform() < online_success(c, s, k, nullptr);
            tracking.mark(c, ok ? procedure_flag::did_online : procedure_flag::gave_up_online, day);
            if (ok) complete(c, s, day, Channel::online, false, sink);
            else fail(c, s, day, sink, rng, true);
        } else {
            enqueue(c, s, day, ch, sink, rng);
        }
    }

    // Logistic success of an online procedure by the citizen, or by a helper
    // for them (the helper's skills stand in for the citizen's).
    double online_success(std::size_t c, int s, const Claim& k, const std::size_t* helper) const {
        const Population& p = e.population_;
        double skill = p.digital_skill[c], admin = p.admin_literacy[c], literacy = p.literacy[c];
        Equipment equipment = p.equipment[c];
        if (helper) {
            skill = std::max(skill, static_cast<double>(p.digital_skill[*helper]));
            admin = std::max(admin, static_cast<double>(p.admin_literacy[*helper]));
            literacy = std::max(literacy, static_cast<double>(p.literacy[*helper]));
            equipment = std::max(equipment, p.equipment[*helper]);
        }
        return online_success_probability(b, skill, admin, literacy, equipment, complexity(k, s), service(s).identity);
    }

    double staffed_success(std::size_t c, int s, const Claim& k, Channel ch) const {
        const Population& p = e.population_;
        return staffed_success_probability(b, sc.mediation, ch, p.admin_literacy[c], complexity(k, s));
    }

    void enqueue(std::size_t c, int s, int day, Channel ch, Sink& sink, Stream& rng) {
        Claim& k = claim(c, s);
        k.channel = ch;
        k.flags |= claim_flag::queued;
        if (!k.has(claim_flag::renewing)) k.state = ClaimState::waiting_help;
        k.next_day = never;
        sink.queue_requests.push_back(
            {static_cast<std::uint32_t>(c), rng.next_word(), static_cast<std::uint16_t>(day), static_cast<std::uint8_t>(s), ch});
        if (recording()) sink.counts.count(s, ch, ChannelEvent::queue_joined);
    }

    // Asks a capable neighbour, or else a mediation site. Returns false if
    // neither exists.
    bool request_help(std::size_t c, int s, int day, Sink& sink, Stream& rng) {
        Claim& k = claim(c, s);
        if (recording()) sink.counts.count(s, Event::help_requested);
        if (channel_open(s, Channel::online)) {
            const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
            const auto degree = static_cast<std::size_t>(last - first);
            if (degree > 0) {
                // Start at a random neighbour and take the first capable one.
                const std::size_t start = rng.below(degree);
                for (std::size_t i = 0; i < degree; ++i) {
                    const std::uint32_t h = first[(start + i) % degree];
                    if ((e.capable_[h >> 6] >> (h & 63) & 1u) == 0) continue;
                    k.flags |= claim_flag::queued;
                    k.channel = Channel::online;
                    if (!k.has(claim_flag::renewing)) k.state = ClaimState::waiting_help;
                    k.next_day = never;
                    sink.help_requests.push_back(
                        {static_cast<std::uint32_t>(c), h, rng.next_word(), static_cast<std::uint8_t>(s)});
                    return true;
                }
            }
        }
        if (channel_open(s, Channel::mediation)) {
            enqueue(c, s, day, Channel::mediation, sink, rng);
            return true;
        }
        return false;
    }

    void complete(std::size_t c, int s, int day, Channel ch, bool assisted, Sink& sink) {
        Claim& k = claim(c, s);
        Population& p = e.population_;
        const bool rec = recording();
        if (rec) {
            sink.counts.count(s, ch, ChannelEvent::successes);
            sink.counts.count(s, assisted ? Event::assisted_completions : Event::autonomous_completions);
            if (e.capital_quintile(c) == 0) {
                sink.counts.count(s, Event::procedures_completed_low_capital);
                if (!assisted) sink.counts.count(s, Event::autonomous_completions_low_capital);
            }
        }
        p.admin_literacy[c] += static_cast<float>(b.admin_learning * (1.0 - p.admin_literacy[c]));
        p.trust[c] += static_cast<float>(b.trust_gain_success * (1.0 - p.trust[c]));
        e.habit_[c] = static_cast<std::uint8_t>(ch);
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted));
        k.failures = 0;
        if (k.has(claim_flag::renewing)) {
            k.flags &= static_cast<std::uint8_t>(~claim_flag::renewing);
            const int next = k.episode_start + service(s).renewal_days;
            k.next_day = next > day ? day_plus(next, 0) : day_plus(day, 1);
            if (rec) sink.counts.count(s, Event::renewals_completed);
        } else {
            k.state = ClaimState::submitted;
            k.channel = ch;
            k.next_day = day_plus(day, service(s).processing_days);
            if (rec) sink.counts.count(s, Event::claims_submitted);
        }
    }

    // A failed attempt (`attempted`) or a procedure that could not even start.
    void fail(std::size_t c, int s, int day, Sink& sink, Stream& rng, bool attempted) {
        Claim& k = claim(c, s);
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted));
        if (k.failures < 255) ++k.failures;
        (void)attempted;
        const bool renewing = k.has(claim_flag::renewing);
        if (k.failures >= b.max_failures) {
            tracking.mark(c, procedure_flag::gave_up_for_good, day);
            if (renewing) interrupt(c, s, day, sink);
            else abandon(c, s, day, sink);
            return;
        }
        const double p_help = std::min(1.0, b.ask_help * k.failures);
        if (rng.uniform() < p_help && request_help(c, s, day, sink, rng)) return;
        if (renewing && day + b.retry_days >= k.episode_start + b.renewal_window_days) {
            interrupt(c, s, day, sink);
            return;
        }
        if (!renewing) k.state = ClaimState::attempting;
        k.next_day = day_plus(day, b.retry_days);
    }

    void abandon(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        k.state = ClaimState::abandoned;
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::reclaiming));
        k.next_day = day_plus(day, b.abandon_revisit_days);
        if (recording()) sink.counts.count(s, Event::abandonments);
    }

    void interrupt(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        Population& p = e.population_;
        k.state = ClaimState::interrupted;
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::renewing));
        k.failures = 0;
        k.next_day = day_plus(day, b.retry_days);
        p.trust[c] -= static_cast<float>(b.trust_loss_interruption * p.trust[c]);
        if (recording()) sink.counts.count(s, Event::interruptions);
    }

    void start_renewal(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        const ServiceParams& svc = service(s);
        if (svc.renewal_days <= 0) {
            k.next_day = never;
            return;
        }
        if (svc.automatic) {  // the administration renews on its own
            k.next_day = day_plus(day, svc.renewal_days);
            return;
        }
        k.flags |= claim_flag::renewing;
        k.flags &= static_cast<std::uint8_t>(~claim_flag::assisted);
        k.failures = 0;
        k.episode_start = static_cast<std::uint16_t>(day);
        procedure_step(c, s, day, sink);
    }

    void finish_processing(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        Population& p = e.population_;
        const ServiceParams& svc = service(s);
        const bool rec = recording();
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::processing);
        bool accepted;
        if (k.has(claim_flag::appealing)) {
            const bool won = rng.uniform() < b.appeal_success;
            if (won && rec) sink.counts.count(s, Event::appeals_won);
            // An appeal lodged before the service became automatic cannot end
            // in a rejection once the administration attributes the right.
            accepted = won || svc.automatic;
        } else {
            accepted = svc.automatic ||
                       rng.uniform() >= svc.channels[static_cast<std::size_t>(k.channel)].wrongful_rejection;
        }
        if (accepted) {
            if (!k.has(claim_flag::ever_received) && rec) {
                sink.counts.count(s, Event::first_payments);
                sink.counts.count(s, Event::time_to_right_days, day - k.eligible_since);
            }
            k.state = ClaimState::receiving;
            k.flags |= claim_flag::ever_received;
            k.flags &= static_cast<std::uint8_t>(~(claim_flag::reclaiming | claim_flag::appealing));
            k.next_day = svc.renewal_days > 0 ? day_plus(day, svc.renewal_days) : never;
            return;
        }
        if (rec) sink.counts.count(s, Event::rejections);
        p.trust[c] -= static_cast<float>(b.trust_loss_rejection * p.trust[c]);
        const bool may_appeal = !k.has(claim_flag::appealing);
        k.flags &= static_cast<std::uint8_t>(~claim_flag::appealing);
        const double p_contest = contest_probability(b, e.capital_score_[c], p.trust[c]);
        if (may_appeal && rng.uniform() < p_contest) {
            k.flags |= claim_flag::appealing;
            k.state = ClaimState::submitted;
            k.next_day = day_plus(day, svc.processing_days);
            if (rec) sink.counts.count(s, Event::appeals);
            return;
        }
        k.state = ClaimState::rejected;
        k.flags &= static_cast<std::uint8_t>(~claim_flag::reclaiming);
        k.next_day = day_plus(day, b.abandon_revisit_days);
    }

    // ---------------------------------------------------------------- phase C
    void serve(int day) {
        Sink sink{serial.counts, carried, serial.help_requests};
        // Chunks of zones for the parallel passes below (4 per thread).
        const std::size_t zones = e.population_.zones.size();
        const std::size_t chunks = std::min(zones, static_cast<std::size_t>(4 * std::max(1, e.executor_.threads())));
        if (zone_chunks.size() != chunks) {
            zone_chunks.resize(chunks);
            for (auto& out : zone_chunks) out.counts = DayCounts(services, total_groups());
        }
        if (chunk_of_zone.size() != zones || phone_served.size() != chunks * static_cast<std::size_t>(services)) {
            chunk_of_zone.resize(zones);
            for (std::size_t chunk = 0; chunk < chunks; ++chunk)
                for (std::size_t z = chunk * zones / chunks; z < (chunk + 1) * zones / chunks; ++z)
                    chunk_of_zone[z] = static_cast<std::uint32_t>(chunk);
            phone_served.assign(chunks * static_cast<std::size_t>(services), {});
            help_turns.assign(chunks, {});
            taken.resize(static_cast<std::size_t>(services));
        }

        // Informal help first: requests in a random but reproducible order.
        auto& [help, help_sorted] = help_requests_today;
        help.clear();
        for (auto& blk : blocks) {
            help.insert(help.end(), blk.help_requests.begin(), blk.help_requests.end());
            blk.help_requests.clear();
        }
        help.insert(help.end(), serial.help_requests.begin(), serial.help_requests.end());
        serial.help_requests.clear();
        sort_by_key(help, help_sorted, [](const HelpRequest& x, const HelpRequest& y) {
            return std::tie(x.key, x.citizen, x.service) < std::tie(y.key, y.citizen, y.service);
        });
        serve_help_requests(help, day, sink);

        // New queue arrivals, in (day, key, citizen) order, behind those
        // already waiting. Each service's queues are its own: the arrivals
        // are split by service, then each service's are sorted and pushed
        // in parallel.
        auto& [arrivals, by_service] = arrivals_today;
        arrivals.swap(carried);
        carried.clear();
        for (auto& blk : blocks) {
            arrivals.insert(arrivals.end(), blk.queue_requests.begin(), blk.queue_requests.end());
            blk.queue_requests.clear();
        }
        std::array<std::size_t, max_services + 1> first{};
        for (const QueueRequest& r : arrivals) ++first[r.service + 1u];
        for (int s = 0; s < services; ++s) first[static_cast<std::size_t>(s) + 1] += first[static_cast<std::size_t>(s)];
        by_service.resize(arrivals.size());
        {
            std::array<std::size_t, max_services + 1> next = first;
            for (const QueueRequest& r : arrivals) by_service[next[r.service]++] = r;
        }
        arrivals.clear();
        e.executor_.for_each_block(static_cast<std::size_t>(services), [&](std::size_t s) {
            const auto begin = by_service.begin() + static_cast<std::ptrdiff_t>(first[s]);
            const auto end = by_service.begin() + static_cast<std::ptrdiff_t>(first[s + 1]);
            std::sort(begin, end, [](const QueueRequest& x, const QueueRequest& y) {
                return std::tie(x.day, x.key, x.citizen) < std::tie(y.day, y.key, y.citizen);
            });
            for (auto it = begin; it != end; ++it) {
                const QueueRequest& r = *it;
                const std::size_t zone = r.channel == Channel::phone ? 0 : e.population_.zone_of(r.citizen);
                queues[queue_index(r.service, staffed_index(r.channel), zone)].push_back({r.citizen, r.key, r.day});
            }
        });
        // Service by service: the phone (one national line), then counters
        // and mediation zone by zone in parallel. A citizen waits only in
        // its own zone's queues, and what serving one citizen writes is its
        // own (claims, skills, trust, habit) or goes to a chunk's output:
        // every citizen's claims are served in the serial order (phone,
        // counter, mediation for service 0, then service 1, ...), so results
        // do not depend on the number of threads or chunks.
        // Who the phone line takes today, for every service first: serving a
        // service's queues changes only claims to that service (and makes
        // unaware claims aware, which are in no queue), so it cannot change
        // which entries of another service's line are still waiting.
        // Each service's line is its own (queue, credit, claims read, lists
        // written): the services are selected in parallel.
        e.executor_.for_each_block(static_cast<std::size_t>(services),
                                   [&](std::size_t s) { select_phone(static_cast<int>(s), day); });
        serving_zones = true;
        e.executor_.for_each_block(chunks, [&](std::size_t chunk) {
            BlockOutput& out = zone_chunks[chunk];
            Sink local{out.counts, out.queue_requests, out.help_requests};
            for (int s = 0; s < services; ++s) {
                // This chunk's residents taken from the phone line, in its
                // order, before their counters and mediation (as one thread would).
                auto& turns = phone_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
                for (const PhoneTurn& turn : turns) serve_phone(turn, s, day, local);
                turns.clear();
                for (std::size_t z = chunk * zones / chunks; z < (chunk + 1) * zones / chunks; ++z)
                    for (int k = staffed_index(Channel::phone) + 1; k < staffed_count; ++k) serve_queue(s, k, z, day, local);
            }
        });
        serving_zones = false;
        gather_zone_chunks();
    }

    // Moves what the chunks of a zone-parallel pass produced into the
    // serial output: counts summed, requests appended (sorted by their total
    // key when they are used).
    void gather_zone_chunks() {
        for (auto& out : zone_chunks) {
            add_events(serial.counts, out.counts);
            carried.insert(carried.end(), out.queue_requests.begin(), out.queue_requests.end());
            serial.help_requests.insert(serial.help_requests.end(), out.help_requests.begin(), out.help_requests.end());
            out.queue_requests.clear();
            out.help_requests.clear();
        }
    }

    // Sorts `items` by `less`, whose first criterion is the items' key, a
    // uniform 32-bit draw: split by the key's top bits into buckets that
    // follow one another in that order, each then sorted on its own, in
    // parallel. `less` is a total order on the items (the key, then who and
    // what the item is for), so the order is the one a single sort gives.
    template <class T, class Less>
    void sort_by_key(std::vector<T>& items, std::vector<T>& scratch, Less less) {
        constexpr int bucket_bits = 6;
        constexpr std::size_t buckets = std::size_t{1} << bucket_bits;
        const std::size_t n = items.size();
        if (n < 4 * buckets || e.executor_.threads() < 2) {
            std::sort(items.begin(), items.end(), less);
            return;
        }
        auto bucket = [](const T& item) { return static_cast<std::size_t>(item.key >> (32 - bucket_bits)); };
        std::array<std::size_t, buckets + 1> first{};
        for (const T& item : items) ++first[bucket(item) + 1];
        for (std::size_t k = 0; k < buckets; ++k) first[k + 1] += first[k];
        scratch.resize(n);
        std::array<std::size_t, buckets + 1> next = first;
        for (const T& item : items) scratch[next[bucket(item)]++] = item;
        e.executor_.for_each_block(buckets, [&](std::size_t k) {
            std::sort(scratch.begin() + static_cast<std::ptrdiff_t>(first[k]),
                      scratch.begin() + static_cast<std::ptrdiff_t>(first[k + 1]), less);
        });
        items.swap(scratch);
    }

    // Informal help, in the requests' order (a random key). Whether a
    // helper still has time this month depends on that order; a help
    // changes only the helped citizen (claims, literacy, trust, habit) and
    // reads the helper's skills. So the order is followed serially for what
    // it decides (is the claim still waiting, is the helper available:
    // take_help), then the helps themselves run zone by zone in parallel,
    // each citizen's in their order, like counters and mediation. Served
    // serially instead, in order: citizens who also help someone today, and
    // citizens whose helper is helped today (whose skills may change before
    // they help). The parallel helps neither read nor write any of them.
    // A claim has at most one help request a day (it waits for help until
    // served); should one have two, the day is served serially.
    void serve_help_requests(const std::vector<HelpRequest>& help, int day, Sink& sink) {
        const std::size_t chunks = zone_chunks.size();
        // Scratch lists kept from day to day (no allocation once grown).
        auto& [helped, helpers, where, entangled, serial_turns] = help_scratch;
        helped.clear();  // claims, then citizens
        for (const HelpRequest& r : help) helped.push_back(r.citizen * std::uint64_t{max_services} + r.service);
        helpers.clear();
        for (const HelpRequest& r : help) helpers.push_back(r.helper);
        // The two sorts side by side (two tasks).
        e.executor_.for_each_block(2, [&](std::size_t which) {
            if (which == 0) std::sort(helped.begin(), helped.end());
            else std::sort(helpers.begin(), helpers.end());
        });
        if (chunks < 2 || e.executor_.threads() < 2 || std::adjacent_find(helped.begin(), helped.end()) != helped.end()) {
            for (const HelpRequest& r : help) serve_help(r, day, sink);
            return;
        }
        for (auto& id : helped) id /= max_services;  // still sorted
        // What only reads (who is entangled, is the claim still waiting,
        // the citizen's chunk) is worked out in parallel over the requests;
        // nothing changes claims before the helps are given.
        const std::size_t n = help.size();
        const std::size_t parts = std::min<std::size_t>(n, 4 * static_cast<std::size_t>(e.executor_.threads()));
        auto each_request = [&](auto&& f) {
            e.executor_.for_each_block(parts, [&](std::size_t part) {
                for (std::size_t i = part * n / parts; i < (part + 1) * n / parts; ++i) f(i);
            });
        };
        constexpr std::uint32_t not_waiting = std::numeric_limits<std::uint32_t>::max(), in_order = not_waiting - 1;
        where.assign(n, 0);
        each_request([&](std::size_t i) {
            const HelpRequest& r = help[i];
            where[i] = std::binary_search(helpers.begin(), helpers.end(), r.citizen) ||
                               std::binary_search(helped.begin(), helped.end(), std::uint64_t{r.helper})
                           ? in_order
                           : 0;
        });
        entangled.clear();
        for (std::size_t i = 0; i < n; ++i)
            if (where[i] == in_order) entangled.push_back(help[i].citizen);
        std::sort(entangled.begin(), entangled.end());
        each_request([&](std::size_t i) {
            const HelpRequest& r = help[i];
            if (!still_waiting(r.citizen, r.service, Channel::online)) where[i] = not_waiting;
            else if (std::binary_search(entangled.begin(), entangled.end(), r.citizen)) where[i] = in_order;
            else where[i] = chunk_of_zone[e.population_.zone_of(r.citizen)];
        });
        // The helpers' time, in the requests' order.
        serial_turns.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (where[i] == not_waiting) continue;
            const HelpTurn turn{help[i], take_help(help[i])};
            if (where[i] == in_order) serial_turns.push_back(turn);
            else help_turns[where[i]].push_back(turn);
        }
        for (const HelpTurn& turn : serial_turns) give_help(turn, day, sink);
        serving_zones = true;
        e.executor_.for_each_block(chunks, [&](std::size_t chunk) {
            BlockOutput& out = zone_chunks[chunk];
            Sink local{out.counts, out.queue_requests, out.help_requests};
            for (const HelpTurn& turn : help_turns[chunk]) give_help(turn, day, local);
            help_turns[chunk].clear();
        });
        serving_zones = false;
        gather_zone_chunks();
    }

    // Moves a chunk's event counters and helps given into `into` (phase C writes no other counts).
    static void add_events(DayCounts& into, DayCounts& from) {
        for (std::size_t i = 0; i < from.events.size(); ++i) into.events[i] += from.events[i];
        for (std::size_t i = 0; i < from.channel_events.size(); ++i) into.channel_events[i] += from.channel_events[i];
        std::fill(from.events.begin(), from.events.end(), 0);
        std::fill(from.channel_events.begin(), from.channel_events.end(), 0);
        into.helps_given += from.helps_given;
        from.helps_given = 0;
    }

    bool still_waiting(std::uint32_t c, int s, Channel ch) {
        const Claim& k = claim(c, s);
        return k.has(claim_flag::queued) && k.channel == ch && k.state != ClaimState::not_eligible;
    }

    // One help request, served at its turn (the serial order).
    void serve_help(const HelpRequest& r, int day, Sink& sink) {
        if (!still_waiting(r.citizen, r.service, Channel::online)) return;
        give_help({r, take_help(r)}, day, sink);
    }

    // The helper's side of a request still waiting: whether they have time
    // left this month, which this help then uses.
    bool take_help(const HelpRequest& r) {
        if (e.helps_this_month_[r.helper] >= b.helper_capacity) return false;
        ++e.helps_this_month_[r.helper];
        if (e.helps_total_[r.helper] < std::numeric_limits<std::uint16_t>::max()) ++e.helps_total_[r.helper];
        return true;
    }

    // The helped citizen's side.
    void give_help(const HelpTurn& turn, int day, Sink& sink) {
        const HelpRequest& r = turn.request;
        const int s = r.service;
        touch(r.citizen);
        Claim& k = claim(r.citizen, s);
        Stream rng(seed(), Rng::claim_subject(r.citizen, s), static_cast<std::uint32_t>(day), Purpose::help);
        k.flags &= static_cast<std::uint8_t>(~claim_flag::queued);
        if (!turn.available) {
            if (recording()) sink.counts.count(s, Event::help_informal_unavailable);
            // The helper is worn out this month: mediation if open, else try again later.
            if (channel_open(s, Channel::mediation)) {
                enqueue(r.citizen, s, day + 1, Channel::mediation, sink, rng);
            } else {
                if (!k.has(claim_flag::renewing)) k.state = ClaimState::attempting;
                k.next_day = day_plus(day, b.retry_days);
            }
            return;
        }
        if (recording()) {
            sink.counts.count(s, Event::help_informal);
            sink.counts.helps_given += 1;
            sink.counts.count(s, Channel::online, ChannelEvent::attempts);
        }
        const std::size_t helper = r.helper;
        const bool ok = rng.uniform() < online_success(r.citizen, s, k, &helper);
        tracking.mark(r.citizen, ok ? procedure_flag::did_online : procedure_flag::gave_up_online, day);
        if (ok) complete(r.citizen, s, day, Channel::online, true, sink);
        else fail(r.citizen, s, day, sink, rng, true);
    }

    // The phone line's turn today for service s, decided serially (which
    // entries leave after waiting too long, which are served within the
    // day's capacity: the line's order) and carried out in the zone-parallel
    // pass by the worker of each citizen's zone. Whether an entry is still
    // waiting depends only on its own claim, which nothing before its turn
    // changes, except an earlier entry of the same claim (a stale one, left
    // when eligibility ended): `taken` makes such a second entry count as
    // not waiting, as serving the first would have.
    void select_phone(int s, int day) {
        const int staffed = staffed_index(Channel::phone);
        const std::size_t qi = queue_index(s, staffed, 0);
        auto& claimed = taken[static_cast<std::size_t>(s)];
        claimed.clear();
        auto waiting = [&](std::uint32_t c) {
            if (!still_waiting(c, s, Channel::phone)) return false;
            return claimed.insert(c);
        };
        auto assign = [&](const QueueEntry& entry, bool gave_up) {
            const std::size_t chunk = chunk_of_zone[e.population_.zone_of(entry.citizen)];
            phone_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)].push_back({entry, gave_up});
        };
        run_queue(
            qi, day, waiting, [&](const QueueEntry& entry) { assign(entry, true); },
            [&](const QueueEntry& entry) { assign(entry, false); });
    }

    // One day of queue qi, in its order: those who have waited longer than
    // their patience leave first (they are at the front; `leave` for each
    // still `waiting`), then the day's places go to the entries that joined
    // by today and still wait (`serve`). Places come from a credit of the
    // daily capacity: unused places are lost, fractions carry over.
    template <class Waiting, class Leave, class Serve>
    void run_queue(std::size_t qi, int day, Waiting&& waiting, Leave&& leave, Serve&& serve) {
        auto& q = queues[qi];
        while (!q.empty() && day - q.front().day > b.patience_days) {
            const QueueEntry entry = q.front();
            q.pop_front();
            if (waiting(entry.citizen)) leave(entry);
        }
        queue_credit[qi] += queue_daily_capacity[qi];
        auto places = static_cast<long>(std::floor(queue_credit[qi]));
        queue_credit[qi] -= static_cast<double>(places);
        while (places > 0 && !q.empty()) {
            const QueueEntry entry = q.front();
            if (entry.day > day) break;  // joins tomorrow
            q.pop_front();
            if (!waiting(entry.citizen)) continue;
            --places;
            serve(entry);
        }
    }

    void serve_phone(const PhoneTurn& turn, int s, int day, Sink& sink) {
        const QueueEntry& entry = turn.entry;
        if (!turn.gave_up) return serve_staffed(entry, s, Channel::phone, day, sink);
        touch(entry.citizen);
        if (recording()) sink.counts.count(s, Channel::phone, ChannelEvent::queue_gave_up);
        Stream rng(seed(), Rng::claim_subject(entry.citizen, s), static_cast<std::uint32_t>(day), Purpose::queue_order);
        fail(entry.citizen, s, day, sink, rng, false);
    }

    void serve_queue(int s, int staffed, std::size_t zone, int day, Sink& sink) {
        const auto ch = static_cast<Channel>(staffed + 1);
        const bool rec = recording();
        run_queue(
            queue_index(s, staffed, zone), day, [&](std::uint32_t c) { return still_waiting(c, s, ch); },
            [&](const QueueEntry& entry) {
                touch(entry.citizen);
                if (rec) sink.counts.count(s, ch, ChannelEvent::queue_gave_up);
                Stream rng(seed(), Rng::claim_subject(entry.citizen, s), static_cast<std::uint32_t>(day), Purpose::queue_order);
                fail(entry.citizen, s, day, sink, rng, false);
            },
            [&](const QueueEntry& entry) { serve_staffed(entry, s, ch, day, sink); });
    }

    void serve_staffed(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink) {
        const std::uint32_t c = entry.citizen;
        touch(c);
        Claim& k = claim(c, s);
        Population& p = e.population_;
        if (recording()) {
            sink.counts.count(s, ch, ChannelEvent::queue_served);
            sink.counts.count(s, ch, ChannelEvent::queue_wait_days, day - entry.day);
        }
        k.flags &= static_cast<std::uint8_t>(~claim_flag::queued);
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::attempt);
        const bool ok = rng.uniform() < staffed_success(c, s, k, ch);
        if (ch == Channel::mediation && sc.mediation.mode == MediationMode::doing_with) {
            // Doing-with: the citizen learns, whatever the outcome.
            p.digital_skill[c] += static_cast<float>(sc.mediation.skill_gain * (1.0 - p.digital_skill[c]));
            p.admin_literacy[c] += static_cast<float>(sc.mediation.admin_gain * (1.0 - p.admin_literacy[c]));
        }
        if (ch != Channel::phone) inform_other_services(c, s, day, sink);
        // Doing-with mediation counts as a procedure done with the citizen,
        // not for them: still assisted.
        if (ok) complete(c, s, day, ch, true, sink);
        else fail(c, s, day, sink, rng, true);
    }

    // A mediator or counter agent tells the citizen about their other rights.
    void inform_other_services(std::uint32_t c, int s, int day, Sink& sink) {
        Stream rng(seed(), c, static_cast<std::uint32_t>(day), Purpose::mediator_information);
        if (!rng.bernoulli(b.mediator_information)) return;
        for (int t = 0; t < services; ++t) {
            if (t == s) continue;
            if (claim(c, t).state == ClaimState::unaware) become_aware(c, t, day, sink);
        }
    }

    // ------------------------------------------------------------ checkpoint
    // Impl's share of Engine::visit_state. Not listed, because they hold
    // nothing from one day to the next: each block's DayCounts (cleared in
    // phase A), serial.counts (cleared at the start of step), day_total
    // (cleared before use), zone_chunks, phone_served, help_turns, taken,
    // help_scratch, help_requests_today and arrivals_today (emptied or
    // refilled within each phase C), and
    // reschedule_awareness (zero between days); chunk_of_zone, the schedule,
    // offsets, total_groups_,
    // peer_share_bound and the awareness_factors table are constants derived
    // from the scenario alone, recomputed by the constructor (which the
    // restoring Engine constructor runs too) with the same expressions.
    void visit_state(StateVisitor& visit) {
        for (int s = 0; s < services; ++s) visit_policy(visit, "policy." + std::to_string(s) + ".", policy[static_cast<std::size_t>(s)]);
        visit("timeline.next_event", next_event);
        visit.fixed("timeline.outage_closed", outage_closed);
        visit.fixed("timeline.mediation_sites", mediation_sites);
        // The constructor takes it from the zones, which a restore has already
        // set to their changed distances: the saved one is the true initial one.
        visit.fixed("timeline.initial_km_to_mediation", initial_km_to_mediation);
        visit.nested("timeline.targeted_outreach", targeted_outreach);
        visit.fixed("timeline.prefilled_complexity", prefilled_complexity);
        visit_stock(visit, "stock.segment_states", &BlockStock::segment_states);
        visit_stock(visit, "stock.states", &BlockStock::states);
        visit_stock(visit, "stock.centiles", &BlockStock::centiles);
        visit_stock(visit, "stock.queue_length", &BlockStock::queue_length);
        visit_requests(visit, "block.queue_requests", &BlockOutput::queue_requests);
        visit_requests(visit, "block.help_requests", &BlockOutput::help_requests);
        visit("serial.help_requests", serial.help_requests);
        visit("serial.queue_requests", serial.queue_requests);
        visit("queues.carried", carried);
        visit.nested("queues.waiting", queues);
        visit.fixed("queues.credit", queue_credit);
        visit.fixed("queues.daily_capacity", queue_daily_capacity);
        visit.fixed("channels.open", open_channels);
        visit.fixed("observe.dirty", dirty);
        visit.fixed("observe.due", due);
        visit.fixed("life.next_employment_event", next_employment_event);
        // The citizen indicators (core/tracking.hpp): their windows are fixed
        // by the scenario, their per-citizen bits accumulate day by day.
        visit.fixed("tracking.persistent", tracking.persistent());
        visit.fixed("tracking.procedures", tracking.procedures());
        visit.fixed("tracking.cohort", tracking.cohort());
        visit.nested("observe.in_progress", in_progress);
        if (visit.restoring() && (queues.size() != queue_credit.size() || in_progress.size() != blocks.size() ||
                                  targeted_outreach.size() != static_cast<std::size_t>(services) ||
                                  next_event > schedule.size()))
            throw std::runtime_error("checkpoint state does not fit its scenario (queues, blocks or timeline)");
    }

    // Every member of ServiceParams: the timeline changes some of them (a
    // test checks that this lists as many as the struct has).
    static void visit_policy(StateVisitor& visit, const std::string& prefix, ServiceParams& svc) {
        visit(prefix + "name", svc.name);
        visit(prefix + "kind", svc.kind);
        visit(prefix + "eligibility", svc.eligibility);
        visit(prefix + "monthly_amount", svc.monthly_amount);
        visit(prefix + "complexity_first", svc.complexity_first);
        visit(prefix + "complexity_renewal", svc.complexity_renewal);
        visit(prefix + "identity", svc.identity);
        visit(prefix + "channels", svc.channels);
        visit(prefix + "processing_days", svc.processing_days);
        visit(prefix + "renewal_days", svc.renewal_days);
        visit(prefix + "outreach", svc.outreach);
        visit(prefix + "automatic", svc.automatic);
        visit(prefix + "stigma", svc.stigma);
    }

    // The blocks' state counts, as one flat array (each block's size is set
    // by the scenario).
    void visit_stock(StateVisitor& visit, std::string_view name, std::vector<std::int16_t> BlockStock::*member) {
        std::vector<std::int16_t> flat;
        for (auto& blk : blocks) flat.insert(flat.end(), (blk.stock.*member).begin(), (blk.stock.*member).end());
        visit.fixed(name, flat);
        if (!visit.restoring()) return;
        auto at = flat.begin();
        for (auto& blk : blocks) {
            std::copy(at, at + static_cast<std::ptrdiff_t>((blk.stock.*member).size()), (blk.stock.*member).begin());
            at += static_cast<std::ptrdiff_t>((blk.stock.*member).size());
        }
    }

    // Requests lists are empty between days (phase C takes them all); listed
    // anyway, so that the rule "everything that may carry over" holds.
    template <class Request>
    void visit_requests(StateVisitor& visit, std::string_view name, std::vector<Request> BlockOutput::*member) {
        std::vector<std::vector<Request>> lists;
        for (auto& blk : blocks) lists.push_back(blk.*member);
        visit.nested(name, lists);
        if (!visit.restoring()) return;
        if (lists.size() != blocks.size()) throw std::runtime_error("checkpoint section '" + std::string(name) + "' does not fit the blocks");
        for (std::size_t i = 0; i < blocks.size(); ++i) blocks[i].*member = std::move(lists[i]);
    }
};

// -------------------------------------------------------------------- Engine

namespace {

// Citizens ordered by (score, index), sorted in parallel: runs of
// block_size * 16 keys sorted independently, then merged pairwise, round
// after round. The key packs the score's bits (order-preserving for floats)
// above the index, so the order is total and the result does not depend on
// how the work is split. Scores are never NaN.
std::vector<std::uint32_t> rank_by_score(const std::vector<float>& score, Executor& executor) {
    const std::size_t n = score.size();
    std::vector<std::uint64_t> keys(n);
    executor.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c) {
            std::uint32_t bits;
            std::memcpy(&bits, &score[c], sizeof bits);
            bits = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;  // negative floats reversed
            keys[c] = static_cast<std::uint64_t>(bits) << 32 | static_cast<std::uint32_t>(c);
        }
    });
    constexpr std::size_t run = block_size * 16;
    const std::size_t runs = (n + run - 1) / run;
    executor.for_each_block(runs, [&](std::size_t r) {
        std::sort(keys.begin() + static_cast<std::ptrdiff_t>(r * run),
                  keys.begin() + static_cast<std::ptrdiff_t>(std::min(n, (r + 1) * run)));
    });
    std::vector<std::uint64_t> merged(runs > 1 ? n : 0);
    for (std::size_t width = run; width < n; width *= 2) {
        const std::size_t pairs = (n + 2 * width - 1) / (2 * width);
        executor.for_each_block(pairs, [&](std::size_t p) {
            const auto at = [&](std::size_t i) { return static_cast<std::ptrdiff_t>(std::min(n, i)); };
            const std::ptrdiff_t first = at(p * 2 * width), middle = at(p * 2 * width + width),
                                 last = at((p + 1) * 2 * width);
            std::merge(keys.begin() + first, keys.begin() + middle, keys.begin() + middle, keys.begin() + last,
                       merged.begin() + first);
        });
        keys.swap(merged);
    }
    std::vector<std::uint64_t>().swap(merged);
    std::vector<std::uint32_t> order(n);
    executor.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t r = blk * block_size; r < end; ++r) order[r] = static_cast<std::uint32_t>(keys[r]);
    });
    return order;
}

}  // namespace


Engine::Engine(const Scenario& scenario, Executor& executor)
    : scenario_(scenario),
      executor_(executor),
      services_(static_cast<int>(scenario.services.size())),
      metrics_(scenario, scenario.days) {
    if (services_ < 1 || services_ > max_services)
        throw std::invalid_argument("a scenario needs between 1 and " + std::to_string(max_services) + " services");
    auto start = Clock::now();
    population_ = generate_population(scenario_, executor_);
    stats_.population_seconds = seconds_since(start);
    start = Clock::now();
    network_ = build_network(scenario_, population_, executor_);
    stats_.network_seconds = seconds_since(start);
    // Household ids serve only to build the network, which now holds the
    // household ties: 4 bytes per citizen (214 MB at national scale) freed.
    std::vector<std::uint32_t>().swap(population_.household_id);

    start = Clock::now();
    const std::size_t n = population_.size();
    claims_.assign(n * static_cast<std::size_t>(services_), Claim{});
    knows_.assign(n, 0);
    capable_.assign((n + 63) / 64, 0);
    habit_.assign(n, 255);
    helps_this_month_.assign(n, 0);
    helps_total_.assign(n, 0);

    // Capital score (docs/population.md, section 1): weighted mean of education, digital skill,
    // literacy, administrative literacy and capable helpers around.
    const CapitalWeights& w = scenario_.capital;
    const BehaviourParams& b = scenario_.behaviour;
    const double weight_sum = w.education + w.digital_skill + w.literacy + w.admin_literacy + w.helpers;
    capital_score_.assign(n, 0.0f);
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c) {
            int helpers = 0;
            const auto [first, last] = network_.neighbours(static_cast<std::uint32_t>(c));
            for (auto it = first; it != last; ++it)
                helpers += population_.digital_skill[*it] >= b.helper_skill &&
                           population_.admin_literacy[*it] >= b.helper_admin && population_.equipment[*it] != Equipment::none;
            const double h = std::min(helpers, w.helpers_saturation) / static_cast<double>(std::max(1, w.helpers_saturation));
            const double score = w.education * static_cast<double>(population_.education[c]) / 2.0 +
                                 w.digital_skill * population_.digital_skill[c] + w.literacy * population_.literacy[c] +
                                 w.admin_literacy * population_.admin_literacy[c] + w.helpers * h;
            capital_score_[c] = static_cast<float>(weight_sum > 0 ? score / weight_sum : 0.0);
        }
    });
    // Ranks by (score, index): a total order, so the ranking is the same
    // whatever sorts it (here in parallel, see rank_by_score).
    const std::vector<std::uint32_t> order = rank_by_score(capital_score_, executor_);
    capital_centile_.assign(n, 0);
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t r = blk * block_size; r < end; ++r) {
            capital_centile_[order[r]] = static_cast<std::uint8_t>(r * capital_centiles / n);
        }
    });

    impl_ = std::make_unique<Impl>(*this);
    // Day-0 eligibility: per claim, so in parallel (update_eligibility
    // writes nothing to its sink).
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        Sink initial{impl_->blocks[blk].counts, impl_->blocks[blk].queue_requests, impl_->blocks[blk].help_requests};
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c)
            for (int s = 0; s < services_; ++s) impl_->update_eligibility(c, s, 0, initial);
    });
    impl_->initial_awareness();
    // Each citizen's first employment event, from day 1.
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c)
            impl_->next_employment_event[c] =
                static_cast<std::uint16_t>(next_employment_event(scenario_, population_, static_cast<std::uint32_t>(c), 1));
    });

    stats_.setup_seconds = seconds_since(start);
    stats_.memory_bytes = population_.memory_bytes() + network_.memory_bytes() + claims_.capacity() * sizeof(Claim) +
                          n * (sizeof(float) + 6) + capable_.size() * sizeof(std::uint64_t) +
                          impl_->memory_bytes();
}

Engine::Engine(const Scenario& scenario, Executor& executor, StateVisitor& restore)
    : scenario_(scenario),
      executor_(executor),
      services_(static_cast<int>(scenario.services.size())),
      metrics_(scenario, scenario.days) {
    if (services_ < 1 || services_ > max_services)
        throw std::invalid_argument("a scenario needs between 1 and " + std::to_string(max_services) + " services");
    // The engine's own arrays first: the Impl is sized by the population.
    visit_own_state(restore);
    check_restored();
    impl_ = std::make_unique<Impl>(*this);
    impl_->visit_state(restore);
    metrics_.visit_state(restore);
}

void Engine::visit_state(StateVisitor& visit) {
    visit_own_state(visit);
    impl_->visit_state(visit);
    metrics_.visit_state(visit);
}

void Engine::visit_own_state(StateVisitor& visit) {
    visit("engine.day", day_);
    visit("engine.stats", stats_);
    population_.visit_state(visit);
    network_.visit_state(visit);
    // Fixed after construction, but they come from the generated population
    // and network: stored with them.
    visit("capital.score", capital_score_);
    visit("capital.centile", capital_centile_);
    visit("claims", claims_);
    visit("snapshot.knows", knows_);
    visit("snapshot.capable", capable_);
    visit("citizen.habit", habit_);
    visit("citizen.helps_this_month", helps_this_month_);
    visit("citizen.helps_total", helps_total_);
}

// A restored state whose arrays disagree in size would read out of bounds:
// refused (sections are checksummed, so this means a file written by other code).
void Engine::check_restored() const {
    const std::size_t n = population_.size();
    const Population& p = population_;
    const bool population_ok = p.birthday.size() == n && p.education.size() == n && p.income_decile.size() == n &&
                               p.employment.size() == n && p.household.size() == n &&
                               p.household_id.empty() /* freed once the network was built */ &&
                               p.tenant.size() == n && p.equipment.size() == n &&
                               p.mobility.size() == n && p.digital_skill.size() == n && p.literacy.size() == n &&
                               p.admin_literacy.size() == n && p.trust.size() == n;
    const bool engine_ok = network_.citizens() == n && claims_.size() == n * static_cast<std::size_t>(services_) &&
                           capital_score_.size() == n &&
                           capital_centile_.size() == n && knows_.size() == n && capable_.size() == (n + 63) / 64 &&
                           habit_.size() == n && helps_this_month_.size() == n && helps_total_.size() == n;
    if (!population_ok || !engine_ok || static_cast<std::int64_t>(n) != scenario_.population.size ||
        day_ < 0 || day_ > total_days())
        throw std::runtime_error("checkpoint state does not fit its scenario (" + std::to_string(n) + " citizens, day " +
                                 std::to_string(day_) + ")");
    // zone_of() scans the zones from a page's zone: they must tile the
    // population, and the saved page index must be the one they imply.
    Population reindexed;
    reindexed.zones = p.zones;
    reindexed.age.resize(n);
    if (p.zones_tile()) reindexed.index_zones();
    if (!p.zones_tile() || reindexed.zone_of_page != p.zone_of_page)
        throw std::runtime_error("checkpoint state's zones do not fit its citizens");
}

Engine::~Engine() = default;

int Engine::total_days() const { return scenario_.warmup_days + scenario_.days; }
bool Engine::completed() const { return day_ >= total_days(); }

// Sums per-block counts into day totals, the index range of every array
// split across threads (at 53.5M citizens, 13,000 blocks of a few thousand
// counts each, every recorded day). Integer sums: any split gives the
// same totals. `sum(first, last, add)` calls add(to, from, first, last)
// for each array; the range is a share [first, last) of each array's length.
template <class Sum>
void Engine::sum_over_blocks(Sum&& sum) {
    static constexpr std::size_t scale = std::size_t{1} << 20;
    const std::size_t parts = static_cast<std::size_t>(4 * std::max(1, executor_.threads()));
    executor_.for_each_block(parts, [&](std::size_t part) {
        const std::size_t first = part * scale / parts, last = (part + 1) * scale / parts;
        sum(first, last, [](std::vector<std::int64_t>& to, const auto& from, std::size_t lo, std::size_t hi) {
            const std::size_t n = from.size();
            for (std::size_t i = lo * n / scale; i < hi * n / scale; ++i) to[i] += from[i];
        });
    });
}

bool Engine::step() {
    if (completed()) return false;
    const auto start = Clock::now();
    Impl& im = *impl_;
    const std::size_t blocks = im.blocks.size();
    const bool rec = im.recording();
    im.serial.counts.clear();
    im.apply_timeline(day_);
    auto phase_start = Clock::now();
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.observe_block(blk); });
    im.reschedule_awareness = 0;
    stats_.observe_seconds += seconds_since(phase_start);
    DayCounts& total = im.day_total;
    if (rec) {
        // The state counts as phase A left them, before phase B un-counts anyone.
        total.clear();
        sum_over_blocks([&](std::size_t first, std::size_t last, auto&& add) {
            for (const auto& blk : im.blocks) {
                add(total.segment_states, blk.stock.segment_states, first, last);
                add(total.states, blk.stock.states, first, last);
                add(total.centiles, blk.stock.centiles, first, last);
                add(total.queue_length, blk.stock.queue_length, first, last);
                add(total.overdue, blk.counts.overdue, first, last);
            }
        });
    }
    phase_start = Clock::now();
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.act_block(blk); });
    stats_.act_seconds += seconds_since(phase_start);
    phase_start = Clock::now();
    im.serve(day_);
    stats_.serve_seconds += seconds_since(phase_start);
    if (rec) {
        auto add_events = [&](const DayCounts& c) {
            for (std::size_t i = 0; i < c.events.size(); ++i) total.events[i] += c.events[i];
            for (std::size_t i = 0; i < c.channel_events.size(); ++i) total.channel_events[i] += c.channel_events[i];
            total.helps_given += c.helps_given;
        };
        add_events(im.serial.counts);
        sum_over_blocks([&](std::size_t first, std::size_t last, auto&& add) {
            for (const auto& blk : im.blocks) {
                add(total.events, blk.counts.events, first, last);
                add(total.channel_events, blk.counts.channel_events, first, last);
            }
        });
        for (const auto& blk : im.blocks) total.helps_given += blk.counts.helps_given;
        metrics_.record(day_ - scenario_.warmup_days, total);
    }
    ++day_;
    if (completed()) metrics_.set_helps_given(helps_total_);
    stats_.simulation_seconds += seconds_since(start);
    return !completed();
}

void Engine::run(const std::function<bool(int, int)>& on_day) {
    while (!completed()) {
        step();
        if (on_day && day_ > scenario_.warmup_days && !on_day(day_ - scenario_.warmup_days, scenario_.days)) return;
    }
}

Results Engine::results() const {
    Results r = metrics_.to_results(scenario_);
    impl_->tracking.add_results(r, scenario_);
    r.attributes["threads"] = static_cast<std::int64_t>(executor_.threads());
    r.attributes["population_seconds"] = stats_.population_seconds;
    r.attributes["network_seconds"] = stats_.network_seconds;
    r.attributes["simulation_seconds"] = stats_.simulation_seconds;
    r.attributes["complete"] = static_cast<std::int64_t>(completed() ? 1 : 0);
    return r;
}

}  // namespace demat
