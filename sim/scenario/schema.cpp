// The parameter table: every scenario key, its binding to a struct field, its
// default, range, unit, description and source. Figures quoted as sources are
// those of docs/sources.md; anything else is marked
// "assumption" with the reason for the value.
#include "scenario/schema.hpp"
#include "scenario/schema_entries.hpp"
#include "scenario/schema_internal.hpp"
#include "core/channels.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

namespace demat::schema {
namespace {

using namespace entries;

std::vector<GlobalEntry> build_global_entries() {
    using S = Scenario;
    std::vector<GlobalEntry> e;

    // ---- top level ----
    e.push_back(text<S>("name", DEMAT_FIELD(name), "scenario", 1,
        {"", "Short name of the scenario, used in outputs and reports.", "n/a (label)"}));
    e.push_back(text<S>("description", DEMAT_FIELD(description), "", 0,
        {"", "Free text: what the scenario stands for.", "n/a (label)"}));
    {
        // `base` steers the reader (file composition) and maps to no field.
        auto base = make_entry<S>("base", Kind::string, std::string{},
            {"", "Scenario file loaded first (path relative to this file); this file's keys "
                 "override it, key by key.", "n/a (file composition)"});
        e.push_back(std::move(base));
    }
    e.push_back(integer<S>("days", DEMAT_FIELD(days), 730, 1, 36500,
        {"days", "Length of the run; one step is one day.",
         "assumption: two years cover several quarterly and yearly renewal cycles"}));
    e.push_back(integer<S>("warmup_days", DEMAT_FIELD(warmup_days), 365, 0, 3650,
        {"days", "Days simulated before day 0 and not recorded, so that decisions, claims, queues and "
                 "renewals settle under the initial policy after the initial conditions "
                 "(behaviour.prior_eligibility_days).",
         "assumption: one year runs every quarterly and yearly cycle at least once; the slower processes "
         "(awareness and claims on long eligibility spells) are given by the initial conditions, see "
         "docs/model.md section 1"}));
    e.push_back(integer<S>("seed", DEMAT_FIELD(seed), 1, 0, std::numeric_limits<std::int64_t>::max(),
        {"", "Key of the counter-based random streams: the same scenario and seed give the same "
             "outputs whatever the number of threads.", "n/a (reproducibility)"}));

    // ---- population ----
    e.push_back(integer<S>("population.size", DEMAT_FIELD(population.size), 100000, 100, 100000000,
        {"adults", "Number of simulated adults (18+).",
         "assumption: large enough for stable shares per segment, small enough to run in "
         "seconds; France has about 53.5 million adults (Insee population estimates 2023, approx.)"}));
    e.push_back(shares<S>("population.age_group_share", DEMAT_FIELD(population.age_group_share),
        {0.17, 0.23, 0.24, 0.22, 0.14},
        {"share of adults", "Adults by age group 18-29, 30-44, 45-59, 60-74, 75+.",
         "Insee age pyramid 2023 (approx.): 17%, 23%, 24%, 22%, 14%"}));
    e.push_back(shares<S>("population.territory_share", DEMAT_FIELD(population.territory_share),
        {0.37, 0.30, 0.33},
        {"share of adults", "Adults living in dense urban, intermediate and rural areas.",
         "Insee grille de densité (approx.): 37%, 30%, 33% of people"}));
    e.push_back(integer<S>("population.zone_size", DEMAT_FIELD(population.zone_size), 2500, 100, 100000000,
        {"residents", "Residents per zone: a local area sharing counters and mediation sites, "
                      "inside which local ties are drawn.",
         "assumption: the scale of a small town or an urban district; 2,500 makes 40 zones at the default size, "
                      "enough for the territory shares to hold within 1 point (20 zones of 5,000 missed them by 2)"}));
    e.push_back(number<S>("population.zone_spacing_km", DEMAT_FIELD(population.zone_spacing_km), 4.5, 0.1, 100.0,
        {"km", "Mean spacing of the zones' centres, placed at random in a square of side zone_spacing_km x "
               "sqrt(zones): the trip to another zone's counter when one's own is closed (docs/model.md 6.13).",
         "France's mean density (Insee: 68 million people on 552,000 km2, 123 per km2) gives a zone of 2,500 "
         "residents about 20 km2, a square of 4.5 km"}));
    e.push_back(number<S>("population.rural_spacing", DEMAT_FIELD(population.rural_spacing), 1.0, 1.0, 20.0,
        {"multiplier", "Multiplier of the distance between a rural zone's centre and the centre of the zone whose "
                       "counter serves it when its own is closed: rural zones of the same number of residents "
                       "cover more ground (docs/model.md 6.13).",
         "assumption: 1 (off) by default, so that the calibrated baseline is unchanged; the rural zones' distance to "
         "their own counter (8-35 km, sim/core/france_calibration.hpp) is about 2.2 times the mean over the three "
         "territory types, which suggests 2. Added to study the response to closing counters (Deshpande & Li "
         "2019, docs/validation.md, Responses); scenarios/hybrid.toml sets the value fitted to that response by python3 -m demat.calibrate --responses (docs/validation.md 2)"}));
    e.push_back(probability<S>("population.living_alone_share", DEMAT_FIELD(population.living_alone_share), 0.20,
        {"share of adults", "Adults living alone.",
         "Insee households (approx.): ~20% of adults (37% of households are one person)"}));
    e.push_back(probability<S>("population.single_parent_share_of_families",
        DEMAT_FIELD(population.single_parent_share_of_families), 0.25,
        {"share of families with children", "Families with children headed by a single parent.",
         "Insee (approx.): ~25% of families with children"}));
    e.push_back(choice<S>("population.household_marginals", DEMAT_FIELD(population.household_marginals),
        {"legacy", "published"}, "legacy",
        {"", "Household figures the generator matches. legacy: the adults' (living_alone_share and "
             "single_parent_share_of_families, in households of at most two adults: 32% of households are "
             "one person); published: the households' by type (people alone, couples without and with "
             "children, single parents) and, through the children per family by type, by size; the two "
             "per-adult shares are then not used and about 25% of adults live alone (docs/population.md, "
             "section 1).",
         "Insee, census 2020, households by family structure and by size (approx.): 38.1 / 26.8 / 24.8 / "
         "10.3% of households, 37 / 33 / 13 / 11 / 6% of 1 to 5+ persons"}));
    e.push_back(probability<S>("population.tenant_share", DEMAT_FIELD(population.tenant_share), 0.42,
        {"share of households", "Households renting their home (eligible for housing benefit "
                                "where a service requires it).",
         "Insee housing (approx.): ~42% of households (private ~23%, social housing ~17%)"}));
    e.push_back(probability<S>("population.unemployment_rate", DEMAT_FIELD(population.unemployment_rate), 0.073,
        {"share of the labour force", "Unemployed among the labour force at the start.",
         "Insee 2023: 7.3% of the labour force"}));
    e.push_back(probability<S>("population.illectronisme_threshold",
        DEMAT_FIELD(population.illectronisme_threshold), 0.25,
        {"digital skill (0-1)", "Digital skill below which a citizen counts as in illectronisme "
                                "(as does anyone without internet use).",
         "assumption: a cut-off on the latent skill scale; the share of adults below it is to be "
         "compared with 15.4% illectronisme among people 15+ (Insee Première 1953, 2023)"}));

    // ---- network ----
    e.push_back(number<S>("network.mean_extra_degree", DEMAT_FIELD(network.mean_extra_degree), 6.0, 0.0, 100.0,
        {"ties per adult", "Mean number of ties outside the household (in the zone plus long range).",
         "assumption: a handful of regular contacts, so that every isolation segment "
         "(degree 0-1, 2-4, 5+) is populated"}));
    e.push_back(probability<S>("network.isolated_share", DEMAT_FIELD(network.isolated_share), 0.12,
        {"share of adults", "Adults who get no tie outside their household.",
         "assumption: an order of magnitude of social isolation; isolation must exist since it "
         "weighs more than income on digital difficulties"}));
    e.push_back(number<S>("network.homophily_age", DEMAT_FIELD(network.homophily_age), 1.0, 0.0, 10.0,
        {"relative weight per 10 years", "Weight against a tie per 10 years of age gap.",
         "assumption: moderate age homophily, to be calibrated"}));
    e.push_back(number<S>("network.homophily_education", DEMAT_FIELD(network.homophily_education), 1.0, 0.0, 10.0,
        {"relative weight per level", "Weight against a tie per level of education gap.",
         "assumption: moderate educational homophily, to be calibrated"}));
    e.push_back(probability<S>("network.long_range_share", DEMAT_FIELD(network.long_range_share), 0.05,
        {"share of ties", "Non-household ties drawn across the whole population rather than in the zone.",
         "assumption: a few long-range ties (family or friends elsewhere)"}));

    // ---- capital score ----
    const std::string equal_weights =
        "assumption: equal weights, no published weighting of these capitals";
    e.push_back(number<S>("capital.education", DEMAT_FIELD(capital.education), 1.0, 0.0, 10.0,
        {"relative weight", "Weight of education in the capital score.", equal_weights}));
    e.push_back(number<S>("capital.digital_skill", DEMAT_FIELD(capital.digital_skill), 1.0, 0.0, 10.0,
        {"relative weight", "Weight of digital skill in the capital score.", equal_weights}));
    e.push_back(number<S>("capital.literacy", DEMAT_FIELD(capital.literacy), 1.0, 0.0, 10.0,
        {"relative weight", "Weight of literacy in the capital score.", equal_weights}));
    e.push_back(number<S>("capital.admin_literacy", DEMAT_FIELD(capital.admin_literacy), 1.0, 0.0, 10.0,
        {"relative weight", "Weight of administrative literacy in the capital score.", equal_weights}));
    e.push_back(number<S>("capital.helpers", DEMAT_FIELD(capital.helpers), 1.0, 0.0, 10.0,
        {"relative weight", "Weight of the number of capable helpers in the capital score.", equal_weights}));
    e.push_back(integer<S>("capital.helpers_saturation", DEMAT_FIELD(capital.helpers_saturation), 3, 1, 100,
        {"helpers", "Number of capable helpers at which the helpers component reaches 1.",
         "assumption: beyond a few people to ask, more helpers add little"}));

    // ---- behaviour: awareness ----
    e.push_back(probability<S>("behaviour.peer_information", DEMAT_FIELD(behaviour.peer_information), 0.02,
        {"probability per day", "Awareness hazard per unit share of network neighbours who know "
                                "or receive the service.",
         "assumption: word of mouth; lack of information is the first reason believed for "
         "non-take-up (39%, DREES Études et résultats n°1263, 2023)"}));
    e.push_back(probability<S>("behaviour.base_awareness", DEMAT_FIELD(behaviour.base_awareness), 0.002,
        {"probability per day", "Awareness hazard per unit of administrative literacy, without outreach or peers.",
         "assumption: a fully literate citizen learns of a right on their own in about 500 days on average"}));
    e.push_back(number<S>("behaviour.awareness_spread", DEMAT_FIELD(behaviour.awareness_spread), 1.5, 0.0, 5.0,
        {"log units", "Standard deviation of the log of a lasting personal factor (mean 1) multiplying the "
                      "awareness hazard of each citizen for each service.",
         "assumption: lack of information is the first reason believed for non-take-up (39%, DREES Études et "
         "résultats n°1263, 2023) and lasts for some people; without heterogeneity everyone would learn at the "
         "same pace"}));
    e.push_back(integer<S>("behaviour.prior_eligibility_days", DEMAT_FIELD(behaviour.prior_eligibility_days), 36500, 0, 73000,
        {"days", "Longest past eligibility spell counted for a citizen eligible on day 0. The spell began at "
                 "the later of the day they reached the service's minimum age and their last change of "
                 "situation (retirement; otherwise a steady-state draw of the time spent in their employment "
                 "state); day-0 awareness and claims are drawn as if exposed that long to the model's hazards. "
                 "0: nobody knows anything on day 0.",
         "assumption: an initial condition (the model has no births or deaths); a hundred years, i.e. no "
         "limit: the spell is bounded by age and situation; see docs/model.md section 1"}));
    e.push_back(probability<S>("behaviour.mediator_information", DEMAT_FIELD(behaviour.mediator_information), 0.5,
        {"probability", "Chance that a contact with a mediator or counter agent also informs the "
                        "citizen of every other service they are eligible for.",
         "assumption: advisers check other rights in about half the contacts"}));

    // ---- behaviour: decision to claim ----
    e.push_back(number<S>("behaviour.decision_intercept", DEMAT_FIELD(behaviour.decision_intercept), 0.5,
        -logit_max, logit_max,
        {"logit", "Intercept of the decision to claim.",
         "assumption: a slight inclination to claim a known right, to be calibrated on "
         "non-take-up (DREES Dossiers n°92, 2022)"}));
    e.push_back(number<S>("behaviour.decision_benefit", DEMAT_FIELD(behaviour.decision_benefit), 1.5, 0.0, logit_max,
        {"logit per 500 € per month", "Weight of the monthly amount in the decision to claim.",
         "assumption: small amounts are claimed less often (CSS with contribution: 67% "
         "non-take-up vs 31% free, DREES 2022-2023)"}));
    e.push_back(number<S>("behaviour.decision_complexity", DEMAT_FIELD(behaviour.decision_complexity), 2.0, 0.0, logit_max,
        {"logit", "Weight of complexity x (1 - administrative literacy) against claiming.",
         "fitted (docs/validation.md 2) with the levels to the outreach help arm (Finkelstein & Notowidigdo, "
         "QJE 2019), the response that separates it from stigma; more complex material cut response by ~6 "
         "points (Bhargava & Manoli, AER 2015)"}));
    e.push_back(number<S>("behaviour.decision_distrust", DEMAT_FIELD(behaviour.decision_distrust), 1.5, 0.0, logit_max,
        {"logit", "Weight of distrust (1 - trust) against claiming.",
         "assumption: fear of consequences is cited by 18% (DREES Études et résultats n°1263, 2023)"}));
    e.push_back(number<S>("behaviour.decision_access", DEMAT_FIELD(behaviour.decision_access), 0.0, 0.0, logit_max,
        {"logit per utility unit", "Weight, against claiming, of the access lost when the counter of one's zone is "
                                   "closed: the fall of the expected best channel utility (logsum of 6.3) from the "
                                   "zone's own counter to the one serving it now (docs/model.md 6.2).",
         "assumption: 0 (off) by default, so that the calibrated baseline is unchanged; 1 would weigh a channel "
         "utility unit as a decision logit unit (a nested logit's inclusive value). Added to study the response to "
         "closing counters (Deshpande & Li 2019, docs/validation.md, Responses); scenarios/hybrid.toml sets the "
         "value fitted to that response by python3 -m demat.calibrate --responses (docs/validation.md 2)"}));
    e.push_back(number<S>("behaviour.decision_wait", DEMAT_FIELD(behaviour.decision_wait), 0.0, 0.0, logit_max,
        {"logit per 30 days", "Weight, against claiming, of the expected wait at the counter that serves one's zone "
                              "when its own counter is closed: the queue's entries over its daily places, at most "
                              "patience_days (docs/model.md 6.2).",
         "assumption: 0 (off) by default, so that the calibrated baseline is unchanged. Deshpande & Li (2019) find "
         "that closures deter applications through congestion at the neighbouring offices; added to study that "
         "response (docs/validation.md, Responses); scenarios/hybrid.toml sets the value fitted "
         "to that response by python3 -m demat.calibrate --responses (docs/validation.md 2)"}));
    e.push_back(number<S>("behaviour.decision_stigma", DEMAT_FIELD(behaviour.decision_stigma), 1.0, 0.0, logit_max,
        {"logit", "Weight of a service's stigma against claiming.",
         "assumption: not wanting to be \"assisted\" is cited by 16% (DREES Études et résultats n°1263, 2023)"}));
    e.push_back(number<S>("behaviour.decision_obligation", DEMAT_FIELD(behaviour.decision_obligation), 4.0, 0.0, logit_max,
        {"logit", "Bonus to the decision for obligations, which are sanctioned if not fulfilled.",
         "assumption: nearly everyone intends to fulfil an obligation"}));
    e.push_back(number<S>("behaviour.decision_taste_spread", DEMAT_FIELD(behaviour.decision_taste_spread), 2.5, 0.0,
        logit_max,
        {"logit", "Standard deviation of each citizen's lasting inclination for or against claiming each service.",
         "assumption: stable non-demand (autonomy, not wanting to be \"assisted\") is cited by 16% (DREES Études "
         "et résultats n°1263, 2023); without a lasting inclination, repeated reconsideration would make nearly "
         "everyone claim in the end"}));
    e.push_back(integer<S>("behaviour.reconsider_days", DEMAT_FIELD(behaviour.reconsider_days), 90, 1, 3650,
        {"days", "Days before a citizen who declined to claim reconsiders.",
         "assumption: situations and minds change over a quarter"}));


    // ---- behaviour: channel choice ----
    e.push_back(number<S>("behaviour.channel_online", DEMAT_FIELD(behaviour.channel_online), 0.5, -logit_max, logit_max,
        {"utility", "Base utility of the online channel.", skill_note}));
    e.push_back(number<S>("behaviour.channel_phone", DEMAT_FIELD(behaviour.channel_phone), -0.5, -logit_max, logit_max,
        {"utility", "Base utility of the phone channel.", skill_note}));
    e.push_back(number<S>("behaviour.channel_counter", DEMAT_FIELD(behaviour.channel_counter), 0.0, -logit_max, logit_max,
        {"utility", "Base utility of the counter channel (reference).", skill_note}));
    e.push_back(number<S>("behaviour.channel_mediation", DEMAT_FIELD(behaviour.channel_mediation), -0.5, -logit_max, logit_max,
        {"utility", "Base utility of mediation (being helped costs some autonomy).", skill_note}));
    e.push_back(number<S>("behaviour.channel_skill", DEMAT_FIELD(behaviour.channel_skill), 3.0, 0.0, logit_max,
        {"utility per unit of skill", "Online utility per unit of digital skill.", skill_note}));
    e.push_back(number<S>("behaviour.channel_distance", DEMAT_FIELD(behaviour.channel_distance), 0.08, 0.0, 10.0,
        {"utility per km", "Disutility per km to a counter or mediation site.",
         "assumption: 25 km away (common in rural areas) cost about 2 utility units"}));
    e.push_back(number<S>("behaviour.channel_habit", DEMAT_FIELD(behaviour.channel_habit), 1.0, 0.0, logit_max,
        {"utility", "Bonus for the channel last used successfully.",
         "assumption: habits matter but do not dominate"}));
    e.push_back(number<S>("behaviour.channel_habit_service", DEMAT_FIELD(behaviour.channel_habit_service), 0.0, 0.0, logit_max,
        {"utility", "Bonus for the channel through which the citizen last completed a procedure of the same "
                    "service (docs/model.md 6.3), on top of channel_habit.",
         "assumption: 0 (off) by default, so that the calibrated baseline is unchanged; renewals done the way "
         "they were done last time are what 'habit' means for a yearly declaration"}));
    e.push_back(number<S>("behaviour.channel_taste_spread", DEMAT_FIELD(behaviour.channel_taste_spread), 1.0, 0.0, logit_max,
        {"utility", "Spread of personal channel tastes: some capable citizens prefer the counter or "
                    "the phone (\"happy non-use\").",
         "assumption: as large as the habit bonus"}));

    // ---- behaviour: success of an attempt ----
    e.push_back(number<S>("behaviour.online_intercept", DEMAT_FIELD(behaviour.online_intercept), -0.5, -logit_max, logit_max,
        {"logit", "Intercept of online success.", skill_note}));
    e.push_back(number<S>("behaviour.online_skill", DEMAT_FIELD(behaviour.online_skill), 3.0, 0.0, logit_max,
        {"logit per unit of skill", "Weight of effective digital skill (own or a helper's) in online success.", skill_note}));
    e.push_back(number<S>("behaviour.online_admin", DEMAT_FIELD(behaviour.online_admin), 1.5, 0.0, logit_max,
        {"logit per unit", "Weight of administrative literacy in online success: digital ease is "
                           "not knowing the procedure.", skill_note}));
    e.push_back(number<S>("behaviour.online_literacy", DEMAT_FIELD(behaviour.online_literacy), 1.0, 0.0, logit_max,
        {"logit per unit", "Weight of literacy (written French) in online success.", skill_note}));
    e.push_back(number<S>("behaviour.online_complexity", DEMAT_FIELD(behaviour.online_complexity), 3.0, 0.0, logit_max,
        {"logit per unit", "Weight of the procedure's complexity against online success.", skill_note}));
    e.push_back(number<S>("behaviour.identity_account", DEMAT_FIELD(behaviour.identity_account), 0.5, 0.0, logit_max,
        {"logit", "Barrier of an account requirement (log-in, password) online.",
         "assumption: a small barrier; lost passwords are a common reason to give up"}));
    e.push_back(number<S>("behaviour.identity_strong", DEMAT_FIELD(behaviour.identity_strong), 1.5, 0.0, logit_max,
        {"logit", "Barrier of a strong identity requirement (biometric or NFC identity) online.",
         "assumption: three times the account barrier: a compatible phone and an identity document are needed"}));
    e.push_back(probability<S>("behaviour.connection_failure", DEMAT_FIELD(behaviour.connection_failure), 0.0,
        {"probability", "Chance that an online attempt fails for the connection where the zone has no fixed "
                        "broadband offer (scaled by 1 - the zone's broadband coverage; docs/model.md 6.10).",
         "assumption: 0 by default (the baseline is calibrated without it); no published rate of attempts lost to the line"}));
    e.push_back(probability<S>("behaviour.borrow_device", DEMAT_FIELD(behaviour.borrow_device), 0.0,
        {"probability", "Chance that an unequipped citizen sent online (no other channel) borrows a smartphone "
                        "rather than seeking help (docs/model.md 6.10).",
         "assumption: 0 by default, as before: the unequipped ask for help or fail for lack of a device"}));
    e.push_back(number<S>("behaviour.distance_give_up", DEMAT_FIELD(behaviour.distance_give_up), 0.0, 0.0, 10.0,
        {"per km", "Hazard per km (times the mobility factor) of giving up the trip to a counter or mediation "
                   "site once chosen (docs/model.md 6.10).",
         "assumption: 0 by default (distance already lowers the choice of the channel, 6.3)"}));
    e.push_back(number<S>("behaviour.trip_limit_km", DEMAT_FIELD(behaviour.trip_limit_km), 0.0, 0.0, 1000.0,
        {"km", "Longest trip (km times the mobility factor) a citizen makes to a counter or mediation site: "
               "a longer one is given up, for the reason distance (docs/model.md 6.13); 0: no limit.",
         "assumption: 0 (off) by default; about 60 is an hour's drive there and back, 40 km by public "
         "transport, 20 km for someone without a car or a lift"}));
    e.push_back(probability<S>("behaviour.chip_id_share", DEMAT_FIELD(behaviour.chip_id_share), 0.3,
        {"share", "Share of citizens holding an identity card with a chip (needed, with a compatible smartphone, "
                  "for a strong identity online; docs/model.md 6.11).",
         "assumption: the chip card is issued in France since 2021, on renewal; about a third of adults hold one"}));
    e.push_back(probability<S>("behaviour.nfc_phone_share", DEMAT_FIELD(behaviour.nfc_phone_share), 0.8,
        {"share", "Share of smartphones able to read the chip (NFC) for a strong identity online (6.11).",
         "assumption: most recent smartphones read NFC; older and entry-level ones may not"}));
    e.push_back(probability<S>("behaviour.identity_in_person", DEMAT_FIELD(behaviour.identity_in_person), 0.5,
        {"probability", "Chance that a citizen who failed a strong identity step for lack of a chip card or a "
                        "compatible phone goes to an in-person check at a counter or mediation site (6.11).",
         "assumption: half; the others ask for help, retry or give up (6.5)"}));
    e.push_back(number<S>("behaviour.phone_intercept", DEMAT_FIELD(behaviour.phone_intercept), 0.5, -logit_max, logit_max,
        {"logit", "Intercept of success by phone.",
         "assumption: a phone call helps but documents must still be sent"}));
    e.push_back(number<S>("behaviour.counter_intercept", DEMAT_FIELD(behaviour.counter_intercept), 2.0, -logit_max, logit_max,
        {"logit", "Intercept of success at a counter.",
         "assumption: an agent completes most procedures face to face (about 88% for a simple one)"}));
    e.push_back(number<S>("behaviour.mediation_intercept", DEMAT_FIELD(behaviour.mediation_intercept), 2.0, -logit_max, logit_max,
        {"logit", "Intercept of success with a mediator (doing for the citizen).",
         "assumption: as at a counter"}));
    e.push_back(number<S>("behaviour.assisted_admin", DEMAT_FIELD(behaviour.assisted_admin), 1.0, 0.0, logit_max,
        {"logit per unit", "Weight of administrative literacy in assisted success (phone, counter, mediation).",
         "assumption: smaller than online, since the agent brings the knowledge"}));
    e.push_back(number<S>("behaviour.assisted_complexity", DEMAT_FIELD(behaviour.assisted_complexity), 1.5, 0.0, logit_max,
        {"logit per unit", "Weight of complexity against assisted success.",
         "assumption: half the online weight, since the agent absorbs part of it"}));

    // ---- behaviour: after a failure ----
    e.push_back(probability<S>("behaviour.ask_help", DEMAT_FIELD(behaviour.ask_help), 0.3,
        {"probability", "Chance of asking for help after a first failure (grows with failures).",
         "assumption: most people first try again alone"}));
    e.push_back(integer<S>("behaviour.retry_days", DEMAT_FIELD(behaviour.retry_days), 7, 1, 365,
        {"days", "Days before retrying after a failed attempt.", "assumption: about a week"}));
    e.push_back(integer<S>("behaviour.max_failures", DEMAT_FIELD(behaviour.max_failures), 4, 1, 100,
        {"attempts", "Failed attempts after which the citizen gives up (Abandoned).",
         "assumption: 32% of adults gave up an online procedure at least once in 2021, 8% for "
         "good (Insee Focus 267, 2022): giving up for good takes repeated failures"}));
    e.push_back(integer<S>("behaviour.patience_days", DEMAT_FIELD(behaviour.patience_days), 21, 1, 365,
        {"days", "Days a citizen waits in a queue (phone, counter, mediation) before giving up the attempt.",
         "assumption: three weeks"}));
    e.push_back(integer<S>("behaviour.abandon_revisit_days", DEMAT_FIELD(behaviour.abandon_revisit_days), 180, 1, 3650,
        {"days", "Days before an Abandoned citizen may try again.", "assumption: six months"}));
    e.push_back(probability<S>("behaviour.abandon_retry", DEMAT_FIELD(behaviour.abandon_retry), 0.3,
        {"probability", "Chance that an Abandoned citizen tries again when revisiting.",
         "assumption: a minority tries again"}));

    // ---- behaviour: informal help ----
    e.push_back(probability<S>("behaviour.helper_skill", DEMAT_FIELD(behaviour.helper_skill), 0.6,
        {"digital skill (0-1)", "Digital skill a neighbour needs to be able to help.",
         "assumption: well above the illectronisme threshold"}));
    e.push_back(probability<S>("behaviour.helper_admin", DEMAT_FIELD(behaviour.helper_admin), 0.4,
        {"administrative literacy (0-1)", "Administrative literacy a neighbour needs to be able to help.",
         "assumption: some familiarity with procedures"}));
    e.push_back(integer<S>("behaviour.helper_capacity", DEMAT_FIELD(behaviour.helper_capacity), 4, 0, 100,
        {"procedures per 30 days", "Procedures a helper helps with per 30 days (0: no informal help).",
         "assumption: about one a week"}));
    e.push_back(number<S>("behaviour.helper_hours_per_month", DEMAT_FIELD(behaviour.helper_hours_per_month), 0.0, 0.0, 60.0,
        {"hours per 30 days", "A helper's time for others' procedures per 30 days; above 0 it replaces "
                              "helper_capacity (docs/model.md 6.12).",
         "assumption: 0 (off) by default, so that the calibrated baseline keeps its count of helps; about "
         "4 hours is a few hours a month"}));
    e.push_back(number<S>("behaviour.help_hours_fixed", DEMAT_FIELD(behaviour.help_hours_fixed), 0.5, 0.0, 20.0,
        {"hours", "Time a helper spends on a procedure of complexity 0 (6.12).",
         "assumption: half an hour to sit down, log in and fill a simple form"}));
    e.push_back(number<S>("behaviour.help_hours_complexity", DEMAT_FIELD(behaviour.help_hours_complexity), 1.5, 0.0, 20.0,
        {"hours per unit of complexity", "Extra time per unit of the procedure's complexity (6.12).",
         "assumption: a complex first claim (0.8) takes about 1.7 hours with documents to scan"}));

    // ---- behaviour: contesting a rejection ----
    e.push_back(number<S>("behaviour.contest_intercept", DEMAT_FIELD(behaviour.contest_intercept), -1.5, -logit_max, logit_max,
        {"logit", "Intercept of contesting a wrongful rejection.",
         "assumption: most rejected claimants do not contest"}));
    e.push_back(number<S>("behaviour.contest_capital", DEMAT_FIELD(behaviour.contest_capital), 2.0, 0.0, logit_max,
        {"logit per unit", "Weight of the capital score in contesting.",
         "assumption: contesting takes cultural capital"}));
    e.push_back(number<S>("behaviour.contest_trust", DEMAT_FIELD(behaviour.contest_trust), 1.0, 0.0, logit_max,
        {"logit per unit", "Weight of trust in the administration in contesting.",
         "assumption: those who distrust expect nothing from an appeal"}));
    e.push_back(probability<S>("behaviour.appeal_success", DEMAT_FIELD(behaviour.appeal_success), 0.8,
        {"probability", "Chance that an appeal against a wrongful rejection succeeds.",
         "assumption: the rejection was wrongful, so most appeals succeed"}));

    // ---- behaviour: learning and trust ----
    e.push_back(probability<S>("behaviour.admin_learning", DEMAT_FIELD(behaviour.admin_learning), 0.02,
        {"administrative literacy per success", "Gain in administrative literacy after a successful procedure.",
         "assumption: slow learning by doing"}));
    e.push_back(probability<S>("behaviour.trust_loss_rejection", DEMAT_FIELD(behaviour.trust_loss_rejection), 0.1,
        {"trust per event", "Loss of trust after a rejection.", "assumption: a rejection weighs ten successes"}));
    e.push_back(probability<S>("behaviour.trust_loss_interruption", DEMAT_FIELD(behaviour.trust_loss_interruption), 0.05,
        {"trust per event", "Loss of trust after an interruption of rights.", "assumption: half a rejection"}));
    e.push_back(probability<S>("behaviour.trust_gain_success", DEMAT_FIELD(behaviour.trust_gain_success), 0.01,
        {"trust per event", "Gain in trust after a successful procedure.", "assumption: trust is rebuilt slowly"}));

    // ---- behaviour: self-efficacy (docs/model.md 6.14) ----
    e.push_back(probability<S>("behaviour.self_efficacy_gain", DEMAT_FIELD(behaviour.self_efficacy_gain), 0.1,
        {"self-efficacy per success", "Share of the way to 1 that self-efficacy moves after a procedure "
                                      "completed alone (a mastery experience).",
         "assumption: Bandura (1977), mastery experiences are the strongest source of self-efficacy; "
         "about ten successes take a doubter most of the way"}));
    e.push_back(probability<S>("behaviour.self_efficacy_loss", DEMAT_FIELD(behaviour.self_efficacy_loss), 0.1,
        {"self-efficacy per failure", "Share of the way to 0 that self-efficacy moves after a failed attempt.",
         "assumption: as large as a success's gain"}));
    e.push_back(probability<S>("behaviour.self_efficacy_doing_for", DEMAT_FIELD(behaviour.self_efficacy_doing_for), 0.25,
        {"share of the gain", "Share of behaviour.self_efficacy_gain after a procedure done for the citizen "
                              "(a relative, an agent, doing_for mediation).",
         "assumption: a success one did not do oneself is a weak mastery experience (Bandura 1977)"}));
    e.push_back(probability<S>("behaviour.self_efficacy_doing_with", DEMAT_FIELD(behaviour.self_efficacy_doing_with), 1.0,
        {"share of the gain", "Share of behaviour.self_efficacy_gain after a procedure done with a mediator "
                              "(mediation.mode = doing_with).",
         "assumption: done with the citizen, it counts as their own success"}));
    e.push_back(number<S>("behaviour.self_efficacy_claim", DEMAT_FIELD(behaviour.self_efficacy_claim), 0.0, 0.0, logit_max,
        {"logit per unit", "Weight of self-efficacy (minus 0.5) in the decision to claim: below 0.5, a "
                           "discouraged non-demand.",
         "assumption: 0 until fitted (the baseline is calibrated without it)"}));
    e.push_back(number<S>("behaviour.self_efficacy_online", DEMAT_FIELD(behaviour.self_efficacy_online), 0.0, 0.0, logit_max,
        {"utility per unit", "Weight of self-efficacy (minus 0.5) in the online channel's utility.",
         "assumption: 0 until fitted (the baseline is calibrated without it)"}));

    // ---- behaviour: renewal and accounting ----
    e.push_back(integer<S>("behaviour.renewal_window_days", DEMAT_FIELD(behaviour.renewal_window_days), 30, 1, 365,
        {"days", "Days allowed to complete a periodic declaration before the right is interrupted.",
         "assumption: about a month"}));
    e.push_back(integer<S>("behaviour.grace_days", DEMAT_FIELD(behaviour.grace_days), 60, 0, 3650,
        {"days", "Days an in-progress claim is not counted as non-take-up.",
         "assumption: about two months of normal processing"}));

    // ---- mediation ----
    e.push_back(choice<S>("mediation.mode", DEMAT_FIELD(mediation.mode), {"doing_for", "doing_with"}, "doing_for",
        {"", "doing_for: the mediator does the procedure for the citizen (succeeds now, builds no "
             "skill); doing_with: with them (succeeds less at first, raises skills).",
         "assumption: doing_for is the common practice under time pressure"}));
    e.push_back(probability<S>("mediation.skill_gain", DEMAT_FIELD(mediation.skill_gain), 0.08,
        {"digital skill per procedure", "Digital skill gained per procedure done with a mediator (doing_with).",
         "assumption: a dozen accompanied procedures make a beginner autonomous"}));
    e.push_back(probability<S>("mediation.admin_gain", DEMAT_FIELD(mediation.admin_gain), 0.05,
        {"administrative literacy per procedure", "Administrative literacy gained per procedure done "
                                                  "with a mediator (doing_with).",
         "assumption: more than learning alone (behaviour.admin_learning)"}));
    e.push_back(number<S>("mediation.doing_with_penalty", DEMAT_FIELD(mediation.doing_with_penalty), 0.8, 0.0, logit_max,
        {"logit", "Success penalty of doing_with compared with doing_for.",
         "assumption: success falls from ~88% to ~77% at the mediation intercept"}));
    e.push_back(probability<S>("mediation.close_with_counters", DEMAT_FIELD(mediation.close_with_counters), 0.0,
        {"share of the zone's sites", "Share of a zone's mediation sites that close when close_counters closes a "
                                      "counter of the zone (sites := sites x (1 - share), as close_mediation does "
                                      "there; open_counters does not reopen them; docs/model.md 6.13).",
         "assumption: 0 (off) by default, so that the calibrated baseline is unchanged; closures of public service "
         "points are taken to go together in the same towns (not measured). Added to study the response to closing counters (Deshpande & Li "
         "2019, docs/validation.md, Responses); scenarios/hybrid.toml sets the value fitted to that response by python3 -m demat.calibrate --responses (docs/validation.md 2)"}));

    add_control_entries(e);
    add_agency_entries(e);
    add_life_course_entries(e);
    add_moving_entries(e);
    return e;
}

std::vector<ServiceEntry> build_service_entries() {
    using P = ServiceParams;
    std::vector<ServiceEntry> e;
    e.push_back(choice<P>("kind", DEMAT_FIELD(kind), {"benefit", "obligation"}, "benefit",
        {"", "benefit: claimed and paid monthly; obligation: must be fulfilled (tax return, permit).",
         "n/a (structure)"}));
    e.push_back(number<P>("monthly_amount", DEMAT_FIELD(monthly_amount), 0.0, 0.0, 100000.0,
        {"€ per month", "Amount paid to a recipient, for the money left unclaimed and the decision to claim.",
         "assumption: set per service in the scenario file from the official scale"}));
    e.push_back(probability<P>("complexity_first", DEMAT_FIELD(complexity_first), 0.5,
        {"0-1", "Complexity of a first claim (steps, documents, jargon).",
         "assumption: mid-scale unless the scenario says otherwise"}));
    e.push_back(probability<P>("complexity_renewal", DEMAT_FIELD(complexity_renewal), 0.3,
        {"0-1", "Complexity of a renewal (periodic declaration).",
         "assumption: a renewal is simpler than a first claim"}));
    e.push_back(choice<P>("identity", DEMAT_FIELD(identity), {"none", "account", "strong"}, "account",
        {"", "Identity required online: none, an account, or strong (biometric / NFC identity).",
         "assumption: most online procedures need an account"}));
    e.push_back(integer<P>("processing_days", DEMAT_FIELD(processing_days), 30, 0, 3650,
        {"days", "Days from submission to decision.", "assumption: about a month"}));
    e.push_back(integer<P>("renewal_days", DEMAT_FIELD(renewal_days), 0, 0, 3650,
        {"days", "Period of the declaration that keeps the right open (0: none).", "n/a (set per service)"}));
    e.push_back(probability<P>("outreach", DEMAT_FIELD(outreach), 0.0,
        {"probability per day", "Daily chance that the administration informs an eligible citizen.",
         "assumption: none unless set; for scale, an information letter raised 9-month enrolment "
         "from 6% to 11% (Finkelstein & Notowidigdo, QJE 2019)"}));
    e.push_back(boolean<P>("automatic", DEMAT_FIELD(automatic), false,
        {"", "Attribute the right without a claim (pre-filled / \"solidarité à la source\").",
         "n/a (policy option)"}));
    e.push_back(probability<P>("stigma", DEMAT_FIELD(stigma), 0.0,
        {"0-1", "Stigma attached to claiming, weighted by behaviour.decision_stigma.",
         "assumption: none unless set"}));
    e.push_back(probability<P>("eligibility_doubt", DEMAT_FIELD(eligibility_doubt), 0.0,
        {"probability", "Chance, at administrative literacy 0, that a citizen who learns of this right on their own, "
                        "from peers or from a general campaign believes not to be entitled (times 1 - administrative "
                        "literacy, and times the share of the awareness hazard that does not come from an agency); "
                        "a doubter does not claim until an agency's letter (event eligibility_letter) or a mediator "
                        "or counter agent tells them they are entitled (docs/model.md 6.16). 0: off.",
         "assumption for its form; lack of information is 39% of the reasons believed for non-take-up (DREES "
         "Études et résultats n°1263, 2023), not knowing one is entitled is non-knowledge for ODENORE, and "
         "Finkelstein & Notowidigdo (QJE 2019) read the effect of an information letter on the 60+ as correcting "
         "beliefs about eligibility; fitted for the old-age minimum (docs/validation.md 2)"}));
    e.push_back(choice<P>("unit", DEMAT_FIELD(unit), {"individual", "couple", "household"}, "individual",
        {"", "Benefit unit: individual (each eligible citizen claims for themself), couple (the reference person "
             "and partner) or household (every adult and the children). With couple or household, one adult "
             "claims for the unit and counts are in units (docs/model.md 5.1, docs/output.md).",
         "CAF: RSA, prime d'activite, aides au logement and Complementaire sante solidaire are assessed on the "
         "household (foyer); ASPA per person with a couple ceiling (service-public.fr, 2024)"}));
    e.push_back(choice<P>("amount_rule", DEMAT_FIELD(amount_rule),
        {"flat", "minimum_income", "in_work_benefit", "housing_benefit", "old_age_minimum"}, "flat",
        {"", "flat: every recipient gets monthly_amount; the others are differential scales (core/amounts.hpp): "
             "a ceiling set by the unit's composition minus the unit's resources, placed by income rank "
             "(docs/model.md 5.2).",
         "scales of 2024: CAF and service-public.fr (docs/amounts.md)"}));
    e.push_back(choice<P>("agency", DEMAT_FIELD(agency),
        {"none", "family_benefits", "health_insurance", "pension_fund", "tax_administration"}, "none",
        {"", "The agency that runs the service: a unit it knows is informed of its other services and files a "
             "linked claim more simply (agencies.<agency>.*, docs/model.md 6.15).",
         "CAF: RSA, prime d'activite, aides au logement; CPAM: Complementaire sante solidaire; CNAV: ASPA; DGFiP: "
         "the income tax return (service-public.fr, 2024)"}));
    e.push_back(integer<P>("eligibility.age_min", DEMAT_FIELD(eligibility.age_min), 18, 18, 120,
        {"years", "Minimum age.", "n/a (eligibility rule)"}));
    e.push_back(integer<P>("eligibility.age_max", DEMAT_FIELD(eligibility.age_max), 120, 18, 120,
        {"years", "Maximum age.", "n/a (eligibility rule)"}));
    e.push_back(integer<P>("eligibility.income_decile_max", DEMAT_FIELD(eligibility.income_decile_max), 10, 1, 10,
        {"decile", "Highest income decile eligible.", "n/a (eligibility rule)"}));
    e.push_back(name_set<P>("eligibility.employment", DEMAT_FIELD(eligibility.employment_mask),
        {"employed", "unemployed", "inactive", "retired"},
        {"", "Employment situations eligible.", "n/a (eligibility rule)"}));
    e.push_back(name_set<P>("eligibility.household", DEMAT_FIELD(eligibility.household_mask),
        {"single", "couple", "single_parent", "couple_children"},
        {"", "Household types eligible.", "n/a (eligibility rule)"}));
    e.push_back(boolean<P>("eligibility.tenant_required", DEMAT_FIELD(eligibility.tenant_required), false,
        {"", "Only tenants are eligible.", "n/a (eligibility rule)"}));
    return e;
}

std::vector<ChannelEntry> build_channel_entries() {
    using C = ChannelParams;
    std::vector<ChannelEntry> e;
    e.push_back(boolean<C>("enabled", DEMAT_FIELD(enabled), true,
        {"", "The channel is open.", "n/a (policy option)"}));
    e.push_back(number<C>("capacity_per_10k", DEMAT_FIELD(capacity_per_10k), 0.0, 0.0, 10000.0,
        {"procedures per day per 10,000 residents",
         "Procedures a staffed channel serves per day (phone: national; counter and mediation: per "
         "zone). 0 = nobody is served. Ignored for online, which has no capacity limit.",
         "assumption: set per channel in the scenario; scenarios/hybrid.toml derives 3.6 for mediation "
         "from France Services: 2,840 sites, ~9 million requests in 2023 (Cour des comptes 2024)"}));
    e.push_back(probability<C>("wrongful_rejection", DEMAT_FIELD(wrongful_rejection), 0.02,
        {"probability per decision", "Chance that a valid claim submitted through this channel is wrongly rejected.",
         "assumption: rare errors"}));
    return e;
}

#undef DEMAT_FIELD


}  // namespace

std::string escape_markdown_cell(std::string text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out;
}

const std::vector<GlobalEntry>& global_entries() {
    static const std::vector<GlobalEntry> entries = build_global_entries();
    return entries;
}

const std::vector<ServiceEntry>& service_entries() {
    static const std::vector<ServiceEntry> entries = build_service_entries();
    return entries;
}

const std::vector<ChannelEntry>& channel_entries() {
    static const std::vector<ChannelEntry> entries = build_channel_entries();
    return entries;
}

const std::vector<std::string>& channel_names() {
    static const std::vector<std::string> names = channel_labels();
    return names;
}

std::optional<int> channel_index(std::string_view name) {
    const auto& names = channel_names();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

bool is_service_name(std::string_view name) {
    if (name.empty() || name.size() > max_service_name_length) return false;
    if (name.front() < 'a' || name.front() > 'z') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string format_double(double value) {
    if (value != value) return "nan";
    if (value == std::numeric_limits<double>::infinity()) return "inf";
    if (value == -std::numeric_limits<double>::infinity()) return "-inf";
    std::array<char, 64> buffer{};
#if defined(__cpp_lib_to_chars)
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    std::string out(buffer.data(), result.ptr);
#else
    // libc++ 14 (the WebAssembly build's, docs/classroom.md) has no
    // floating-point to_chars: the fewest significant digits that read
    // back to the same double, as to_chars gives (possibly written in
    // exponent form where to_chars would not: the same TOML value).
    std::string out;
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buffer.data(), buffer.size(), "%.*g", digits, value);
        out = buffer.data();
        if (std::strtod(buffer.data(), nullptr) == value) break;
    }
#endif
    if (out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    std::array<char, 8> code{};
                    std::snprintf(code.data(), code.size(), "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += code.data();
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    return out;
}

namespace {
// Appending rather than `"[" + std::string` sidesteps a GCC 12 -Wrestrict false positive.
std::string bracket(const std::vector<std::string>& items) {
    std::string out = "[";
    out += join(items, ", ");
    out += "]";
    return out;
}
}  // namespace

std::string format_value(const Value& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                return format_double(v);
            } else if constexpr (std::is_same_v<T, bool>) {
                return v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::string>) {
                return quote(v);
            } else if constexpr (std::is_same_v<T, std::vector<double>>) {
                std::vector<std::string> items;
                for (double x : v) items.push_back(format_double(x));
                return bracket(items);
            } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                std::vector<std::string> items;
                for (const std::int64_t x : v) items.push_back(std::to_string(x));
                return bracket(items);
            } else {
                std::vector<std::string> items;
                for (const auto& x : v) items.push_back(quote(x));
                return bracket(items);
            }
        },
        value);
}

std::string type_name(const Spec& spec) {
    switch (spec.kind) {
        case Kind::integer: return "integer";
        case Kind::floating: return "float";
        case Kind::boolean: return "boolean";
        case Kind::string: return "string";
        case Kind::choice: return "string";
        case Kind::float_array: return "array of " + std::to_string(spec.length) + " floats";
        case Kind::name_set: return "array of strings";
        case Kind::index_list: return "array of integers";
    }
    return "";
}

namespace {
// Bounds read "[0, 1]" rather than "[0.0, 1.0]": they are for people.
std::string bound(double x) {
    if (x == std::floor(x) && std::abs(x) < 1e15) return std::to_string(static_cast<long long>(x));
    return format_double(x);
}

std::string interval(const Spec& spec) {
    std::string out = "[";  // see bracket()
    const bool integers = spec.kind == Kind::integer || spec.kind == Kind::index_list;
    out += integers ? std::to_string(spec.int_min) : bound(spec.min);
    out += ", ";
    out += integers ? std::to_string(spec.int_max) : bound(spec.max);
    out += "]";
    return out;
}
}  // namespace

std::string range_text(const Spec& spec) {
    switch (spec.kind) {
        case Kind::integer:
        case Kind::floating: return interval(spec);
        case Kind::boolean: return "true, false";
        case Kind::string: return spec.min_length > 0 ? "non-empty" : "any";
        case Kind::choice: return "one of: " + join(spec.names, ", ");
        case Kind::float_array:
            return "each in " + interval(spec) + (spec.sums_to_one ? ", summing to 1" : "");
        case Kind::name_set: return "non-empty subset of: " + join(spec.names, ", ");
        case Kind::index_list: return "distinct, each in " + interval(spec);
    }
    return "";
}

std::string expectation(const Spec& spec) {
    switch (spec.kind) {
        case Kind::integer: return "an integer in " + interval(spec);
        case Kind::floating: return "a number in " + interval(spec);
        case Kind::boolean: return "a boolean (true or false)";
        case Kind::string: return spec.min_length > 0 ? "a non-empty string" : "a string";
        case Kind::choice: return "one of " + join(spec.names, ", ");
        case Kind::float_array:
            return "an array of " + std::to_string(spec.length) + " numbers in " + interval(spec) +
                   (spec.sums_to_one ? " summing to 1" : "");
        case Kind::name_set: return "a non-empty array of distinct names among " + join(spec.names, ", ");
        case Kind::index_list: return "an array of distinct integers in " + interval(spec);
    }
    return "";
}

}  // namespace demat::schema
