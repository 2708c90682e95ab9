// Field-by-field comparison of scenarios, written independently of the schema
// so that it can catch a key the schema forgot or bound to the wrong field.
// The X-macro lists below name every field; test_schema.cpp checks (by
// counting aggregate members) that they cover the structs of core/scenario.hpp.
#pragma once

#include "core/scenario.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <type_traits>

#define DEMAT_POPULATION_FIELDS(X)                                                              \
    X(size) X(age_group_share) X(territory_share) X(zone_size) X(zone_spacing_km) X(rural_spacing) X(living_alone_share)          \
    X(single_parent_share_of_families) X(household_marginals) X(tenant_share) X(unemployment_rate) X(illectronisme_threshold)
#define DEMAT_NETWORK_FIELDS(X) \
    X(mean_extra_degree) X(isolated_share) X(homophily_age) X(homophily_education) X(long_range_share)
#define DEMAT_CAPITAL_FIELDS(X) \
    X(education) X(digital_skill) X(literacy) X(admin_literacy) X(helpers) X(helpers_saturation)
#define DEMAT_BEHAVIOUR_DOUBLE_FIELDS(X)                                                               \
    X(peer_information) X(base_awareness) X(awareness_spread) X(mediator_information) X(decision_intercept)                 \
    X(decision_benefit) X(decision_complexity) X(decision_distrust) X(decision_stigma)                  \
    X(decision_obligation) X(decision_taste_spread) X(decision_access) X(decision_wait) X(channel_online) X(channel_phone) X(channel_counter) X(channel_mediation)   \
    X(channel_skill) X(channel_distance) X(channel_habit) X(channel_habit_service) X(channel_taste_spread) X(online_intercept)   \
    X(online_skill) X(online_admin) X(online_literacy) X(online_complexity) X(identity_account)         \
    X(identity_strong) X(phone_intercept) X(counter_intercept) X(mediation_intercept) X(assisted_admin) \
    X(assisted_complexity) X(ask_help) X(abandon_retry) X(helper_skill) X(helper_admin)                 \
    X(contest_intercept) X(contest_capital) X(contest_trust) X(appeal_success) X(admin_learning)        \
    X(trust_loss_rejection) X(trust_loss_interruption) X(trust_gain_success) X(connection_failure)     \
    X(borrow_device) X(distance_give_up) X(trip_limit_km) X(chip_id_share) X(nfc_phone_share) X(identity_in_person) \
    X(helper_hours_per_month) X(help_hours_fixed) X(help_hours_complexity)                              \
    X(self_efficacy_gain) X(self_efficacy_loss) X(self_efficacy_doing_for) X(self_efficacy_doing_with)  \
    X(self_efficacy_claim) X(self_efficacy_online)
#define DEMAT_BEHAVIOUR_INT_FIELDS(X)                                                            \
    X(reconsider_days) X(retry_days) X(max_failures) X(patience_days) X(abandon_revisit_days) \
    X(helper_capacity) X(renewal_window_days) X(grace_days) X(prior_eligibility_days)
#define DEMAT_MEDIATION_FIELDS(X) X(mode) X(skill_gain) X(admin_gain) X(doing_with_penalty) X(close_with_counters)
#define DEMAT_CONTROL_FIELDS(X)                                                                                   \
    X(enabled) X(selection) X(monthly_rate) X(type_share) X(intercept) X(weights) X(territory_intensity)              \
    X(targeted_zone_share) X(targeted_zone_intensity) X(targeted_zones) X(error_intercept) X(error_admin) X(error_complexity)            \
    X(error_change) X(fraud_rate) X(error_correction) X(error_share) X(detection) X(circumvention_detection)           \
    X(document_deadline_days) X(suspension_days) X(recovery_months_max) X(recovery_share) X(fraud_penalty) X(appeal_success)                    \
    X(adhesion_intercept) X(adhesion_trust) X(adhesion_capital) X(circumvention_intercept) X(circumvention_help)       \
    X(contestation_intercept) X(contestation_capital) X(contestation_trust) X(withdrawal_past_controls)               \
    X(fear_control) X(fear_wrongful) X(fear_neighbour) X(fear_cost) X(fear_decay) X(trust_loss_control)               \
    X(trust_loss_wrongful)
inline constexpr int control_field_count =
#define DEMAT_COUNT_FIELD(f) +1
    0 DEMAT_CONTROL_FIELDS(DEMAT_COUNT_FIELD);
#undef DEMAT_COUNT_FIELD
#define DEMAT_LIFE_COURSE_FIELDS(X) X(enabled) X(widowhood) X(skill_decline) X(mobility_loss)
#define DEMAT_MOVING_FIELDS(X) X(enabled) X(owner_rate) X(private_tenant_rate) X(social_tenant_rate)
#define DEMAT_ELIGIBILITY_FIELDS(X) \
    X(age_min) X(age_max) X(income_decile_max) X(employment_mask) X(household_mask) X(tenant_required)
#define DEMAT_CHANNEL_FIELDS(X) X(enabled) X(capacity_per_10k) X(wrongful_rejection)
// Scalars of ServiceParams (besides name, eligibility and channels).
#define DEMAT_SERVICE_SCALAR_FIELDS(X)                                                              \
    X(kind) X(monthly_amount) X(complexity_first) X(complexity_renewal) X(identity) X(processing_days) \
    X(renewal_days) X(outreach) X(automatic) X(stigma) X(unit) X(amount_rule)

#define DEMAT_COUNT_FIELD(f) +1
inline constexpr int behaviour_field_count =
    0 DEMAT_BEHAVIOUR_DOUBLE_FIELDS(DEMAT_COUNT_FIELD) DEMAT_BEHAVIOUR_INT_FIELDS(DEMAT_COUNT_FIELD);

namespace demat::test {

// Number of members of an aggregate: the largest N for which T{x1, ..., xN}
// compiles with arguments convertible to anything.
struct AnyField {
    template <class T>
    operator T() const;  // declared only: used in unevaluated contexts
};

template <class T, class... Args>
constexpr std::size_t member_count() {
    if constexpr (requires { T{Args{}..., AnyField{}}; })
        return member_count<T, Args..., AnyField>();
    else
        return sizeof...(Args);
}

// Everything but the provenance fields (source_text, source_path).
inline void check_same(const Scenario& a, const Scenario& b) {
    CHECK(a.name == b.name);
    CHECK(a.description == b.description);
    CHECK(a.days == b.days);
    CHECK(a.warmup_days == b.warmup_days);
    CHECK(a.seed == b.seed);
#define DEMAT_CHECK_FIELD(section, f) CHECK(a.section.f == b.section.f);
#define DEMAT_CHECK_POPULATION(f) DEMAT_CHECK_FIELD(population, f)
#define DEMAT_CHECK_NETWORK(f) DEMAT_CHECK_FIELD(network, f)
#define DEMAT_CHECK_CAPITAL(f) DEMAT_CHECK_FIELD(capital, f)
#define DEMAT_CHECK_BEHAVIOUR(f) DEMAT_CHECK_FIELD(behaviour, f)
#define DEMAT_CHECK_MEDIATION(f) DEMAT_CHECK_FIELD(mediation, f)
    DEMAT_POPULATION_FIELDS(DEMAT_CHECK_POPULATION)
    DEMAT_NETWORK_FIELDS(DEMAT_CHECK_NETWORK)
    DEMAT_CAPITAL_FIELDS(DEMAT_CHECK_CAPITAL)
    DEMAT_BEHAVIOUR_DOUBLE_FIELDS(DEMAT_CHECK_BEHAVIOUR)
    DEMAT_BEHAVIOUR_INT_FIELDS(DEMAT_CHECK_BEHAVIOUR)
    DEMAT_MEDIATION_FIELDS(DEMAT_CHECK_MEDIATION)
#define DEMAT_CHECK_CONTROL(f) DEMAT_CHECK_FIELD(control, f)
    DEMAT_CONTROL_FIELDS(DEMAT_CHECK_CONTROL)
#define DEMAT_CHECK_LIFE_COURSE(f) DEMAT_CHECK_FIELD(life_course, f)
    DEMAT_LIFE_COURSE_FIELDS(DEMAT_CHECK_LIFE_COURSE)
#undef DEMAT_CHECK_LIFE_COURSE
#define DEMAT_CHECK_MOVING(f) DEMAT_CHECK_FIELD(moving, f)
    DEMAT_MOVING_FIELDS(DEMAT_CHECK_MOVING)
#undef DEMAT_CHECK_MOVING
    REQUIRE(a.services.size() == b.services.size());
    for (std::size_t s = 0; s < a.services.size(); ++s) {
        const auto& x = a.services[s];
        const auto& y = b.services[s];
        INFO("service " << x.name);
        CHECK(x.name == y.name);
#define DEMAT_CHECK_SERVICE(f) CHECK(x.f == y.f);
#define DEMAT_CHECK_ELIGIBILITY(f) CHECK(x.eligibility.f == y.eligibility.f);
        DEMAT_SERVICE_SCALAR_FIELDS(DEMAT_CHECK_SERVICE)
        DEMAT_ELIGIBILITY_FIELDS(DEMAT_CHECK_ELIGIBILITY)
        for (std::size_t c = 0; c < x.channels.size(); ++c) {
            INFO("channel " << c);
#define DEMAT_CHECK_CHANNEL(f) CHECK(x.channels[c].f == y.channels[c].f);
            DEMAT_CHANNEL_FIELDS(DEMAT_CHECK_CHANNEL)
        }
    }
    REQUIRE(a.timeline.size() == b.timeline.size());
    for (std::size_t i = 0; i < a.timeline.size(); ++i) {
        const auto& x = a.timeline[i];
        const auto& y = b.timeline[i];
        INFO("timeline event " << i);
        CHECK(x.day == y.day);
        CHECK(x.name() == y.name());
        CHECK(x == y);  // every key of the event's kind
    }
#undef DEMAT_CHECK_FIELD
#undef DEMAT_CHECK_POPULATION
#undef DEMAT_CHECK_NETWORK
#undef DEMAT_CHECK_CAPITAL
#undef DEMAT_CHECK_BEHAVIOUR
#undef DEMAT_CHECK_MEDIATION
#undef DEMAT_CHECK_SERVICE
#undef DEMAT_CHECK_ELIGIBILITY
#undef DEMAT_CHECK_CHANNEL
}

}  // namespace demat::test
