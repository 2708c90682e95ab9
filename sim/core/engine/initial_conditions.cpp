// Initial conditions: who knows and receives on day 0 (docs/model.md, section 1).
#include "core/engine/impl.hpp"
#include "core/engine/initial_conditions.hpp"
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

Engine::Impl::PriorDraws Engine::Impl::prior_draws(std::size_t c, int s) const {
    Stream rng(seed(), Rng::claim_subject(c, s), 0, Purpose::initial_awareness);
    PriorDraws d{};
    d.aware = rng.uniform();
    d.spell = rng.uniform();
    d.learnt = rng.uniform();
    d.claimed = rng.uniform();
    d.phase = rng.uniform();
    return d;
}

double Engine::Impl::prior_spell_days(std::size_t c, int s, const PriorDraws& d) const {
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
        since_change = exit > 0 ? -30.0 / exit * dmath::log1p(-d.spell) : cap;
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
std::array<double, max_services> Engine::Impl::prior_agent_rates(std::size_t c) const {
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
        weight[static_cast<std::size_t>(i)] = dmath::exp(std::min(u, 50.0));
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
            if (traits(ch).informs_other_rights) agents += w;
            if (ch == Channel::online) online = w;
        }
        if (total <= 0) continue;
        const double retry_total = total - online + online * dmath::exp(-1.0);
        const double reach = agents / total +
                             online / total * (1.0 - online_odds(c, t, renewal, nullptr, false, false).success) * agents / retry_total;
        rates[static_cast<std::size_t>(t)] = b.mediator_information * reach / svc.renewal_days;
    }
    return rates;
}

// prior_agent_rates(c) where prior_agent_hazard reads them: only the
// rates of services c knows enter it, and those of services with no
// declaration to make (automatic, or no renewal) are zero; if c knows
// none with one, the hazard is zero with or without them, and they are
// not computed (an exp and a channel taste per channel).
std::array<double, max_services> Engine::Impl::prior_agent_rates_read(std::size_t c, std::uint8_t known) const {
    std::uint8_t declaring = 0;
    for (int t = 0; t < services; ++t)
        if (!service(t).automatic && service(t).renewal_days > 0) declaring |= static_cast<std::uint8_t>(1u << t);
    if ((known & declaring) == 0) return {};
    return prior_agent_rates(c);
}

// The agents' hazard for s: the rates of the other services c knows.
double Engine::Impl::prior_agent_hazard(int s, std::uint8_t known, const std::array<double, max_services>& rates) const {
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
void Engine::Impl::initial_awareness() {
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
                    if (d.aware < -dmath::expm1(-hazard * prior_spell_days(c, s, d)))
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
                if ((learnt >> s & 1u) != 0) {
                    double assured = 0.0;
                    const double hazard = prior_hazard(c, s, shares, known[c], rates, &assured);
                    prior_claim(c, s, hazard, hazard > 0 ? assured / hazard : 0.0,
                                service(s).eligibility_doubt > 0 ? prior_agent_hazard(s, known[c], rates) : 0.0);
                }
        }
    });
}

// Whether a claim for s can succeed under the day-0 policy: a channel
// open online, or staffed with some capacity. If not, nobody has
// claimed before the run either.
bool Engine::Impl::could_claim(int s) const {
    for (int i = 0; i < channel_count; ++i) {
        const auto ch = static_cast<Channel>(i);
        if (!channel_open(s, ch)) continue;
        if (ch == Channel::online || service(s).channels[static_cast<std::size_t>(i)].capacity_per_10k > 0) return true;
    }
    return false;
}

// Share of c's neighbours who know each service, by `known`.
std::array<double, max_services> Engine::Impl::informed_shares(std::size_t c, const std::vector<std::uint8_t>& known) const {
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
// With `assured`, also the part of it from sources that tell the citizen
// they are entitled (6.16): agencies and the agents of other services.
double Engine::Impl::prior_hazard(std::size_t c, int s, const std::array<double, max_services>& shares, std::uint8_t known,
                    const std::array<double, max_services>& rates, double* assured) const {
    if (!agencies_on) {
        const double agents = prior_agent_hazard(s, known, rates);
        if (assured != nullptr) *assured = agents;
        return awareness_hazard(c, s, shares[static_cast<std::size_t>(s)]) + agents;
    }
    // Agencies (6.15): their information as before the run, and the pension
    // fund's chance p at the spell's start as the hazard that gives the same
    // chance over the spell, -log(1 - p) / spell (assumption: spread over
    // the spell rather than at its start, for the day it was learnt).
    const double factor = awareness_factor(c, s), agency = agency_information_prior(c, s, known),
                 agents = prior_agent_hazard(s, known, rates);
    double hazard = awareness_hazard_with(c, s, shares[static_cast<std::size_t>(s)], factor, agency) + agents;
    double told = agents + (agency > 0 ? factor * agency : 0.0);
    const double settled = std::min(settlement_probability(c, s), 1.0 - 1e-12);
    if (settled > 0) {
        const double spell = prior_spell_days(c, s, prior_draws(c, s));
        if (spell > 0) {
            hazard += -dmath::log1p(-settled) / spell;
            told += -dmath::log1p(-settled) / spell;
        }
    }
    if (assured != nullptr) *assured = told;
    return hazard;
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
// With eligibility_doubt (6.16), the belief is drawn as when learning of
// the right, `assured` the share of the hazard from sources that tell the
// citizen they are entitled. A doubter has been told they are entitled by
// the agents of other services (hazard `correction`, the one at which they
// inform the unaware) with probability 1 - exp(-correction x days since
// learning), on a day drawn given that; the decisions count from then (as
// from a move, 2.2). Otherwise they have not claimed.
void Engine::Impl::prior_claim(std::size_t c, int s, double hazard, double assured, double correction) {
    const PriorDraws d = prior_draws(c, s);
    const ServiceParams& svc = service(s);
    const Population& p = e.population_;
    const DayContext day0{store, b, 0, nullptr, false, this};
    mechanism::form_belief(day0, seed(), c, s, mechanism::doubt_probability(svc, p.admin_literacy[c], assured));
    bool doubts = claim(c, s).doubts;
    double since_correction = std::numeric_limits<double>::infinity();
    if (doubts && correction > 0 && hazard > 0) {
        const double spell = prior_spell_days(c, s, d);
        const double learnt = -dmath::log1p(d.learnt * dmath::expm1(-hazard * spell)) / hazard;
        const double known = std::max(0.0, spell - learnt);
        // A day no run reaches: a stream of its own within the purpose.
        const double u = Rng::uniform(Rng::block(seed(), Rng::claim_subject(c, s), 0xFFFFFFFFu,
                                                 Purpose::eligibility_belief)[0]);
        if (u < -dmath::expm1(-correction * known)) {
            // The correction's day after learning, by the inverse of its law on [0, known].
            since_correction = known + dmath::log1p(-u) / correction;
            mechanism::correct_belief(day0, c, s);
            doubts = false;
        }
    }
    const double taste =
        b.decision_taste_spread * lasting_normal(seed(), Rng::claim_subject(c, s), Purpose::decision_taste);
    const double claim_p =
        claim_probability(b, svc, p.admin_literacy[c], p.trust[c], taste + efficacy_logit(c), unit_amount(c, s),
                          first_complexity(c, s));
    mechanism::PastSpell past{prior_spell_days(c, s, d), hazard, doubts ? 0.0 : claim_p, could_claim(s),
                              d.learnt, d.claimed, d.phase};
    // A service tied to the dwelling was claimed anew at the last move (2.2).
    if (!prior_since_move.empty() && svc.eligibility.tenant_required) past.since_move = prior_since_move[c];
    past.since_move = std::min(past.since_move, std::max(0.0, since_correction));
    mechanism::start_from_past(day0, svc, past, c, s);
}

void mechanism::start_from_past(const DayContext& day, const ServiceParams& svc, const PastSpell& past, std::size_t c,
                                int s) {
    Claim& k = day.store.claim(c, s);
    const double spell = past.spell_days, hazard = past.hazard;
    const double learnt = hazard > 0 ? -dmath::log1p(past.learnt * dmath::expm1(-hazard * spell)) / hazard : 0.0;
    // Decisions since learning or, if later, since the last move (2.2).
    const double known = std::min(std::max(0.0, spell - learnt), past.since_move);
    const double decisions = 1.0 + std::floor(known / day.b.reconsider_days);
    k.flags |= claim_flag::knows;
    if (past.could_claim && past.claimed < 1.0 - dmath::pow(1.0 - past.claim_p, decisions)) {
        day.transition(c, k, ClaimState::receiving, no_event);
        k.flags |= claim_flag::ever_received;
        // Given the claim, past.claimed / P is uniform in [0, 1): the phase of the period.
        const double phase = past.claimed / (1.0 - dmath::pow(1.0 - past.claim_p, decisions));
        const int next = std::min(svc.renewal_days, 1 + static_cast<int>(phase * svc.renewal_days));
        k.next_day = svc.renewal_days > 0 ? day_plus(day.day, next) : never;
    } else {
        // Their next reconsideration falls anywhere in the cycle: all
        // deciding on day 1 would start a wave of first claims.
        day.transition(c, k, ClaimState::aware, no_event);
        k.next_day = day_plus(day.day, 1 + static_cast<int>(past.phase * day.b.reconsider_days));
    }
}

}  // namespace demat
