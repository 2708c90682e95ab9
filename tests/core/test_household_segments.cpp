// The segments household_type and tenure (docs/output.md, /segments) and the
// snapshot's household fields: the decomposition identity on every day, the
// counts of each group recounted from the snapshot, the households found
// again without their ids, the social tenants' share, thread independence.
#include "core/engine.hpp"
#include "core/households.hpp"
#include "core/population.hpp"
#include "core/segments.hpp"
#include "core/snapshot.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

// small_scenario with the minimum income and the housing benefit claimed per
// household with their scales (docs/model.md 5.1-5.2), so that the snapshot
// has children, claimants and represented adults, and differential amounts.
Scenario units_scenario(std::int64_t citizens, int days) {
    Scenario sc = small_scenario(citizens, days);
    sc.services[0].unit = BenefitUnit::household;
    sc.services[0].amount_rule = AmountRule::minimum_income;
    sc.services[1].unit = BenefitUnit::household;
    sc.services[1].amount_rule = AmountRule::housing_benefit;
    return sc;
}

// A snapshot field's values for every citizen, in its type T.
template <typename T>
std::vector<T> field_values(const Snapshot& snap, const std::string& name) {
    for (const SnapshotField& f : snap.fields) {
        if (f.name != name) continue;
        REQUIRE(snapshot_type_bytes(f.type) == sizeof(T));
        std::vector<T> v(snap.citizens * (f.per_service ? static_cast<std::size_t>(snap.services) : 1));
        // Two unequal chunks, the second starting mid-zone and possibly mid-household.
        const std::size_t split = snap.citizens / 3 + 1;
        const std::size_t width = f.per_service ? static_cast<std::size_t>(snap.services) : 1;
        f.fill(0, split, v.data());
        f.fill(split, snap.citizens - split, v.data() + split * width);
        return v;
    }
    FAIL("no snapshot field " << name);
    return {};
}

const std::vector<std::string> new_dimensions{"household_type", "tenure"};

}  // namespace

TEST_CASE("household_type and tenure: the groups of the contract, and the states add up on every day") {
    const auto& dims = dimensions();
    REQUIRE(dims[static_cast<std::size_t>(Dimension::household_type)].name == "household_type");
    REQUIRE(dims[static_cast<std::size_t>(Dimension::household_type)].groups ==
            std::vector<std::string>{"single", "couple", "single_parent", "couple_children", "other"});
    REQUIRE(dims[static_cast<std::size_t>(Dimension::tenure)].name == "tenure");
    REQUIRE(dims[static_cast<std::size_t>(Dimension::tenure)].groups ==
            std::vector<std::string>{"owner", "private_tenant", "social_tenant"});

    for (const bool units : {false, true}) {
        INFO("units " << units);
        const Scenario sc = units ? units_scenario(15000, 70) : small_scenario(15000, 70);
        const Results r = run(sc, 1);
        const Array& counts = r.array("counts");
        const std::size_t D = counts.shape[0], S = counts.shape[1], K = counts.shape[2];
        for (const std::string& name : new_dimensions) {
            INFO(name);
            const Array& a = r.array("segments/" + name + "/counts");
            const std::size_t G = a.shape[2];
            REQUIRE(a.shape == std::vector<std::size_t>{D, S, G, K});
            std::vector<std::int64_t> eligible_by_group(G, 0);
            for (std::size_t d = 0; d < D; ++d)
                for (std::size_t s = 0; s < S; ++s) {
                    for (std::size_t k = 0; k < K; ++k) {
                        std::int64_t sum = 0;
                        for (std::size_t g = 0; g < G; ++g) sum += a.integers()[((d * S + s) * G + g) * K + k];
                        REQUIRE(sum == counts.integers()[(d * S + s) * K + k]);
                    }
                    for (std::size_t g = 0; g < G; ++g) {
                        const std::int64_t* v = &a.integers()[((d * S + s) * G + g) * K];
                        std::int64_t states = 0;
                        for (std::size_t k = 1; k < K; ++k) states += v[k];
                        REQUIRE(v[0] == states);
                        eligible_by_group[g] += v[0];
                    }
                }
            // Every group but "other" (folded into the couples by the population) has eligible citizens.
            for (std::size_t g = 0; g < G; ++g) {
                INFO("group " << g);
                if (name == "household_type" && g == household_type_other) CHECK(eligible_by_group[g] == 0);
                else CHECK(eligible_by_group[g] > 0);
            }
        }
    }
}

TEST_CASE("tenure: 16% of households rent social housing, poorer than the private tenants, and a household has one tenure") {
    Scenario sc = small_scenario(40000, 10);
    ParallelExecutor ex(2);
    const Population p = generate_population(sc, ex);
    const std::size_t n = p.size();
    std::size_t households = 0, tenants = 0, social = 0;
    double decile_social = 0, decile_private = 0;
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint32_t id = p.household_id[c];
        REQUIRE(p.tenant[c] <= 2);
        REQUIRE(p.tenant[c] == p.tenant[id]);
        if (id != c) continue;
        ++households;
        tenants += p.tenant[c] != 0;
        social += p.tenant[c] == 2;
        if (p.tenant[c] == 2) decile_social += p.income_decile[c];
        if (p.tenant[c] == 1) decile_private += p.income_decile[c];
    }
    const double h = static_cast<double>(households);
    // The tenants' share is the scenario's, unchanged by the split.
    CHECK(static_cast<double>(tenants) / h == Approx(sc.population.tenant_share).margin(0.002));
    CHECK(static_cast<double>(social) / h == Approx(0.16).margin(0.002));
    CHECK(decile_social / static_cast<double>(social) < decile_private / static_cast<double>(tenants - social) - 0.5);
}

TEST_CASE("household_positions finds the generator's households without their ids") {
    Scenario sc = units_scenario(30000, 10);
    ParallelExecutor ex(2);
    const Population p = generate_population(sc, ex);
    const Households h = build_households(sc, p, ex);
    const std::size_t n = p.size();
    // Chunks of an odd size, so that some start on a household's second adult.
    const std::size_t chunk = 977;
    std::size_t partners = 0;
    for (std::size_t first = 0; first < n; first += chunk) {
        const std::size_t count = std::min(chunk, n - first);
        std::vector<std::uint32_t> id(count);
        std::vector<HouseholdRole> role(count);
        household_positions(p, first, count, id.data(), role.data());
        for (std::size_t i = 0; i < count; ++i) {
            REQUIRE(id[i] == p.household_id[first + i]);
            REQUIRE(role[i] == h.role[first + i]);
            partners += role[i] == HouseholdRole::partner;
        }
    }
    CHECK(partners > n / 10);
}

TEST_CASE("each household type's and tenure's counts are a recount of the snapshot, and the snapshot's household fields are the engine's") {
    const int days = 40;
    Scenario sc = units_scenario(12000, days);
    sc.warmup_days = 20;
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    // The state after day days-2 is what phase A of the last day counts.
    for (int d = 0; d < sc.warmup_days + days - 1; ++d) REQUIRE(engine.step());
    const Snapshot snap = make_snapshot(engine);
    const auto type = field_values<std::uint8_t>(snap, "household_type");
    const auto tenure = field_values<std::uint8_t>(snap, "tenure");
    const auto state = field_values<std::uint8_t>(snap, "claim_state");
    const auto household = field_values<std::uint32_t>(snap, "household_id");
    const auto role = field_values<std::uint8_t>(snap, "household_role");
    const auto unit_role = field_values<std::uint8_t>(snap, "unit_role");
    const auto amount = field_values<float>(snap, "amount");
    const auto since = field_values<std::uint16_t>(snap, "eligible_since");
    const auto kids = field_values<std::uint8_t>(snap, "children_3_11");
    const std::size_t n = snap.citizens;
    const auto S = static_cast<std::size_t>(snap.services);
    const Population& p = engine.population();
    const Households& h = engine.households();

    std::size_t represented = 0, differential = 0, with_kids = 0;
    for (std::size_t c = 0; c < n; ++c) {
        REQUIRE(type[c] == static_cast<std::uint8_t>(p.household[c]));
        REQUIRE(tenure[c] == p.tenant[c]);
        REQUIRE(role[c] == static_cast<std::uint8_t>(h.role[c]));
        REQUIRE(household[c] == (h.role[c] == HouseholdRole::partner ? c - 1 : c));
        REQUIRE(kids[c] == h.children_of(c)[1]);
        with_kids += kids[c] > 0;
        for (std::size_t s = 0; s < S; ++s) {
            const Claim& k = engine.claim(c, static_cast<int>(s));
            const std::size_t i = c * S + s;
            const bool eligible = k.state != ClaimState::not_eligible;
            REQUIRE(since[i] == (eligible ? k.eligible_since : 65535));
            REQUIRE(amount[i] == (eligible ? static_cast<float>(engine.amount_at_stake(c, static_cast<int>(s))) : 0.0f));
            const bool per_unit = sc.services[s].unit != BenefitUnit::individual;
            REQUIRE(unit_role[i] == (!per_unit ? 0 : h.is_represented(c, static_cast<int>(s)) ? 2 : 1));
            represented += unit_role[i] == 2;
            if (eligible && s == 0 && amount[i] != static_cast<float>(sc.services[0].monthly_amount)) ++differential;
        }
    }
    CHECK(represented > n / 10);
    CHECK(differential > 0);
    CHECK(with_kids > n / 20);

    REQUIRE(!engine.step());  // the last day: phase A counts the state the snapshot saw
    REQUIRE(engine.completed());
    const Results r = engine.results();
    const std::size_t last = static_cast<std::size_t>(days - 1);
    for (const auto& [name, code] : {std::pair{std::string("household_type"), &type}, std::pair{std::string("tenure"), &tenure}}) {
        INFO(name);
        const Array& a = r.array("segments/" + name + "/counts");
        const std::size_t G = a.shape[2], K = a.shape[3];
        std::vector<std::int64_t> eligible(S * G, 0), receiving(S * G, 0);
        for (std::size_t c = 0; c < n; ++c)
            for (std::size_t s = 0; s < S; ++s) {
                const auto st = static_cast<ClaimState>(state[c * S + s]);
                if (st == ClaimState::not_eligible) continue;
                eligible[s * G + (*code)[c]] += 1;
                receiving[s * G + (*code)[c]] += st == ClaimState::receiving;
            }
        std::int64_t total = 0;
        for (std::size_t s = 0; s < S; ++s)
            for (std::size_t g = 0; g < G; ++g) {
                INFO("service " << s << " group " << g);
                CHECK(a.integers()[((last * S + s) * G + g) * K] == eligible[s * G + g]);
                CHECK(a.integers()[((last * S + s) * G + g) * K + 1] == receiving[s * G + g]);
                total += receiving[s * G + g];
            }
        CHECK(total > 0);
    }
}

TEST_CASE("household_type and tenure: 1 and 2 threads give bit-identical counts") {
    const Scenario sc = units_scenario(20000, 50);
    const Results one = run(sc, 1), two = run(sc, 2);
    for (const std::string& name : new_dimensions) {
        INFO(name);
        for (const std::string& path : {"segments/" + name + "/counts", "reasons/segments/" + name + "/failures",
                                        "help/segments/" + name + "/requests"}) {
            INFO(path);
            REQUIRE(one.array(path).integers() == two.array(path).integers());
        }
    }
    require_identical(one, two);
}
