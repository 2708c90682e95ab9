// The description of a model run: plain data, no behaviour, no I/O.
//
// A Scenario is what a scenario file says once parsed and validated; the
// engine takes it by const reference and never changes it. Every field has
// the default documented in the parameter schema (scenario/schema.cpp), which
// is the single source of truth for names, ranges, units and sources; the
// defaults written here must equal the schema's (a test checks it).
#pragma once

#include "core/timeline_events.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace demat {

// ---- enumerations shared by the whole model --------------------------------

enum class Education : std::uint8_t { none_primary = 0, secondary = 1, higher = 2 };
enum class Employment : std::uint8_t { employed = 0, unemployed = 1, inactive = 2, retired = 3 };
enum class Household : std::uint8_t { single = 0, couple = 1, single_parent = 2, couple_children = 3 };
// Which household figures the generator matches (docs/population.md, section 1):
// legacy, the adults' (living_alone_share, single_parent_share_of_families);
// published, the households' by type and size (Insee census).
enum class HouseholdMarginals : std::uint8_t { legacy = 0, published = 1 };
enum class TerritoryType : std::uint8_t { dense_urban = 0, intermediate = 1, rural = 2 };
enum class Equipment : std::uint8_t { none = 0, smartphone_only = 1, computer = 2 };
enum class Mobility : std::uint8_t { car = 0, public_transport = 1, none = 2 };

enum class Channel : std::uint8_t { online = 0, phone = 1, counter = 2, mediation = 3 };
inline constexpr int channel_count = 4;

enum class ServiceKind : std::uint8_t { benefit = 0, obligation = 1 };
enum class IdentityRequirement : std::uint8_t { none = 0, account = 1, strong = 2 };
enum class MediationMode : std::uint8_t { doing_for = 0, doing_with = 1 };
// Who a service is claimed for (docs/model.md, section 5.1): each citizen,
// a couple, or the whole household (core/households.hpp).
enum class BenefitUnit : std::uint8_t { individual = 0, couple = 1, household = 2 };
// How a service's amount is set (docs/model.md, section 5.2; core/amounts.hpp):
// flat (monthly_amount for everyone) or one of the differential scales.
enum class AmountRule : std::uint8_t { flat = 0, minimum_income = 1, in_work_benefit = 2, housing_benefit = 3, old_age_minimum = 4 };
// The agency that runs a service (docs/model.md, section 6.15): none, or
// one of the four whose files make a unit "known" (core/engine/agencies.cpp).
enum class Agency : std::uint8_t { none = 0, family_benefits = 1, health_insurance = 2, pension_fund = 3, tax_administration = 4 };
inline constexpr int agency_count = 4;  // without none

inline constexpr int education_count = 3;
inline constexpr int employment_count = 4;
inline constexpr int household_count = 4;
inline constexpr int territory_type_count = 3;
inline constexpr int equipment_count = 3;
inline constexpr int mobility_count = 3;

// ---- population ------------------------------------------------------------

// Shares by age group (18-29, 30-44, 45-59, 60-74, 75+).
inline constexpr int age_group_count = 5;

struct PopulationParams {
    std::int64_t size = 100000;
    // Age structure of adults (Insee 2023).
    std::array<double, age_group_count> age_group_share{0.17, 0.23, 0.24, 0.22, 0.14};
    // Territory mix by Insee density grid.
    std::array<double, territory_type_count> territory_share{0.37, 0.30, 0.33};
    // Residents per zone (a zone is a local area sharing counters and mediation sites).
    std::int64_t zone_size = 2500;
    // Mean spacing of the zones' centres, for the distance to another zone's
    // counter when the zone's own is closed (docs/model.md 6.13).
    double zone_spacing_km = 4.5;
    // Multiplier of the distance from a rural zone to another zone's counter
    // (docs/model.md 6.13); 1: as any zone.
    double rural_spacing = 1.0;
    // Share of adults living alone, and of families with children that are single-parent.
    double living_alone_share = 0.20;
    double single_parent_share_of_families = 0.25;
    // published: the household types come from the published shares of
    // households (households.hpp, household_type_share) and the two shares
    // above are not used.
    HouseholdMarginals household_marginals = HouseholdMarginals::legacy;
    double tenant_share = 0.42;
    double unemployment_rate = 0.073;
    // Digital skill below this threshold (or no internet use) is illectronisme.
    double illectronisme_threshold = 0.25;
};

// The number of zones: the population cut in zones of zone_size residents
// (the last one smaller), at least one (core/population.cpp, make_zones).
inline std::int64_t zone_count(const PopulationParams& p) {
    return std::max<std::int64_t>(1, (p.size + p.zone_size - 1) / p.zone_size);
}

// ---- network ---------------------------------------------------------------

struct NetworkParams {
    // Mean number of non-household ties (inside the zone plus long range).
    double mean_extra_degree = 6.0;
    // Share of adults who get no tie outside their household.
    double isolated_share = 0.12;
    // Homophily: relative weight against a tie per 10 years of age gap and per education level gap.
    double homophily_age = 1.0;
    double homophily_education = 1.0;
    // Share of non-household ties drawn across the whole population.
    double long_range_share = 0.05;
};

// ---- capital score ---------------------------------------------------------

struct CapitalWeights {
    double education = 1.0;
    double digital_skill = 1.0;
    double literacy = 1.0;
    double admin_literacy = 1.0;
    double helpers = 1.0;
    // Number of capable helpers at which the helpers component saturates.
    int helpers_saturation = 3;
};

// ---- behaviour -------------------------------------------------------------

struct BehaviourParams {
    // Awareness hazard (per day) = outreach + peer_information * share of
    // neighbours aware + base_awareness * admin_literacy.
    double peer_information = 0.02;
    double base_awareness = 0.002;
    // Spread (log units) of a lasting personal factor, mean 1, multiplying the
    // awareness hazard: some people are out of every information loop for years.
    double awareness_spread = 1.5;
    // Mean days of exposure to information before the run starts: sets who
    // already knows their rights on day 0 of the warm-up.
    int prior_eligibility_days = 36500;
    // Probability that a contact with a mediator or counter agent also informs
    // the citizen of every other service they are eligible for.
    double mediator_information = 0.5;

    // Decision to claim: logistic(intercept + benefit * amount/500 - complexity
    // * complexity * (1 - admin_literacy) - distrust * (1 - trust) - stigma).
    double decision_intercept = 0.5;
    double decision_benefit = 1.5;
    double decision_complexity = 2.0;
    double decision_distrust = 1.5;
    double decision_stigma = 1.0;
    double decision_obligation = 4.0;
    // Spread of a lasting personal inclination for or against claiming each
    // service (logit units): some people never want a benefit, whatever the day.
    double decision_taste_spread = 2.5;
    // Weight, in the decision, of the loss of access when the zone's counter
    // is closed (docs/model.md 6.2); 0 = off.
    double decision_access = 0.0;
    // Weight against claiming of the expected wait at the counter serving a
    // closed zone, per 30 days (docs/model.md 6.2); 0: off.
    double decision_wait = 0.0;
    // Days before a Declined citizen reconsiders.
    int reconsider_days = 90;

    // Channel choice: multinomial logit utilities.
    double channel_online = 0.5;
    double channel_phone = -0.5;
    double channel_counter = 0.0;
    double channel_mediation = -0.5;
    double channel_skill = 3.0;      // online utility per unit of digital skill
    double channel_distance = 0.08;  // disutility per km to a counter or mediation site
    double channel_habit = 1.0;      // bonus for the channel last used successfully
    // Bonus for the channel through which the citizen last completed this
    // service's procedure (docs/model.md 6.3); 0 (off): no per-service record is kept.
    double channel_habit_service = 0.0;
    double channel_taste_spread = 1.0;  // spread of personal channel tastes ("happy non-use")

    // Online success: logistic(online_intercept + online_skill * skill +
    // online_admin * admin_literacy + online_literacy * literacy
    // - online_complexity * complexity - identity barrier).
    double online_intercept = -0.5;
    double online_skill = 3.0;
    double online_admin = 1.5;
    double online_literacy = 1.0;
    double online_complexity = 3.0;
    double identity_account = 0.5;
    double identity_strong = 1.5;
    // Causes of failure (docs/model.md, section 6.10); 0 leaves the
    // attempt as above. An attempt's connection fails with probability
    // connection_failure x (1 - the zone's broadband coverage); an
    // unequipped citizen sent online borrows a device with probability
    // borrow_device; a trip to a counter or mediation site is given up with
    // probability 1 - exp(-distance_give_up x km x mobility factor).
    double connection_failure = 0.0;
    double borrow_device = 0.0;
    double distance_give_up = 0.0;
    // A trip longer than trip_limit_km (km x mobility factor) is given up
    // for certain (docs/model.md 6.13); 0: no limit.
    double trip_limit_km = 0.0;
    // Strong identity (docs/model.md 6.11): the means to pass it online,
    // an identity card with a chip and a compatible (NFC) smartphone,
    // lasting traits of chip_id_share of citizens and nfc_phone_share of
    // smartphones; lacking them, a failed step sends the citizen to an
    // in-person check with probability identity_in_person.
    double chip_id_share = 0.3;
    double nfc_phone_share = 0.8;
    double identity_in_person = 0.5;
    // Assisted channels (phone, counter, mediation): logistic(intercept
    // + assisted_admin * admin_literacy - assisted_complexity * complexity).
    double phone_intercept = 0.5;
    double counter_intercept = 2.0;
    double mediation_intercept = 2.0;
    double assisted_admin = 1.0;
    double assisted_complexity = 1.5;

    // After a failure: probability of asking for help (grows with failures).
    double ask_help = 0.3;
    int retry_days = 7;
    int max_failures = 4;
    // Days a citizen waits in a queue before giving up the attempt.
    int patience_days = 21;
    // Days before an Abandoned citizen may try again, and the chance they do.
    int abandon_revisit_days = 180;
    double abandon_retry = 0.3;

    // Informal help.
    double helper_skill = 0.6;       // digital skill a neighbour needs to help
    double helper_admin = 0.4;       // administrative literacy a neighbour needs to help
    int helper_capacity = 4;         // procedures a helper helps with per 30 days
    // A helper's time (docs/model.md 6.12): with helper_hours_per_month > 0
    // it replaces helper_capacity; a help takes help_hours_fixed +
    // help_hours_complexity x complexity hours, counted in quarter-hours.
    double helper_hours_per_month = 0.0;
    double help_hours_fixed = 0.5;
    double help_hours_complexity = 1.5;

    // Contestation of a wrongful rejection: logistic(contest_intercept +
    // contest_capital * capital + contest_trust * trust).
    double contest_intercept = -1.5;
    double contest_capital = 2.0;
    double contest_trust = 1.0;
    double appeal_success = 0.8;

    // Learning from procedures.
    double admin_learning = 0.02;   // admin literacy gain after a success
    double trust_loss_rejection = 0.1;
    double trust_loss_interruption = 0.05;
    double trust_gain_success = 0.01;

    // Self-efficacy (docs/model.md, section 6.14): the belief of being able
    // to do a procedure, moved by mastery experiences. Its weights in the
    // decision and the channel choice are 0 by default: the baseline is
    // calibrated without it.
    double self_efficacy_gain = 0.1;       // towards 1 after a success done alone
    double self_efficacy_loss = 0.1;       // towards 0 after a failed attempt
    double self_efficacy_doing_for = 0.25; // share of the gain when the procedure was done for the citizen
    double self_efficacy_doing_with = 1.0; // share of the gain when done with a mediator (doing_with)
    double self_efficacy_claim = 0.0;      // logit of claiming per unit of self-efficacy above 0.5
    double self_efficacy_online = 0.0;     // online utility per unit of self-efficacy above 0.5

    // Renewal: days allowed to complete a periodic declaration.
    int renewal_window_days = 30;
    // Grace period before an in-progress claim is counted as overdue.
    int grace_days = 60;
};

// ---- mediation -------------------------------------------------------------

struct MediationParams {
    MediationMode mode = MediationMode::doing_for;
    // Skill gains when mediation is done "with" the citizen.
    double skill_gain = 0.08;
    double admin_gain = 0.05;
    // Success penalty (logit) of doing-with compared with doing-for.
    double doing_with_penalty = 0.8;
    // Share of a zone's mediation sites that close with its counters
    // (close_counters, docs/model.md 6.13); 0: none.
    double close_with_counters = 0.0;
};

// ---- digital control of recipients (docs/model.md, section 11) --------------

// How the monthly control budget is spent: on the highest risk scores, or at
// random (the counterfactual at the same budget).
enum class ControlSelection : std::uint8_t { score = 0, random = 1 };

// The features the administration sees for each recipient unit (docs/model.md
// section 11.1), in the order of ControlParams::weights.
inline constexpr int control_feature_count = 9;

struct ControlParams {
    bool enabled = false;
    ControlSelection selection = ControlSelection::score;
    // Controls per recipient unit per month (x 1,000 = a count per 1,000 recipients).
    double monthly_rate = 0.196;
    // Shares of the controls by type: automated cross-check, document request, home visit (sum to 1).
    std::array<double, 3> type_share{0.87, 0.126, 0.004};
    // Months between a recipient unit's systematic cross-checks with other
    // administrations' files (docs/model.md 11.3); 0: none, automated
    // controls come only from the budget.
    int cross_check_months = 0;
    // Risk score = logistic(intercept + sum of weight * feature).
    double intercept = -3.0;
    std::array<double, control_feature_count> weights{1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5};
    // Local intensity: a multiplier of the selection weight by territory type,
    // and for the most deprived share of zones.
    std::array<double, territory_type_count> territory_intensity{1.0, 1.0, 1.0};
    double targeted_zone_share = 0.0;
    double targeted_zone_intensity = 1.0;
    // Zones (indices into the population's zones) chosen by local actors,
    // whose intensity is multiplied by targeted_zone_intensity too.
    std::vector<std::int64_t> targeted_zones;
    // The truth (docs/model.md section 11.2): monthly onset of an innocent error,
    // logistic(error_intercept + error_admin * (1 - admin literacy) + error_complexity
    // * complexity + error_change * recent change); deliberate errors at a fixed rate.
    double error_intercept = -5.5;
    double error_admin = 2.0;
    double error_complexity = 2.0;
    double error_change = 1.5;
    double fraud_rate = 0.0008;
    double error_correction = 0.083;
    double error_share = 0.2;
    // Detection of an existing error by control type, and the factor of a circumvented answer.
    std::array<double, 3> detection{0.3, 0.7, 0.9};
    double circumvention_detection = 0.5;
    // Days a citizen has to answer a document request (docs/model.md section 11.3).
    int document_deadline_days = 30;
    // Consequences.
    int suspension_days = 60;
    int recovery_months_max = 24;
    double recovery_share = 0.2;
    double fraud_penalty = 0.5;
    double appeal_success = 0.6;
    // Responses: multinomial logit, withdrawal the reference (docs/model.md section 11.4).
    double adhesion_intercept = 2.0;
    double adhesion_trust = 2.0;
    double adhesion_capital = 2.0;
    double circumvention_intercept = -0.5;
    double circumvention_help = 1.5;
    double contestation_intercept = -2.5;
    double contestation_capital = 2.0;
    double contestation_trust = 2.0;
    double withdrawal_past_controls = 0.3;
    // Fear and the chilling effect (docs/model.md section 11.5).
    double fear_control = 0.1;
    double fear_wrongful = 0.4;
    double fear_neighbour = 0.25;
    double fear_cost = 2.0;
    double fear_decay = 0.05;
    double trust_loss_control = 0.02;
    double trust_loss_wrongful = 0.15;
};

// ---- agencies (docs/model.md, section 6.15) ----------------------------------

struct AgencyParams {
    // Daily hazard with which the agency informs a unit it knows of its
    // other benefits (the pension fund: the probability that it informs a
    // pensioner at the start of an eligibility spell, its "settlement").
    double information_rate = 0.0;
    // Share by which the data the agency has on file lowers the complexity
    // of a first claim to one of its services ("tell us once").
    double tell_us_once = 0.0;
};

struct AgenciesParams {
    // Indexed by Agency - 1.
    std::array<AgencyParams, agency_count> agency{};
    // The tax return's data are on file at every agency (the timeline's
    // share_tax_data event switches it during the run).
    bool share_tax_data = false;
    const AgencyParams& of(Agency a) const { return agency[static_cast<std::size_t>(a) - 1]; }
};

// ---- life course after 75 (docs/model.md, section 2.1) ----------------------

struct LifeCourseParams {
    // Off: nothing below is read and no number is drawn.
    bool enabled = false;
    // Death of a partner in couples with an adult of 75 or more, at the
    // mortality of the partner's age (france_calibration.hpp, Insee tables).
    bool widowhood = true;
    // Relative loss of digital skill per year after 75 (assumption).
    double skill_decline = 0.03;
    // Yearly probability, after 75, of falling one step of mobility: car to
    // public transport, public transport to none (assumption).
    double mobility_loss = 0.04;
};

// ---- moving house (docs/model.md, section 2.2) -------------------------------

struct MovingParams {
    // Off: nothing below is read and no number is drawn.
    bool enabled = false;
    // Yearly probability that a household moves, by its tenure
    // (Population::tenant: owner, private tenant, social tenant).
    double owner_rate = 0.036;
    double private_tenant_rate = 0.185;
    double social_tenant_rate = 0.085;
};

// ---- services --------------------------------------------------------------

struct Eligibility {
    int age_min = 18;
    int age_max = 120;
    int income_decile_max = 10;
    // Bit i set = Employment i allowed.
    std::uint8_t employment_mask = 0x0F;
    // Bit i set = Household i allowed.
    std::uint8_t household_mask = 0x0F;
    bool tenant_required = false;
};

struct ChannelParams {
    bool enabled = true;
    // Procedures served per day per 10,000 residents, for the staffed
    // channels (phone: national; counter and mediation: per zone). 0 = nobody
    // is served. Ignored for online, which has no capacity limit.
    double capacity_per_10k = 0.0;
    double wrongful_rejection = 0.02;
};

struct ServiceParams {
    std::string name;
    ServiceKind kind = ServiceKind::benefit;
    Eligibility eligibility;
    double monthly_amount = 0.0;
    double complexity_first = 0.5;
    double complexity_renewal = 0.3;
    IdentityRequirement identity = IdentityRequirement::account;
    std::array<ChannelParams, channel_count> channels{};
    int processing_days = 30;
    int renewal_days = 0;
    double outreach = 0.0;
    bool automatic = false;
    double stigma = 0.0;
    // Chance, at administrative literacy 0, that a citizen who learns of
    // this right on their own, from peers or from a general campaign
    // believes not to be entitled (docs/model.md 6.16); 0 = off.
    double eligibility_doubt = 0.0;
    BenefitUnit unit = BenefitUnit::individual;
    AmountRule amount_rule = AmountRule::flat;
    Agency agency = Agency::none;
};

// ---- policy timeline: core/timeline_events.hpp -------------------------------

// ---- the whole scenario ----------------------------------------------------

struct Scenario {
    std::string name = "scenario";
    std::string description;
    int days = 730;
    // Days simulated before day 0 and not recorded, so that recorded days start
    // from the model's own steady state under the initial policy, not from a
    // population in which nobody has claimed anything yet.
    int warmup_days = 365;
    std::uint64_t seed = 1;
    PopulationParams population;
    NetworkParams network;
    CapitalWeights capital;
    BehaviourParams behaviour;
    MediationParams mediation;
    ControlParams control;
    AgenciesParams agencies;
    LifeCourseParams life_course;
    MovingParams moving;
    std::vector<ServiceParams> services;
    // Policy changes during the recorded run, in the order they apply (by
    // day, then as written; a base file's before its derived file's).
    std::vector<TimelineEvent> timeline;
    // The scenario file's text, kept for provenance (written to outputs).
    std::string source_text;
    std::string source_path;
};

inline constexpr int max_services = 8;

}  // namespace demat
