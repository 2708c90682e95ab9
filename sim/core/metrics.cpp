#include "core/metrics.hpp"

#include "core/channels.hpp"
#include "core/error.hpp"
#include "core/segments.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace demat {

namespace {

constexpr int tracked = reported_state_count - 1;  // receiving .. interrupted; eligible is derived
constexpr double days_per_month = 365.0 / 12.0;

std::size_t sz(int v) { return static_cast<std::size_t>(v); }

const char* event_name(int e) {
    static const char* names[event_count] = {
        "awareness_gained", "claims_started", "claims_declined", "claims_submitted", "first_payments",
        "time_to_right_days", "rejections", "appeals", "appeals_won", "abandonments", "interruptions",
        "renewals_completed", "help_requested", "help_informal", "help_informal_unavailable",
        "autonomous_completions", "assisted_completions", "procedures_completed_low_capital",
        "autonomous_completions_low_capital", "online_unequipped", "identity_in_person", "first_claims"};
    return names[e];
}

const char* event_description(int e) {
    static const char* text[event_count] = {
        "eligible citizens who learnt of the service (outreach, peers, mediators)",
        "decisions to claim (first claims and claims after an interruption)",
        "decisions not to claim (non-demand)",
        "claims filed (procedures completed, before processing)",
        "first payments in an eligibility spell (rights obtained)",
        "sum over first payments of the days from eligibility to first payment",
        "wrongful rejections (every claimant is eligible)",
        "rejections contested",
        "appeals that overturned a rejection",
        "claims given up after too many failures or waits",
        "rights interrupted after a missed periodic declaration",
        "periodic declarations completed in time",
        "requests for help (informal or mediation)",
        "procedures done with an informal helper",
        "requests refused because the helper had no capacity left this month",
        "procedures completed online by the citizen alone",
        "procedures completed with help (informal, mediation, counter, phone)",
        "procedures completed by citizens of capital quintile Q1",
        "procedures completed alone by citizens of capital quintile Q1",
        "unequipped citizens sent online who could neither borrow a device nor find help (failures with reason equipment)",
        "citizens sent to an in-person identity check (counter or mediation) after failing a strong identity step "
        "for lack of a chip card or a compatible phone",
        "first claims: claims filed (as claims_submitted) by a unit not paid yet in its current eligibility spell; "
        "a claim again after an interrupted or terminated right is not one (docs/output.md)"};
    return text[e];
}

const char* channel_event_name(int e) {
    static const char* names[channel_event_count] = {"attempts", "successes", "queue_joined",
                                                     "queue_served", "queue_gave_up", "queue_wait_days"};
    return names[e];
}

const char* channel_event_description(int e) {
    static const char* text[channel_event_count] = {
        "attempts started by channel (a queued attempt counts when it joins the queue)",
        "procedures completed by channel",
        "citizens joining the queue of a staffed channel",
        "citizens served by a staffed channel",
        "citizens who left the queue after waiting longer than their patience",
        "sum over citizens served of the days they waited"};
    return text[e];
}

}  // namespace

const std::vector<std::string>& reason_names() {
    static const std::vector<std::string> names{"connection", "equipment", "skill", "complexity",
                                                "identity", "wait", "distance"};
    return names;
}

const std::vector<std::string>& help_source_names() {
    static const std::vector<std::string> names{"household", "relative_or_friend", "mediator", "counter_agent", "phone_agent"};
    return names;
}

const std::vector<std::string>& help_outcome_names() {
    static const std::vector<std::string> names{"obtained", "refused", "none_available"};
    return names;
}

DayCounts::DayCounts(int services_, int groups_)
    : services(services_),
      groups(groups_),
      segment_states(sz(services_ * groups_ * tracked)),
      states(sz(services_ * tracked)),
      centiles(sz(services_ * capital_centiles * 2)),
      events(sz(services_ * event_count)),
      channel_events(sz(services_ * channel_count * channel_event_count)),
      queue_length(sz(services_ * channel_count)),
      overdue(sz(services_)),
      unclaimed_cents(sz(services_)),
      tally_counts(sz(services_ * tally_index::count)),
      segment_tally_counts(sz(services_ * groups_ * tally_index::count)),
      closure(sz(services_ * closure_rank_groups * closure_education_groups * closure_measure_count)) {}

void DayCounts::clear() {
    for (auto* v : {&segment_states, &states, &centiles, &events, &channel_events, &queue_length, &overdue,
                    &unclaimed_cents, &tally_counts, &segment_tally_counts, &closure})
        std::fill(v->begin(), v->end(), 0);
    helps_given = 0;
    tallies.clear();
}

void DayCounts::add(const DayCounts& o) {
    auto add_vec = [](std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    };
    add_vec(segment_states, o.segment_states);
    add_vec(states, o.states);
    add_vec(centiles, o.centiles);
    add_vec(events, o.events);
    add_vec(channel_events, o.channel_events);
    add_vec(queue_length, o.queue_length);
    add_vec(overdue, o.overdue);
    add_vec(unclaimed_cents, o.unclaimed_cents);
    add_vec(tally_counts, o.tally_counts);
    add_vec(segment_tally_counts, o.segment_tally_counts);
    add_vec(closure, o.closure);
    helps_given += o.helps_given;
    tallies.insert(tallies.end(), o.tallies.begin(), o.tallies.end());
}

double concentration_index(const std::int64_t* eligible, const std::int64_t* receiving, int groups) {
    double n = 0, y = 0;
    for (int g = 0; g < groups; ++g) {
        n += static_cast<double>(eligible[g]);
        y += static_cast<double>(receiving[g]);
    }
    if (n <= 0 || y <= 0) return std::numeric_limits<double>::quiet_NaN();
    const double mu = y / n;
    double cumulative = 0, sum = 0;
    for (int g = 0; g < groups; ++g) {
        const double f = static_cast<double>(eligible[g]) / n;
        if (f <= 0) continue;
        const double rank = cumulative + f / 2;  // fractional rank of the group's midpoint
        const double mu_g = static_cast<double>(receiving[g]) / static_cast<double>(eligible[g]);
        sum += f * mu_g * rank;
        cumulative += f;
    }
    return 2.0 / mu * sum - 1.0;
}

Metrics::Metrics(const Scenario& scenario, int recorded_days)
    : days_(recorded_days),
      services_(static_cast<int>(scenario.services.size())),
      groups_(total_groups()),
      agencies_(std::any_of(scenario.services.begin(), scenario.services.end(),
                            [](const ServiceParams& s) { return s.agency != Agency::none; })) {
    const std::size_t d = sz(days_);
    segment_states_.assign(d * sz(services_ * groups_ * tracked), 0);
    states_.assign(d * sz(services_ * tracked), 0);
    concentration_.assign(d * sz(services_), 0.0);
    events_.assign(d * sz(services_ * event_count), 0);
    channel_events_.assign(d * sz(services_ * channel_count * channel_event_count), 0);
    queue_length_.assign(d * sz(services_ * channel_count), 0);
    overdue_.assign(d * sz(services_), 0);
    const bool differential = std::any_of(scenario.services.begin(), scenario.services.end(),
                                          [](const ServiceParams& s) { return s.amount_rule != AmountRule::flat; });
    unclaimed_cents_.assign(differential ? d * sz(services_) : 0, 0);
    helps_given_.assign(d, 0);
    tallies_.assign(d * sz(services_ * tally_index::count), 0);
    segment_tallies_.assign(d * sz(services_ * groups_ * tally_index::count), 0);
    closure_.assign(d * sz(services_ * closure_rank_groups * closure_education_groups * closure_measure_count), 0);
}

void Metrics::record(int day, const DayCounts& c) {
    const std::size_t d = sz(day);
    std::copy(c.segment_states.begin(), c.segment_states.end(), segment_states_.begin() + static_cast<std::ptrdiff_t>(d * c.segment_states.size()));
    std::copy(c.states.begin(), c.states.end(), states_.begin() + static_cast<std::ptrdiff_t>(d * c.states.size()));
    std::copy(c.events.begin(), c.events.end(), events_.begin() + static_cast<std::ptrdiff_t>(d * c.events.size()));
    std::copy(c.channel_events.begin(), c.channel_events.end(), channel_events_.begin() + static_cast<std::ptrdiff_t>(d * c.channel_events.size()));
    std::copy(c.queue_length.begin(), c.queue_length.end(), queue_length_.begin() + static_cast<std::ptrdiff_t>(d * c.queue_length.size()));
    std::copy(c.overdue.begin(), c.overdue.end(), overdue_.begin() + static_cast<std::ptrdiff_t>(d * c.overdue.size()));
    if (!unclaimed_cents_.empty())
        std::copy(c.unclaimed_cents.begin(), c.unclaimed_cents.end(),
                  unclaimed_cents_.begin() + static_cast<std::ptrdiff_t>(d * c.unclaimed_cents.size()));
    for (int s = 0; s < services_; ++s) {
        std::int64_t eligible[capital_centiles], receiving[capital_centiles];
        for (int g = 0; g < capital_centiles; ++g) {
            eligible[g] = c.centiles[sz((s * capital_centiles + g) * 2)];
            receiving[g] = c.centiles[sz((s * capital_centiles + g) * 2 + 1)];
        }
        concentration_[d * sz(services_) + sz(s)] = concentration_index(eligible, receiving, capital_centiles);
    }
    helps_given_[d] = c.helps_given;
    if (c.tally_counts.size() == sz(services_ * tally_index::count))
        std::copy(c.tally_counts.begin(), c.tally_counts.end(), tallies_.begin() + static_cast<std::ptrdiff_t>(d * c.tally_counts.size()));
    if (c.segment_tally_counts.size() == sz(services_ * groups_ * tally_index::count))
        std::copy(c.segment_tally_counts.begin(), c.segment_tally_counts.end(),
                  segment_tallies_.begin() + static_cast<std::ptrdiff_t>(d * c.segment_tally_counts.size()));
    if (c.closure.size() * sz(days_) == closure_.size())
        std::copy(c.closure.begin(), c.closure.end(), closure_.begin() + static_cast<std::ptrdiff_t>(d * c.closure.size()));
    recorded_ = std::max(recorded_, day + 1);
}

void Metrics::visit_state(StateVisitor& visit) {
    visit("metrics.recorded", recorded_);
    visit.fixed("metrics.segment_states", segment_states_);
    visit.fixed("metrics.states", states_);
    visit.fixed("metrics.concentration", concentration_);
    visit.fixed("metrics.events", events_);
    visit.fixed("metrics.channel_events", channel_events_);
    visit.fixed("metrics.queue_length", queue_length_);
    visit.fixed("metrics.overdue", overdue_);
    // Only in runs with a differential service, so that other checkpoints are unchanged.
    if (!unclaimed_cents_.empty()) visit.fixed("metrics.unclaimed_cents", unclaimed_cents_);
    visit.fixed("metrics.helps_given", helps_given_);
    visit("metrics.burden_histogram", burden_histogram_);
    visit.fixed("metrics.tallies", tallies_);
    visit.fixed("metrics.segment_tallies", segment_tallies_);
    visit.fixed("metrics.counter_closure", closure_);
}

void Metrics::set_helps_given(const std::vector<std::uint16_t>& helps) {
    std::uint16_t most = 0;
    for (auto h : helps) most = std::max(most, h);
    burden_histogram_.assign(most, 0);
    for (auto h : helps)
        if (h > 0) burden_histogram_[h - 1u] += 1;
}

Results Metrics::to_results(const Scenario& sc) const { return to_results(sc, 0, recorded_); }

Results Metrics::to_results(const Scenario& sc, int first, int end) const {
    if (first < 0 || end > recorded_ || first > end)
        throw InternalError("recorded days [" + std::to_string(first) + ", " + std::to_string(end) +
                                ") outside the " + std::to_string(recorded_) + " recorded");
    Results r;
    const int days = end - first;
    // Every [day] array below is read from day `first` on (F rows in).
    const std::size_t F = sz(first);
    const int S = services_;
    r.attributes["demat_version"] = std::string(DEMAT_VERSION);
    r.attributes["scenario"] = sc.source_text;
    r.attributes["scenario_name"] = sc.name;
    r.attributes["scenario_path"] = sc.source_path;
    r.attributes["seed"] = static_cast<std::int64_t>(sc.seed);
    r.attributes["days"] = static_cast<std::int64_t>(sc.days);
    r.attributes["recorded_days"] = static_cast<std::int64_t>(days);
    r.attributes["warmup_days"] = static_cast<std::int64_t>(sc.warmup_days);
    r.attributes["population"] = static_cast<std::int64_t>(sc.population.size);
#if defined(__VERSION__)
    r.attributes["compiler"] = std::string(__VERSION__);
#endif

    Coordinate day{"day", {}, {}, "recorded day since the end of the warm-up (0 = first recorded day)"};
    for (int d = first; d < end; ++d) day.values.push_back(d);
    Coordinate service{"service", {}, {}, "service (benefit or obligation) as named in the scenario"};
    for (const auto& s : sc.services) service.labels.push_back(s.name);
    Coordinate state{"state", state_names(), {}, "eligible, then its decomposition: receiving and the five non-take-up states"};
    Coordinate channel{"channel", channel_labels(), {}, "channel of a procedure"};
    r.coordinates = {day, service, state, channel};

    const std::size_t D = sz(days), Su = sz(S);
    // Whole-population counts, eligible first.
    {
        Array a{"counts", {"day", "service", "state"}, {D, Su, sz(reported_state_count)}, std::vector<std::int64_t>{},
                "citizens per state: eligible = receiving + non_knowledge + non_demand + in_progress + non_receipt + interrupted",
                "citizens"};
        auto& v = std::get<std::vector<std::int64_t>>(a.data);
        v.reserve(a.size());
        for (std::size_t d = 0; d < D; ++d)
            for (std::size_t s = 0; s < Su; ++s) {
                const std::int64_t* st = &states_[((F + d) * Su + s) * tracked];
                std::int64_t eligible = 0;
                for (int k = 0; k < tracked; ++k) eligible += st[k];
                v.push_back(eligible);
                v.insert(v.end(), st, st + tracked);
            }
        r.arrays.push_back(std::move(a));
    }
    // Per segment.
    for (int di = 0; di < dimension_count; ++di) {
        if (!dimension_in_output(di, agencies_)) continue;
        const DimensionInfo& info = dimensions()[sz(di)];
        const std::string base = "segments/" + info.name;
        r.coordinates.push_back({base + "/group", info.groups, {}, info.description});
        const std::size_t G = info.groups.size();
        const std::size_t offset = sz(group_offset(static_cast<Dimension>(di)));
        Array a{base + "/counts", {"day", "service", base + "/group", "state"}, {D, Su, G, sz(reported_state_count)},
                std::vector<std::int64_t>{}, "citizens per state by " + info.name, "citizens"};
        auto& v = std::get<std::vector<std::int64_t>>(a.data);
        v.reserve(a.size());
        for (std::size_t d = 0; d < D; ++d)
            for (std::size_t s = 0; s < Su; ++s)
                for (std::size_t g = 0; g < G; ++g) {
                    const std::int64_t* st = &segment_states_[(((F + d) * Su + s) * sz(groups_) + offset + g) * tracked];
                    std::int64_t eligible = 0;
                    for (int k = 0; k < tracked; ++k) eligible += st[k];
                    v.push_back(eligible);
                    v.insert(v.end(), st, st + tracked);
                }
        r.arrays.push_back(std::move(a));
    }
    // Events per service.
    for (int e = 0; e < event_count; ++e) {
        std::vector<std::int64_t> v(D * Su);
        for (std::size_t d = 0; d < D; ++d)
            for (std::size_t s = 0; s < Su; ++s) v[d * Su + s] = events_[((F + d) * Su + s) * event_count + sz(e)];
        r.arrays.push_back({std::string("metrics/") + event_name(e), {"day", "service"}, {D, Su}, std::move(v),
                            event_description(e), e == static_cast<int>(Event::time_to_right_days) ? "days" : "events"});
    }
    for (int e = 0; e < channel_event_count; ++e) {
        std::vector<std::int64_t> v(D * Su * channel_count);
        for (std::size_t i = 0; i < D * Su * channel_count; ++i)
            v[i] = channel_events_[(F * Su * channel_count + i) * channel_event_count + sz(e)];
        r.arrays.push_back({std::string("metrics/") + channel_event_name(e), {"day", "service", "channel"},
                            {D, Su, sz(channel_count)}, std::move(v), channel_event_description(e),
                            e == static_cast<int>(ChannelEvent::queue_wait_days) ? "days" : "events"});
    }
    r.arrays.push_back({"metrics/queue_length", {"day", "service", "channel"}, {D, Su, sz(channel_count)},
                        std::vector<std::int64_t>(queue_length_.begin() + static_cast<std::ptrdiff_t>(F * Su * channel_count),
                                                  queue_length_.begin() + static_cast<std::ptrdiff_t>((F + D) * Su * channel_count)),
                        "citizens waiting in the queues of a staffed channel at the start of the day", "citizens"});
    r.arrays.push_back({"metrics/in_progress_overdue", {"day", "service"}, {D, Su},
                        std::vector<std::int64_t>(overdue_.begin() + static_cast<std::ptrdiff_t>(F * Su),
                                                  overdue_.begin() + static_cast<std::ptrdiff_t>((F + D) * Su)),
                        "in-progress claims older than behaviour.grace_days (a subset of in_progress)", "citizens"});
    r.arrays.push_back({"metrics/helps_given", {"day"}, {D},
                        std::vector<std::int64_t>(helps_given_.begin() + static_cast<std::ptrdiff_t>(F),
                                                  helps_given_.begin() + static_cast<std::ptrdiff_t>(F + D)),
                        "procedures done by informal helpers (all services)", "events"});

    // Derived rates (double): take-up, unclaimed money, divide index, concentration index.
    const auto& counts = r.array("counts").integers();
    const auto& capital = r.array("segments/capital_quintile/counts").integers();
    std::vector<double> take_up(D * Su), unclaimed(D * Su), divide(D * Su), concentration(D * Su);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    constexpr std::size_t K = reported_state_count;
    for (std::size_t d = 0; d < D; ++d)
        for (std::size_t s = 0; s < Su; ++s) {
            const std::size_t i = d * Su + s;
            const auto eligible = static_cast<double>(counts[i * K]);
            const auto receiving = static_cast<double>(counts[i * K + 1]);
            take_up[i] = eligible > 0 ? receiving / eligible : nan;
            // A flat service's units all have monthly_amount; a differential
            // one's their own amounts (docs/model.md 5.2).
            unclaimed[i] = sc.services[s].amount_rule == AmountRule::flat
                               ? (eligible - receiving) * sc.services[s].monthly_amount / days_per_month
                               : static_cast<double>(unclaimed_cents_[(F + d) * Su + s]) / 100.0 / days_per_month;
            auto rate = [&](std::size_t q) {
                const std::size_t j = ((d * Su + s) * 5 + q) * K;
                return capital[j] > 0 ? static_cast<double>(capital[j + 1]) / static_cast<double>(capital[j]) : nan;
            };
            divide[i] = rate(4) - rate(0);
            concentration[i] = concentration_[F * Su + i];
        }
    r.arrays.push_back({"metrics/take_up_rate", {"day", "service"}, {D, Su}, std::move(take_up),
                        "receiving / eligible (NaN when nobody is eligible)", "1"});
    r.arrays.push_back({"metrics/unclaimed_euros", {"day", "service"}, {D, Su}, std::move(unclaimed),
                        unclaimed_cents_.empty()
                            ? "benefits left unclaimed that day: (eligible - receiving) x monthly_amount / (365/12)"
                            : "benefits left unclaimed that day: sum over the eligible units not receiving of their "
                              "monthly amount (monthly_amount for a flat service), / (365/12)",
                        "euros"});
    // Which unit each service's counts are in (docs/output.md), when a
    // service is not claimed per citizen.
    if (std::any_of(sc.services.begin(), sc.services.end(),
                    [](const ServiceParams& s) { return s.unit != BenefitUnit::individual; })) {
        static const char* unit_names[] = {"individual", "couple", "household"};
        std::string units;
        for (const ServiceParams& s : sc.services)
            units += (units.empty() ? "" : ",") + s.name + "=" + unit_names[static_cast<int>(s.unit)];
        r.attributes["count_units"] = units;
    }
    r.arrays.push_back({"metrics/divide_index", {"day", "service"}, {D, Su}, std::move(divide),
                        "take-up of capital quintile Q5 minus take-up of Q1", "1"});
    r.arrays.push_back({"metrics/concentration_index", {"day", "service"}, {D, Su}, std::move(concentration),
                        "concentration index of take-up over the capital ranking (centiles); > 0 favours high capital", "1"});

    add_tally_results(r, first, end, true);
    Coordinate helps{"helpers/helps", {}, {}, "number of procedures a helper did for others over the run"};
    for (std::size_t h = 0; h < burden_histogram_.size(); ++h) helps.values.push_back(static_cast<std::int64_t>(h + 1));
    r.coordinates.push_back(helps);
    r.arrays.push_back({"helpers/burden", {"helpers/helps"}, {burden_histogram_.size()}, burden_histogram_,
                        "number of informal helpers by procedures done for others over the whole run (warm-up included)",
                        "citizens"});
    add_tally_results(r, first, end, false);
    add_closure_results(r, first, end);
    return r;
}

// /counter_closure (docs/output.md): claims filed, first payments and first
// claims by the claimant's zone's fifth of the closing order and education;
// summed over both, /metrics/claims_submitted, /metrics/first_payments and
// /metrics/first_claims.
void Metrics::add_closure_results(Results& r, int first, int end) const {
    const std::size_t F = sz(first), D = sz(end - first), Su = sz(services_);
    const std::size_t RG = sz(closure_rank_groups), EG = sz(closure_education_groups), M = sz(closure_measure_count);
    r.coordinates.push_back({"counter_closure/rank", {"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"}, {},
                             "the claimant's zone's place in the order in which close_counters closes the counters of "
                             "all zones (territory *): a close_counters with share k/5, every counter open, closes "
                             "exactly the first k groups (docs/model.md 6.13)"});
    r.coordinates.push_back({"counter_closure/education", dimensions()[sz(static_cast<int>(Dimension::education))].groups, {},
                             "the claimant's highest diploma"});
    static const char* names[] = {"claims_submitted", "first_payments", "first_claims"};
    static const char* text[] = {
        "claims filed (as metrics/claims_submitted) by the claimant's zone's fifth of the closing order and education",
        "first payments in an eligibility spell (as metrics/first_payments) by the claimant's zone's fifth of the "
        "closing order and education",
        "first claims (as metrics/first_claims) by the claimant's zone's fifth of the closing order and education"};
    for (std::size_t m = 0; m < M; ++m) {
        std::vector<std::int64_t> v(D * Su * RG * EG);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = closure_[(F * Su * RG * EG + i) * M + m];
        r.arrays.push_back({std::string("counter_closure/") + names[m],
                            {"day", "service", "counter_closure/rank", "counter_closure/education"}, {D, Su, RG, EG},
                            std::move(v), text[m], "events"});
    }
}

// Reasons, identity steps and help records (docs/output.md): totals by
// service, then by segment group under each family's own group
// coordinate (an HDF5 dimension scale must be in the array's group or above).
void Metrics::add_tally_results(Results& r, int first, int end, bool identity_metrics) const {
    const std::size_t F = sz(first), D = sz(end - first), Su = sz(services_), G = sz(groups_);
    const auto K = sz(tally_index::count);
    // [day][service][n] of the tallies [from, from + n).
    auto totals = [&](int from, std::size_t n) {
        std::vector<std::int64_t> v(D * Su * n);
        for (std::size_t i = 0; i < D * Su; ++i)
            for (std::size_t j = 0; j < n; ++j) v[i * n + j] = tallies_[(F * Su + i) * K + sz(from) + j];
        return v;
    };
    // [day][service][group of one dimension][n].
    auto by_group = [&](int from, std::size_t n, std::size_t offset, std::size_t groups) {
        std::vector<std::int64_t> v(D * Su * groups * n);
        for (std::size_t i = 0; i < D * Su; ++i)
            for (std::size_t g = 0; g < groups; ++g)
                for (std::size_t j = 0; j < n; ++j)
                    v[(i * groups + g) * n + j] = segment_tallies_[((F * Su + i) * G + offset + g) * K + sz(from) + j];
        return v;
    };
    const auto R = sz(reason_count), I = sz(tally_index::identity_count);
    const auto HS = sz(help_source_count), HO = sz(help_outcome_count);
    if (identity_metrics) {
        // With the other /metrics (a file lists a group's arrays together, in their order).
        static const char* identity_names[] = {"identity_attempts", "identity_successes", "identity_first_attempts",
                                               "identity_first_successes"};
        static const char* identity_text[] = {
            "online attempts that went through an identity step (services with identity account or strong)",
            "identity steps passed", "identity steps of a procedure's first online attempt",
            "identity steps passed at a procedure's first online attempt"};
        for (std::size_t j = 0; j < I; ++j)
            r.arrays.push_back({std::string("metrics/") + identity_names[j], {"day", "service"}, {D, Su},
                                totals(tally_index::identity + static_cast<int>(j), 1), identity_text[j], "events"});
        return;
    }
    // In the order a file lists them (io/hdf5_reader.cpp): root-level
    // coordinates first, then each group's, group by group.
    const auto after_channel = std::find_if(r.coordinates.begin(), r.coordinates.end(),
                                            [](const Coordinate& c) { return c.path == "channel"; });
    r.coordinates.insert(after_channel == r.coordinates.end() ? after_channel : after_channel + 1,
                         {"reason", reason_names(), {}, "cause of a failed online attempt or of an abandonment (docs/model.md 6.10)"});
    r.arrays.push_back({"reasons/failures", {"day", "service", "reason"}, {D, Su, R}, totals(tally_index::failures, R),
                        "failed online attempts by cause; the sum over reasons is metrics/attempts - metrics/successes "
                        "(channel online) + metrics/online_unequipped", "events"});
    r.arrays.push_back({"reasons/abandonments", {"day", "service", "reason"}, {D, Su, R}, totals(tally_index::abandonments, R),
                        "abandonments by the cause of the failure that ended the procedure; the sum over reasons is "
                        "metrics/abandonments", "events"});
    for (int di = 0; di < dimension_count; ++di) {
        if (!dimension_in_output(di, agencies_)) continue;
        const DimensionInfo& info = dimensions()[sz(di)];
        const std::size_t groups = info.groups.size(), offset = sz(group_offset(static_cast<Dimension>(di)));
        const std::string base = "reasons/segments/" + info.name;
        r.coordinates.push_back({base + "/group", info.groups, {}, info.description});
        r.arrays.push_back({base + "/failures", {"day", "service", base + "/group", "reason"}, {D, Su, groups, R},
                            by_group(tally_index::failures, R, offset, groups), "failed online attempts by cause and " + info.name, "events"});
        r.arrays.push_back({base + "/abandonments", {"day", "service", base + "/group", "reason"}, {D, Su, groups, R},
                            by_group(tally_index::abandonments, R, offset, groups), "abandonments by cause and " + info.name, "events"});
    }
    r.coordinates.push_back({"identity/measure", {"attempts", "successes", "first_attempts", "first_successes"}, {},
                             "identity steps attempted and passed, all and first attempts of a procedure"});
    for (int di = 0; di < dimension_count; ++di) {
        if (!dimension_in_output(di, agencies_)) continue;
        const DimensionInfo& info = dimensions()[sz(di)];
        const std::size_t groups = info.groups.size(), offset = sz(group_offset(static_cast<Dimension>(di)));
        const std::string base = "identity/segments/" + info.name;
        r.coordinates.push_back({base + "/group", info.groups, {}, info.description});
        r.arrays.push_back({base + "/steps", {"day", "service", base + "/group", "identity/measure"}, {D, Su, groups, I},
                            by_group(tally_index::identity, I, offset, groups), "identity steps by " + info.name, "events"});
    }
    r.coordinates.push_back({"help/source", help_source_names(), {}, "who was asked for help (docs/model.md 6.12)"});
    r.coordinates.push_back({"help/outcome", help_outcome_names(), {}, "what came of a request for help"});
    r.arrays.push_back({"help/requests", {"day", "service", "help/source", "help/outcome"}, {D, Su, HS, HO},
                        totals(tally_index::help, HS * HO),
                        "requests for help by source asked and outcome (docs/output.md, Help)", "requests"});
    for (int di = 0; di < dimension_count; ++di) {
        if (!dimension_in_output(di, agencies_)) continue;
        const DimensionInfo& info = dimensions()[sz(di)];
        const std::size_t groups = info.groups.size(), offset = sz(group_offset(static_cast<Dimension>(di)));
        const std::string base = "help/segments/" + info.name;
        r.coordinates.push_back({base + "/group", info.groups, {}, info.description});
        r.arrays.push_back({base + "/requests", {"day", "service", base + "/group", "help/source", "help/outcome"},
                            {D, Su, groups, HS, HO}, by_group(tally_index::help, HS * HO, offset, groups),
                            "requests for help by source, outcome and " + info.name, "requests"});
    }
    const auto E = sz(tally_index::efficacy_count);
    r.coordinates.push_back({"self_efficacy/measure", {"declined", "discouraged"}, {},
                             "decisions not to claim, and those that a neutral self-efficacy (0.5) would have turned "
                             "into a claim (docs/model.md 6.14)"});
    r.arrays.push_back({"self_efficacy/declines", {"day", "service", "self_efficacy/measure"}, {D, Su, E},
                        totals(tally_index::efficacy, E),
                        "decisions not to claim and the discouraged among them; the sum of declined is "
                        "metrics/claims_declined", "decisions"});
    for (int di = 0; di < dimension_count; ++di) {
        if (!dimension_in_output(di, agencies_)) continue;
        const DimensionInfo& info = dimensions()[sz(di)];
        const std::size_t groups = info.groups.size(), offset = sz(group_offset(static_cast<Dimension>(di)));
        const std::string base = "self_efficacy/segments/" + info.name;
        r.coordinates.push_back({base + "/group", info.groups, {}, info.description});
        r.arrays.push_back({base + "/declines", {"day", "service", base + "/group", "self_efficacy/measure"},
                            {D, Su, groups, E}, by_group(tally_index::efficacy, E, offset, groups),
                            "decisions not to claim and the discouraged among them by " + info.name, "decisions"});
    }
}

}  // namespace demat
