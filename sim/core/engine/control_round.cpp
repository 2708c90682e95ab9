// Digital control of recipients, the monthly round: what the administration
// sees (features), the truth it does not see (declaration errors), the risk
// score and the spending of the month's budget (docs/model.md, sections
// 11.1-11.3). The consequences of each control: control_outcomes.cpp.
#include "core/engine/impl.hpp"
#include "core/detmath.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <numeric>
#include <vector>

namespace demat {

const std::vector<std::string>& control_feature_names() {
    static const std::vector<std::string> names{"low_income",      "unemployed",    "deprived_area",
                                                "rent_to_income",  "unstable_income", "single_parent",
                                                "several_benefits", "online_user",  "since_last_control"};
    return names;
}

namespace {
// A change of employment in the last 180 days makes resources "unstable"
// (docs/model.md section 11.1).
constexpr int unstable_days = 180;
bool changed_recently(std::uint16_t last_change, int day) {
    return last_change != never && day - static_cast<int>(last_change) < unstable_days;
}
}  // namespace

void Engine::Impl::control_setup() {
    // The reader checks the zones named against the population's size; a
    // scenario built otherwise (the library, bindings) is checked here.
    for (const std::int64_t z : sc.control.targeted_zones)
        if (z < 0 || static_cast<std::size_t>(z) >= e.population_.zones.size())
            throw ScenarioError("", 0, "control.targeted_zones",
                                "key 'control.targeted_zones': zone " + std::to_string(z) +
                                    " is not a zone of the population, which has " +
                                    std::to_string(e.population_.zones.size()) + " (indices from 0)");
    const auto S = static_cast<std::size_t>(services);
    const auto D = static_cast<std::size_t>(sc.days);
    const auto G = static_cast<std::size_t>(total_groups_);
    control.round_days.clear();
    for (int d = 0; d < sc.days; ++d)
        if ((d + sc.warmup_days) % 30 == 0) control.round_days.push_back(d);
    const std::size_t R = control.round_days.size();
    control.units.assign(citizens * S, ControlUnit{});
    control.fear.assign(citizens, 0.0f);
    control.last_change.assign(citizens, never);
    control.events.assign(R * S * control_event_count, 0);
    control.segment_events.assign(R * S * G * control_event_count, 0);
    control.suspended.assign(D * S, 0);
    control.amounts.assign(R * S * control_amount_count, 0.0);
    control.answers.assign(R * S * control_answer_count, 0);
    control.segment_suspended.assign(D * S * G, 0);
    control.requests.clear();
    control.flagged.clear();
    for (std::size_t i = 0; i < e.claims_.size(); ++i)
        if (e.claims_[i].has(claim_flag::control)) control.flagged.push_back(static_cast<std::uint32_t>(i));
}

// Each feature in [0, 1] (docs/model.md section 11.1).
std::array<double, control_feature_count> Engine::Impl::control_features(std::size_t c, int s, int day,
                                                                         const std::vector<float>& zone_deprivation) const {
    const Population& p = e.population_;
    const ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    int benefits = 0;
    for (int t = 0; t < services; ++t)
        benefits += service(t).kind == ServiceKind::benefit && e.claim(c, t).state == ClaimState::receiving;
    const int decile = p.income_decile[c];
    std::array<double, control_feature_count> x{};
    x[0] = (10.0 - decile) / 9.0;
    x[1] = p.employment[c] == Employment::unemployed ? 1.0 : 0.0;
    x[2] = zone_deprivation[p.zone_of(c)];
    x[3] = p.tenant[c] != 0 && decile <= 3 ? 1.0 : 0.0;
    x[4] = changed_recently(control.last_change[c], day) ? 1.0 : 0.0;
    x[5] = p.household[c] == Household::single_parent ? 1.0 : 0.0;
    x[6] = services > 1 ? std::max(0, benefits - 1) / static_cast<double>(services - 1) : 0.0;
    x[7] = e.habit_[c] == static_cast<std::uint8_t>(Channel::online) ? 1.0 : 0.0;
    x[8] = u.last_control == never ? 1.0 : std::min(1.0, (day - static_cast<int>(u.last_control)) / 365.0);
    return x;
}

// One block's units for this month: the truth moves on, suspensions past
// their term are listed, and every recipient unit becomes a candidate.
// Writes only the block's citizens and units (and its candidate list).
void Engine::Impl::control_month_block(std::size_t blk, int day, const std::vector<double>& zone_intensity,
                                       const std::vector<float>& zone_deprivation,
                                       std::vector<std::int64_t>& terminations) {
    const ControlParams& cp = sc.control;
    const Population& p = e.population_;
    auto& candidates = scratch.control_candidates[blk];
    candidates.clear();
    const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
    for (std::size_t c = begin; c < end; ++c) {
        control.fear[c] *= static_cast<float>(1.0 - cp.fear_decay);
        for (int s = 0; s < services; ++s) {
            if (service(s).kind != ServiceKind::benefit) continue;
            const std::size_t index = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
            ControlUnit& u = control.units[index];
            const Claim& k = claim(c, s);
            const bool suspended = k.state == ClaimState::interrupted && k.has(claim_flag::control);
            if (!suspended) u.suspended_since = never;
            if (k.state != ClaimState::receiving) {
                // Nothing is paid, so nothing is overpaid: the error ends
                // with the payments (a suspended unit keeps it).
                if (!suspended) {
                    u.error = control_error::none;
                    u.error_since = never;
                } else if (u.suspended_since != never && day - u.suspended_since >= cp.suspension_days) {
                    terminations.push_back(static_cast<std::int64_t>(index));
                }
                continue;
            }
            Stream truth(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::control_truth);
            const double draw = truth.uniform();
            const bool changed = changed_recently(control.last_change[c], day);
            if (u.error == control_error::none) {
                const double innocent =
                    logistic(cp.error_intercept + cp.error_admin * (1.0 - p.admin_literacy[c]) +
                             cp.error_complexity * complexity(c, s, k) + cp.error_change * (changed ? 1.0 : 0.0));
                if (draw < cp.fraud_rate) {
                    u.error = control_error::deliberate;
                    u.error_since = static_cast<std::uint16_t>(day);
                } else if (draw < cp.fraud_rate + innocent * (1.0 - cp.fraud_rate)) {
                    u.error = control_error::innocent;
                    u.error_since = static_cast<std::uint16_t>(day);
                }
            } else if (u.error == control_error::innocent && draw < cp.error_correction) {
                u.error = control_error::none;
                u.error_since = never;
            }
            const auto x = control_features(c, s, day, zone_deprivation);
            double logit = cp.intercept;
            for (int f = 0; f < control_feature_count; ++f) logit += cp.weights[static_cast<std::size_t>(f)] * x[static_cast<std::size_t>(f)];
            const double score = logistic(logit);
            const double intensity = zone_intensity[p.zone_of(c)];
            Stream pick(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::control_select);
            // Weighted sampling without replacement (Efraimidis & Spirakis,
            // Inf. Process. Lett. 2006): the k largest u^(1/w) are a sample
            // with probabilities proportional to the weights w.
            const double uniform = (static_cast<double>(pick.next_word() >> 8) + 0.5) / 16777216.0;
            const double random_key = intensity == 1.0 ? uniform : intensity > 0 ? dmath::pow(uniform, 1.0 / intensity) : -1.0;
            // A unit whose document request is still open is not controlled again.
            const double key = u.request != control_request::none          ? -1.0
                               : cp.selection == ControlSelection::random ? random_key
                               : intensity > 0                            ? score * intensity
                                                                          : -1.0;
            ControlCandidate cand{key, random_key, pick.next_word(), static_cast<std::uint32_t>(index), {}};
            if (recording()) {
                const auto g = groups_of_claim(c, s);
                for (std::size_t d = 0; d < g.size(); ++d) cand.groups[d] = static_cast<std::uint8_t>(g[d]);
            }
            candidates.push_back(cand);
        }
    }
}

// The month's round (every 30 days, warm-up included, before phase A):
// units scored, the budget spent, each control applied in unit order.
void Engine::Impl::control_round(int day) {
    const ControlParams& cp = sc.control;
    const Population& p = e.population_;
    static_assert(dimension_count == 9, "ControlCandidate::groups holds one group per dimension");
    // The territory's deprivation: its share of residents in income deciles 1-3.
    const std::size_t zones = p.zones.size();
    std::vector<float> deprivation(zones, 0.0f);
    for (std::size_t z = 0; z < zones; ++z) {
        std::uint32_t poor = 0;
        const Zone& zone = p.zones[z];
        for (std::uint32_t c = zone.first_citizen; c < zone.first_citizen + zone.residents; ++c) poor += p.income_decile[c] <= 3;
        deprivation[z] = zone.residents > 0 ? static_cast<float>(poor) / static_cast<float>(zone.residents) : 0.0f;
    }
    // Local intensity: by territory type, and for the targeted zones: the
    // most deprived share and those the scenario names, once each.
    std::vector<double> intensity(zones);
    for (std::size_t z = 0; z < zones; ++z) intensity[z] = cp.territory_intensity[static_cast<std::size_t>(p.zones[z].type)];
    std::vector<std::uint8_t> targeted(zones, 0);
    const auto most_deprived = static_cast<std::size_t>(std::llround(cp.targeted_zone_share * static_cast<double>(zones)));
    if (most_deprived > 0) {
        std::vector<std::uint32_t> order(zones);
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::uint32_t a, std::uint32_t b2) { return deprivation[a] > deprivation[b2]; });
        for (std::size_t i = 0; i < most_deprived; ++i) targeted[order[i]] = 1;
    }
    for (const std::int64_t z : cp.targeted_zones) targeted[static_cast<std::size_t>(z)] = 1;  // checked by control_setup
    for (std::size_t z = 0; z < zones; ++z)
        if (targeted[z]) intensity[z] *= cp.targeted_zone_intensity;

    scratch.control_candidates.resize(blocks.size());
    std::vector<std::vector<std::int64_t>> terminations(blocks.size());
    e.executor_.for_each_block(blocks.size(), [&](std::size_t blk) {
        terminations[blk].clear();
        control_month_block(blk, day, intensity, deprivation, terminations[blk]);
    });
    const auto S = static_cast<std::size_t>(services);
    for (const auto& list : terminations)
        for (const std::int64_t index : list)
            control_terminate(static_cast<std::size_t>(index) / S, static_cast<int>(static_cast<std::size_t>(index) % S), day);

    // One list, and the per-block lists' memory given back (the largest
    // transient of the round: docs/performance.md).
    std::vector<ControlCandidate> all;
    std::size_t total = 0;
    for (const auto& list : scratch.control_candidates) total += list.size();
    all.reserve(total);
    for (auto& list : scratch.control_candidates) {
        all.insert(all.end(), list.begin(), list.end());
        std::vector<ControlCandidate>().swap(list);
    }
    std::size_t eligible = 0;
    for (const ControlCandidate& cand : all) {
        const int s = static_cast<int>(cand.unit % S);
        ControlUnit& u = control.units[cand.unit];
        if (recording()) {
            count_control(cand.groups, s, ControlEvent::scored, day);
            if (u.error == control_error::innocent) count_control(cand.groups, s, ControlEvent::in_error_innocent, day);
            if (u.error == control_error::deliberate) count_control(cand.groups, s, ControlEvent::in_error_deliberate, day);
        }
        // Debts are repaid from the payments, a share of each month's.
        if (u.debt > 0) {
            const double withheld = std::min(static_cast<double>(u.debt), cp.recovery_share * service(s).monthly_amount);
            u.debt = static_cast<float>(std::max(0.0, static_cast<double>(u.debt) - withheld));
            count_amount(s, 2, withheld, day);
        }
        eligible += cand.key >= 0;
    }
    // The budget, spent exactly: the k highest keys (ties in random order).
    const auto budget = std::min<std::size_t>(
        eligible, static_cast<std::size_t>(std::llround(cp.monthly_rate * static_cast<double>(all.size()))));
    if (budget == 0) return;
    // The k candidates with the highest keys (indices into `all`, in unit order).
    auto top = [&](auto key_of) {
        std::vector<std::uint32_t> chosen(all.size());
        std::iota(chosen.begin(), chosen.end(), 0u);
        auto before = [&](std::uint32_t i, std::uint32_t j) {
            const ControlCandidate &a = all[i], &b2 = all[j];
            const double ka = key_of(a), kb = key_of(b2);
            if (ka != kb) return ka > kb;
            if (a.tie != b2.tie) return a.tie > b2.tie;
            return a.unit < b2.unit;
        };
        std::nth_element(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(budget - 1), chosen.end(), before);
        chosen.resize(budget);
        std::sort(chosen.begin(), chosen.end(), [&](std::uint32_t i, std::uint32_t j) { return all[i].unit < all[j].unit; });
        return chosen;
    };
    // The counterfactual: how many units in error random selection at the
    // same budget would have controlled (docs/model.md section 11.6).
    for (const std::uint32_t i : top([](const ControlCandidate& x) { return x.random_key; }))
        if (control.units[all[i].unit].error != control_error::none)
            count_control(all[i].groups, static_cast<int>(all[i].unit % S), ControlEvent::random_in_error, day);
    for (const std::uint32_t i : top([](const ControlCandidate& x) { return x.key; })) apply_control(all[i], day);
    // This round's requests join those still open: all settled in unit order.
    std::sort(control.requests.begin(), control.requests.end());
}

}  // namespace demat
