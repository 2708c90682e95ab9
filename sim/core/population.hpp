// The synthetic population: citizens as a struct of arrays, and the zones
// (local areas) they live in. Citizens are stored zone by zone, so that a
// zone's residents are a contiguous range [first_citizen, first_citizen + residents).
#pragma once

#include "core/executor.hpp"
#include "core/scenario.hpp"
#include "core/state_visitor.hpp"

#include <cstdint>
#include <vector>

namespace demat {

struct Zone {
    TerritoryType type = TerritoryType::dense_urban;
    float broadband_coverage = 1.0f;  // share of homes with a fixed broadband offer
    float km_to_counter = 0.0f;       // distance to the nearest public counter
    float km_to_mediation = 0.0f;     // distance to the nearest mediation site (France Services)
    std::uint32_t first_citizen = 0;
    std::uint32_t residents = 0;
};

struct Population {
    std::vector<Zone> zones;

    // One entry per citizen.
    std::vector<std::uint8_t> age;             // years
    std::vector<std::uint16_t> birthday;       // day of the year [0, 365) on which age increases
    std::vector<Education> education;
    std::vector<std::uint8_t> income_decile;   // 1..10
    std::vector<Employment> employment;
    std::vector<Household> household;
    std::vector<std::uint32_t> household_id;   // citizens sharing an id live together (emptied by the Engine once its network is built)
    std::vector<std::uint8_t> tenant;          // 0 owner, 1 private tenant, 2 social tenant (segments.hpp, tenure)
    std::vector<Equipment> equipment;
    std::vector<Mobility> mobility;
    std::vector<float> digital_skill;          // [0,1]
    std::vector<float> literacy;               // [0,1]
    std::vector<float> admin_literacy;         // [0,1]
    std::vector<float> trust;                  // [0,1]
    std::vector<float> self_efficacy;          // [0,1], belief of being able to do a procedure (docs/model.md 6.14)

    // The zone of every zone_page-th citizen (index into zones). Citizens
    // are stored zone by zone, so zone_of() finds any citizen's zone from its
    // page's by a short forward scan: 4 bytes per citizen less than a zone
    // array. Zones hold population.zone_size >= 100 citizens (or all of them),
    // so a page of 64 crosses at most one zone boundary.
    static constexpr std::size_t zone_page = 64;
    std::vector<std::uint32_t> zone_of_page;

    std::uint32_t zone_of(std::size_t citizen) const {
        std::uint32_t z = zone_of_page[citizen / zone_page];
        while (citizen >= std::size_t{zones[z].first_citizen} + zones[z].residents) ++z;
        return z;
    }
    // Fills zone_of_page from the zones, which must tile [0, size()) in order.
    void index_zones();
    // True if the zones tile [0, size()) in order (first_citizen contiguous).
    bool zones_tile() const;

    std::size_t size() const { return age.size(); }
    void resize(std::size_t n);
    // Names every member above for checkpoints: a new array must be listed
    // there too (a test counts the members).
    void visit_state(StateVisitor& visit);
    // Bytes held by the arrays (for the memory budget).
    std::size_t memory_bytes() const;
};

// Builds the population the scenario describes. Deterministic in
// (scenario, seed), whatever the executor.
Population generate_population(const Scenario& scenario, Executor& executor);

// Income decile implied by education, age and employment for citizen c
// (used at generation and after employment transitions). `u` in [0,1).
std::uint8_t draw_income_decile(Education education, int age, Employment employment, double u);

}  // namespace demat
