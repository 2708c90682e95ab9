// Awareness: hazards, candidate days, learning of a right (docs/model.md, section 6.1).
#include "core/engine/impl.hpp"
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

// ---------------------------------------------------------------- phase B
// The awareness hazard for a share of informed neighbours. With
// share = peer_share_bound it bounds the hazard for every share in
// [0, 1]: floating-point sums and products are monotone in each operand.
double Engine::Impl::awareness_hazard(std::size_t c, int s, double share) const {
    return awareness_hazard(c, s, share, awareness_factor(c, s));
}

// The same with the citizen's factor given: a draw computes it once.
double Engine::Impl::awareness_hazard(std::size_t c, int s, double share, double factor) const {
    return awareness_hazard_with(c, s, share, factor, agencies_on ? agency_information(c, s) : 0.0);
}

// The same with the agency's information hazard given (6.15): the initial
// conditions give their own (agency_information_prior).
double Engine::Impl::awareness_hazard_with(std::size_t c, int s, double share, double factor, double agency) const {
    double informed = outreach(c, s);
    if (agency > 0) informed += agency;
    return factor *
           (informed + b.peer_information * share + b.base_awareness * e.population_.admin_literacy[c]);
}

// The service's outreach plus the targeted campaigns citizen c is in.
double Engine::Impl::outreach(std::size_t c, int s) const {
    double rate = service(s).outreach;
    for (const auto& t : targeted_outreach[static_cast<std::size_t>(s)])
        if (group_in(c, t.segment, s) == t.group) rate += t.rate;
    return rate;
}

// Citizen c's group in one segment dimension (as groups_of_claim for its
// claim to s, without the offset).
int Engine::Impl::group_in(std::size_t c, int dimension, int s) const {
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
        case Dimension::household_type: return static_cast<int>(p.household[c]);
        case Dimension::tenure: return static_cast<int>(p.tenant[c]);
        case Dimension::agency_contact:
            return agencies_on ? agency_contact_group(c, s, p.employment[c] == Employment::retired) : 0;
    }
    return -1;
}

// A lasting personal factor (lognormal, mean 1) on the awareness hazard:
// some people are well informed, others out of every information loop.
// The trait is one of 4096 quantiles, so the factor is read from a table
// of exp(spread * quantile - spread^2 / 2), filled once with that very
// expression (same values, bit for bit, without an exp() per draw).
double Engine::Impl::awareness_factor(std::size_t c, int s) const {
    if (b.awareness_spread == 0) return 1.0;
    return awareness_factors[lasting_index(seed(), Rng::claim_subject(c, s), Purpose::awareness_taste)];
}

void Engine::Impl::fill_awareness_factors() {
    const double spread = b.awareness_spread;
    const auto& quantile = lasting_quantiles();
    for (std::size_t i = 0; i < lasting_quantile_count; ++i)
        awareness_factors[i] = dmath::exp(spread * quantile[i] - spread * spread / 2);
}

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
double Engine::Impl::awareness_bound(std::size_t c, int s, double factor) const {
    return -dmath::expm1(-awareness_hazard(c, s, peer_share_bound, factor));
}

// Sets an unaware claim's next_day to its first candidate day from
// `from` on: a geometric number of days with success q, from the
// stream of (claim, from), so the draw is a function of the state and
// the day alone.
void Engine::Impl::schedule_awareness(std::size_t c, int s, int from) {
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
        const double days = std::floor(dmath::log(u) / dmath::log1p(-q));
        gap = days < 65536.0 ? static_cast<int>(days) : 65536;
    }
    // Not day_plus: a candidate may fall on `from` itself.
    const long candidate = static_cast<long>(from) + gap;
    k.next_day = candidate >= never ? never : static_cast<std::uint16_t>(candidate);
}

// The candidate day of an unaware claim: aware with probability p_t / q,
// else the next candidate is drawn from tomorrow.
void Engine::Impl::awareness_candidate(std::size_t c, int s, int day, Peers& peers, Sink& sink) {
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::awareness);
    const double factor = awareness_factor(c, s);
    const double q = awareness_bound(c, s, factor);
    const double u = rng.uniform() * q;  // aware if u < p_t
    // With nobody informed around, p_t is smallest: below that, the
    // neighbours need not be read.
    bool aware = u < -dmath::expm1(-awareness_hazard(c, s, 0.0, factor));
    if (!aware && peer_share_bound > 0) {
        if (!peers.read) {
            const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
            peers.degree = static_cast<std::uint32_t>(last - first);
            for (auto it = first; it != last; ++it) {
                const std::uint8_t kn = store.knows[*it];
                for (int t = 0; t < services; ++t) peers.knowing[static_cast<std::size_t>(t)] += (kn >> t) & 1u;
            }
            peers.read = true;
        }
        const double share =
            peers.degree ? static_cast<double>(peers.knowing[static_cast<std::size_t>(s)]) / peers.degree : 0.0;
        aware = share > 0 && u < -dmath::expm1(-awareness_hazard(c, s, share, factor));
    }
    if (aware) {
        touch(c);
        become_aware(c, s, day, sink);
        if (service(s).eligibility_doubt > 0) form_belief(c, s, day, peers, sink);
    } else {
        schedule_awareness(c, s, day + 1);
    }
}

void Engine::Impl::become_aware(std::size_t c, int s, int day, Sink& sink) {
    mechanism::become_aware(day_context(day, sink), c, s);
    trace(c, s, TraceKind::learned_of_right);
}

// The belief of eligibility of a claim just made aware by the hazard of
// 6.1 (6.16): the part of the hazard from an agency's information tells
// the citizen they are entitled; the rest (their own learning, peers, the
// service's outreach) only that the benefit exists. The neighbours' share
// is the one read by the draw, 0 if it did not need them.
void Engine::Impl::form_belief(std::size_t c, int s, int day, const Peers& peers, Sink& sink) {
    const double share =
        peers.read && peers.degree ? static_cast<double>(peers.knowing[static_cast<std::size_t>(s)]) / peers.degree
                                   : 0.0;
    const double agency = agencies_on ? agency_information(c, s) : 0.0;
    const double h = awareness_hazard_with(c, s, share, 1.0, agency);
    const double assured = h > 0 && agency > 0 ? agency / h : 0.0;
    mechanism::form_belief(day_context(day, sink), seed(), c, s,
                           mechanism::doubt_probability(service(s), e.population_.admin_literacy[c], assured));
}

// Aware from today; the decision comes tomorrow (6.2). Believing to be
// entitled unless the belief drawn next says otherwise (6.16).
void mechanism::become_aware(const DayContext& day, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    day.transition(c, s, k, ClaimState::aware, Event::awareness_gained);
    k.flags |= claim_flag::knows;
    k.doubts = false;
    k.next_day = day_plus(day.day, 1);
}

}  // namespace demat
