// Life course after 75 (docs/model.md, section 2.1): the death of a
// partner, and the fall of digital skill and of mobility. Every 30 days,
// serially before phase A, only with life_course.enabled; otherwise no
// draw and no state.
#include "core/engine/impl.hpp"
#include "core/engine/life_course.hpp"

#include "core/france_calibration.hpp"
#include "core/households.hpp"

#include <algorithm>
#include <cmath>

namespace demat {

namespace {

// Yearly probability of dying at `age` (france_calibration.hpp,
// partner_mortality): geometric interpolation between the tabulated ages.
double yearly_mortality(int age) {
    using namespace calibration;
    const auto& q = partner_mortality;
    const double x = static_cast<double>(age - partner_mortality_first_age) / partner_mortality_step;
    if (x <= 0.0) return q.front();
    const auto last = static_cast<double>(q.size() - 1);
    if (x >= last) return q.back();
    const auto i = static_cast<std::size_t>(x);
    const double f = x - static_cast<double>(i);
    return q[i] * std::pow(q[i + 1] / q[i], f);
}

// A yearly probability over one 30-day step.
double per_step(double yearly) { return 1.0 - std::pow(1.0 - yearly, 30.0 / 365.0); }

Household one_adult(Household t) {
    return t == Household::couple_children ? Household::single_parent : t == Household::couple ? Household::single : t;
}

bool gone(const CitizenStore& store, std::size_t c) { return !store.gone.empty() && store.gone[c] != 0; }

}  // namespace

mechanism::Decline mechanism::decline_of(const LifeCourseParams& lc) {
    return {static_cast<float>(std::pow(1.0 - lc.skill_decline, 30.0 / 365.0)), per_step(lc.mobility_loss)};
}

void mechanism::decline(const DayContext& day, const Decline& step, std::uint64_t seed, Population& p, std::size_t c) {
    if (gone(day.store, c) || p.age[c] < life_course_age) return;
    day.touch(c);  // the digital-skill group and the capable_ snapshot read the skill
    p.digital_skill[c] *= step.skill_factor;
    if (p.mobility[c] == Mobility::none || step.mobility_step <= 0.0) return;
    Stream rng(seed, c, static_cast<std::uint32_t>(day.day), Purpose::life_course);
    if (rng.uniform() < step.mobility_step)
        p.mobility[c] = p.mobility[c] == Mobility::car ? Mobility::public_transport : Mobility::none;
}

mechanism::CoupleDeath mechanism::couple_death(const DayContext& day, std::uint64_t seed, const Population& p, std::size_t c) {
    if (gone(day.store, c) || gone(day.store, c + 1) || std::max(p.age[c], p.age[c + 1]) < life_course_age)
        return CoupleDeath::none;
    const double first = per_step(yearly_mortality(p.age[c]));
    const double second = per_step(yearly_mortality(p.age[c + 1]));
    Stream rng(seed, c, static_cast<std::uint32_t>(day.day), Purpose::widowhood);
    const double u = rng.uniform();
    if (u < first) return CoupleDeath::first;
    if (u < first + second) return CoupleDeath::second;
    return CoupleDeath::none;
}

void mechanism::widow(const DayContext& day, Population& p, Households& units, std::size_t dead, std::size_t survivor) {
    day.touch(dead);
    day.touch(survivor);
    day.store.gone[dead] = 1;
    p.household[dead] = one_adult(p.household[dead]);
    p.household[survivor] = one_adult(p.household[survivor]);
    if (!units.empty()) {
        units.role[dead] = units.role[survivor] = HouseholdRole::alone;
        units.represented[dead] = units.represented[survivor] = 0;
    }
}

void Engine::Impl::life_course(int day) {
    const LifeCourseParams& lc = sc.life_course;
    Population& p = e.population_;
    Sink sink{serial.counts, carried, serial.help_requests};
    const DayContext today = day_context(day, sink);
    const mechanism::Decline step = mechanism::decline_of(lc);
    // Households are walked as the generator laid them out (households.hpp,
    // household_positions): a couple's adults are contiguous inside a zone.
    for (const Zone& zone : p.zones) {
        const std::size_t end = static_cast<std::size_t>(zone.first_citizen) + zone.residents;
        std::size_t c = zone.first_citizen;
        while (c < end) {
            const Household type = p.household[c];
            const bool two = (type == Household::couple || type == Household::couple_children) && c + 1 < end;
            if (two && lc.widowhood) {
                const mechanism::CoupleDeath death = mechanism::couple_death(today, seed(), p, c);
                if (death == mechanism::CoupleDeath::first) widowhood(c, c + 1, day, sink);
                else if (death == mechanism::CoupleDeath::second) widowhood(c + 1, c, day, sink);
            }
            mechanism::decline(today, step, seed(), p, c);
            if (two) mechanism::decline(today, step, seed(), p, c + 1);
            c += two ? 2 : 1;
        }
    }
}

// `dead` dies; `survivor` becomes a single-person unit (its amounts at the
// single rate, docs/model.md 5.2) and claims alone what the unit claimed.
void Engine::Impl::widowhood(std::size_t dead, std::size_t survivor, int day, Sink& sink) {
    mechanism::widow(day_context(day, sink), e.population_, e.households_, dead, survivor);
    // The deceased's claims end (update_eligibility: nobody gone is eligible).
    for (int s = 0; s < services; ++s) update_eligibility(dead, s, day, sink);
    for (int s = 0; s < services; ++s) {
        const bool was_unaware = claim(survivor, s).state == ClaimState::unaware;
        update_eligibility(survivor, s, day, sink);
        // A new spell (a unit service the partner claimed, or an amount
        // now owed at the single rate): the pension fund may write, as at
        // any spell's start (6.15); phase A draws the awareness candidate.
        if (!was_unaware && claim(survivor, s).state == ClaimState::unaware && agencies_on)
            settlement_information(survivor, s, day, sink);
    }
    // The survivor's pension is claimed from the pension fund, which
    // informs of its other services with its information_rate (6.15).
    if (!agencies_on) return;
    const double rate = sc.agencies.of(Agency::pension_fund).information_rate;
    if (rate <= 0) return;
    for (int s = 0; s < services; ++s) {
        if (agency_of(s) != Agency::pension_fund || claim(survivor, s).state != ClaimState::unaware) continue;
        Stream rng(seed(), Rng::claim_subject(survivor, s), static_cast<std::uint32_t>(day), Purpose::widowhood);
        if (rng.bernoulli(rate)) become_aware(survivor, s, day, sink);
    }
}

}  // namespace demat
