// The life course keys of the parameter table (docs/model.md, section 2.1).
#include "scenario/schema_entries.hpp"

namespace demat::schema::entries {

void add_life_course_entries(std::vector<GlobalEntry>& e) {
    using S = Scenario;
    e.push_back(boolean<S>("life_course.enabled", DEMAT_FIELD(life_course.enabled), false,
        {"", "Life course after 75 (docs/model.md 2.1): the death of a partner (life_course.widowhood), the "
             "fall of digital skill and of mobility. Off: nothing of it is drawn and every result is unchanged.",
         "n/a (model option)"}));
    e.push_back(boolean<S>("life_course.widowhood", DEMAT_FIELD(life_course.widowhood), true,
        {"", "With life_course.enabled: in a couple with an adult of 75 or more, each adult dies at the "
             "mortality of their age; the survivor becomes a single-person unit (amounts at the single rate) and "
             "the pension fund informs them of its services with its information_rate (the survivor's pension is "
             "claimed there); the deceased leaves every claim.",
         "Insee, tables de mortalité 2017-2019 (quotients by age, mean of women and men; approx.): "
         "sim/core/france_calibration.hpp, partner_mortality"}));
    e.push_back(probability<S>("life_course.skill_decline", DEMAT_FIELD(life_course.skill_decline), 0.03,
        {"share per year", "With life_course.enabled: relative loss of digital skill per year after 75 "
                           "(applied every 30 days).",
         "assumption: no published rate for a person's own decline (the published age gradient of "
         "illectronisme, 62% at 75+, mixes it with generations); 3% a year lowers a skill by a quarter in ten "
         "years"}));
    e.push_back(probability<S>("life_course.mobility_loss", DEMAT_FIELD(life_course.mobility_loss), 0.04,
        {"probability per year", "With life_course.enabled: yearly probability, after 75, of falling one step of "
                                 "mobility (car to public transport, public transport to none), which weighs "
                                 "the distance to counters (docs/model.md 6.13).",
         "assumption: the model's own cross-section has 14% without mobility at 75+ against 2% below "
         "(docs/population.md); 4% a year is of the order of that gap spread over the years after 75"}));
}

}  // namespace demat::schema::entries
