// Engine::Impl: the engine's state between days and its kernels. The state
// is declared here; the kernels are defined one mechanism per file in this
// folder, and the phase drivers in core/engine.cpp (docs/architecture.md).
// Internal to the engine: only core/engine.cpp and core/engine/*.cpp include it.
#pragma once

#include "core/behaviour.hpp"
#include "core/channels.hpp"
#include "core/eligibility.hpp"
#include "core/engine.hpp"
#include "core/engine/control.hpp"
#include "core/engine/day_context.hpp"
#include "core/engine/eligibility_belief.hpp"
#include "core/engine/help.hpp"
#include "core/engine/queue.hpp"
#include "core/engine/tally.hpp"
#include "core/life_events.hpp"
#include "core/rng.hpp"
#include "core/segments.hpp"
#include "core/trace.hpp"
#include "core/tracking.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace demat {


inline std::uint16_t day_plus(int day, int delta) {
    const long v = static_cast<long>(day) + std::max(delta, 1);
    return v >= never ? never : static_cast<std::uint16_t>(v);
}

// Staffed channels have queues; index 0..2 for phone, counter, mediation.

// Travel cost factor by means of transport (assumption: without a car a trip
// costs half as much again by public transport, three times on foot or by favour).
inline constexpr std::array<double, mobility_count> mobility_factor{1.0, 1.5, 3.0};

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


// A tallied record's segment group in each dimension (flat indices, as
// groups_of), or for a /counter_closure record its zone's closure rank
// group and its citizen's education in the first two (count_tallies).
using TallyGroups = std::array<std::uint8_t, dimension_count>;

// A claim in progress at its citizen's last count (for the overdue count).
struct InProgress {
    std::uint32_t citizen;
    std::uint16_t episode_start;
    std::uint8_t service;
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
    // The claims and every per-citizen array that changes from day to day
    // (engine/citizen_store.hpp): the engine's, shared with its Engine,
    // whose checkpoint sections name part of it.
    CitizenStore& store;
    // The engine's population, for code outside Impl's own methods (the
    // timeline events of engine/events/).
    Population& population() { return e.population_; }
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
    // Counters by zone (docs/model.md 6.13; engine/counters.cpp). Per
    // zone, bit s: the zone's counter of service s is closed
    // (close_counters). Per [service][zone]: the zone whose counter serves
    // its residents (itself while open, else the nearest open one,
    // no_counter if none is open) and their km to it. Derived from the
    // closures, kept rather than recomputed on every choice.
    static constexpr std::uint32_t no_counter = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint8_t> counter_closed;
    std::vector<std::uint32_t> counter_zone;
    std::vector<float> counter_km;
    // Services (bit s) with residents served by another zone's counter:
    // their counter queues hold citizens of several zones and are served
    // like the phone line (select_counters).
    std::uint8_t counters_moved = 0;
    // The zones' centres (km), a constant of the seed: x, y per zone.
    std::vector<std::array<double, 2>> zone_centre;
    // Per zone, its fifth (0..4) of the order in which close_counters closes
    // the counters of all zones, a constant of the seed: what
    // /counter_closure counts by (docs/output.md).
    std::vector<std::uint8_t> closure_rank;
    void count_closure(std::size_t c, int s, ClosureMeasure m, Sink& sink) const;
    std::vector<BlockOutput> blocks;
    BlockOutput serial;
    // What a day uses and leaves empty: scratch lists kept from day to day
    // only so that they are not allocated again (no allocation once grown).
    // Nothing in it is checkpointed, and nothing in it may carry over from
    // one day to the next: whatever does belongs to the state above and in
    // engine/checkpoint.cpp.
    // A queue entry to serve (or that gave up) today, decided serially
    // (the phone line; counters whose residents moved, 6.13).
    struct PhoneTurn {
        QueueEntry entry;
        bool gave_up;
    };
    struct HelpTurn {
        HelpRequest request;
        bool available;  // the helper had time left this month
    };
    struct DayScratch {
        // Phase C's zone-parallel pass (see serve): one output per chunk of
        // zones, summed (counts) or appended (requests, sorted the next day
        // by a total key) into `serial` and `carried` after the pass.
        std::vector<BlockOutput> zone_chunks;
        // The phone line's entries to serve (or that gave up) today, by
        // chunk of zones and service, [chunk][service] (select_phone).
        std::vector<std::vector<PhoneTurn>> phone_served;
        // The same for the counters of services in counters_moved (select_counters).
        std::vector<std::vector<PhoneTurn>> counter_served;
        std::vector<std::uint32_t> chunk_of_zone;  // derived from the zones and the thread count
        // Informal helps to give today, by chunk of zones (serve_help_requests).
        std::vector<std::vector<HelpTurn>> help_turns;
        struct HelpScratch {
            std::vector<std::uint64_t> helped;
            std::vector<std::uint32_t> helpers, where, entangled;
            std::vector<HelpTurn> serial_turns;
        } help_scratch;
        std::vector<CitizenSet> taken;  // per service, citizens whose claim select_phone took today
        std::vector<CitizenSet> taken_at_counters;  // the same for select_counters
        bool serving_zones = false;     // true during the zone-parallel pass: touch() is atomic
        // Phase C's lists of the day's help requests and queue arrivals,
        // with their sorting scratch.
        struct {
            std::vector<HelpRequest> requests, scratch;
        } help_requests_today;
        struct {
            std::vector<QueueRequest> requests, by_service;
        } arrivals_today;
        // The control round's per-block output (control_round); emptied
        // after each round.
        std::vector<ControlBlock> control_blocks;
        // count_tallies: the segment groups of the day's tallied records,
        // list after list (`first`: where each list starts).
        struct {
            std::vector<std::size_t> first;
            std::vector<TallyGroups> groups;
        } tally_groups;
    } scratch;
    std::vector<QueueRequest> carried;  // requests made during phase C, joining queues the next day
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
    // claims or anything its segment groups or its capable flag read
    // (age, income, digital skill, admin literacy, equipment...) in phase B
    // or C; phase B's life events un-count with the age and income from
    // before them. A missed touch shows as counts differing from a full
    // recount (the previous engine's outputs).
    // Nothing is counted during the warm-up (touch only marks), and phase A
    // of the first recorded day counts every citizen afresh.
    // The counts phase A leaves are therefore those of a full recount at the
    // start of the day. The integer sums do not depend on the order of the
    // updates, so results stay the same for any thread count.
    // The dirty set is store.dirty (bit c: touched since phase A).
    // store.due: per citizen, the earliest day something is due: a claim's next_day
    // (for an unaware claim, its next awareness candidate day, see
    // schedule_awareness), their birthday, their next employment event
    // (life_events.hpp). Phase B visits only the citizens due today and
    // reads the claims (mostly out of cache) only of those. Refreshed in
    // phase A for touched citizens and in phase B for the others it visits,
    // hence exact for all.
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
    // Agencies (docs/model.md 6.15; engine/agencies.cpp). True when a
    // service names an agency: otherwise nothing below is read.
    bool agencies_on = false;
    // The tax return's data are on file at every agency (agencies.share_tax_data,
    // then the share_tax_data events).
    bool tax_data_shared = false;
    // Digital control of recipients (engine/control_*.cpp); empty when off.
    ControlState control;
    bool control_on() const { return sc.control.enabled; }
    // Citizen c's procedure under way on their received right to s
    // (claim_flag::renewing) is the answer to a document request, not a
    // renewal (docs/model.md 11.3).
    bool answering(std::size_t c, int s) const {
        const std::size_t unit = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
        return store.claims[unit].has(claim_flag::renewing) && control_on() && (control.answering[c] >> s & 1u) != 0;
    }
    // awareness_factor() by trait quantile (see there).
    std::array<double, lasting_quantile_count> awareness_factors{};

    std::size_t queue_index(int service, int staffed, std::size_t zone) const {
        return (static_cast<std::size_t>(service * staffed_count + staffed)) * e.population_.zones.size() + zone;
    }
    // Queue qi as the queue mechanism sees it (engine/queue.hpp).
    StaffedQueue queue(std::size_t qi) { return {queues[qi], queue_credit[qi], queue_daily_capacity[qi]}; }
    Claim& claim(std::size_t c, int s) { return store.claims[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)]; }
    const ServiceParams& service(int s) const { return policy[static_cast<std::size_t>(s)]; }
    bool channel_open(int s, Channel c) const { return (open_channels[static_cast<std::size_t>(s)] >> static_cast<int>(c) & 1u) != 0; }
    bool recording() const { return e.day_ >= sc.warmup_days; }
    std::uint64_t seed() const { return sc.seed; }

    // The complexity of claim k, citizen c's claim to s (or one the initial
    // conditions imagine for them, which answers no control).
    double complexity(std::size_t c, int s, const Claim& k) const {
        if (!k.has(claim_flag::renewing)) return first_complexity(c, s);
        // The documents a control asks for are those of the periodic
        // declaration, never pre-filled (docs/model.md 11.3).
        if (&k == &store.claims[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)] && answering(c, s))
            return service(s).complexity_renewal;
        const double prefilled = prefilled_complexity[static_cast<std::size_t>(s)];
        return prefilled >= 0 ? prefilled : service(s).complexity_renewal;
    }

    // The online channel of service s is closed by an outage (timeline).
    bool online_down(int s) const {
        if (channel_open(s, Channel::online)) return false;
        for (const std::uint8_t closed : outage_closed)
            if ((closed >> s & 1u) != 0) return true;
        return false;
    }

    static std::uint8_t channel_bit(Channel c) { return static_cast<std::uint8_t>(1u << static_cast<int>(c)); }

    // ---------------------------------------------------------------- phase A
    bool is_dirty(std::size_t c) const { return store.is_dirty(c); }
    void set_dirty(std::size_t c) { store.set_dirty(c); }

    std::array<int, dimension_count> groups_of(std::size_t c) const {
        return groups_of(c, e.population_.age[c], e.population_.income_decile[c]);
    }

    static constexpr std::size_t prefetch_distance = 8;
    void prefetch_claims(std::size_t c) const {
        const auto* first = reinterpret_cast<const char*>(&store.claims[c * static_cast<std::size_t>(services)]);
        __builtin_prefetch(first);
        __builtin_prefetch(first + static_cast<std::size_t>(services) * sizeof(Claim) - 1);
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

    static constexpr int max_initial_rounds = 20;

    // Neighbours' knowledge, read once per citizen and only if needed.
    struct Peers {
        std::array<std::uint16_t, max_services> knowing{};
        std::uint32_t degree = 0;
        bool read = false;
    };

    void prefetch_life(std::size_t c) const {
        __builtin_prefetch(&e.population_.birthday[c]);
        __builtin_prefetch(&store.next_employment_event[c]);
    }

    // The first day on or after `day` with a life event for citizen c.
    std::uint16_t life_due(std::size_t c, int day) const {
        const int birthday = next_birthday(e.population_, static_cast<std::uint32_t>(c), day);
        const int next = std::min<int>({birthday, store.next_employment_event[c], never});
        // A move (moving.enabled, engine/moving.cpp) is a life event too.
        return static_cast<std::uint16_t>(store.next_move.empty() ? next : std::min<int>(next, store.next_move[c]));
    }

    // What is due for citizen c first, on or after `day`: the earliest
    // next_day of its claims or a life event.
    std::uint16_t earliest_due(std::size_t c, int day) const {
        const Claim* k = &store.claims[c * static_cast<std::size_t>(services)];
        std::uint16_t next = life_due(c, day);
        for (int s = 0; s < services; ++s) next = std::min(next, k[s].next_day);
        return next;
    }

    // The zone whose place of channel ch serves zone z for service s: the
    // zone itself, but for a closed counter (6.13); no_counter if none.
    std::uint32_t site_zone(int s, Channel ch, std::size_t z) const {
        if (ch != Channel::counter) return static_cast<std::uint32_t>(z);
        return counter_zone[static_cast<std::size_t>(s) * e.population_.zones.size() + z];
    }
    // km from zone z to the place of channel ch serving it for service s.
    double km_to_site(int s, Channel ch, std::size_t z) const {
        if (ch == Channel::counter) return counter_km[static_cast<std::size_t>(s) * e.population_.zones.size() + z];
        return e.population_.zones[z].*traits(ch).distance;
    }
    bool counter_reachable(int s, std::size_t z) const {
        return channel_open(s, Channel::counter) && site_zone(s, Channel::counter, z) != no_counter;
    }

    bool still_waiting(std::uint32_t c, int s, Channel ch) {
        const Claim& k = claim(c, s);
        return k.has(claim_flag::queued) && k.channel == ch && k.state != ClaimState::not_eligible;
    }

    // ---- kernels, one mechanism per file (docs/architecture.md) ----

    // construction and memory (engine/state.cpp)
    explicit Impl(Engine& engine);
    std::size_t memory_bytes() const;

    // phase drivers (engine.cpp)
    void act_block(std::size_t blk);
    void handle_due(std::size_t c, int s, int day, Sink& sink);
    void serve(int day);
    void gather_zone_chunks();
    template <class T, class Less>
    void sort_by_key(std::vector<T>& items, std::vector<T>& spare, Less less);

    // counting: phase A and the touch rule (engine/counting.cpp)
    std::array<int, dimension_count> groups_of(std::size_t c, int age, int income_decile) const;
    std::array<int, dimension_count> groups_of_claim(std::size_t c, int s) const;
    void tally(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, int sign) const;
    void tally(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, int sign, Employment employment) const;
    template <class Add>
    void tally_with(BlockStock& out, std::size_t c, const std::array<int, dimension_count>& g, Add add, bool retired) const;
    void touch(std::size_t c);
    // The one way a claim's state changes: the citizen is un-counted first
    // (touch; nothing more once they are, the same day), so the next phase
    // A counts them in their new state (docs/architecture.md, the touch
    // rule). Code that changes what a citizen's segment groups read calls
    // touch itself.
    // The trace of chosen citizens (core/trace.hpp): off unless
    // Engine::set_trace chose some; then events of traced citizens are
    // appended under a lock (they are few) and put in citizen order at the
    // end of the day, which the threads cannot change (a citizen's events
    // of one phase come from one thread, in program order).
    bool tracing = false;
    std::vector<std::uint8_t> traced;     // per citizen, when tracing
    std::vector<TraceEvent> trace_events;
    std::size_t trace_day_start = 0;      // first event of the current day
    std::mutex trace_mutex;
    void trace(std::size_t c, int s, TraceKind kind, Channel ch) {
        if (tracing) [[unlikely]]
            record_trace(c, s, kind, static_cast<std::uint8_t>(ch));
    }
    void trace(std::size_t c, int s, TraceKind kind) {
        if (tracing) [[unlikely]]
            record_trace(c, s, kind, trace_no_channel);
    }
    void record_trace(std::size_t c, int s, TraceKind kind, std::uint8_t ch) {
        if (!traced[c]) return;
        const std::lock_guard<std::mutex> lock(trace_mutex);
        trace_events.push_back({e.day_, static_cast<std::uint32_t>(c), static_cast<std::uint8_t>(s),
                                static_cast<std::uint8_t>(kind), ch});
    }
    void end_trace_day();

    // What a mechanism works on today (engine/day_context.hpp): this
    // engine's store and parameters, `day`, and the counts of `sink`.
    DayContext day_context(int day, Sink& sink) { return {store, b, day, &sink.counts, recording(), this}; }
    // The transition rule: DayContext::transition (engine/day_context.hpp).
    void transition(std::size_t c, int s, Claim& k, ClaimState to, Event event, Sink& sink) {
        day_context(e.day_, sink).transition(c, s, k, to, event);
    }
    void transition(std::size_t c, Claim& k, ClaimState to, NoEvent) {
        DayContext{store, b, e.day_, nullptr, false, this}.transition(c, k, to, no_event);
    }
    void touch_concurrently(std::size_t c);
    void observe_block(std::size_t blk);
    void check_counts() const;
    void count_tallies(DayCounts& total);

    // policy timeline: events applied at the start of their day (engine/timeline.cpp;
    // each kind's application in engine/events/<event>.cpp)
    void build_schedule();
    std::uint8_t services_of(const TimelineEvent& ev) const;
    void apply_timeline(int day);
    void apply_event(const Scheduled& at, int day, Sink& sink);
    void drop_waiting(std::uint8_t service_mask, std::uint8_t channel_mask);
    void close_channel(std::uint8_t service_mask, Channel ch, int day, Sink& sink);
    void attribute_automatically(int s, int day);
    void fail_waiting(std::uint8_t service_mask, Channel ch, int day, Sink& sink);

    // counters by zone: closures, the nearest open counter (engine/counters.cpp)
    void place_zones();
    void change_counters(std::uint8_t service_mask, double share, int territory, bool close, int day, Sink& sink);
    void locate_counters(int s);
    void move_counter_queues(int s);
    // mediation sites per zone (engine/events/mediation_sites.cpp)
    void set_mediation_sites(std::size_t z, double sites);

    // initial conditions: who knows and receives on day 0 (engine/initial_conditions.cpp)
    PriorDraws prior_draws(std::size_t c, int s) const;
    double prior_spell_days(std::size_t c, int s, const PriorDraws& d) const;
    std::array<double, max_services> prior_agent_rates(std::size_t c) const;
    std::array<double, max_services> prior_agent_rates_read(std::size_t c, std::uint8_t known) const;
    double prior_agent_hazard(int s, std::uint8_t known, const std::array<double, max_services>& rates) const;
    void initial_awareness();
    bool could_claim(int s) const;
    std::array<double, max_services> informed_shares(std::size_t c, const std::vector<std::uint8_t>& known) const;
    double prior_hazard(std::size_t c, int s, const std::array<double, max_services>& shares, std::uint8_t known, const std::array<double, max_services>& rates, double* assured = nullptr) const;
    void prior_claim(std::size_t c, int s, double hazard, double assured, double correction);

    // eligibility spells (engine/eligibility.cpp)
    void update_eligibility(std::size_t c, int s, int day, Sink& sink);

    // benefit units and differential amounts (engine/units.cpp)
    double unit_amount(std::size_t c, int s) const;
    bool unit_eligible(std::size_t c, int s) const;
    std::uint8_t differential_services() const;
    void count_unclaimed(std::size_t begin, std::size_t end, DayCounts& out) const;

    // agencies: information and data on file (engine/agencies.cpp)
    Agency agency_of(int s) const { return sc.services[static_cast<std::size_t>(s)].agency; }
    std::uint8_t agencies_knowing(std::size_t c) const;
    double agency_information(std::size_t c, int s) const;
    double agency_information_prior(std::size_t c, int s, std::uint8_t known) const;
    double first_complexity(std::size_t c, int s) const {
        const double first = service(s).complexity_first;
        return agencies_on ? first * (1.0 - tell_us_once(c, s)) : first;
    }
    double tell_us_once(std::size_t c, int s) const;
    void settlement_information(std::size_t c, int s, int day, Sink& sink);
    double settlement_probability(std::size_t c, int s) const;
    int agency_contact_group(std::size_t c, int s, bool retired) const;

    // awareness: hazards, candidate days, learning of a right (engine/awareness.cpp)
    double awareness_hazard(std::size_t c, int s, double share) const;
    double awareness_hazard(std::size_t c, int s, double share, double factor) const;
    double awareness_hazard_with(std::size_t c, int s, double share, double factor, double agency) const;
    double outreach(std::size_t c, int s) const;
    int group_in(std::size_t c, int dimension, int s) const;
    double awareness_factor(std::size_t c, int s) const;
    void fill_awareness_factors();
    double awareness_bound(std::size_t c, int s, double factor) const;
    void schedule_awareness(std::size_t c, int s, int from);
    void awareness_candidate(std::size_t c, int s, int day, Peers& peers, Sink& sink);
    void become_aware(std::size_t c, int s, int day, Sink& sink);
    void form_belief(std::size_t c, int s, int day, const Peers& peers, Sink& sink);

    // decision to claim (engine/decision.cpp)
    void decide(std::size_t c, int s, int day, Sink& sink);
    // Self-efficacy (self_efficacy.cpp, docs/model.md 6.14).
    double efficacy_logit(std::size_t c) const;
    double efficacy_utility(std::size_t c, Channel ch) const;
    void efficacy_success(std::size_t c, Channel ch, bool assisted);
    void efficacy_failure(std::size_t c);

    // procedure: channel choice, online attempt, success and failure (engine/procedure.cpp)
    double channel_utility(std::size_t c, int s, Channel ch, const Claim& k, double as_if_km = -1.0) const;
    double access_loss(std::size_t c, int s, const Claim& k) const;
    double channel_taste(std::size_t c, Channel ch) const;
    void procedure_step(std::size_t c, int s, int day, Sink& sink);
    OnlineOdds online_odds(std::size_t c, int s, const Claim& k, const std::size_t* helper, bool borrowed,
                           bool stages = true) const;
    void attempt_online(std::size_t c, int s, int day, Sink& sink, Stream& rng, bool borrowed);
    bool identity_means(std::size_t c, const std::size_t* helper, bool borrowed) const;
    bool identity_check_in_person(std::size_t c, int s, int day, Sink& sink, Stream& rng);
    double staffed_success(std::size_t c, int s, const Claim& k, Channel ch) const;
    void complete(std::size_t c, int s, int day, Channel ch, bool assisted, Sink& sink);
    void fail(std::size_t c, int s, int day, Sink& sink, Stream& rng, bool attempted, Reason why, bool online);
    void abandon(std::size_t c, int s, int day, Sink& sink, Reason why);

    // informal help (engine/help.cpp)
    bool request_help(std::size_t c, int s, int day, Sink& sink, Stream& rng);
    void serve_help_requests(const std::vector<HelpRequest>& help, int day, Sink& sink);
    static void add_events(DayCounts& into, DayCounts& from);
    void serve_help(const HelpRequest& r, int day, Sink& sink);
    bool take_help(const HelpRequest& r);
    void give_help(const HelpTurn& turn, int day, Sink& sink);
    void count_help(std::size_t c, int s, HelpSource source, HelpOutcome outcome, Sink& sink);
    // The agents of a staffed channel as a source of help.
    static HelpSource help_source_of(Channel ch) {
        if (ch == Channel::phone) return HelpSource::phone_agent;
        if (ch == Channel::counter) return HelpSource::counter_agent;
        return HelpSource::mediator;
    }

    // queues of the staffed channels: phone, counter, mediation (engine/queues.cpp)
    void set_daily_capacity(int s, int staffed);
    double expected_counter_wait(std::size_t c, int s) const;
    void enqueue(std::size_t c, int s, int day, Channel ch, Sink& sink, Stream& rng);
    void select_phone(int s, int day);
    void select_counters(int s, int day);
    void serve_turn(const PhoneTurn& turn, int s, Channel ch, int day, Sink& sink);
    void leave_queue(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink);
    void serve_queue(int s, int staffed, std::size_t zone, int day, Sink& sink);
    void serve_staffed(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink);
    void inform_other_services(std::uint32_t c, int s, int day, Sink& sink);

    // processing, rejection and appeal (engine/processing.cpp)
    void finish_processing(std::size_t c, int s, int day, Sink& sink);

    // renewal and interruption (engine/renewal.cpp)
    void interrupt(std::size_t c, int s, int day, Sink& sink);
    void start_renewal(std::size_t c, int s, int day, Sink& sink);

    // life course after 75 (engine/life_course.cpp): every 30 days, serially, before phase A
    void life_course(int day);
    void widowhood(std::size_t dead, std::size_t survivor, int day, Sink& sink);
    bool gone(std::size_t c) const { return !store.gone.empty() && store.gone[c] != 0; }

    // moving house (engine/moving.cpp): on a citizen's next_move day, in phase B
    void move_house(std::size_t c, int day, Sink& sink);
    std::uint32_t household_head(std::size_t c) const;
    void schedule_moves();
    // Days since each citizen's household last moved before day 0, for the
    // initial conditions only (moving.enabled); empty once they are drawn.
    std::vector<float> prior_since_move;

    // digital control of recipients (engine/control_round.cpp, control_outcomes.cpp, control_results.cpp)
    void control_setup();
    void control_watch_all();
    void check_control_watch() const;
    void control_round(int day);
    void control_month_block(std::size_t blk, int day, const std::vector<double>& zone_intensity,
                             const std::vector<float>& zone_deprivation, const std::vector<int>& benefits);
    void apply_control(const ControlCandidate& cand, int day);
    ControlResponse control_response(std::size_t c, const ControlUnit& u, Stream& rng) const;
    void control_outcome(std::size_t c, int s, ControlType type, ControlResponse response, int asked, int day,
                         const std::array<std::uint8_t, dimension_count>& groups);
    void control_suspend(std::size_t c, int s, int day, bool wrongful, const std::array<std::uint8_t, dimension_count>& groups,
                         int asked);
    void control_terminate(std::size_t c, int s, int day);
    void control_cross_found(std::size_t c, int s, int day);
    void control_recover(std::size_t c, int s, int asked, int day, const std::array<std::uint8_t, dimension_count>& groups,
                         ControlEvent innocent, ControlEvent deliberate);
    void add_fear(std::size_t c, double gain);
    // document requests (engine/control_requests.cpp)
    void request_documents(std::size_t c, int s, int day, ControlResponse intent);
    int answer_deadline(std::size_t c, int s) const;
    void answer_sent(std::size_t c, int s, int day, Channel ch);
    void answer_failed(std::size_t c, int s, int cause);
    void resolve_document_requests(int day);
    // Counts go to the round of day `asked` (the control's), if recorded.
    void count_control(std::size_t c, int s, ControlEvent ev);
    void count_answer_completion(int s, int day, bool assisted);
    void count_control(const std::array<std::uint8_t, dimension_count>& groups, int s, ControlEvent ev, int asked);
    void count_amount(int s, int amount, double euros, int asked);
    void record_control_stock(int day);
    void add_control_results(Results& r) const;
    void visit_control_state(StateVisitor& visit);

    // checkpointed state (engine/checkpoint.cpp)
    void visit_state(StateVisitor& visit);
    static void visit_policy(StateVisitor& visit, const std::string& prefix, ServiceParams& svc);
    void visit_stock(StateVisitor& visit, std::string_view name, std::vector<std::int16_t> BlockStock::*member);
    template <class Request>
    void visit_requests(StateVisitor& visit, std::string_view name, std::vector<Request> BlockOutput::*member);
};

// What an event's application (engine/events/<event>.cpp) works on: the
// engine, the occurrence being applied, and the services it names.
struct EventContext {
    Engine::Impl& impl;
    const Scheduled& at;
    int day;
    Sink& sink;
    std::uint8_t targets;  // services (bit s) the event names

    // f(s, the service as the timeline has changed it) for each service named.
    template <class F>
    void each(F&& f) {
        for (int s = 0; s < impl.services; ++s)
            if ((targets >> s & 1u) != 0) f(s, impl.policy[static_cast<std::size_t>(s)]);
    }
};

}  // namespace demat
