// The digital control keys of the parameter table (docs/model.md, section 11;
// sources in docs/control_sources.md).
#include "scenario/schema_entries.hpp"

namespace demat::schema::entries {


void add_control_entries(std::vector<GlobalEntry>& e) {
    using S = Scenario;
    const std::string cnaf = "CNAF 2022 via the press (2023): ~32 million controls, ~135,000 home visits, ~49,000 "
                             "frauds found among ~13.6 million claimant households (docs/control_sources.md)";
    const std::string lqdn = "variable named as raising the CNAF score by La Quadrature du Net's analysis (2023, "
                             "docs/control_sources.md); weight: assumption (the analysis gives no comparable "
                             "magnitudes on this scale)";
    e.push_back(boolean<S>("control.enabled", DEMAT_FIELD(control.enabled), false,
        {"", "Digital control of recipients: monthly risk scoring, controls, suspensions and responses. Off: "
             "no draw, no state, results identical to a model without it.", "n/a (model option)"}));
    e.push_back(choice<S>("control.selection", DEMAT_FIELD(control.selection), {"score", "random"}, "score",
        {"", "How the monthly budget is spent: score = the highest risk scores (times local intensity); random = "
             "at random (weighted by local intensity), the counterfactual at the same budget.",
         "n/a (policy option)"}));
    e.push_back(number<S>("control.monthly_rate", DEMAT_FIELD(control.monthly_rate), 0.196, 0.0, 1.0,
        {"controls per recipient unit per month", "Monthly control budget as a share of recipient units "
                                                  "(x 1,000: controls per 1,000 recipients).",
         cnaf + ": 32 / 13.6 / 12 = 0.196 per household per month"}));
    e.push_back(shares<S>("control.type_share", DEMAT_FIELD(control.type_share), {0.87, 0.126, 0.004},
        {"share of controls", "Controls by type: automated cross-check, document request, home visit.",
         cnaf + ": home visits 135,000 / 32 million = 0.4%; the split of the rest between automated cross-checks "
                "and document requests is an assumption (mostly automated)"}));
    e.push_back(integer<S>("control.cross_check_months", DEMAT_FIELD(control.cross_check_months), 0, 0, 120,
        {"months", "Months between a recipient unit's systematic cross-checks with other administrations' files "
                   "(tax, employment, pensions), outside the budget and the score: each unit is matched every "
                   "this many months, an error found with control.detection's first element; a match that finds "
                   "nothing is not seen by the citizen (docs/model.md section 11.3). 0: no systematic "
                   "cross-checks, automated controls are drawn from the budget by control.type_share.",
         "CNAF: the bulk of its ~32 million controls a year are automated exchanges of data with other "
         "administrations run over every file, and its data-mining score selects under 1% of them (CNAF, DMDE "
         "2026 publication, 2026; docs/control_sources.md); 6 months = 2 a year per unit, as ~27.8 million / 13.6 "
         "million households"}));
    e.push_back(number<S>("control.intercept", DEMAT_FIELD(control.intercept), -3.0, -logit_max, logit_max,
        {"logit", "Intercept of the risk score (sets its level, not the ranking).",
         "assumption: a mean score of a few percent"}));
    e.push_back(numbers<S>("control.weights", DEMAT_FIELD(control.weights), {1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5},
        -logit_max, logit_max,
        {"logit per unit of feature", "Risk score weights of the features low_income, unemployed, deprived_area, "
                                      "rent_to_income, unstable_income, single_parent, several_benefits, online_user, "
                                      "since_last_control (each in [0, 1], docs/model.md section 11.1).",
         lqdn}));
    e.push_back(numbers<S>("control.territory_intensity", DEMAT_FIELD(control.territory_intensity), {1.0, 1.0, 1.0},
        0.0, 100.0,
        {"multiplier", "Local intensity of controls in dense urban, intermediate and rural areas: multiplies "
                       "the selection weight (local actors decide where devices are deployed).",
         "assumption: uniform unless the scenario targets places"}));
    e.push_back(probability<S>("control.targeted_zone_share", DEMAT_FIELD(control.targeted_zone_share), 0.0,
        {"share of zones", "Share of zones, the most deprived first (share of residents in income deciles 1-3), "
                           "whose intensity is multiplied by control.targeted_zone_intensity.",
         "assumption: no targeted zones unless the scenario says so"}));
    e.push_back(index_list<S>("control.targeted_zones", DEMAT_FIELD(control.targeted_zones), 0, 100000000,
        {"zone indices", "Zones chosen by local actors (indices into the population's zones, from 0 to the number "
                         "of zones - 1, i.e. ceil(population.size / population.zone_size) - 1) whose intensity is "
                         "multiplied by control.targeted_zone_intensity, as well as the targeted_zone_share most "
                         "deprived (a zone in both is multiplied once).",
         "assumption: none unless the scenario names places (local actors decide where devices are deployed)"}));
    e.push_back(number<S>("control.targeted_zone_intensity", DEMAT_FIELD(control.targeted_zone_intensity), 1.0, 0.0, 100.0,
        {"multiplier", "Intensity multiplier of the targeted zones.", "assumption: none by default"}));
    e.push_back(number<S>("control.error_intercept", DEMAT_FIELD(control.error_intercept), -5.5, -logit_max, logit_max,
        {"logit", "Monthly onset of an innocent declaration error: intercept.",
         "assumption: about 0.4% a month for a literate recipient with a simple, stable declaration"}));
    e.push_back(number<S>("control.error_admin", DEMAT_FIELD(control.error_admin), 2.0, 0.0, logit_max,
        {"logit", "Innocent errors: weight of (1 - administrative literacy).",
         "assumption: errors follow the burden of learning the rules (Moynihan, Herd & Harvey, JPART 2015)"}));
    e.push_back(number<S>("control.error_complexity", DEMAT_FIELD(control.error_complexity), 2.0, 0.0, logit_max,
        {"logit", "Innocent errors: weight of the service's renewal complexity.",
         "assumption: complex declarations are misfilled more often"}));
    e.push_back(number<S>("control.error_change", DEMAT_FIELD(control.error_change), 1.5, 0.0, logit_max,
        {"logit", "Innocent errors: weight of a change of situation (employment) in the last 180 days.",
         "assumption: unstable resources are hard to declare right"}));
    e.push_back(probability<S>("control.fraud_rate", DEMAT_FIELD(control.fraud_rate), 0.0008,
        {"probability per month", "Monthly onset of a deliberate error (fraud) per recipient unit.",
         cnaf + ": 49,000 / 13.6 million = 0.36% of households a year found; calibrated: at CNAF volumes with "
                "automated controls drawn from the budget (cross_check_months = 0) this onset finds 0.354% "
                "[0.322%, 0.376%] of recipient units a year; algorithmic_control.toml, with systematic "
                "cross-checks, sets 0.00052, which finds 0.362% [0.342%, 0.387%] (docs/validation.md)"}));
    e.push_back(probability<S>("control.error_correction", DEMAT_FIELD(control.error_correction), 0.083,
        {"probability per month", "Monthly chance that an innocent error is corrected by the recipient.",
         "assumption: about once a year, at the yearly declaration"}));
    e.push_back(probability<S>("control.error_share", DEMAT_FIELD(control.error_share), 0.2,
        {"share of the monthly amount", "Overpayment per month of error.", "assumption"}));
    e.push_back(numbers<S>("control.detection", DEMAT_FIELD(control.detection), {0.3, 0.7, 0.9}, 0.0, 1.0,
        {"probability", "Chance that a control finds an existing error: automated cross-check, document request, "
                        "home visit.",
         "assumption: cross-checks see only what other files hold; a visit sees most"}));
    e.push_back(probability<S>("control.circumvention_detection", DEMAT_FIELD(control.circumvention_detection), 0.5,
        {"factor", "Detection is multiplied by this when someone else answers in the citizen's name.",
         "assumption"}));
    e.push_back(integer<S>("control.document_deadline_days", DEMAT_FIELD(control.document_deadline_days), 30, 1, 365,
        {"days", "Days a citizen has to answer a document request. The answer is a procedure like any other "
                 "(channel choice, online attempt and identity step, help, queues; docs/model.md sections 6 and "
                 "11.3); one not sent by then counts as no answer, and the right is suspended.",
         "assumption: a month"}));
    e.push_back(integer<S>("control.suspension_days", DEMAT_FIELD(control.suspension_days), 60, 1, 3650,
        {"days", "Days a suspended right waits for an answer before it is terminated.", "assumption: two months"}));
    e.push_back(integer<S>("control.recovery_months_max", DEMAT_FIELD(control.recovery_months_max), 24, 0, 600,
        {"months", "Months of overpayment recovered at most.",
         "French two-year limit on recovering undue benefits (Code de la sécurité sociale, art. L553-1)"}));
    e.push_back(probability<S>("control.recovery_share", DEMAT_FIELD(control.recovery_share), 0.2,
        {"share of the monthly amount", "Share of each monthly payment withheld until a debt is repaid.",
         "assumption"}));
    e.push_back(number<S>("control.fraud_penalty", DEMAT_FIELD(control.fraud_penalty), 0.5, 0.0, 100.0,
        {"multiple of the overpayment", "Penalty added to the debt when a deliberate error is found.",
         "assumption"}));
    e.push_back(probability<S>("control.appeal_success", DEMAT_FIELD(control.appeal_success), 0.6,
        {"probability", "Chance that contesting a control of a unit without error succeeds.", "assumption"}));
    e.push_back(number<S>("control.adhesion_intercept", DEMAT_FIELD(control.adhesion_intercept), 2.0, -logit_max, logit_max,
        {"logit", "Response utility of adhesion (withdrawal is 0): intercept.", "assumption: most comply"}));
    e.push_back(number<S>("control.adhesion_trust", DEMAT_FIELD(control.adhesion_trust), 2.0, 0.0, logit_max,
        {"logit", "Adhesion: weight of trust.", "assumption: those who trust comply"}));
    e.push_back(number<S>("control.adhesion_capital", DEMAT_FIELD(control.adhesion_capital), 2.0, 0.0, logit_max,
        {"logit", "Adhesion: weight of the capital score.",
         "assumption: knowing what to send; equal to control.contestation_capital, so that capital raises both "
         "engaged responses (docs/model.md section 11.4)"}));
    e.push_back(number<S>("control.circumvention_intercept", DEMAT_FIELD(control.circumvention_intercept), -0.5,
        -logit_max, logit_max,
        {"logit", "Circumvention (someone else answers): intercept.", "assumption"}));
    e.push_back(number<S>("control.circumvention_help", DEMAT_FIELD(control.circumvention_help), 1.5, 0.0, logit_max,
        {"logit", "Circumvention: weight of a capable helper among the neighbours (0 or 1).",
         "assumption: one needs someone to answer for them"}));
    e.push_back(number<S>("control.contestation_intercept", DEMAT_FIELD(control.contestation_intercept), -2.5,
        -logit_max, logit_max,
        {"logit", "Contestation: intercept.", "assumption: few contest"}));
    e.push_back(number<S>("control.contestation_capital", DEMAT_FIELD(control.contestation_capital), 2.0, 0.0, logit_max,
        {"logit", "Contestation: weight of the capital score.", "assumption: as behaviour.contest_capital"}));
    e.push_back(number<S>("control.contestation_trust", DEMAT_FIELD(control.contestation_trust), 2.0, 0.0, logit_max,
        {"logit", "Contestation: weight of trust.",
         "assumption: equal to control.adhesion_trust, so that trust raises both engaged responses"}));
    e.push_back(number<S>("control.withdrawal_past_controls", DEMAT_FIELD(control.withdrawal_past_controls), 0.3, 0.0,
        logit_max,
        {"logit per past control", "Withdrawal: lowers every other response's utility by this per past control "
                                   "of the unit (at most 10 counted).",
         "assumption: repeated controls wear people out"}));
    e.push_back(probability<S>("control.fear_control", DEMAT_FIELD(control.fear_control), 0.1,
        {"fear per event", "Fear gained by a controlled citizen: fear += fear_control * (1 - fear).",
         "assumption; fear of consequences is the reason given by 18% (DREES Études et résultats 1263, 2023)"}));
    e.push_back(probability<S>("control.fear_wrongful", DEMAT_FIELD(control.fear_wrongful), 0.4,
        {"fear per event", "Fear gained after a suspension, more when it is wrongful (this rate; a rightful one: "
                           "half of it).", "assumption"}));
    e.push_back(probability<S>("control.fear_neighbour", DEMAT_FIELD(control.fear_neighbour), 0.25,
        {"factor", "Share of a citizen's fear gain passed to each network neighbour (the chilling effect).",
         "assumption: weaker than one's own"}));
    e.push_back(number<S>("control.fear_cost", DEMAT_FIELD(control.fear_cost), 2.0, 0.0, logit_max,
        {"logit", "Perceived cost of claiming per unit of fear, subtracted from the decision to claim.",
         "assumption"}));
    e.push_back(probability<S>("control.fear_decay", DEMAT_FIELD(control.fear_decay), 0.05,
        {"share per month", "Monthly decay of fear.", "assumption: a half-life of about a year"}));
    e.push_back(probability<S>("control.trust_loss_control", DEMAT_FIELD(control.trust_loss_control), 0.02,
        {"trust per event", "Loss of trust after a control that concerns the citizen.", "assumption"}));
    e.push_back(probability<S>("control.trust_loss_wrongful", DEMAT_FIELD(control.trust_loss_wrongful), 0.15,
        {"trust per event", "Loss of trust after a wrongful suspension.",
         "assumption: more than a rejection (behaviour.trust_loss_rejection)"}));
}

#undef DEMAT_FIELD

}  // namespace demat::schema::entries
