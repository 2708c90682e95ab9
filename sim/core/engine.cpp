#include "core/engine.hpp"

#include "core/behaviour.hpp"
#include "core/eligibility.hpp"
#include "core/life_events.hpp"
#include "core/rng.hpp"
#include "core/segments.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

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

struct QueueEntry {
    std::uint32_t citizen;
    std::uint32_t key;
    std::uint16_t day;
};

// What one block of citizens produces in a day.
struct BlockOutput {
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

struct Engine::Impl {
    Engine& e;
    const Scenario& sc;
    const BehaviourParams& b;
    const int services;
    const std::size_t citizens;
    std::vector<BlockOutput> blocks;
    BlockOutput serial;
    std::vector<QueueRequest> carried;  // requests made during phase C, joining queues the next day
    std::vector<std::deque<QueueEntry>> queues;  // [service][staffed channel][zone]
    std::vector<double> queue_credit;
    std::vector<double> queue_daily_capacity;
    std::vector<std::uint8_t> open_channels;  // per service: bit c = channel c enabled

    explicit Impl(Engine& engine)
        : e(engine),
          sc(engine.scenario_),
          b(engine.scenario_.behaviour),
          services(engine.services_),
          citizens(engine.population_.size()) {
        const int groups = total_groups();
        blocks.resize(block_count(citizens));
        for (auto& blk : blocks) blk.counts = DayCounts(services, groups);
        serial.counts = DayCounts(services, groups);
        const std::size_t zones = e.population_.zones.size();
        queues.resize(static_cast<std::size_t>(services * staffed_count) * zones);
        queue_credit.assign(queues.size(), 0.0);
        queue_daily_capacity.assign(queues.size(), 0.0);
        open_channels.assign(static_cast<std::size_t>(services), 0);
        for (int s = 0; s < services; ++s) {
            const auto& svc = sc.services[static_cast<std::size_t>(s)];
            for (int c = 0; c < channel_count; ++c)
                if (svc.channels[static_cast<std::size_t>(c)].enabled)
                    open_channels[static_cast<std::size_t>(s)] |= static_cast<std::uint8_t>(1u << c);
            for (int k = 0; k < staffed_count; ++k) {
                const auto& ch = svc.channels[static_cast<std::size_t>(k + 1)];
                for (std::size_t z = 0; z < zones; ++z) {
                    // The phone is one national line (zone 0); counters and mediation are local.
                    const double residents =
                        k == 0 ? (z == 0 ? static_cast<double>(citizens) : 0.0) : e.population_.zones[z].residents;
                    queue_daily_capacity[queue_index(s, k, z)] = ch.capacity_per_10k * residents / 10000.0;
                }
            }
        }
    }

    std::size_t queue_index(int service, int staffed, std::size_t zone) const {
        return (static_cast<std::size_t>(service * staffed_count + staffed)) * e.population_.zones.size() + zone;
    }
    Claim& claim(std::size_t c, int s) { return e.claims_[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)]; }
    const ServiceParams& service(int s) const { return sc.services[static_cast<std::size_t>(s)]; }
    bool channel_open(int s, Channel c) const { return (open_channels[static_cast<std::size_t>(s)] >> static_cast<int>(c) & 1u) != 0; }
    bool recording() const { return e.day_ >= sc.warmup_days; }
    std::uint64_t seed() const { return sc.seed; }

    double complexity(const Claim& k, int s) const {
        return k.has(claim_flag::renewing) ? service(s).complexity_renewal : service(s).complexity_first;
    }

    // ---------------------------------------------------------------- phase A
    void observe_block(std::size_t blk) {
        const Population& p = e.population_;
        DayCounts& out = blocks[blk].counts;
        const std::size_t begin = blk * block_size;
        const std::size_t end = std::min(citizens, begin + block_size);
        const bool rec = recording();
        const int groups = out.groups;
        const float helper_skill = static_cast<float>(b.helper_skill);
        const float helper_admin = static_cast<float>(b.helper_admin);
        std::array<int, dimension_count> offsets{};
        for (int d = 0; d < dimension_count; ++d) offsets[static_cast<std::size_t>(d)] = group_offset(static_cast<Dimension>(d));
        for (std::size_t c = begin; c < end; ++c) {
            const Claim* k = &e.claims_[c * static_cast<std::size_t>(services)];
            std::uint8_t knows = 0;
            for (int s = 0; s < services; ++s)
                if (k[s].has(claim_flag::knows)) knows |= static_cast<std::uint8_t>(1u << s);
            e.knows_[c] = knows;
            e.capable_[c] = p.digital_skill[c] >= helper_skill && p.admin_literacy[c] >= helper_admin &&
                            p.equipment[c] != Equipment::none;
            if (!rec) continue;
            std::array<int, dimension_count> g{};
            g[0] = offsets[0] + age_group_of(p.age[c]);
            g[1] = offsets[1] + static_cast<int>(p.education[c]);
            g[2] = offsets[2] + (p.income_decile[c] - 1) / 2;
            g[3] = offsets[3] + e.capital_quintile_[c];
            g[4] = offsets[4] + digital_skill_level(p.digital_skill[c], p.equipment[c], sc.population.illectronisme_threshold);
            g[5] = offsets[5] + static_cast<int>(p.zones[p.zone[c]].type);
            g[6] = offsets[6] + isolation_level(e.network_.degree(static_cast<std::uint32_t>(c)));
            g[7] = offsets[7] + static_cast<int>(p.equipment[c]);
            const std::size_t centile = e.capital_centile_[c];
            for (int s = 0; s < services; ++s) {
                const Claim& claim = k[s];
                if (claim.state == ClaimState::not_eligible) continue;
                const int st = static_cast<int>(reported_state(claim)) - 1;  // 0..5
                const std::size_t su = static_cast<std::size_t>(s);
                out.states[su * 6 + static_cast<std::size_t>(st)] += 1;
                std::int64_t* seg = &out.segment_states[su * static_cast<std::size_t>(groups) * 6];
                for (int d = 0; d < dimension_count; ++d) seg[g[static_cast<std::size_t>(d)] * 6 + st] += 1;
                std::int64_t* cen = &out.centiles[(su * capital_centiles + centile) * 2];
                cen[0] += 1;
                cen[1] += claim.state == ClaimState::receiving;
                if (claim.has(claim_flag::queued) && claim.channel != Channel::online)
                    out.queue_length[su * channel_count + static_cast<std::size_t>(claim.channel)] += 1;
                if (st == static_cast<int>(ReportedState::in_progress) - 1 && e.day_ - claim.episode_start > b.grace_days)
                    out.overdue[su] += 1;
            }
        }
    }

    // ---------------------------------------------------------------- phase B
    void act_block(std::size_t blk) {
        BlockOutput& out = blocks[blk];
        Sink sink{out.counts, out.queue_requests, out.help_requests};
        const std::size_t begin = blk * block_size;
        const std::size_t end = std::min(citizens, begin + block_size);
        const int day = e.day_;
        const bool month_start = day > 0 && day % 30 == 0;
        for (std::size_t c = begin; c < end; ++c) {
            const auto ci = static_cast<std::uint32_t>(c);
            bool changed = false;
            const int age_before = e.population_.age[c];
            age_one_year_if_birthday(e.population_, ci, day);
            changed = e.population_.age[c] != age_before;
            if (month_start) {
                changed = monthly_life_events(sc, e.population_, ci, day) || changed;
                e.helps_this_month_[c] = 0;
            }
            if (changed)
                for (int s = 0; s < services; ++s) update_eligibility(c, s, day, sink);

            // Neighbours' knowledge is read once per citizen, only if needed.
            std::array<std::uint16_t, max_services> peers{};
            std::uint32_t degree = 0;
            bool peers_read = false;
            for (int s = 0; s < services; ++s) {
                Claim& k = claim(c, s);
                if (k.state == ClaimState::unaware) {
                    if (!peers_read) {
                        const auto [first, last] = e.network_.neighbours(ci);
                        degree = static_cast<std::uint32_t>(last - first);
                        for (auto it = first; it != last; ++it) {
                            const std::uint8_t kn = e.knows_[*it];
                            for (int t = 0; t < services; ++t) peers[static_cast<std::size_t>(t)] += (kn >> t) & 1u;
                        }
                        peers_read = true;
                    }
                    const double share = degree ? static_cast<double>(peers[static_cast<std::size_t>(s)]) / degree : 0.0;
                    const double hazard = service(s).outreach + b.peer_information * share +
                                          b.base_awareness * e.population_.admin_literacy[c];
                    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::awareness);
                    if (rng.uniform() < 1.0 - std::exp(-hazard)) become_aware(c, s, day, sink);
                } else if (k.next_day == day) {
                    handle_due(c, s, day, sink);
                }
            }
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
            k.flags &= claim_flag::knows;
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
        } else if (k.has(claim_flag::knows)) {
            k.state = ClaimState::aware;
            k.next_day = day_plus(day, 1);
        } else {
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

    // Perceived benefit against perceived cost (DESIGN 1.3, decision).
    void decide(std::size_t c, int s, int day, Sink& sink) {
        Claim& k = claim(c, s);
        const Population& p = e.population_;
        const ServiceParams& svc = service(s);
        Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::decision);
        const bool after_interruption = k.state == ClaimState::interrupted || k.has(claim_flag::reclaiming);
        if (rng.uniform() < claim_probability(b, svc, p.admin_literacy[c], p.trust[c])) {
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
        const Zone& zone = p.zones[p.zone[c]];
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
        const auto w = Rng::block(seed(), c, 0, Purpose::channel_taste, static_cast<std::uint32_t>(ch));
        return b.channel_taste_spread * Rng::normal(w[0], w[1]);
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
                    if (!e.capable_[h]) continue;
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
            if (e.capital_quintile_[c] == 0) {
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
            accepted = rng.uniform() < b.appeal_success;
            if (accepted && rec) sink.counts.count(s, Event::appeals_won);
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
        // Informal help first: requests in a random but reproducible order.
        std::vector<HelpRequest> help;
        for (auto& blk : blocks) {
            help.insert(help.end(), blk.help_requests.begin(), blk.help_requests.end());
            blk.help_requests.clear();
        }
        help.insert(help.end(), serial.help_requests.begin(), serial.help_requests.end());
        serial.help_requests.clear();
        std::sort(help.begin(), help.end(), [](const HelpRequest& x, const HelpRequest& y) {
            return std::tie(x.key, x.citizen, x.service) < std::tie(y.key, y.citizen, y.service);
        });
        for (const HelpRequest& r : help) serve_help(r, day, sink);

        // New queue arrivals, in (day, key, citizen) order, behind those already waiting.
        std::vector<QueueRequest> arrivals;
        arrivals.swap(carried);
        for (auto& blk : blocks) {
            arrivals.insert(arrivals.end(), blk.queue_requests.begin(), blk.queue_requests.end());
            blk.queue_requests.clear();
        }
        std::sort(arrivals.begin(), arrivals.end(), [](const QueueRequest& x, const QueueRequest& y) {
            return std::tie(x.day, x.key, x.citizen, x.service) < std::tie(y.day, y.key, y.citizen, y.service);
        });
        for (const QueueRequest& r : arrivals) {
            const std::size_t zone = r.channel == Channel::phone ? 0 : e.population_.zone[r.citizen];
            queues[queue_index(r.service, staffed_index(r.channel), zone)].push_back({r.citizen, r.key, r.day});
        }
        for (int s = 0; s < services; ++s)
            for (int k = 0; k < staffed_count; ++k)
                for (std::size_t z = 0; z < e.population_.zones.size(); ++z) serve_queue(s, k, z, day, sink);
    }

    bool still_waiting(std::uint32_t c, int s, Channel ch) {
        const Claim& k = claim(c, s);
        return k.has(claim_flag::queued) && k.channel == ch && k.state != ClaimState::not_eligible;
    }

    void serve_help(const HelpRequest& r, int day, Sink& sink) {
        const int s = r.service;
        if (!still_waiting(r.citizen, s, Channel::online)) return;
        Claim& k = claim(r.citizen, s);
        Stream rng(seed(), Rng::claim_subject(r.citizen, s), static_cast<std::uint32_t>(day), Purpose::help);
        k.flags &= static_cast<std::uint8_t>(~claim_flag::queued);
        if (e.helps_this_month_[r.helper] >= b.helper_capacity) {
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
        ++e.helps_this_month_[r.helper];
        if (e.helps_total_[r.helper] < std::numeric_limits<std::uint16_t>::max()) ++e.helps_total_[r.helper];
        if (recording()) {
            sink.counts.count(s, Event::help_informal);
            sink.counts.helps_given += 1;
            sink.counts.count(s, Channel::online, ChannelEvent::attempts);
        }
        const std::size_t helper = r.helper;
        if (rng.uniform() < online_success(r.citizen, s, k, &helper)) complete(r.citizen, s, day, Channel::online, true, sink);
        else fail(r.citizen, s, day, sink, rng, true);
    }

    void serve_queue(int s, int staffed, std::size_t zone, int day, Sink& sink) {
        const std::size_t qi = queue_index(s, staffed, zone);
        auto& q = queues[qi];
        const auto ch = static_cast<Channel>(staffed + 1);
        const bool rec = recording();
        // Those who waited too long leave first (they are at the front).
        while (!q.empty() && day - q.front().day > b.patience_days) {
            const QueueEntry entry = q.front();
            q.pop_front();
            if (!still_waiting(entry.citizen, s, ch)) continue;
            if (rec) sink.counts.count(s, ch, ChannelEvent::queue_gave_up);
            Stream rng(seed(), Rng::claim_subject(entry.citizen, s), static_cast<std::uint32_t>(day), Purpose::queue_order);
            fail(entry.citizen, s, day, sink, rng, false);
        }
        queue_credit[qi] += queue_daily_capacity[qi];
        auto places = static_cast<long>(std::floor(queue_credit[qi]));
        queue_credit[qi] -= static_cast<double>(places);  // unused places are lost, fractions carry over
        while (places > 0 && !q.empty()) {
            const QueueEntry entry = q.front();
            if (entry.day > day) break;  // joins tomorrow
            q.pop_front();
            if (!still_waiting(entry.citizen, s, ch)) continue;
            --places;
            serve_staffed(entry, s, ch, day, sink);
        }
    }

    void serve_staffed(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink) {
        const std::uint32_t c = entry.citizen;
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
};

// -------------------------------------------------------------------- Engine

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

    const std::size_t n = population_.size();
    claims_.assign(n * static_cast<std::size_t>(services_), Claim{});
    knows_.assign(n, 0);
    capable_.assign(n, 0);
    habit_.assign(n, 255);
    helps_this_month_.assign(n, 0);
    helps_total_.assign(n, 0);

    // Capital score (DESIGN 1.1): weighted mean of education, digital skill,
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
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        return capital_score_[x] != capital_score_[y] ? capital_score_[x] < capital_score_[y] : x < y;
    });
    capital_quintile_.assign(n, 0);
    capital_centile_.assign(n, 0);
    for (std::size_t r = 0; r < n; ++r) {
        capital_quintile_[order[r]] = static_cast<std::uint8_t>(r * 5 / n);
        capital_centile_[order[r]] = static_cast<std::uint8_t>(r * capital_centiles / n);
    }

    impl_ = std::make_unique<Impl>(*this);
    Sink initial{impl_->serial.counts, impl_->carried, impl_->serial.help_requests};
    for (std::size_t c = 0; c < n; ++c)
        for (int s = 0; s < services_; ++s) impl_->update_eligibility(c, s, 0, initial);

    stats_.memory_bytes = population_.memory_bytes() + network_.memory_bytes() + claims_.capacity() * sizeof(Claim) +
                          n * (sizeof(float) + 7);
}

Engine::~Engine() = default;

int Engine::total_days() const { return scenario_.warmup_days + scenario_.days; }
bool Engine::completed() const { return day_ >= total_days(); }

bool Engine::step() {
    if (completed()) return false;
    const auto start = Clock::now();
    Impl& im = *impl_;
    const std::size_t blocks = im.blocks.size();
    for (auto& blk : im.blocks) blk.counts.clear();
    im.serial.counts.clear();
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.observe_block(blk); });
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.act_block(blk); });
    im.serve(day_);
    if (im.recording()) {
        DayCounts total = im.serial.counts;
        for (const auto& blk : im.blocks) total.add(blk.counts);
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
    r.attributes["threads"] = static_cast<std::int64_t>(executor_.threads());
    r.attributes["population_seconds"] = stats_.population_seconds;
    r.attributes["network_seconds"] = stats_.network_seconds;
    r.attributes["simulation_seconds"] = stats_.simulation_seconds;
    r.attributes["complete"] = static_cast<std::int64_t>(completed() ? 1 : 0);
    return r;
}

}  // namespace demat
