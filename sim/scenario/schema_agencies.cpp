// The agencies' keys of the parameter table (docs/model.md, section 6.15).
#include "scenario/schema_entries.hpp"

namespace demat::schema::entries {

void add_agency_entries(std::vector<GlobalEntry>& e) {
    using S = Scenario;
    const std::string rdv = "CNAF, rendez-vous des droits: 257,843 in 2016 (Banque des territoires, 1 Feb 2017) for "
                            "~13.6 million claimant households, i.e. 257,843 / 13.6e6 / 365 = 5.2e-5 per day; 63% "
                            "of those entitled then claimed (DREES 2018). Off (0) unless set";
    const auto rate = [&](const char* agency, std::size_t i, std::string what, std::string source) {
        e.push_back(probability<S>(std::string("agencies.") + agency + ".information_rate",
                                   [i](auto& target_) -> auto& { return target_.agencies.agency[i].information_rate; },
                                   0.0, {"probability per day", std::move(what), std::move(source)}));
    };
    const auto tell = [&](const char* agency, std::size_t i) {
        e.push_back(probability<S>(
            std::string("agencies.") + agency + ".tell_us_once",
            [i](auto& target_) -> auto& { return target_.agencies.agency[i].tell_us_once; }, 0.0,
            {"share of complexity", std::string("Share by which the data the ") + agency +
                                        " agency has on a unit it knows lower the complexity of a first claim to "
                                        "another of its services ('tell us once', 6.15).",
             "assumption: off (0) unless set; scenarios/solidarite_a_la_source.toml argues its value"}));
    };
    rate("family_benefits", 0,
         "Daily hazard with which the family benefits agency informs a unit it knows (receiving one of its "
         "services, or family allowances: two or more children, or a lone parent) of its other services (6.15).",
         rdv);
    tell("family_benefits", 0);
    rate("health_insurance", 1,
         "Daily hazard with which the health insurance fund informs a unit receiving one of its services of its "
         "other services (6.15).",
         "assumption: off (0) unless set; no published count of the fund's own information");
    tell("health_insurance", 1);
    rate("pension_fund", 2,
         "Probability that the pension fund informs a pensioner of one of its services when an eligibility spell "
         "starts (its settlement of the pension, or reaching the service's age while retired; 6.15). A "
         "probability per spell, not per day.",
         "assumption: off (0) unless set; the settlement is the fund's one occasion to write to the pensioner "
         "about their resources");
    tell("pension_fund", 2);
    rate("tax_administration", 3,
         "Daily hazard with which the tax administration informs a unit whose return is filed of its other "
         "services (6.15).",
         "assumption: off (0) unless set; the model has no other tax service");
    tell("tax_administration", 3);
    e.push_back(boolean<S>("agencies.share_tax_data", DEMAT_FIELD(agencies.share_tax_data), false,
        {"", "The tax return's data are on file at every agency: a unit whose return is filed counts as known for "
             "'tell us once' at every agency (6.15). A share_tax_data timeline event switches it during the run.",
         "n/a (policy option; the 2025 'solidarité à la source' reform is the case stylised)"}));
}

}  // namespace demat::schema::entries
