// Procedure: channel choice, online attempt, success, failure and giving up (docs/model.md, sections 6.3-6.5).
#include "core/engine/impl.hpp"
#include "core/engine/procedure.hpp"
#include "core/detmath.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

// Channel-choice utilities (multinomial logit); -inf = not available alone.
// `as_if_km` >= 0: the counter as if at that distance and open (access_loss).
double Engine::Impl::channel_utility(std::size_t c, int s, Channel ch, const Claim& k, double as_if_km) const {
    const Population& p = e.population_;
    const std::size_t zone = p.zone_of(c);
    const ChannelTraits& t = traits(ch);
    if (t.needs_equipment && p.equipment[c] == Equipment::none) return -std::numeric_limits<double>::infinity();
    const bool counter_as_if = ch == Channel::counter && as_if_km >= 0.0;
    // No counter of the service open in any zone (6.13).
    if (ch == Channel::counter && !counter_as_if && site_zone(s, ch, zone) == no_counter) return -std::numeric_limits<double>::infinity();
    double u = b.*t.utility;
    if (t.skill_term == ChannelTraits::SkillTerm::skilled) u += b.channel_skill * (p.digital_skill[c] - 0.5);
    if (t.skill_term == ChannelTraits::SkillTerm::unskilled) u += 1.0 - p.digital_skill[c];
    const double m = mobility_factor[static_cast<std::size_t>(p.mobility[c])];
    if (t.distance && counter_as_if) u -= b.channel_distance * as_if_km * m;
    else if (t.distance) u -= b.channel_distance * km_to_site(s, ch, zone) * m;
    if (store.habit[c] == static_cast<std::uint8_t>(ch)) u += b.channel_habit;
    u += efficacy_utility(c, ch);
    if (!store.service_habit.empty() &&
        store.service_habit[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)] == static_cast<std::uint8_t>(ch) + 1)
        u += b.channel_habit_service;
    // A channel that just failed is less attractive for the next try.
    if (k.failures > 0 && k.channel == ch) u -= 1.0;
    return u;
}

// exp(-10): access_loss is capped at 10 utility units.
constexpr double access_loss_floor = 4.5399929762484854e-05;

// The access a citizen lost because the counter of their zone is closed
// (docs/model.md 6.2): the logsum of the channel utilities of 6.3 (tastes
// included) with the zone's own counter open, minus the same with the
// counter that serves the zone now (farther, or none). 0 while the zone's
// counter is open, or when the counter is closed as a channel everywhere.
double Engine::Impl::access_loss(std::size_t c, int s, const Claim& k) const {
    const std::size_t zone = e.population_.zone_of(c);
    if (!channel_open(s, Channel::counter) || (counter_closed[zone] >> s & 1u) == 0) return 0.0;
    double home = 0.0, now = 0.0;
    for (int i = 0; i < channel_count; ++i) {
        const auto ch = static_cast<Channel>(i);
        if (!channel_open(s, ch)) continue;
        const double taste = channel_taste(c, ch);
        const double u_now = channel_utility(c, s, ch, k) + taste;
        const double u_home = ch == Channel::counter
                                  ? channel_utility(c, s, ch, k, e.population_.zones[zone].km_to_counter) + taste
                                  : u_now;
        if (!std::isinf(u_now)) now += dmath::exp(std::min(u_now, 50.0));
        if (!std::isinf(u_home)) home += dmath::exp(std::min(u_home, 50.0));
    }
    if (home <= 0.0) return 0.0;
    // No channel usable alone now: the loss is capped at 10 utility units.
    return dmath::log(home) - dmath::log(std::max(now, home * access_loss_floor));
}

// Personal, lifelong taste for each channel ("happy non-use"): a pure
// function of the citizen, so it costs no memory.
double Engine::Impl::channel_taste(std::size_t c, Channel ch) const {
    // A lasting trait like the others (rng.hpp): a hash and a table
    // lookup, where a Box-Muller draw cost a Philox block, a log and a
    // cos, four times per procedure step.
    return b.channel_taste_spread *
           lasting_normal(seed(), Rng::claim_subject(c, static_cast<int>(ch)), Purpose::channel_taste);
}

void Engine::Impl::procedure_step(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    // A renewal's window (6.9); an answer's deadline is enforced each
    // morning (resolve_document_requests).
    if (k.has(claim_flag::renewing) && day >= k.episode_start + b.renewal_window_days && !answering(c, s)) {
        interrupt(c, s, day, sink);
        return;
    }
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::channel_choice);
    mechanism::ChannelOptions options;
    for (int i = 0; i < channel_count; ++i) {
        const auto ch = static_cast<Channel>(i);
        if (!channel_open(s, ch)) continue;
        options.open |= channel_bit(ch);
        options.utility[static_cast<std::size_t>(i)] = channel_utility(c, s, ch, k) + channel_taste(c, ch);
    }
    const DayContext ctx = day_context(day, sink);
    const int chosen = mechanism::choose_channel(ctx, options, rng, c, s);
    if (chosen == mechanism::no_channel) {
        // No channel the citizen can use alone: online without equipment,
        // or everything closed. Only help remains, or, sent online without
        // a device, a borrowed one (docs/model.md 6.10).
        const bool unequipped = channel_open(s, Channel::online);
        if (unequipped && mechanism::borrows_device(ctx, seed(), c, s)) {
            attempt_online(c, s, day, sink, rng, true);
            return;
        }
        if (request_help(c, s, day, sink, rng)) return;
        if (unequipped && recording()) sink.counts.count(s, Event::online_unequipped);
        const Reason why = unequipped ? Reason::equipment : online_down(s) ? Reason::connection : Reason::distance;
        fail(c, s, day, sink, rng, false, why, unequipped);
        return;
    }
    const auto ch = static_cast<Channel>(chosen);
    trace(c, s, TraceKind::tried, ch);
    if (ch == Channel::online) {
        attempt_online(c, s, day, sink, rng, false);
        return;
    }
    if (traits(ch).zoned && (b.distance_give_up > 0 || b.trip_limit_km > 0)) {
        // The trip to the place: given up beyond the limit (6.13), else with
        // a chance growing with its distance (6.10).
        const Population& p = e.population_;
        const double km = km_to_site(s, ch, p.zone_of(c));
        const double factor = mobility_factor[static_cast<std::size_t>(p.mobility[c])];
        if (trip_too_long(b, km, factor)) {
            fail(c, s, day, sink, rng, false, Reason::distance, false);
            return;
        }
        if (b.distance_give_up > 0) {
            Stream trip(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::trip);
            if (trip.uniform() < trip_give_up_probability(b, km, factor)) {
                fail(c, s, day, sink, rng, false, Reason::distance, false);
                return;
            }
        }
    }
    enqueue(c, s, day, ch, sink, rng);
}

bool mechanism::borrows_device(const DayContext& day, std::uint64_t seed, std::size_t c, int s) {
    if (day.b.borrow_device <= 0) return false;
    Stream borrow(seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day.day), Purpose::borrow_device);
    return borrow.uniform() < day.b.borrow_device;
}


namespace {
// The identity step of an online attempt that reached it (6.11).
// A procedure's first attempt is the one with no failure before it.
void count_identity(const DayContext& day, IdentityRequirement id, const Claim& k, const OnlineOdds& odds, double u,
                    std::size_t c, int s) {
    if (!day.recording || id == IdentityRequirement::none || u >= odds.connected) return;
    const bool passed = u < odds.past_identity, first = k.failures == 0;
    day.counts->tally(c, s, tally_index::identity + 0);
    if (passed) day.counts->tally(c, s, tally_index::identity + 1);
    if (first) day.counts->tally(c, s, tally_index::identity + 2);
    if (first && passed) day.counts->tally(c, s, tally_index::identity + 3);
}
}  // namespace

namespace {
// Its outcome and, if it fails, its cause, from one draw (6.10). Inlined
// into the engine's own attempt (Impl::attempt_online, every online try
// of a citizen alone): out of line it cost 8 M instructions at 20,000
// citizens; help's attempt calls it through mechanism::attempt_online.
[[gnu::always_inline]] inline mechanism::OnlineOutcome online_outcome(const DayContext& day, const OnlineOdds& odds,
                                                                     IdentityRequirement identity, Stream& rng,
                                                                     std::size_t c, int s, bool borrowed) {
    Claim& k = day.store.claim(c, s);
    if (borrowed) {
        k.channel = Channel::online;
        if (day.recording) day.counts->count(s, Channel::online, ChannelEvent::attempts);
    }
    const double u = rng.uniform();
    const bool ok = u < odds.success;
    count_identity(day, identity, k, odds, u, c, s);
    if (ok) return {true, Reason::complexity};
    return {false, failure_reason(odds, u)};
}
}  // namespace

mechanism::OnlineOutcome mechanism::attempt_online(const DayContext& day, const OnlineOdds& odds,
                                                   IdentityRequirement identity, Stream& rng, std::size_t c, int s,
                                                   bool borrowed) {
    return online_outcome(day, odds, identity, rng, c, s, borrowed);
}

// One online attempt by the citizen alone (`borrowed`: on a borrowed
// smartphone): the engine gives the odds and acts on the outcome.
void Engine::Impl::attempt_online(std::size_t c, int s, int day, Sink& sink, Stream& rng, bool borrowed) {
    // Self-efficacy moves with the outcome, success or failure (6.14): its
    // cache line is fetched while the odds are worked out.
    __builtin_prefetch(&e.population_.self_efficacy[c], 1);
    if (borrowed) trace(c, s, TraceKind::tried, Channel::online);
    const OnlineOdds odds = online_odds(c, s, claim(c, s), nullptr, borrowed);
    const auto [ok, why] = online_outcome(day_context(day, sink), odds, service(s).identity, rng, c, s, borrowed);
    tracking.mark(c, ok ? procedure_flag::did_online : procedure_flag::gave_up_online, day);
    if (ok) complete(c, s, day, Channel::online, false, sink);
    else fail(c, s, day, sink, rng, true, why, true);
}

// The stages of an online procedure by the citizen, or by a helper for
// them (the helper's skills and device stand in for the citizen's), or on
// a borrowed smartphone; the connection is the citizen's zone's.
// `stages`: as demat::online_odds's.
OnlineOdds Engine::Impl::online_odds(std::size_t c, int s, const Claim& k, const std::size_t* helper, bool borrowed,
                                     bool stages) const {
    const Population& p = e.population_;
    double skill = p.digital_skill[c], admin = p.admin_literacy[c], literacy = p.literacy[c];
    Equipment equipment = borrowed ? Equipment::smartphone_only : p.equipment[c];
    if (helper) {
        skill = std::max(skill, static_cast<double>(p.digital_skill[*helper]));
        admin = std::max(admin, static_cast<double>(p.admin_literacy[*helper]));
        literacy = std::max(literacy, static_cast<double>(p.literacy[*helper]));
        equipment = std::max(equipment, p.equipment[*helper]);
    }
    const IdentityRequirement id = service(s).identity;
    const bool means = id != IdentityRequirement::strong || identity_means(c, helper, borrowed);
    return demat::online_odds(b, skill, admin, literacy, equipment, complexity(c, s, k), id,
                              p.zones[p.zone_of(c)].broadband_coverage, means, stages);
}

// The means of a strong identity online (6.11): checked in person once,
// or the citizen's chip card read by a compatible smartphone: their own,
// a helper's if the helper's device is better, or a borrowed one. A
// computer owner is taken to have a smartphone too (assumption). Both are
// lasting traits (a hash of the citizen, no memory).
bool Engine::Impl::identity_means(std::size_t c, const std::size_t* helper, bool borrowed) const {
    if (store.identity_checked[c]) return true;
    const Population& p = e.population_;
    auto share = [&](std::size_t who, Purpose purpose, double of) {
        return static_cast<double>(lasting_index(seed(), who, purpose)) < of * static_cast<double>(lasting_quantile_count);
    };
    if (!share(c, Purpose::chip_id, b.chip_id_share)) return false;
    const std::size_t owner = helper && p.equipment[*helper] > p.equipment[c] ? *helper : c;
    if (!borrowed && p.equipment[owner] == Equipment::none) return false;
    return share(owner, Purpose::nfc_phone, b.nfc_phone_share);
}

// A strong identity step failed for lack of the means: the citizen may go
// to have it checked in person, at a counter (standing for the post
// office too) or else a mediation site; true if they joined the queue.
bool Engine::Impl::identity_check_in_person(std::size_t c, int s, int day, Sink& sink, Stream& rng) {
    if (service(s).identity != IdentityRequirement::strong || b.identity_in_person <= 0 || identity_means(c, nullptr, false))
        return false;
    const Channel place = counter_reachable(s, e.population_.zone_of(c)) ? Channel::counter : Channel::mediation;
    if (!channel_open(s, place)) return false;
    Stream own(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::identity_check);
    if (own.uniform() >= b.identity_in_person) return false;
    if (recording()) sink.counts.count(s, Event::identity_in_person);
    enqueue(c, s, day, place, sink, rng);
    return true;
}

double Engine::Impl::staffed_success(std::size_t c, int s, const Claim& k, Channel ch) const {
    const Population& p = e.population_;
    return staffed_success_probability(b, sc.mediation, ch, p.admin_literacy[c], complexity(c, s, k));
}

void Engine::Impl::complete(std::size_t c, int s, int day, Channel ch, bool assisted, Sink& sink) {
    Claim& k = claim(c, s);
    Population& p = e.population_;
    const bool rec = recording();
    const bool answer = answering(c, s);  // the documents a control asked for (11.3)
    if (rec) {
        sink.counts.count(s, ch, ChannelEvent::successes);
        sink.counts.count(s, assisted ? Event::assisted_completions : Event::autonomous_completions);
        if (answer) count_answer_completion(s, day, assisted);
        if (e.capital_quintile(c) == 0) {
            sink.counts.count(s, Event::procedures_completed_low_capital);
            if (!assisted) sink.counts.count(s, Event::autonomous_completions_low_capital);
        }
    }
    p.admin_literacy[c] += static_cast<float>(b.admin_learning * (1.0 - p.admin_literacy[c]));
    p.trust[c] += static_cast<float>(b.trust_gain_success * (1.0 - p.trust[c]));
    store.habit[c] = static_cast<std::uint8_t>(ch);
    efficacy_success(c, ch, assisted);
    if (!store.service_habit.empty())
        store.service_habit[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)] = static_cast<std::uint8_t>(ch) + 1;
    trace(c, s, TraceKind::completed_procedure, ch);
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted));
    k.failures = 0;
    if (answer) {
        answer_sent(c, s, day, ch);
    } else if (k.has(claim_flag::renewing)) {
        k.flags &= static_cast<std::uint8_t>(~claim_flag::renewing);
        const int next = k.episode_start + service(s).renewal_days;
        k.next_day = next > day ? day_plus(next, 0) : day_plus(day, 1);
        if (rec) sink.counts.count(s, Event::renewals_completed);
        trace(c, s, TraceKind::renewed);
    } else {
        transition(c, s, k, ClaimState::submitted, Event::claims_submitted, sink);
        k.channel = ch;
        k.next_day = day_plus(day, service(s).processing_days);
        if (rec) count_closure(c, s, ClosureMeasure::claims_submitted, sink);
        // A first claim: not paid yet in this eligibility spell (docs/output.md, /metrics/first_claims).
        if (rec && !k.has(claim_flag::ever_received)) {
            sink.counts.count(s, Event::first_claims);
            count_closure(c, s, ClosureMeasure::first_claims, sink);
        }
    }
}

// A failed attempt (`attempted`) or a procedure that could not even start,
// for cause `why`; `online`: counted among the failed online attempts
// (/reasons/failures). If it ends the procedure, `why` is the abandonment's cause.
void Engine::Impl::fail(std::size_t c, int s, int day, Sink& sink, Stream& rng, bool attempted, Reason why, bool online) {
    const DayContext ctx = day_context(day, sink);
    const bool gives_up = mechanism::record_failure(ctx, c, s, why, online);
    if (attempted) {
        trace(c, s, TraceKind::failed, claim(c, s).channel);
        efficacy_failure(c);
    }
    // An answer to a document request ends as a renewal would, but in no
    // answer (11.3) rather than an interruption.
    const bool answer = answering(c, s);
    if (gives_up) {
        tracking.mark(c, procedure_flag::gave_up_for_good, day);
        if (answer) answer_failed(c, s, static_cast<int>(why));
        else if (claim(c, s).has(claim_flag::renewing)) interrupt(c, s, day, sink);
        else abandon(c, s, day, sink, why);
        return;
    }
    if (why == Reason::identity && identity_check_in_person(c, s, day, sink, rng)) return;
    if (mechanism::asks_help(ctx, rng, c, s) && request_help(c, s, day, sink, rng)) return;
    switch (mechanism::retry(ctx, c, s, answer, answer ? answer_deadline(c, s) : 0)) {
        case mechanism::Retry::answer_too_late: answer_failed(c, s, static_cast<int>(why)); break;
        case mechanism::Retry::renewal_too_late: interrupt(c, s, day, sink); break;
        case mechanism::Retry::later: break;
    }
}

bool mechanism::record_failure(const DayContext& day, std::size_t c, int s, Reason why, bool online) {
    Claim& k = day.store.claim(c, s);
    if (online && day.recording) day.counts->tally(c, s, tally_index::failure(why));
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted));
    if (k.failures < 255) ++k.failures;
    return k.failures >= day.b.max_failures;
}

bool mechanism::asks_help(const DayContext& day, Stream& rng, std::size_t c, int s) {
    const double p_help = std::min(1.0, day.b.ask_help * day.store.claim(c, s).failures);
    return rng.uniform() < p_help;
}

mechanism::Retry mechanism::retry(const DayContext& day, std::size_t c, int s, bool answer, int answer_deadline) {
    Claim& k = day.store.claim(c, s);
    const BehaviourParams& b = day.b;
    const bool renewing = k.has(claim_flag::renewing);
    // The next try would come too late.
    if (answer && day.day + b.retry_days >= answer_deadline) return Retry::answer_too_late;
    if (renewing && !answer && day.day + b.retry_days >= k.episode_start + b.renewal_window_days)
        return Retry::renewal_too_late;
    if (!renewing) day.transition(c, k, ClaimState::attempting, no_event);
    k.next_day = day_plus(day.day, b.retry_days);
    return Retry::later;
}

void Engine::Impl::abandon(std::size_t c, int s, int day, Sink& sink, Reason why) {
    Claim& k = claim(c, s);
    transition(c, s, k, ClaimState::abandoned, Event::abandonments, sink);
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::reclaiming));
    k.next_day = day_plus(day, b.abandon_revisit_days);
    if (recording()) sink.counts.tally(c, s, tally_index::abandonment(why));
    trace(c, s, TraceKind::gave_up);
}

}  // namespace demat
