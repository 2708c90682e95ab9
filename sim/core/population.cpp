// Synthetic population generator (docs/population.md, section 1); the figures and their sources
// are in france_calibration.hpp, the method and the fit in docs/population.md.
//
// Passes, each deterministic whatever the executor:
//  1. zones (sequential, cheap): residents, type, broadband, distances;
//  2. households, per zone (zones in parallel): household type, ages, ids;
//  3. citizens, per block: education, employment, income, mobility, trust,
//     administrative literacy, and the latent scores of equipment, digital
//     skill, literacy and tenure;
//  4. calibration cuts (sequential selections, O(n)): the latent scores are
//     cut at the quantiles that reproduce the published shares by age group
//     (equipment, illectronisme, illettrisme) and of households (tenants);
//  5. per block: equipment, digital skill, literacy and tenure from the cuts.
// Every draw comes from a stream keyed by the zone or citizen index, and the
// cuts are order statistics of the whole population, so nothing depends on
// which thread handled which block.
#include "core/population.hpp"
#include "core/detmath.hpp"
#include "core/error.hpp"

#include "core/france_calibration.hpp"
#include "core/households.hpp"
#include "core/life_events.hpp"
#include "core/rng.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace demat {

void Population::resize(std::size_t n) {
    age.resize(n);
    birthday.resize(n);
    education.resize(n);
    income_decile.resize(n);
    employment.resize(n);
    household.resize(n);
    household_id.resize(n);
    tenant.resize(n);
    equipment.resize(n);
    mobility.resize(n);
    digital_skill.resize(n);
    literacy.resize(n);
    admin_literacy.resize(n);
    trust.resize(n);
    self_efficacy.resize(n);
}

void Population::visit_state(StateVisitor& visit) {
    visit("population.zones", zones);
    visit("population.age", age);
    visit("population.birthday", birthday);
    visit("population.education", education);
    visit("population.income_decile", income_decile);
    visit("population.employment", employment);
    visit("population.household", household);
    // Empty in a running engine (freed once the network holds the household
    // ties): saved and restored as an empty section.
    visit("population.household_id", household_id);
    visit("population.tenant", tenant);
    visit("population.zone_of_page", zone_of_page);
    visit("population.equipment", equipment);
    visit("population.mobility", mobility);
    visit("population.digital_skill", digital_skill);
    visit("population.literacy", literacy);
    visit("population.admin_literacy", admin_literacy);
    visit("population.trust", trust);
    visit("population.self_efficacy", self_efficacy);
}

bool Population::zones_tile() const {
    std::size_t next = 0;
    for (const Zone& z : zones) {
        if (z.first_citizen != next) return false;
        next += z.residents;
    }
    return next == size();
}

void Population::index_zones() {
    zone_of_page.resize((size() + zone_page - 1) / zone_page);
    std::uint32_t z = 0;
    for (std::size_t page = 0; page < zone_of_page.size(); ++page) {
        const std::size_t c = page * zone_page;
        while (c >= std::size_t{zones[z].first_citizen} + zones[z].residents) ++z;
        zone_of_page[page] = z;
    }
}

std::size_t Population::memory_bytes() const {
    auto bytes = [](const auto& v) { return v.capacity() * sizeof(typename std::decay_t<decltype(v)>::value_type); };
    return bytes(zones) + bytes(age) + bytes(birthday) + bytes(education) + bytes(income_decile) +
           bytes(employment) + bytes(household) + bytes(household_id) + bytes(tenant) + bytes(zone_of_page) +
           bytes(equipment) + bytes(mobility) + bytes(digital_skill) + bytes(literacy) + bytes(admin_literacy) +
           bytes(trust) + bytes(self_efficacy);
}

namespace {

using namespace calibration;

double logit(double p) { return dmath::log(p / (1.0 - p)); }

// Logistic noise by inversion; the 24-bit uniform is kept away from 0.
double logistic_noise(Stream& stream) {
    const double u = (std::floor(stream.uniform() * 16777216.0) + 0.5) / 16777216.0;
    return dmath::log(u / (1.0 - u));
}

template <std::size_t N>
int draw_categorical(const std::array<double, N>& weights, double u) {
    double total = 0.0;
    for (double w : weights) total += w;
    double cumulative = 0.0;
    for (std::size_t i = 0; i + 1 < N; ++i) {
        cumulative += weights[i] / total;
        if (u < cumulative) return static_cast<int>(i);
    }
    return static_cast<int>(N) - 1;
}

double uniform_in(Stream& stream, const std::array<double, 2>& range) {
    return range[0] + (range[1] - range[0]) * stream.uniform();
}

// Calls fn(begin, end) for every block of citizens.
template <class Fn>
void for_each_citizen_block(Executor& executor, std::size_t n, Fn&& fn) {
    executor.for_each_block(block_count(n), [&](std::size_t b) {
        const std::size_t begin = b * block_size;
        fn(begin, std::min(n, begin + block_size));
    });
}

// A cut q such that round(fraction * size) of the values lie below it,
// halfway between the two order statistics around the cut. An order
// statistic does not depend on the order of the input, so neither does q.
double cut_at(std::vector<float>& values, double fraction) {
    const std::size_t n = values.size();
    if (n == 0) return 0.0;
    const auto k = static_cast<std::size_t>(std::llround(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(n)));
    if (k == 0) return static_cast<double>(*std::min_element(values.begin(), values.end())) - 1.0;
    if (k == n) return static_cast<double>(*std::max_element(values.begin(), values.end())) + 1.0;
    const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
    std::nth_element(values.begin(), kth, values.end());
    const float below = *std::max_element(values.begin(), kth);
    return 0.5 * (static_cast<double>(below) + static_cast<double>(*kth));
}

constexpr std::array<int, household_count> adults_in{1, 2, 1, 2};

// Adult shares by household type and age group, rescaled to the scenario's totals.
std::array<std::array<double, household_count>, age_group_count> household_shares(const PopulationParams& p) {
    auto shares = household_share_by_age;
    double single = 0.0, parent = 0.0, couple_kids = 0.0;
    for (std::size_t g = 0; g < age_group_count; ++g) {
        single += p.age_group_share[g] * shares[g][0];
        parent += p.age_group_share[g] * shares[g][2];
        couple_kids += p.age_group_share[g] * shares[g][3];
    }
    // Families: a single-parent family has one adult, a couple two, so a
    // share r of families being single-parent means parent = r (parent + couple_kids / 2).
    double r = p.single_parent_share_of_families;
    double alone = p.living_alone_share;
    double family_adults = parent + couple_kids;
    if (p.household_marginals == HouseholdMarginals::published) {
        // Targets per household (docs/population.md, section 1): a type t
        // holding a share h_t of households and adults_t adults holds
        // h_t adults_t / sum_u h_u adults_u of the adults (alone, in
        // families, and the families' split), and the rest of the generator
        // works per adult. With at most two adults per household that makes
        // about 25% of adults live alone: the adults who live with their
        // parents or in shared flats in the census form households of their
        // own here.
        double adults = 0.0;
        for (std::size_t t = 0; t < household_count; ++t) adults += household_type_share[t] * adults_in[t];
        alone = household_type_share[0] / adults;
        r = household_type_share[2] / (household_type_share[2] + household_type_share[3]);
        family_adults = (household_type_share[2] * adults_in[2] + household_type_share[3] * adults_in[3]) / adults;
    }
    const double new_couple_kids = r >= 1.0 ? 0.0 : family_adults / (1.0 + r / (2.0 * (1.0 - r)));
    const double new_parent = family_adults - new_couple_kids;
    const double k_single = single > 0.0 ? alone / single : 0.0;
    const double k_parent = parent > 0.0 ? new_parent / parent : 0.0;
    const double k_couple_kids = couple_kids > 0.0 ? new_couple_kids / couple_kids : 0.0;
    for (auto& row : shares) {
        row[0] *= k_single;
        row[2] *= k_parent;
        row[3] *= k_couple_kids;
        const double others = row[0] + row[2] + row[3];
        if (others > 1.0) {
            // Extreme scenario totals: no room left for childless couples.
            for (double* x : {&row[0], &row[2], &row[3]}) *x /= others;
            row[1] = 0.0;
        } else {
            row[1] = 1.0 - others;
        }
    }
    return shares;
}

// Cumulative age distribution inside the 75+ group (single years 75..99).
struct OldestAges {
    std::array<double, 25> cumulative{};
    OldestAges() {
        double c = 0.0;
        for (std::size_t i = 0; i < cumulative.size(); ++i) {
            c += age_weight_in_group(75 + static_cast<int>(i));
            cumulative[i] = c;
        }
    }
    int draw(double u) const {
        for (std::size_t i = 0; i + 1 < cumulative.size(); ++i)
            if (u < cumulative[i]) return 75 + static_cast<int>(i);
        return max_generated_age;
    }
};

int draw_age_in_group(int group, double u, const OldestAges& oldest) {
    const auto g = static_cast<std::size_t>(group);
    if (group == age_group_count - 1) return oldest.draw(u);
    const int lo = age_group_bounds[g];
    const int width = age_group_bounds[g + 1] - lo;
    return lo + std::min(width - 1, static_cast<int>(u * width));
}

void check_params(const PopulationParams& p) {
    if (p.size < 1 || p.size > static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max() - 1))
        throw ScenarioError("", 0, "population.size", "population.size must be in [1, 4294967294] (32-bit citizen indices), got " +
                                    std::to_string(p.size));
    if (p.zone_size < 1)
        throw ScenarioError("", 0, "population.zone_size", "population.zone_size must be at least 1, got " + std::to_string(p.zone_size));
    double total = 0.0;
    for (double s : p.age_group_share) total += s;
    if (!(total > 0.0)) throw ScenarioError("", 0, "population.age_group_share", "population.age_group_share must have a positive sum");
    total = 0.0;
    for (double s : p.territory_share) total += s;
    if (!(total > 0.0)) throw ScenarioError("", 0, "population.territory_share", "population.territory_share must have a positive sum");
}

// Zones of equal size (within one resident), types allotted by largest
// remainder so that the territory mix is as close to the shares as the
// number of zones allows, then shuffled so that types are not in blocks.
std::vector<Zone> make_zones(const PopulationParams& p, std::uint64_t seed) {
    const auto n = static_cast<std::uint64_t>(p.size);
    const auto count = static_cast<std::uint64_t>(zone_count(p));
    std::vector<Zone> zones(count);

    double total = 0.0;
    for (double s : p.territory_share) total += s;
    std::array<std::uint64_t, territory_type_count> allotted{};
    std::array<double, territory_type_count> remainder{};
    std::uint64_t given = 0;
    for (std::size_t t = 0; t < territory_type_count; ++t) {
        const double exact = p.territory_share[t] / total * static_cast<double>(count);
        allotted[t] = static_cast<std::uint64_t>(std::floor(exact));
        remainder[t] = exact - std::floor(exact);
        given += allotted[t];
    }
    while (given < count) {
        const auto t = static_cast<std::size_t>(std::max_element(remainder.begin(), remainder.end()) - remainder.begin());
        ++allotted[t];
        remainder[t] = -1.0;
        ++given;
    }
    std::vector<TerritoryType> types;
    types.reserve(count);
    for (std::size_t t = 0; t < territory_type_count; ++t) types.insert(types.end(), allotted[t], static_cast<TerritoryType>(t));
    // The shuffle has its own subject, out of the range of zone indices.
    Stream shuffle(seed, std::uint64_t{1} << 40, 0, Purpose::territory);
    for (std::size_t i = count; i > 1; --i) std::swap(types[i - 1], types[shuffle.below(i)]);

    const std::uint64_t base = n / count, extra = n % count;
    std::uint64_t first = 0;
    for (std::uint64_t z = 0; z < count; ++z) {
        Zone& zone = zones[z];
        zone.type = types[z];
        zone.first_citizen = static_cast<std::uint32_t>(first);
        zone.residents = static_cast<std::uint32_t>(base + (z < extra ? 1 : 0));
        first += zone.residents;
        const auto t = static_cast<std::size_t>(zone.type);
        Stream stream(seed, z, 0, Purpose::territory);
        zone.broadband_coverage = static_cast<float>(uniform_in(stream, broadband_range[t]));
        zone.km_to_counter = static_cast<float>(uniform_in(stream, counter_km_range[t]));
        zone.km_to_mediation = static_cast<float>(uniform_in(stream, mediation_km_range[t]));
    }
    return zones;
}

// Fills one zone with households of one or two adults. The household id is
// the index of its first adult, so ids are unique without a global counter
// and a household's adults are contiguous.
void make_households(const Scenario& scenario, Population& pop, std::uint32_t z,
                     const std::array<std::array<double, household_count>, age_group_count>& shares,
                     const OldestAges& oldest) {
    const PopulationParams& p = scenario.population;
    // A household is drawn through its first adult: group g with weight
    // share_g * sum_t p_t(g) / adults_t, then type t with weight p_t(g) / adults_t,
    // so that per adult the age shares and household shares are the targets.
    std::array<double, age_group_count> head_group{};
    std::array<std::array<double, household_count>, age_group_count> head_type{};
    for (std::size_t g = 0; g < age_group_count; ++g) {
        for (std::size_t t = 0; t < household_count; ++t) {
            head_type[g][t] = shares[g][t] / adults_in[t];
            head_group[g] += head_type[g][t];
        }
        head_group[g] *= p.age_group_share[g];
    }

    const Zone& zone = pop.zones[z];
    Stream stream(scenario.seed, z, 0, Purpose::household);
    std::uint32_t c = zone.first_citizen;
    const std::uint32_t end = zone.first_citizen + zone.residents;
    while (c < end) {
        const int g = draw_categorical(head_group, stream.uniform());
        const int age = draw_age_in_group(g, stream.uniform(), oldest);
        auto type = static_cast<Household>(draw_categorical(head_type[static_cast<std::size_t>(g)], stream.uniform()));
        const double gap = stream.normal();
        if (c + 1 == end) {
            // The zone's last place: a one-adult household of the same kind.
            if (type == Household::couple) type = Household::single;
            if (type == Household::couple_children) type = Household::single_parent;
        }
        pop.age[c] = static_cast<std::uint8_t>(age);
        pop.household[c] = type;
        pop.household_id[c] = c;
        if (adults_in[static_cast<std::size_t>(type)] == 2) {
            int partner = age + static_cast<int>(std::lround(partner_age_gap_sd * gap));
            if (partner < 18) partner = 35 - partner;  // reflect at 18: 17 -> 18, 16 -> 19
            partner = std::min(partner, max_generated_age);
            pop.age[c + 1] = static_cast<std::uint8_t>(partner);
            pop.household[c + 1] = type;
            pop.household_id[c + 1] = c;
            c += 2;
        } else {
            c += 1;
        }
    }
}

// Latent scores kept between the passes (freed at the end).
struct Latents {
    std::vector<float> equipment, skill, literacy, tenure;
    explicit Latents(std::size_t n) : equipment(n), skill(n), literacy(n), tenure(n) {}
};

void draw_citizen(const Scenario& scenario, Population& pop, Latents& latent, std::uint32_t c) {
    const PopulationParams& p = scenario.population;
    Stream stream(scenario.seed, c, 0, Purpose::population);
    const int age = pop.age[c];
    const auto g = static_cast<std::size_t>(age_group_of(age));
    pop.birthday[c] = static_cast<std::uint16_t>(stream.below(365));

    const auto education = static_cast<Education>(draw_categorical(education_share_by_age[g], stream.uniform()));
    const auto e = static_cast<std::size_t>(education);
    pop.education[c] = education;

    Employment employment = Employment::inactive;
    const double u_active = stream.uniform();
    const double u_unemployed = stream.uniform();
    if (age >= retirement_age(scenario.seed, c)) {
        employment = Employment::retired;
    } else if (u_active < activity_rate(age)) {
        employment = u_unemployed < unemployment_probability(p, education, age) ? Employment::unemployed
                                                                                 : Employment::employed;
    }
    pop.employment[c] = employment;
    const std::uint8_t decile = draw_income_decile(education, age, employment, stream.uniform());
    pop.income_decile[c] = decile;
    const double decile_centred = decile - 5.5;

    const Zone& zone = pop.zones[pop.zone_of(c)];
    const auto t = static_cast<std::size_t>(zone.type);

    latent.equipment[c] = static_cast<float>(equipment_effect_education[e] +
                                             equipment_effect_per_decile * decile_centred + logistic_noise(stream));
    latent.skill[c] = static_cast<float>(skill_effect_education[e] + skill_effect_per_decile * decile_centred +
                                         skill_noise_sd * stream.normal());
    const double literacy_latent = literacy_effect_education[e] + stream.normal();
    latent.literacy[c] = static_cast<float>(literacy_latent);

    pop.admin_literacy[c] = static_cast<float>(logistic(admin_intercept + admin_effect_age(age) +
                                                        admin_effect_education[e] +
                                                        admin_effect_literacy * literacy_latent +
                                                        admin_noise_sd * stream.normal()));
    pop.trust[c] = static_cast<float>(logistic(trust_intercept + trust_effect_education[e] +
                                               trust_effect_employment[static_cast<std::size_t>(employment)] +
                                               trust_effect_per_decile * decile_centred +
                                               trust_noise_sd * stream.normal()));

    double no_mobility = mobility_none_base;
    if (age >= 75) no_mobility += mobility_none_75plus;
    if (decile <= 2) no_mobility += mobility_none_low_income;
    const double u_mobility = stream.uniform();
    const double u_transport = stream.uniform();
    pop.mobility[c] = u_mobility < no_mobility                        ? Mobility::none
                      : u_transport < public_transport_share[t] ? Mobility::public_transport
                                                                      : Mobility::car;

    // Tenure is a household's: its first adult carries the household's score.
    const double tenure_noise = logistic_noise(stream);
    if (pop.household_id[c] == c)
        latent.tenure[c] = static_cast<float>(tenant_effect_age[g] + tenant_effect_per_decile * decile_centred +
                                              tenant_effect_territory[t] +
                                              tenant_effect_household[static_cast<std::size_t>(pop.household[c])] +
                                              tenure_noise);
}

// Income cut points: deciles of the latent income over the default
// population (ages, education and employment from the calibration tables).
struct IncomeCuts {
    std::array<double, 9> cut{};
    IncomeCuts() {
        struct Component {
            double weight, mean;
        };
        std::vector<Component> mixture;
        const PopulationParams defaults;
        std::array<double, 6> ret_cumulative{};
        double acc = 0.0;
        for (std::size_t i = 0; i < ret_cumulative.size(); ++i) ret_cumulative[i] = acc += retirement_age_share[i];
        for (int a = 18; a <= max_generated_age; ++a) {
            const auto g = static_cast<std::size_t>(age_group_of(a));
            const double w_age = defaults.age_group_share[g] * age_weight_in_group(a);
            const int ret_index = a - retirement_age_min;
            const double retired = ret_index < 0 ? 0.0 : ret_index >= 6 ? 1.0 : ret_cumulative[static_cast<std::size_t>(ret_index)];
            for (std::size_t e = 0; e < education_count; ++e) {
                const double w = w_age * education_share_by_age[g][e];
                const double u = unemployment_probability(defaults, static_cast<Education>(e), a);
                const double act = activity_rate(a);
                const std::array<double, employment_count> p_emp{(1 - retired) * act * (1 - u),
                                                                 (1 - retired) * act * u, (1 - retired) * (1 - act),
                                                                 retired};
                for (std::size_t m = 0; m < employment_count; ++m)
                    if (p_emp[m] > 0)
                        mixture.push_back({w * p_emp[m], income_effect_education[e] + income_effect_age(a) +
                                                             income_effect_employment[m]});
            }
        }
        double total = 0.0;
        for (const auto& m : mixture) total += m.weight;
        auto cdf = [&](double x) {
            double s = 0.0;
            for (const auto& m : mixture) s += m.weight * logistic(x - m.mean);
            return s / total;
        };
        for (std::size_t j = 0; j < cut.size(); ++j) {
            const double target = static_cast<double>(j + 1) / 10.0;
            double lo = -20.0, hi = 20.0;
            for (int it = 0; it < 80; ++it) {
                const double mid = 0.5 * (lo + hi);
                (cdf(mid) < target ? lo : hi) = mid;
            }
            cut[j] = 0.5 * (lo + hi);
        }
    }
};

}  // namespace

std::uint8_t draw_income_decile(Education education, int age, Employment employment, double u) {
    static const IncomeCuts cuts;  // thread-safe initialisation, read-only afterwards
    const double v = std::clamp(u, 1e-9, 1.0 - 1e-9);
    const double x = income_effect_education[static_cast<std::size_t>(education)] + income_effect_age(age) +
                     income_effect_employment[static_cast<std::size_t>(employment)] + dmath::log(v / (1.0 - v));
    const auto above = std::upper_bound(cuts.cut.begin(), cuts.cut.end(), x) - cuts.cut.begin();
    return static_cast<std::uint8_t>(1 + above);
}

// Tenants of a social landlord (tenant = 2) among the tenant households
// (france_calibration.hpp, social_tenant_share): the households with the
// highest latent, one logistic draw per household from its own stream
// (Purpose::social_housing), so that no other attribute moves.
void split_tenants(std::uint64_t seed, double tenant_share, Population& pop) {
    const std::size_t n = pop.size();
    std::vector<float> latent(n, 0.0f), heads;
    for (std::size_t c = 0; c < n; ++c) {
        if (pop.household_id[c] != c || pop.tenant[c] == 0) continue;
        Stream stream(seed, c, 0, Purpose::social_housing);
        const double decile_centred = pop.income_decile[c] - 5.5;
        latent[c] = static_cast<float>(social_effect_per_decile * decile_centred +
                                       social_effect_household[static_cast<std::size_t>(pop.household[c])] +
                                       logistic_noise(stream));
        heads.push_back(latent[c]);
    }
    const double fraction = tenant_share > 0.0 ? social_tenant_share / tenant_share : 0.0;
    const double cut = cut_at(heads, 1.0 - std::min(1.0, fraction));
    for (std::size_t c = 0; c < n; ++c)
        if (pop.tenant[c] != 0 && latent[pop.household_id[c]] >= cut) pop.tenant[c] = 2;
}

Population generate_population(const Scenario& scenario, Executor& executor) {
    const PopulationParams& p = scenario.population;
    check_params(p);
    const auto n = static_cast<std::size_t>(p.size);

    Population pop;
    pop.resize(n);
    pop.zones = make_zones(p, scenario.seed);
    pop.index_zones();

    const auto shares = household_shares(p);
    const OldestAges oldest;
    executor.for_each_block(pop.zones.size(), [&](std::size_t z) {
        make_households(scenario, pop, static_cast<std::uint32_t>(z), shares, oldest);
    });

    Latents latent(n);
    for_each_citizen_block(executor, n, [&](std::size_t begin, std::size_t end) {
        for (std::size_t c = begin; c < end; ++c) draw_citizen(scenario, pop, latent, static_cast<std::uint32_t>(c));
    });

    // Equipment: per age group, cut the latent score at the published shares.
    std::array<std::vector<float>, age_group_count> by_group;
    for (std::size_t c = 0; c < n; ++c) by_group[static_cast<std::size_t>(age_group_of(pop.age[c]))].push_back(latent.equipment[c]);
    // The groups' cuts in parallel (an order statistic does not depend on
    // the order nth_element leaves a group's values in).
    std::array<double, age_group_count> cut_none{}, cut_phone{};
    executor.for_each_block(age_group_count, [&](std::size_t g) {
        cut_none[g] = cut_at(by_group[g], equipment_none_by_age[g]);
        cut_phone[g] = cut_at(by_group[g], equipment_none_by_age[g] + equipment_smartphone_only_by_age[g]);
    });
    for_each_citizen_block(executor, n, [&](std::size_t begin, std::size_t end) {
        for (std::size_t c = begin; c < end; ++c) {
            const auto g = static_cast<std::size_t>(age_group_of(pop.age[c]));
            const double x = latent.equipment[c];
            const Equipment eq = x < cut_none[g]    ? Equipment::none
                                 : x < cut_phone[g] ? Equipment::smartphone_only
                                                    : Equipment::computer;
            pop.equipment[c] = eq;
            latent.skill[c] += static_cast<float>(skill_effect_equipment[static_cast<std::size_t>(eq)]);
        }
    });

    // Digital skill: per age group, an intercept such that the share of the
    // group with no equipment or skill below the threshold is the published
    // illectronisme; literacy likewise per age band for illettrisme.
    std::array<std::size_t, age_group_count> group_size{}, unequipped{};
    for (auto& v : by_group) v.clear();
    std::array<std::vector<float>, literacy_band_lower.size()> by_band;
    for (std::size_t c = 0; c < n; ++c) {
        const auto g = static_cast<std::size_t>(age_group_of(pop.age[c]));
        ++group_size[g];
        if (pop.equipment[c] == Equipment::none)
            ++unequipped[g];
        else
            by_group[g].push_back(latent.skill[c]);
        by_band[static_cast<std::size_t>(literacy_band_of(pop.age[c]))].push_back(latent.literacy[c]);
    }
    const double skill_logit = logit(std::clamp(p.illectronisme_threshold, 1e-6, 1.0 - 1e-6));
    std::array<double, age_group_count> skill_intercept{};
    const double literacy_logit = logit(illettrisme_threshold);
    std::array<double, literacy_band_lower.size()> literacy_intercept{};

    // Tenure: the share of households (first adults) that rent.
    std::vector<float> heads;
    for (std::size_t c = 0; c < n; ++c)
        if (pop.household_id[c] == c) heads.push_back(latent.tenure[c]);
    double tenure_cut = 0.0;

    // Every cut in parallel: skill by age group, literacy by band, tenure.
    executor.for_each_block(age_group_count + by_band.size() + 1, [&](std::size_t task) {
        if (task < age_group_count) {
            const std::size_t g = task;
            const double wanted =
                illectronisme_by_age[g] * static_cast<double>(group_size[g]) - static_cast<double>(unequipped[g]);
            const double fraction = by_group[g].empty() ? 0.0 : wanted / static_cast<double>(by_group[g].size());
            skill_intercept[g] = skill_logit - cut_at(by_group[g], fraction);
        } else if (task < age_group_count + by_band.size()) {
            const std::size_t b = task - age_group_count;
            literacy_intercept[b] = literacy_logit - cut_at(by_band[b], illettrisme_by_band[b]);
        } else {
            tenure_cut = cut_at(heads, 1.0 - p.tenant_share);
        }
    });

    for_each_citizen_block(executor, n, [&](std::size_t begin, std::size_t end) {
        for (std::size_t c = begin; c < end; ++c) {
            const auto g = static_cast<std::size_t>(age_group_of(pop.age[c]));
            const auto b = static_cast<std::size_t>(literacy_band_of(pop.age[c]));
            pop.digital_skill[c] = static_cast<float>(logistic(latent.skill[c] + skill_intercept[g]));
            pop.literacy[c] = static_cast<float>(logistic(latent.literacy[c] + literacy_intercept[b]));
            pop.tenant[c] = latent.tenure[pop.household_id[c]] >= tenure_cut ? 1 : 0;
            // Self-efficacy starts where past mastery left it: the mean of
            // the two competences a procedure asks for (docs/model.md 6.14,
            // an assumption). No draw: the other attributes stay as they were.
            pop.self_efficacy[c] = 0.5f * (pop.digital_skill[c] + pop.admin_literacy[c]);
        }
    });
    split_tenants(scenario.seed, p.tenant_share, pop);
    return pop;
}

}  // namespace demat
