// The moving-house keys of the parameter table (docs/model.md, section 2.2).
#include "scenario/schema_entries.hpp"

namespace demat::schema::entries {

void add_moving_entries(std::vector<GlobalEntry>& e) {
    using S = Scenario;
    e.push_back(boolean<S>("moving.enabled", DEMAT_FIELD(moving.enabled), false,
        {"", "Moving house (docs/model.md 2.2): each household moves with a yearly probability set by its "
             "tenure; a move ends the claims of the services tied to the dwelling (those whose eligibility "
             "requires a tenant: the housing benefit) and a new claim for the new dwelling starts, known but to "
             "be decided and made again. Off: nothing of it is drawn and every result is unchanged.",
         "a new claim after a move: the housing benefit cannot be transferred to a new dwelling, a new claim "
         "is made (mes-allocs.fr, APL et déménagement, 2024; CAF, vous déménagez)"}));
    const char* source =
        "Caisse des Dépôts, Éclairages n°9 (Feb. 2016), La mobilité résidentielle en France, from the Insee "
        "enquêtes Logement: yearly mobility over 2009-2013 of 18.5% for private tenants, 8.5% for social "
        "tenants, 3.6% for owners, 7.5% for all households (approx., read from its graph 1); Insee 2024: 10.7% "
        "of tax households moved in 2020";
    e.push_back(probability<S>("moving.owner_rate", DEMAT_FIELD(moving.owner_rate), 0.036,
        {"probability per year", "With moving.enabled: yearly probability that a household of owners moves.",
         source}));
    e.push_back(probability<S>("moving.private_tenant_rate", DEMAT_FIELD(moving.private_tenant_rate), 0.185,
        {"probability per year", "With moving.enabled: yearly probability that a household renting from a private "
                                 "landlord moves.",
         source}));
    e.push_back(probability<S>("moving.social_tenant_rate", DEMAT_FIELD(moving.social_tenant_rate), 0.085,
        {"probability per year", "With moving.enabled: yearly probability that a household renting from a social "
                                 "landlord moves.",
         source}));
}

}  // namespace demat::schema::entries
