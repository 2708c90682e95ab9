#include "core/snapshot.hpp"

#include "core/channels.hpp"
#include "core/claim.hpp"
#include "core/engine.hpp"
#include "core/households.hpp"
#include "core/segments.hpp"

#include <array>
#include <cstring>
#include <type_traits>

namespace demat {

namespace {

template <typename T>
constexpr SnapshotType type_of() {
    if constexpr (std::is_same_v<T, float>) return SnapshotType::f32;
    else if constexpr (sizeof(T) == 1) return SnapshotType::u8;
    else if constexpr (sizeof(T) == 2) return SnapshotType::u16;
    else return SnapshotType::u32;
}

// A field of one value per citizen, `value(c)` converted to T.
template <typename T, typename F>
SnapshotField per_citizen(std::string name, std::string description, std::string unit, std::vector<std::string> labels,
                          F value) {
    SnapshotField field;
    field.name = std::move(name);
    field.description = std::move(description);
    field.unit = std::move(unit);
    field.type = type_of<T>();
    field.labels = std::move(labels);
    field.fill = [value](std::size_t first, std::size_t count, void* out) {
        T* to = static_cast<T*>(out);
        for (std::size_t i = 0; i < count; ++i) to[i] = static_cast<T>(value(first + i));
    };
    return field;
}

// A field of one uint8 per citizen and service, `value(claim)`.
template <typename F>
SnapshotField per_claim(const Engine& engine, std::string name, std::string description, std::vector<std::string> labels,
                        F value) {
    SnapshotField field;
    field.name = std::move(name);
    field.description = std::move(description);
    field.type = SnapshotType::u8;
    field.per_service = true;
    field.labels = std::move(labels);
    const int services = static_cast<int>(engine.scenario().services.size());
    field.fill = [&engine, services, value](std::size_t first, std::size_t count, void* out) {
        auto* to = static_cast<std::uint8_t*>(out);
        for (std::size_t i = 0; i < count; ++i)
            for (int s = 0; s < services; ++s) *to++ = static_cast<std::uint8_t>(value(engine.claim(first + i, s)));
    };
    return field;
}

// A field of one T per citizen and service, `value(citizen, service)`.
template <typename T, typename F>
SnapshotField per_citizen_service(const Engine& engine, std::string name, std::string description, std::string unit,
                                  std::vector<std::string> labels, F value) {
    SnapshotField field;
    field.name = std::move(name);
    field.description = std::move(description);
    field.unit = std::move(unit);
    field.type = type_of<T>();
    field.per_service = true;
    field.labels = std::move(labels);
    const int services = static_cast<int>(engine.scenario().services.size());
    field.fill = [services, value](std::size_t first, std::size_t count, void* out) {
        T* to = static_cast<T*>(out);
        for (std::size_t i = 0; i < count; ++i)
            for (int s = 0; s < services; ++s) *to++ = static_cast<T>(value(first + i, s));
    };
    return field;
}

// A field read from the household walk (household_positions) of each chunk.
template <typename T, typename F>
SnapshotField per_household_position(const Population& p, std::string name, std::string description,
                                     std::vector<std::string> labels, F value) {
    SnapshotField field;
    field.name = std::move(name);
    field.description = std::move(description);
    field.type = type_of<T>();
    field.labels = std::move(labels);
    field.fill = [&p, value](std::size_t first, std::size_t count, void* out) {
        std::vector<std::uint32_t> id(count);
        std::vector<HouseholdRole> role(count);
        household_positions(p, first, count, id.data(), role.data());
        T* to = static_cast<T*>(out);
        for (std::size_t i = 0; i < count; ++i) to[i] = static_cast<T>(value(id[i], role[i]));
    };
    return field;
}

const std::vector<std::string>& groups_of(Dimension d) { return dimensions()[static_cast<std::size_t>(d)].groups; }

}  // namespace

Snapshot make_snapshot(const Engine& engine) {
    const Population& p = engine.population();
    const Network& network = engine.network();
    Snapshot snap;
    snap.citizens = p.size();
    snap.services = static_cast<int>(engine.scenario().services.size());
    auto& f = snap.fields;
    f.push_back(per_citizen<std::uint8_t>("age", "age at the end of the run", "years", {},
                                          [&p](std::size_t c) { return p.age[c]; }));
    f.push_back(per_citizen<std::uint8_t>("education", "highest diploma", "1", groups_of(Dimension::education),
                                          [&p](std::size_t c) { return p.education[c]; }));
    f.push_back(per_citizen<std::uint8_t>("employment", "employment status at the end of the run", "1",
                                          {"employed", "unemployed", "inactive", "retired"},
                                          [&p](std::size_t c) { return p.employment[c]; }));
    f.push_back(per_citizen<std::uint8_t>("income_decile", "income decile at the end of the run, 1 lowest", "1", {},
                                          [&p](std::size_t c) { return p.income_decile[c]; }));
    f.push_back(per_citizen<std::uint8_t>("equipment", "digital equipment at home", "1", groups_of(Dimension::equipment),
                                          [&p](std::size_t c) { return p.equipment[c]; }));
    f.push_back(per_citizen<std::uint32_t>("zone", "index of the zone (local area) of residence", "1", {},
                                           [&p](std::size_t c) { return p.zone_of(c); }));
    f.push_back(per_citizen<std::uint8_t>("territory", "type of the zone of residence", "1",
                                          groups_of(Dimension::territory),
                                          [&p](std::size_t c) { return p.zones[p.zone_of(c)].type; }));
    f.push_back(per_citizen<std::uint32_t>("degree", "ties in the social network", "1", {},
                                           [&network](std::size_t c) { return network.degree(static_cast<std::uint32_t>(c)); }));
    f.push_back(per_citizen<float>("capital_score", "capital score at the start of the run, in [0, 1]", "1", {},
                                   [&engine](std::size_t c) { return engine.capital_score(c); }));
    f.push_back(per_citizen<std::uint8_t>("capital_quintile", "quintile of the capital score at the start of the run",
                                          "1", groups_of(Dimension::capital_quintile),
                                          [&engine](std::size_t c) { return engine.capital_quintile(c); }));
    f.push_back(per_citizen<float>("digital_skill", "digital skill at the end of the run, in [0, 1]", "1", {},
                                   [&p](std::size_t c) { return p.digital_skill[c]; }));
    f.push_back(per_citizen<float>("literacy", "literacy, in [0, 1]", "1", {},
                                   [&p](std::size_t c) { return p.literacy[c]; }));
    f.push_back(per_citizen<float>("admin_literacy", "administrative literacy at the end of the run, in [0, 1]", "1",
                                   {}, [&p](std::size_t c) { return p.admin_literacy[c]; }));
    f.push_back(per_citizen<float>("trust", "trust in the administration at the end of the run, in [0, 1]", "1", {},
                                   [&p](std::size_t c) { return p.trust[c]; }));
    f.push_back(per_citizen<float>("self_efficacy", "belief of being able to do a procedure at the end of the run, in [0, 1] "
                                   "(docs/model.md 6.14)", "1", {},
                                   [&p](std::size_t c) { return p.self_efficacy[c]; }));
    f.push_back(per_citizen<std::uint16_t>("helps_given", "online procedures done for neighbours over the whole run",
                                           "1", {}, [&engine](std::size_t c) { return engine.helps_given(c); }));
    f.push_back(per_citizen<std::uint8_t>("procedures",
                                          "over the procedures window (the last 365 recorded days), bits: 1 completed a "
                                          "procedure online, 2 an online attempt failed, 4 gave up for good, then help "
                                          "sought from 8 household, 16 relative_or_friend, 32 mediator, 64 counter_agent, "
                                          "128 phone_agent",
                                          "1", {}, [&engine](std::size_t c) { return engine.procedure_flags(c); }));
    // The household (docs/model.md 5.1): who lives with whom, its type and
    // tenure (the segments household_type and tenure), its children.
    f.push_back(per_household_position<std::uint32_t>(
        p, "household_id", "household: index of its first adult (the reference person)", {},
        [](std::uint32_t id, HouseholdRole) { return id; }));
    f.push_back(per_household_position<std::uint8_t>(
        p, "household_role", "place in the household", {"alone", "reference", "partner"},
        [](std::uint32_t, HouseholdRole role) { return static_cast<std::uint8_t>(role); }));
    f.push_back(per_citizen<std::uint8_t>("household_type", "family structure of the household", "1",
                                          groups_of(Dimension::household_type),
                                          [&p](std::size_t c) { return p.household[c]; }));
    f.push_back(per_citizen<std::uint8_t>("tenure", "tenure of the household's home", "1", groups_of(Dimension::tenure),
                                          [&p](std::size_t c) { return p.tenant[c]; }));
    // Children are drawn only for a run with benefit units (households.hpp).
    const Households& h = engine.households();
    if (!h.empty()) {
        static const std::array<const char*, child_band_count> band{"under_3", "3_11", "12_17"};
        for (int b = 0; b < child_band_count; ++b)
            f.push_back(per_citizen<std::uint8_t>(std::string("children_") + band[static_cast<std::size_t>(b)],
                                                  std::string("children of the household aged ") +
                                                      band[static_cast<std::size_t>(b)] + " years",
                                                  "children", {}, [&h, b](std::size_t c) {
                                                      return h.children_of(c)[static_cast<std::size_t>(b)];
                                                  }));
    }
    const Scenario& scenario = engine.scenario();
    f.push_back(per_citizen_service<std::uint8_t>(
        engine, "unit_role",
        "the citizen's part in each service's claim: individual (claimed per person), claimant (claims for the "
        "couple or household), represented (another adult claims for the unit; the citizen's own claim is never "
        "eligible)",
        "1", {"individual", "claimant", "represented"}, [&scenario, &h](std::size_t c, int s) {
            if (scenario.services[static_cast<std::size_t>(s)].unit == BenefitUnit::individual) return 0;
            return h.is_represented(c, s) ? 2 : 1;
        }));
    f.push_back(per_citizen_service<float>(
        engine, "amount",
        "monthly amount at stake of each eligible claim (the service's monthly_amount, or the unit's differential "
        "amount: docs/model.md 5.2); 0 when not eligible",
        "euros", {}, [&engine](std::size_t c, int s) {
            return engine.claim(c, s).state == ClaimState::not_eligible ? 0.0 : engine.amount_at_stake(c, s);
        }));
    f.push_back(per_citizen_service<std::uint16_t>(
        engine, "eligible_since",
        "first day of the claim's current eligibility spell, counted from the first day of the warm-up (a "
        "recorded day is this minus the root attribute warmup_days; a spell under way when the run starts is "
        "dated 0); 65535 when not eligible",
        "days", {}, [&engine](std::size_t c, int s) {
            const Claim& k = engine.claim(c, s);
            return k.state == ClaimState::not_eligible ? std::uint16_t{65535} : k.eligible_since;
        }));
    f.push_back(per_claim(engine, "claim_state", "state of the citizen's claim to each service at the end of the run",
                          {"not_eligible", "unaware", "aware", "declined", "attempting", "waiting_help", "submitted",
                           "receiving", "rejected", "abandoned", "interrupted"},
                          [](const Claim& k) { return k.state; }));
    f.push_back(per_claim(engine, "channel", "channel of the current or last attempt (meaningless before any attempt)",
                          channel_labels(), [](const Claim& k) { return k.channel; }));
    f.push_back(per_claim(engine, "ever_received",
                          "1 if the citizen has received the service in the current eligibility spell", {},
                          [](const Claim& k) { return k.has(claim_flag::ever_received) ? 1 : 0; }));
    return snap;
}

}  // namespace demat
