// Digital control of recipients: outputs under /control and the fairness
// indicators (docs/output.md "Control"; docs/model.md section 11.6), and the
// module's checkpointed state.
#include "core/engine/impl.hpp"

#include <cmath>
#include <limits>

namespace demat {

const std::vector<std::string>& control_event_names() {
    static const std::vector<std::string> names{
        "scored",        "in_error_innocent", "in_error_deliberate", "automated",     "documents",
        "visit",         "selected_in_error", "random_in_error",     "found_innocent", "found_deliberate",
        "nothing_found", "adhesion",          "circumvention",       "contestation",  "withdrawal",
        "appeals_won",   "suspensions",       "wrongful_suspensions", "terminations",
        "cross_checks",  "cross_found_innocent", "cross_found_deliberate"};
    return names;
}

const std::vector<std::string>& control_amount_names() {
    static const std::vector<std::string> names{"overpayment_found", "penalties", "recovered"};
    return names;
}

namespace {

const std::vector<std::string>& indicator_names() {
    static const std::vector<std::string> names{"recipient_months",
                                                "controls",
                                                "control_rate_per_1000",
                                                "over_control_index",
                                                "false_positive_rate",
                                                "wrongful_suspension_per_1000",
                                                "wrongful_suspension_rate",
                                                "true_positive_rate",
                                                "equal_opportunity_difference"};
    return names;
}

// Totals over days and services of the events that the indicators use.
struct Totals {
    double scored = 0, controls = 0, nothing = 0, wrongful = 0, in_error = 0, selected_in_error = 0, random_in_error = 0;
    void add(const std::int64_t* ev) {
        auto at = [ev](ControlEvent e) { return static_cast<double>(ev[static_cast<std::size_t>(e)]); };
        scored += at(ControlEvent::scored);
        controls += at(ControlEvent::automated) + at(ControlEvent::documents) + at(ControlEvent::visit);
        nothing += at(ControlEvent::nothing_found);
        wrongful += at(ControlEvent::wrongful_suspensions);
        in_error += at(ControlEvent::in_error_innocent) + at(ControlEvent::in_error_deliberate);
        selected_in_error += at(ControlEvent::selected_in_error);
        random_in_error += at(ControlEvent::random_in_error);
    }
};

double ratio(double num, double den) { return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN(); }

}  // namespace

void Engine::Impl::add_control_results(Results& r) const {
    if (!control_on()) return;
    const auto S = static_cast<std::size_t>(services), D = static_cast<std::size_t>(sc.days);
    const std::size_t R = control.round_days.size();
    const auto G = static_cast<std::size_t>(total_groups_);
    const auto E = static_cast<std::size_t>(control_event_count);
    r.coordinates.push_back({"control/day", {}, control.round_days,
                             "recorded days of the monthly control rounds (every 30 days of the run, warm-up included)"});
    r.coordinates.push_back({"control/event", control_event_names(), {}, "control events (docs/output.md, Control)"});
    r.coordinates.push_back({"control/amount", control_amount_names(), {}, "amounts of money (docs/output.md, Control)"});
    r.coordinates.push_back({"control/indicator", indicator_names(), {}, "fairness indicators (docs/model.md 11.6)"});
    r.coordinates.push_back({"control/selection", {"selected", "random_same_budget"}, {},
                             "the units controlled, and those random selection at the same budget would have controlled"});
    r.coordinates.push_back({"control/measure", {"precision", "recall"}, {}, "precision and recall against the truth"});
    r.arrays.push_back({"control/events", {"control/day", "service", "control/event"}, {R, S, E}, control.events,
                        "control events by round day and service (units: recipient units, a citizen's claim)", "1"});
    r.arrays.push_back({"control/amounts", {"control/day", "service", "control/amount"}, {R, S, std::size_t{control_amount_count}},
                        control.amounts, "overpayments found, penalties and amounts withheld from payments", "€"});
    r.arrays.push_back({"control/suspended", {"day", "service"}, {D, S}, control.suspended,
                        "eligible claims counted as interrupted whose cause is a control (suspended or terminated, "
                        "not received again), at the start of the day; included in /counts' interrupted",
                        "claims"});
    r.coordinates.push_back({"control/answer", control_answer_names(), {},
                             "how a document request ended: answered by channel, or unanswered by cause (docs/output.md, Control)"});
    r.arrays.push_back({"control/answers", {"control/day", "service", "control/answer"},
                        {R, S, std::size_t{control_answer_count}}, control.answers,
                        "document requests settled, by the round that asked, service and how they ended", "1"});

    r.coordinates.push_back({"control/help", {"autonomous", "assisted"}, {},
                             "completed alone (online) or with help (informal, mediation, counter, phone), as "
                             "/metrics/autonomous_completions and /metrics/assisted_completions"});
    r.arrays.push_back({"control/answer_completions", {"day", "service", "control/help"}, {D, S, std::size_t{2}},
                        control.answer_completions,
                        "answers to document requests completed, by the day they were completed: procedures counted "
                        "in /metrics/autonomous_completions and /metrics/assisted_completions as well",
                        "events"});

    // Whole population totals, for the ratios of every group.
    Totals all;
    for (std::size_t i = 0; i < R * S; ++i) all.add(&control.events[i * E]);
    const std::size_t I = indicator_names().size();
    for (int d = 0; d < dimension_count; ++d) {
        if (!dimension_in_output(d, agencies_on)) continue;
        const DimensionInfo& info = dimensions()[static_cast<std::size_t>(d)];
        const std::size_t groups = info.groups.size();
        const auto offset = static_cast<std::size_t>(offsets[static_cast<std::size_t>(d)]);
        std::vector<std::int64_t> events(R * S * groups * E);
        std::vector<Totals> totals(groups);
        for (std::size_t t = 0; t < R * S; ++t)
            for (std::size_t g = 0; g < groups; ++g) {
                const std::int64_t* from = &control.segment_events[(t * G + offset + g) * E];
                std::copy(from, from + E, &events[(t * groups + g) * E]);
                totals[g].add(from);
            }
        // The groups' labels again under /control: an HDF5 dimension scale
        // must be in the array's group or above it (docs/output.md).
        const std::string base = "control/segments/" + info.name;
        const std::string group = base + "/group";
        r.coordinates.push_back({group, info.groups, {}, info.description});
        r.arrays.push_back({base + "/events", {"control/day", "service", group, "control/event"},
                            {R, S, groups, E}, std::move(events), "control events by segment group", "1"});
        std::vector<std::int64_t> stock(D * S * groups);
        for (std::size_t t = 0; t < D * S; ++t)
            for (std::size_t g = 0; g < groups; ++g) stock[t * groups + g] = control.segment_suspended[t * G + offset + g];
        r.arrays.push_back({base + "/suspended", {"day", "service", group}, {D, S, groups}, std::move(stock),
                            "/control/suspended by segment group", "claims"});
        std::vector<double> fair(groups * I);
        const double rate_all = ratio(all.controls, all.scored), tpr_all = ratio(all.selected_in_error, all.in_error);
        for (std::size_t g = 0; g < groups; ++g) {
            const Totals& x = totals[g];
            const double rate = ratio(x.controls, x.scored), tpr = ratio(x.selected_in_error, x.in_error);
            double* out = &fair[g * I];
            out[0] = x.scored;
            out[1] = x.controls;
            out[2] = 1000.0 * rate;
            out[3] = ratio(rate, rate_all);
            out[4] = ratio(x.nothing, x.controls);
            out[5] = 1000.0 * ratio(x.wrongful, x.scored);
            out[6] = ratio(x.wrongful, x.controls);
            out[7] = tpr;
            out[8] = tpr - tpr_all;
        }
        r.arrays.push_back({base + "/fairness", {group, "control/indicator"}, {groups, I}, std::move(fair),
                            "fairness indicators over the recorded run, summed over services (docs/model.md 11.6)",
                            "mixed (see control/indicator)"});
    }
    std::vector<double> pr{ratio(all.selected_in_error, all.controls), ratio(all.selected_in_error, all.in_error),
                           ratio(all.random_in_error, all.controls), ratio(all.random_in_error, all.in_error)};
    r.arrays.push_back({"control/precision_recall", {"control/selection", "control/measure"}, {2, 2}, std::move(pr),
                        "share of controlled units that were in error (precision) and share of unit-months in error "
                        "that were controlled (recall), for the selection made and for random selection at the same budget",
                        "1"});
}

// The module's state between days (Engine::visit_state): listed only when
// control is on, so that checkpoints of runs without it are unchanged.
void Engine::Impl::visit_control_state(StateVisitor& visit) {
    if (!control_on()) return;
    visit.fixed("control.units", control.units);
    visit.fixed("control.fear", control.fear);
    visit.fixed("control.last_change", control.last_change);
    visit.fixed("control.events", control.events);
    visit.fixed("control.segment_events", control.segment_events);
    visit.fixed("control.suspended", control.suspended);
    visit.fixed("control.amounts", control.amounts);
    visit.fixed("control.answers", control.answers);
    visit.fixed("control.segment_suspended", control.segment_suspended);
    visit.fixed("control.answer_completions", control.answer_completions);
    visit("control.requests", control.requests);
    if (visit.restoring()) {  // derived from the claims and units just restored
        control_watch_all();
        control.derive_answering(citizens, services);
    }
}

}  // namespace demat
