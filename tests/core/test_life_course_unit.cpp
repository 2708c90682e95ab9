// The life course after 75 (docs/model.md 2.1), on a store and a population
// of a few citizens, without an Engine: the mechanisms of
// engine/life_course.cpp (decline, couple_death, widow).
#include "lone_store.hpp"

#include "core/engine/life_course.hpp"
#include "core/france_calibration.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>

using namespace demat;
using demat::testing::LoneStore;
using mechanism::CoupleDeath;

namespace {

constexpr std::uint64_t seed = 20240611;

// n citizens aged `age`, all alive.
struct LonePopulation {
    LoneStore ls;
    Population p;
    LonePopulation(std::size_t n, int age) : ls(n, 1) {
        p.resize(n);
        for (std::size_t c = 0; c < n; ++c) {
            p.age[c] = static_cast<std::uint8_t>(age);
            p.digital_skill[c] = 0.8f;
            p.mobility[c] = Mobility::car;
            p.household[c] = Household::couple;
        }
        ls.store.gone.assign(n, 0);
    }
};

// The tabulated yearly mortality at a tabulated age, over one 30-day step.
double step_mortality(int age) {
    using namespace calibration;
    const double yearly = partner_mortality[static_cast<std::size_t>((age - partner_mortality_first_age) / partner_mortality_step)];
    return 1.0 - std::pow(1.0 - yearly, 30.0 / 365.0);
}

}  // namespace

TEST_CASE("digital skill falls from 75 by the yearly decline over 30 days and not before") {
    LonePopulation lp(4, 74);
    lp.p.age[1] = 75;
    lp.p.age[2] = 90;
    lp.p.age[3] = 90;
    lp.ls.store.gone[3] = 1;
    LifeCourseParams lc;
    lc.skill_decline = 0.1;
    lc.mobility_loss = 0.0;
    const mechanism::Decline step = mechanism::decline_of(lc);
    CHECK(step.skill_factor == Approx(std::pow(0.9, 30.0 / 365.0)));
    for (std::size_t c = 0; c < 4; ++c) mechanism::decline(lp.ls.day(300), step, seed, lp.p, c);
    CHECK(lp.p.digital_skill[0] == 0.8f);  // 74
    CHECK(lp.p.digital_skill[1] == Approx(0.8 * std::pow(0.9, 30.0 / 365.0)));
    CHECK(lp.p.digital_skill[1] < 0.8f);
    CHECK(lp.p.digital_skill[2] == lp.p.digital_skill[1]);
    CHECK(lp.p.digital_skill[3] == 0.8f);  // gone
    CHECK_FALSE(lp.ls.store.is_dirty(0));
    CHECK(lp.ls.store.is_dirty(1));  // its skill group changes: counted again
    CHECK_FALSE(lp.ls.store.is_dirty(3));
    for (std::size_t c = 0; c < 4; ++c) CHECK(lp.p.mobility[c] == Mobility::car);  // no mobility loss
}

TEST_CASE("mobility falls one step at a time: car to public transport to none") {
    LonePopulation lp(6, 80);
    lp.p.mobility[2] = lp.p.mobility[3] = Mobility::public_transport;
    lp.p.mobility[4] = Mobility::none;
    lp.p.age[5] = 74;
    LifeCourseParams lc;
    lc.mobility_loss = 1.0;  // certain within the step
    const mechanism::Decline step = mechanism::decline_of(lc);
    for (std::size_t c = 0; c < 6; ++c) mechanism::decline(lp.ls.day(300), step, seed, lp.p, c);
    CHECK(lp.p.mobility[0] == Mobility::public_transport);
    CHECK(lp.p.mobility[1] == Mobility::public_transport);
    CHECK(lp.p.mobility[2] == Mobility::none);
    CHECK(lp.p.mobility[3] == Mobility::none);
    CHECK(lp.p.mobility[4] == Mobility::none);
    CHECK(lp.p.mobility[5] == Mobility::car);  // 74
}

TEST_CASE("mobility falls at the yearly rate over 30 days") {
    const std::size_t n = 40000;
    LonePopulation lp(n, 80);
    LifeCourseParams lc;
    lc.mobility_loss = 0.3;
    const mechanism::Decline step = mechanism::decline_of(lc);
    const double p = 1.0 - std::pow(0.7, 30.0 / 365.0);
    CHECK(step.mobility_step == Approx(p));
    int fell = 0, to_none = 0;
    for (std::size_t c = 0; c < n; ++c) {
        mechanism::decline(lp.ls.day(300), step, seed, lp.p, c);
        if (lp.p.mobility[c] != Mobility::car) ++fell;
        if (lp.p.mobility[c] == Mobility::none) ++to_none;
    }
    CHECK(to_none == 0);  // one step at most
    const double expected = p * static_cast<double>(n), sd = std::sqrt(expected * (1.0 - p));
    CHECK(std::abs(fell - expected) < 4.0 * sd);
}

TEST_CASE("a partner dies at the mortality of their age over 30 days and only in couples with someone of 75 or more") {
    const std::size_t couples = 40000;
    auto deaths = [&](int first_age, int second_age) {
        LonePopulation lp(2 * couples, first_age);
        for (std::size_t i = 0; i < couples; ++i) lp.p.age[2 * i + 1] = static_cast<std::uint8_t>(second_age);
        std::array<int, 3> n{};
        for (std::size_t i = 0; i < couples; ++i)
            ++n[static_cast<std::size_t>(mechanism::couple_death(lp.ls.day(360), seed, lp.p, 2 * i))];
        CHECK(lp.ls.all_events() == 0);
        return n;
    };
    auto near = [&](int count, double p) {
        const double expected = p * static_cast<double>(couples), sd = std::sqrt(expected * (1.0 - p));
        return std::abs(count - expected) < 4.0 * sd;
    };
    const auto old = deaths(85, 85);
    CHECK(near(old[1], step_mortality(85)));
    CHECK(near(old[2], step_mortality(85)));
    const auto mixed = deaths(90, 70);  // one of 75 or more: the younger may die too
    CHECK(near(mixed[1], step_mortality(90)));
    CHECK(near(mixed[2], step_mortality(70)));
    CHECK(mixed[1] > 3 * mixed[2]);
    const auto young = deaths(74, 74);
    CHECK(young[1] == 0);
    CHECK(young[2] == 0);
}

TEST_CASE("nobody dies twice: a couple with someone gone draws no death") {
    LonePopulation lp(2, 99);
    lp.ls.store.gone[0] = 1;
    for (int d = 0; d < 3600; d += 30) CHECK(mechanism::couple_death(lp.ls.day(d), seed, lp.p, 0) == CoupleDeath::none);
}

TEST_CASE("a widow and the deceased become one-adult households and the deceased is gone") {
    LonePopulation lp(5, 80);
    lp.p.household[2] = lp.p.household[3] = Household::couple_children;
    Households units;
    units.role = {HouseholdRole::reference, HouseholdRole::partner, HouseholdRole::reference, HouseholdRole::partner,
                  HouseholdRole::alone};
    units.represented = {0, 1, 0, 3, 0};
    mechanism::widow(lp.ls.day(120), lp.p, units, 3, 2);
    CHECK(lp.ls.store.gone[3] == 1);
    CHECK(lp.ls.store.gone[2] == 0);
    CHECK(lp.p.household[2] == Household::single_parent);  // the children stay with the survivor
    CHECK(lp.p.household[3] == Household::single_parent);
    CHECK(units.role[2] == HouseholdRole::alone);
    CHECK(units.role[3] == HouseholdRole::alone);
    CHECK(units.represented[3] == 0);  // nobody claims for the survivor any more
    CHECK(lp.ls.store.is_dirty(2));
    CHECK(lp.ls.store.is_dirty(3));
    // The other couple is untouched.
    CHECK(lp.p.household[0] == Household::couple);
    CHECK(units.role[1] == HouseholdRole::partner);
    CHECK(units.represented[1] == 1);
    CHECK_FALSE(lp.ls.store.is_dirty(0));
    // A couple without children: both single; no household units: nothing else.
    Households none;
    mechanism::widow(lp.ls.day(120), lp.p, none, 0, 1);
    CHECK(lp.p.household[0] == Household::single);
    CHECK(lp.p.household[1] == Household::single);
    CHECK(lp.ls.store.gone[0] == 1);
}
