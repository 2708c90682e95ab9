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

// An upper bound of logistic(a) without an exponential, to skip the exact
// value when a draw is above the bound anyway (the result is the same: the
// test is monotone). For a <= -1, with x = -a, e^x >= 1 + x + x^2/2 + x^3/6
// + x^4/24 (the Taylor terms, all positive), so logistic(a) = 1 / (1 + e^x)
// is at most 1 / (2 + x + x^2/2 + x^3/6 + x^4/24); at x >= 1 the bound is
// above the function by at least 0.27%, and the factor 1 + 1e-7 keeps it
// above after rounding (of the bound and of dmath::exp). Above -1 (and for
// NaN) the bound is 1: nothing is skipped.
double control_logistic_bound(double a) {
    if (!(a <= -1.0)) return 1.0;
    const double x = -a;
    return (1.0 + 1e-7) / (2.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0)))));
}

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
    control.answer_completions.assign(D * S * 2, 0);
    control.requests.clear();
    control_watch_all();
    control.derive_answering(citizens, services);
}

namespace {
// What the round must see of a unit that is not received: a trace a
// control left (an error, a suspension awaiting its term).
bool carries_trace(const ControlUnit& u) {
    return u.error != control_error::none || u.error_since != never || u.suspended_since != never;
}
}  // namespace

// The units the round visits, from scratch (at setup, and after a restore
// has brought the claims and units back): every unit received or carrying
// a trace.
void Engine::Impl::control_watch_all() {
    const auto S = static_cast<std::size_t>(services);
    store.watched.assign(citizens, 0);
    for (std::size_t c = 0; c < citizens; ++c)
        for (std::size_t s = 0; s < S; ++s)
            if (store.claims[c * S + s].state == ClaimState::receiving || carries_trace(control.units[c * S + s]))
                store.watched[c] |= static_cast<std::uint8_t>(1u << s);
}

// The invariant the round relies on (checked with the counts,
// Engine::check_counts_every_day): a unit received or carrying a trace is
// watched.
void Engine::Impl::check_control_watch() const {
    const auto S = static_cast<std::size_t>(services);
    for (std::size_t c = 0; c < citizens; ++c)
        for (std::size_t s = 0; s < S; ++s) {
            const bool needed = store.claims[c * S + s].state == ClaimState::receiving || carries_trace(control.units[c * S + s]);
            if (((control.answering[c] >> s & 1u) != 0) != (control.units[c * S + s].request == control_request::answering))
                throw InternalError("control: the answering bit of unit (" + std::to_string(c) + ", " + std::to_string(s) +
                                    ") differs from its request, day " + std::to_string(e.day_) +
                                    " (a request changed outside ControlState::set_request)");
            if (needed && (store.watched[c] >> s & 1u) == 0)
                throw InternalError("control: unit (" + std::to_string(c) + ", " + std::to_string(s) +
                                    ") is received or carries a trace but the round would not visit it, day " +
                                    std::to_string(e.day_) + " (a change of state outside Impl::transition)");
        }
}

// One block's units for this month: the truth moves on, suspensions past
// their term are listed, and every recipient unit becomes a candidate,
// with its debt repaid and its counts made here rather than serially.
// Writes only the block's citizens and units (and its ControlBlock).
void Engine::Impl::control_month_block(std::size_t blk, int day, const std::vector<double>& zone_intensity,
                                       const std::vector<float>& zone_deprivation, const std::vector<int>& benefits) {
    const ControlParams& cp = sc.control;
    const Population& p = e.population_;
    ControlBlock& out = scratch.control_blocks[blk];
    out.candidates.clear();
    out.candidates.reserve(out.last_candidates + out.last_candidates / 16);
    out.terminations.clear();
    out.cross_found.clear();
    out.recovered.clear();
    out.eligible = 0;
    const bool rec = recording();
    const auto S = static_cast<std::size_t>(services), G = static_cast<std::size_t>(total_groups_);
    if (rec) out.counts.assign(S * (G + 1) * 4, 0);
    const auto cross_period = static_cast<std::size_t>(std::max(0, cp.cross_check_months));
    const auto kept_fear = static_cast<float>(1.0 - cp.fear_decay);
    // The innocent error's test is monotone in its probability only if the
    // fraud rate is a probability (the schema checks it; the library may not).
    const bool rate_ok = cp.fraud_rate >= 0.0 && cp.fraud_rate <= 1.0;
    std::uint8_t benefit_bits = 0;
    for (const int s : benefits) benefit_bits |= static_cast<std::uint8_t>(1u << s);
    const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
    // The pass waits on memory more than it computes (perf at 100,000
    // citizens: most of its samples on the first read of a citizen's units
    // and claims, docs/performance.md): the units and claims of a citizen
    // a few ahead are asked for early, when it has watched units.
    constexpr std::size_t ahead = 8;
    for (std::size_t c = begin; c < end; ++c) {
        if (c + ahead < end && (store.watched[c + ahead] & benefit_bits) != 0) {
            const std::size_t first = (c + ahead) * S;
            __builtin_prefetch(&control.units[first]);
            __builtin_prefetch(reinterpret_cast<const char*>(&control.units[first]) + 64);
            __builtin_prefetch(&store.claims[first]);
        }
        // Only what changes is written: most units are not received and
        // already clean, and their memory is then only read.
        if (control.fear[c] != 0.0f) control.fear[c] *= kept_fear;
        // Only the watched units: the others are neither received nor
        // carry a trace, and the pass below would leave them as they are.
        std::uint8_t& watched = store.watched[c];
        const unsigned visit = watched & benefit_bits;
        if (visit == 0) continue;
        // The citizen's features (docs/model.md section 11.1, each in
        // [0, 1]), zone and groups: found at their first recipient unit.
        bool citizen_known = false;
        std::array<double, control_feature_count> x{};
        double intensity = 0;
        bool changed = false;
        std::array<std::uint8_t, dimension_count> groups{};
        for (unsigned bits = visit; bits != 0; bits &= bits - 1) {  // in service order
            const int s = __builtin_ctz(bits);
            const std::size_t index = c * S + static_cast<std::size_t>(s);
            ControlUnit& u = control.units[index];
            const Claim& k = claim(c, s);
            const bool suspended = k.state == ClaimState::interrupted && k.has(claim_flag::control);
            if (!suspended && u.suspended_since != never) u.suspended_since = never;
            if (k.state != ClaimState::receiving) {
                // Nothing is paid, so nothing is overpaid: the error ends
                // with the payments (a suspended unit keeps it).
                if (!suspended) {
                    if (u.error != control_error::none) u.error = control_error::none;
                    if (u.error_since != never) u.error_since = never;
                } else if (u.suspended_since != never && day - u.suspended_since >= cp.suspension_days) {
                    out.terminations.push_back(static_cast<std::uint32_t>(index));
                }
                // Neither received nor carrying a trace: not visited again until received.
                if (!carries_trace(u)) watched = static_cast<std::uint8_t>(watched & ~(1u << s));
                continue;
            }
            if (!citizen_known) {
                citizen_known = true;
                int received = 0;  // every received benefit is watched
                for (unsigned other = visit; other != 0; other &= other - 1)
                    received += claim(c, __builtin_ctz(other)).state == ClaimState::receiving;
                const std::uint32_t zone = p.zone_of(c);
                const int decile = p.income_decile[c];
                changed = changed_recently(control.last_change[c], day);
                x[0] = (10.0 - decile) / 9.0;
                x[1] = p.employment[c] == Employment::unemployed ? 1.0 : 0.0;
                x[2] = zone_deprivation[zone];
                x[3] = p.tenant[c] != 0 && decile <= 3 ? 1.0 : 0.0;
                x[4] = changed ? 1.0 : 0.0;
                x[5] = p.household[c] == Household::single_parent ? 1.0 : 0.0;
                x[6] = services > 1 ? std::max(0, received - 1) / static_cast<double>(services - 1) : 0.0;
                x[7] = store.habit[c] == static_cast<std::uint8_t>(Channel::online) ? 1.0 : 0.0;
                intensity = zone_intensity[zone];
                if (rec) {
                    const auto g = groups_of(c);
                    for (std::size_t d = 0; d < g.size(); ++d) groups[d] = static_cast<std::uint8_t>(g[d]);
                }
            }
            // One Philox block per unit and month: the truth's draw, the
            // selection key's uniform, the tie-break and the cross-check's
            // detection, in this order.
            Stream truth(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::control_truth);
            const double draw = truth.uniform();
            if (u.error == control_error::none) {
                if (draw < cp.fraud_rate) {
                    u.error = control_error::deliberate;
                    u.error_since = static_cast<std::uint16_t>(day);
                } else {
                    const double odds = cp.error_intercept + cp.error_admin * (1.0 - p.admin_literacy[c]) +
                                        cp.error_complexity * complexity(c, s, k) + cp.error_change * (changed ? 1.0 : 0.0);
                    // Most draws are above even the bound: no error, and no exponential.
                    const bool above = rate_ok && draw >= cp.fraud_rate + control_logistic_bound(odds) * (1.0 - cp.fraud_rate);
                    if (!above && draw < cp.fraud_rate + logistic(odds) * (1.0 - cp.fraud_rate)) {
                        u.error = control_error::innocent;
                        u.error_since = static_cast<std::uint16_t>(day);
                    }
                }
            } else if (u.error == control_error::innocent && draw < cp.error_correction) {
                u.error = control_error::none;
                u.error_since = never;
            }
            x[8] = u.last_control == never ? 1.0 : std::min(1.0, (day - static_cast<int>(u.last_control)) / 365.0);
            double logit = cp.intercept;
            for (int f = 0; f < control_feature_count; ++f) logit += cp.weights[static_cast<std::size_t>(f)] * x[static_cast<std::size_t>(f)];
            const double score = logistic(logit);
            // Weighted sampling without replacement (Efraimidis & Spirakis,
            // Inf. Process. Lett. 2006): the k largest u^(1/w) are a sample
            // with probabilities proportional to the weights w.
            const double uniform = (static_cast<double>(truth.next_word() >> 8) + 0.5) / 16777216.0;
            const std::uint32_t tie = truth.next_word();
            const double random_key = intensity == 1.0 ? uniform : intensity > 0 ? dmath::pow(uniform, 1.0 / intensity) : -1.0;
            // A unit whose document request is still open is not controlled again.
            const double key = u.request != control_request::none          ? -1.0
                               : cp.selection == ControlSelection::random ? random_key
                               : intensity > 0                            ? score * intensity
                                                                          : -1.0;
            if (rec && agencies_on) {  // agency_contact is the claim's own group (docs/model.md 6.15)
                constexpr auto agency = static_cast<std::size_t>(Dimension::agency_contact);
                groups[agency] = static_cast<std::uint8_t>(groups_of_claim(c, s)[agency]);
            }
            out.candidates.push_back({key, random_key, tie, static_cast<std::uint32_t>(index), groups});
            out.eligible += key >= 0;
            // The systematic cross-check (docs/model.md 11.3): every
            // cross_check_months months, in a month of its own for each unit
            // ((month + citizen + service) mod the period, so that the
            // matches spread evenly over the months), outside the budget.
            const bool cross = cross_period > 0 && (day / 30 + c + static_cast<std::size_t>(s)) % cross_period == 0;
            if (cross && u.error != control_error::none && truth.uniform() < cp.detection[0])
                out.cross_found.push_back(static_cast<std::uint32_t>(index));
            if (rec) {
                const std::size_t su = static_cast<std::size_t>(s);
                const std::size_t which = u.error == control_error::innocent ? 1 : u.error == control_error::deliberate ? 2 : 0;
                std::int64_t* all = &out.counts[(su * (G + 1) + G) * 4];
                all[0] += 1;
                if (which != 0) all[which] += 1;
                if (cross) all[3] += 1;
                for (const std::uint8_t g : groups) {
                    std::int64_t* group = &out.counts[(su * (G + 1) + g) * 4];
                    group[0] += 1;
                    if (which != 0) group[which] += 1;
                    if (cross) group[3] += 1;
                }
            }
            // Debts are repaid from the payments, a share of each month's.
            if (u.debt > 0) {
                const double withheld = std::min(static_cast<double>(u.debt), cp.recovery_share * service(s).monthly_amount);
                u.debt = static_cast<float>(std::max(0.0, static_cast<double>(u.debt) - withheld));
                out.recovered.emplace_back(static_cast<std::uint8_t>(s), withheld);
            }
        }
    }
}

// The month's round (every 30 days, warm-up included, before phase A):
// units scored, the budget spent, each control applied in unit order.
void Engine::Impl::control_round(int day) {
    const ControlParams& cp = sc.control;
    const Population& p = e.population_;
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

    std::vector<int> benefits;
    for (int s = 0; s < services; ++s)
        if (service(s).kind == ServiceKind::benefit) benefits.push_back(s);
    auto& out = scratch.control_blocks;
    out.resize(blocks.size());
    e.executor_.for_each_block(blocks.size(), [&](std::size_t blk) { control_month_block(blk, day, intensity, deprivation, benefits); });
    const auto S = static_cast<std::size_t>(services), G = static_cast<std::size_t>(total_groups_);
    for (const ControlBlock& block : out)
        for (const std::uint32_t index : block.terminations)
            control_terminate(index / S, static_cast<int>(index % S), day);
    // The errors the month's cross-checks found, in unit order (before the
    // budget's controls: an error found is no longer there to be found).
    for (const ControlBlock& block : out)
        for (const std::uint32_t index : block.cross_found) control_cross_found(index / S, static_cast<int>(index % S), day);

    // The blocks' counts and repayments, added in block (so unit) order.
    std::size_t total = 0, eligible = 0;
    const bool rec = recording();
    const std::size_t d = rec ? control_round_index(day, sc.warmup_days) : 0;
    constexpr auto first = static_cast<std::size_t>(ControlEvent::scored);
    static_assert(static_cast<int>(ControlEvent::in_error_innocent) == 1 && static_cast<int>(ControlEvent::in_error_deliberate) == 2,
                  "the blocks count scored, in_error_innocent and in_error_deliberate in this order, then cross_checks");
    constexpr std::array<std::size_t, 4> counted{first, first + 1, first + 2, static_cast<std::size_t>(ControlEvent::cross_checks)};
    for (const ControlBlock& block : out) {
        total += block.candidates.size();
        eligible += block.eligible;
        for (const auto& [s, withheld] : block.recovered) count_amount(s, 2, withheld, day);
        if (!rec) continue;
        for (std::size_t su = 0; su < S; ++su)
            for (std::size_t j = 0; j < counted.size(); ++j) {
                control.events[(d * S + su) * control_event_count + counted[j]] += block.counts[(su * (G + 1) + G) * 4 + j];
                for (std::size_t g = 0; g < G; ++g)
                    control.segment_events[((d * S + su) * G + g) * control_event_count + counted[j]] += block.counts[(su * (G + 1) + g) * 4 + j];
            }
    }
    // The budget, spent exactly: the k highest keys (ties in random order).
    const auto budget = std::min<std::size_t>(
        eligible, static_cast<std::size_t>(std::llround(cp.monthly_rate * static_cast<double>(total))));
    if (budget > 0) {
        // The positions (among all candidates, in unit order) of the k
        // candidates with the highest keys, in unit order. Only the keys
        // are moved about: the k largest are found in linear time, and
        // only they are sorted.
        struct Keyed {
            double key;
            std::uint32_t tie;
            std::uint32_t at;  // the candidate's position, in unit order
        };
        auto top = [&](auto key_of) {
            std::vector<Keyed> chosen;
            chosen.reserve(total);
            for (const ControlBlock& block : out)
                for (const ControlCandidate& cand : block.candidates)
                    chosen.push_back({key_of(cand), cand.tie, static_cast<std::uint32_t>(chosen.size())});
            auto before = [&](const Keyed& a, const Keyed& b2) {
                if (a.key != b2.key) return a.key > b2.key;
                if (a.tie != b2.tie) return a.tie > b2.tie;
                return a.at < b2.at;  // the position orders as the unit
            };
            std::nth_element(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(budget - 1), chosen.end(), before);
            chosen.resize(budget);
            std::sort(chosen.begin(), chosen.end(), [](const Keyed& a, const Keyed& b2) { return a.at < b2.at; });
            return chosen;
        };
        // Each chosen candidate, in unit order.
        auto each = [&](const std::vector<Keyed>& chosen, auto apply) {
            std::size_t blk = 0, base = 0;
            for (const Keyed& k : chosen) {
                while (k.at >= base + out[blk].candidates.size()) base += out[blk++].candidates.size();
                apply(out[blk].candidates[k.at - base]);
            }
        };
        // The counterfactual: how many units in error random selection at the
        // same budget would have controlled (docs/model.md section 11.6);
        // counted on recorded days only, so not drawn up before them.
        if (rec)
            each(top([](const ControlCandidate& x) { return x.random_key; }), [&](const ControlCandidate& cand) {
                if (control.units[cand.unit].error != control_error::none)
                    count_control(cand.groups, static_cast<int>(cand.unit % S), ControlEvent::random_in_error, day);
            });
        each(top([](const ControlCandidate& x) { return x.key; }), [&](const ControlCandidate& cand) { apply_control(cand, day); });
        // This round's requests join those still open: all settled in unit order.
        std::sort(control.requests.begin(), control.requests.end());
    }
    // The candidates' memory given back (the largest transient of the
    // round: docs/performance.md).
    for (ControlBlock& block : out) {
        block.last_candidates = block.candidates.size();
        std::vector<ControlCandidate>().swap(block.candidates);
    }
}

}  // namespace demat
