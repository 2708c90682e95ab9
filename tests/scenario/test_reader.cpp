// Reading scenario files: values, errors, base files and precedence, to_toml.
#include "scenario/reader.hpp"
#include "scenario_compare.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

using namespace demat;

namespace {

const std::string scenarios_dir = std::string(DEMAT_SOURCE_DIR) + "/scenarios/";

// Parses `text` expecting a ScenarioError; returns it.
ScenarioError error_of(const std::string& text, const std::string& name = "test.toml") {
    try {
        parse_scenario(text, name);
    } catch (const ScenarioError& error) {
        return error;
    }
    FAIL("no ScenarioError for:\n" << text);
    throw std::logic_error("unreachable");
}

// A scratch directory for base-file tests, fresh for each test case.
std::filesystem::path scratch(const std::string& name) {
    const auto dir = std::filesystem::path(DEMAT_BINARY_DIR) / "test-scenario-scratch" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

const ChannelParams& channel(const ServiceParams& service, Channel c) {
    return service.channels[static_cast<std::size_t>(c)];
}

const ServiceParams& service(const Scenario& scenario, const std::string& name) {
    for (const auto& s : scenario.services)
        if (s.name == name) return s;
    FAIL("no service " << name);
    throw std::logic_error("unreachable");
}

constexpr std::uint8_t bit(auto value) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(value)); }

const std::vector<std::string> shipped_services{"minimum_income",  "in_work_benefit",      "housing_benefit",
                                                "old_age_minimum", "complementary_health", "income_tax_return"};

}  // namespace

// ---- the shipped scenarios ---------------------------------------------------------

TEST_CASE("hybrid.toml: all channels open, six services with their rules", "[reader][scenarios]") {
    const Scenario s = load_scenario(scenarios_dir + "hybrid.toml");
    CHECK(s.name == "hybrid");
    CHECK(s.days == 730);
    CHECK(s.seed == 1);
    CHECK(s.population.size == 100000);
    CHECK(s.mediation.mode == MediationMode::doing_for);
    // Moving house is on in the baseline (docs/model.md 2.2), at the schema's rates.
    CHECK(s.moving.enabled);
    CHECK(s.moving.private_tenant_rate == MovingParams{}.private_tenant_rate);
    REQUIRE(s.services.size() == shipped_services.size());
    for (std::size_t i = 0; i < shipped_services.size(); ++i) CHECK(s.services[i].name == shipped_services[i]);

    for (const auto& svc : s.services) {
        INFO(svc.name);
        for (const auto& c : svc.channels) CHECK(c.enabled);
        CHECK(channel(svc, Channel::online).capacity_per_10k == 0.0);  // ignored for online
        CHECK(channel(svc, Channel::phone).capacity_per_10k == 8.0);
        CHECK(channel(svc, Channel::counter).capacity_per_10k == 5.0);
        CHECK(channel(svc, Channel::mediation).capacity_per_10k == 3.6);
        CHECK(channel(svc, Channel::counter).wrongful_rejection == 0.01);
    }

    const auto& rsa = service(s, "minimum_income");
    CHECK(rsa.kind == ServiceKind::benefit);
    CHECK(rsa.monthly_amount == 607.0);
    CHECK(rsa.renewal_days == 90);
    CHECK(rsa.eligibility.age_min == 25);
    CHECK(rsa.eligibility.age_max == 120);
    CHECK(rsa.eligibility.income_decile_max == 2);
    CHECK(rsa.eligibility.employment_mask == (bit(Employment::unemployed) | bit(Employment::inactive)));
    CHECK(rsa.eligibility.household_mask == 0x0F);
    CHECK_FALSE(rsa.eligibility.tenant_required);

    const auto& apl = service(s, "housing_benefit");
    CHECK(apl.eligibility.tenant_required);
    CHECK(apl.eligibility.income_decile_max == 4);
    CHECK(apl.renewal_days == 365);

    const auto& prime = service(s, "in_work_benefit");
    CHECK(prime.eligibility.employment_mask == bit(Employment::employed));
    CHECK(prime.renewal_days == 90);

    const auto& aspa = service(s, "old_age_minimum");
    CHECK(aspa.eligibility.age_min == 65);
    CHECK(aspa.eligibility.employment_mask == bit(Employment::retired));
    CHECK(aspa.eligibility.income_decile_max == 1);
    CHECK(aspa.renewal_days == 0);
    CHECK(aspa.identity == IdentityRequirement::none);

    const auto& tax = service(s, "income_tax_return");
    CHECK(tax.kind == ServiceKind::obligation);
    CHECK(tax.monthly_amount == 0.0);
    CHECK(tax.eligibility.age_min == 18);
    CHECK(tax.outreach > rsa.outreach);
    CHECK(tax.complexity_first < rsa.complexity_first);
    CHECK(tax.stigma < aspa.stigma);  // the calibration (docs/validation.md) set the minimum income's stigma to 0
    // Its own online table overrides one key and inherits the others.
    CHECK(channel(tax, Channel::online).wrongful_rejection == 0.005);
    CHECK(channel(rsa, Channel::online).wrongful_rejection == 0.03);
    CHECK(channel(tax, Channel::online).enabled);
}

TEST_CASE("online_only.toml: only the online channel is open", "[reader][scenarios]") {
    const Scenario hybrid = load_scenario(scenarios_dir + "hybrid.toml");
    const Scenario s = load_scenario(scenarios_dir + "online_only.toml");
    CHECK(s.name == "online_only");
    CHECK(s.days == hybrid.days);
    CHECK(s.population.size == hybrid.population.size);
    REQUIRE(s.services.size() == hybrid.services.size());
    for (std::size_t i = 0; i < s.services.size(); ++i) {
        const auto& svc = s.services[i];
        INFO(svc.name);
        CHECK(svc.name == hybrid.services[i].name);
        CHECK(channel(svc, Channel::online).enabled);
        CHECK_FALSE(channel(svc, Channel::phone).enabled);
        CHECK_FALSE(channel(svc, Channel::counter).enabled);
        CHECK_FALSE(channel(svc, Channel::mediation).enabled);
        // Everything else comes from hybrid.toml.
        CHECK(svc.monthly_amount == hybrid.services[i].monthly_amount);
        CHECK(svc.eligibility.employment_mask == hybrid.services[i].eligibility.employment_mask);
        CHECK(channel(svc, Channel::online).wrongful_rejection ==
              channel(hybrid.services[i], Channel::online).wrongful_rejection);
    }
}

TEST_CASE("online_with_mediation.toml: online and mediation open, phone and counter closed", "[reader][scenarios]") {
    const Scenario s = load_scenario(scenarios_dir + "online_with_mediation.toml");
    CHECK(s.name == "online_with_mediation");
    CHECK(s.mediation.mode == MediationMode::doing_for);
    REQUIRE(s.services.size() == 6);
    for (const auto& svc : s.services) {
        INFO(svc.name);
        CHECK(channel(svc, Channel::online).enabled);
        CHECK(channel(svc, Channel::mediation).enabled);
        CHECK(channel(svc, Channel::mediation).capacity_per_10k == 3.6);
        CHECK_FALSE(channel(svc, Channel::phone).enabled);
        CHECK_FALSE(channel(svc, Channel::counter).enabled);
    }
}

TEST_CASE("to_toml round-trips the shipped scenarios", "[reader][to_toml]") {
    for (const char* file : {"hybrid.toml", "online_only.toml", "online_with_mediation.toml"}) {
        INFO(file);
        const Scenario original = load_scenario(scenarios_dir + file);
        const std::string text = to_toml(original);
        const Scenario again = parse_scenario(text, "resolved.toml");
        test::check_same(original, again);
        // The resolved text has no base: it stands alone.
        CHECK(text.find("base =") == std::string::npos);
        CHECK(to_toml(again) == text);
    }
}

TEST_CASE("control section: keys are checked against the schema, and off and untouched it is not written back", "[reader][control]") {
    const ScenarioError range = error_of("[control]\nmonthly_rate = 2.0\n[services.a]\n");
    CHECK_THAT(std::string(range.what()), Catch::Contains("control.monthly_rate") && Catch::Contains("[0, 1]"));
    const ScenarioError unknown = error_of("[control]\nmonthly_rat = 0.1\n[services.a]\n");
    CHECK_THAT(std::string(unknown.what()), Catch::Contains("control.monthly_rat"));
    const ScenarioError selection = error_of("[control]\nselection = \"worst\"\n[services.a]\n");
    CHECK_THAT(std::string(selection.what()), Catch::Contains("score") && Catch::Contains("random"));
    const ScenarioError shares = error_of("[control]\ntype_share = [0.5, 0.5, 0.5]\n[services.a]\n");
    CHECK_THAT(std::string(shares.what()), Catch::Contains("control.type_share"));
    // Targeted zones: distinct indices of the population's zones (20,000 / 2,500 = 8 zones).
    const std::string sized = "[population]\nsize = 20000\nzone_size = 2500\n[services.a]\n[control]\n";
    const ScenarioError outside = error_of(sized + "targeted_zones = [3, 17]\n");
    CHECK(outside.key() == "control.targeted_zones");
    CHECK(outside.line() == 6);
    CHECK_THAT(std::string(outside.what()), Catch::Contains("zone 17") && Catch::Contains("8 zones") &&
                                                Catch::Contains("0 to 7") && Catch::Contains("test.toml"));
    CHECK_THAT(std::string(error_of(sized + "targeted_zones = [3, 3]\n").what()), Catch::Contains("3 twice"));
    CHECK_THAT(std::string(error_of(sized + "targeted_zones = [-1]\n").what()), Catch::Contains("control.targeted_zones"));
    CHECK_THAT(std::string(error_of(sized + "targeted_zones = [1.5]\n").what()), Catch::Contains("integers"));
    Scenario named = parse_scenario(sized + "enabled = true\ntargeted_zones = [3, 7]\n", "zones.toml");
    CHECK(named.control.targeted_zones == std::vector<std::int64_t>{3, 7});
    CHECK(parse_scenario(to_toml(named), "again.toml").control.targeted_zones == named.control.targeted_zones);
    // A smaller population by override no longer has zone 7.
    CHECK_THROWS_AS(set_population_size(named, 15000, "--population"), ScenarioError);
    set_population_size(named, 17501, "--population");  // 8 zones still
    // The resolved text of a scenario without control is what it was before the module.
    const Scenario plain = parse_scenario("[services.a]\n", "plain.toml");
    CHECK(to_toml(plain).find("[control]") == std::string::npos);
    const Scenario on = parse_scenario("[control]\nenabled = true\n[services.a]\n", "on.toml");
    CHECK(to_toml(on).find("[control]") != std::string::npos);
    CHECK(parse_scenario(to_toml(on), "again.toml").control.enabled);
}

TEST_CASE("to_toml round-trips every field changed from its default", "[reader][to_toml]") {
    Scenario s;
    s.name = "mutated \"quoted\" é";
    s.description = "line one\nline two\twith a tab and a backslash \\";
    s.days = 731;
    s.warmup_days = 17;
    s.seed = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    s.population.size = 100001;
    s.population.age_group_share = {0.2, 0.2, 0.2, 0.2, 0.2};
    s.population.territory_share = {0.5, 0.25, 0.25};
    s.population.zone_size = 4999;
    s.population.living_alone_share += 0.01;
    s.population.single_parent_share_of_families += 0.01;
    s.population.tenant_share += 0.01;
    s.population.unemployment_rate += 0.01;
    s.population.illectronisme_threshold += 0.01;
#define DEMAT_NUDGE(section, f) s.section.f = s.section.f * 0.5 + 0.0007;
#define DEMAT_NUDGE_NETWORK(f) DEMAT_NUDGE(network, f)
#define DEMAT_NUDGE_BEHAVIOUR(f) DEMAT_NUDGE(behaviour, f)
#define DEMAT_BUMP_BEHAVIOUR(f) s.behaviour.f += 1;
    DEMAT_NETWORK_FIELDS(DEMAT_NUDGE_NETWORK)
    DEMAT_BEHAVIOUR_DOUBLE_FIELDS(DEMAT_NUDGE_BEHAVIOUR)
    DEMAT_BEHAVIOUR_INT_FIELDS(DEMAT_BUMP_BEHAVIOUR)
#undef DEMAT_NUDGE
#undef DEMAT_NUDGE_NETWORK
#undef DEMAT_NUDGE_BEHAVIOUR
#undef DEMAT_BUMP_BEHAVIOUR
    s.capital = CapitalWeights{1.5, 2.5, 0.5, 3.0, 0.25, 5};
    s.mediation = MediationParams{MediationMode::doing_with, 0.11, 0.07, 1.25};
    s.control.enabled = true;
    s.control.selection = ControlSelection::random;
    s.control.monthly_rate = 0.05;
    s.control.type_share = {0.5, 0.25, 0.25};
    s.control.weights = {0.1, -0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    s.control.territory_intensity = {2.0, 1.0, 0.5};
    s.control.suspension_days = 45;
    s.control.document_deadline_days = 21;
    s.control.fear_cost = 1.25;

    ServiceParams a;
    a.name = "svc_a";
    a.kind = ServiceKind::obligation;
    a.eligibility = Eligibility{30, 60, 3, 0x05, 0x0A, true};
    a.monthly_amount = 123.45;
    a.complexity_first = 0.11;
    a.complexity_renewal = 0.22;
    a.identity = IdentityRequirement::strong;
    for (std::size_t c = 0; c < a.channels.size(); ++c)
        a.channels[c] = ChannelParams{c % 2 == 0, 1.5 * static_cast<double>(c), 0.001 * static_cast<double>(c + 1)};
    a.processing_days = 12;
    a.renewal_days = 34;
    a.outreach = 0.003;
    a.automatic = true;
    a.stigma = 0.4;
    ServiceParams b;
    b.name = "b2";
    s.services = {a, b};

    // Guard: the nudges really changed every behaviour field.
    const BehaviourParams defaults;
#define DEMAT_CHANGED(f) CHECK(s.behaviour.f != defaults.f);
    DEMAT_BEHAVIOUR_DOUBLE_FIELDS(DEMAT_CHANGED)
    DEMAT_BEHAVIOUR_INT_FIELDS(DEMAT_CHANGED)
#undef DEMAT_CHANGED

    const Scenario again = parse_scenario(to_toml(s), "mutated.toml");
    test::check_same(s, again);
}

// ---- precedence with base files -------------------------------------------------------

TEST_CASE("base: derived keys override key by key, and top-level channels beat the base's service tables",
          "[reader][base]") {
    const auto dir = scratch("precedence");
    write(dir / "base.toml", R"(name = "base"
days = 100
[channels.counter]
capacity_per_10k = 5
[services.a]
monthly_amount = 10
[services.a.channels.counter]
enabled = true
capacity_per_10k = 9
[services.b]
[services.c]
[services.c.channels.phone]
enabled = false
)");
    write(dir / "derived.toml", R"(base = "base.toml"
days = 200
[channels.counter]
enabled = false
[services.b.channels.counter]
enabled = true
[services.a]
complexity_first = 0.9
[services.d]
)");
    const Scenario s = load_scenario((dir / "derived.toml").string());
    CHECK(s.name == "base");  // inherited
    CHECK(s.days == 200);     // overridden
    REQUIRE(s.services.size() == 4);
    CHECK(s.services[0].name == "a");
    CHECK(s.services[1].name == "b");
    CHECK(s.services[2].name == "c");
    CHECK(s.services[3].name == "d");

    const auto& a = service(s, "a");
    CHECK(a.monthly_amount == 10.0);    // base service key kept
    CHECK(a.complexity_first == 0.9);  // derived service key
    // The derived top-level key closes the counter even though the base set it
    // for this service...
    CHECK_FALSE(channel(a, Channel::counter).enabled);
    // ...but only that key: the base's per-service capacity still applies.
    CHECK(channel(a, Channel::counter).capacity_per_10k == 9.0);
    // The derived file's own per-service key beats its top-level key.
    const auto& b = service(s, "b");
    CHECK(channel(b, Channel::counter).enabled);
    CHECK(channel(b, Channel::counter).capacity_per_10k == 5.0);  // base top-level
    CHECK_FALSE(channel(service(s, "c"), Channel::phone).enabled);  // base per-service, untouched
    CHECK_FALSE(channel(service(s, "c"), Channel::counter).enabled);
    CHECK_FALSE(channel(service(s, "d"), Channel::counter).enabled);
    CHECK(channel(service(s, "d"), Channel::phone).enabled);
    CHECK(s.source_path == (dir / "derived.toml").string());
}

TEST_CASE("base: errors name the file that holds the bad key", "[reader][base][errors]") {
    const auto dir = scratch("base_errors");
    write(dir / "bad_base.toml", "[services.a]\n\n[network]\nisolated_share = 2\n");
    write(dir / "derived.toml", "base = \"bad_base.toml\"\n");
    try {
        load_scenario((dir / "derived.toml").string());
        FAIL("expected an error");
    } catch (const ScenarioError& e) {
        CHECK(e.file() == (dir / "bad_base.toml").string());
        CHECK(e.line() == 4);
        CHECK(e.key() == "network.isolated_share");
        CHECK_THAT(e.what(), Catch::Contains("expected a number in [0, 1], got 2"));
    }

    write(dir / "missing_base.toml", "name = \"x\"\nbase = \"nowhere.toml\"\n");
    const auto missing = error_of("name = \"x\"\nbase = \"nowhere.toml\"\n", (dir / "missing_base.toml").string());
    CHECK(missing.line() == 2);
    CHECK(missing.key() == "base");
    CHECK_THAT(missing.what(), Catch::Contains("cannot read scenario file '" + (dir / "nowhere.toml").string() +
                                               "': no such file"));

    write(dir / "one.toml", "base = \"two.toml\"\n[services.a]\n");
    write(dir / "two.toml", "base = \"one.toml\"\n");
    try {
        load_scenario((dir / "one.toml").string());
        FAIL("expected an error");
    } catch (const ScenarioError& e) {
        CHECK(e.key() == "base");
        CHECK_THAT(e.what(), Catch::Contains("a cycle of base files"));
    }
}

// ---- errors ---------------------------------------------------------------------------------

TEST_CASE("an unknown key is reported with the closest known key", "[reader][errors]") {
    auto e = error_of("[services.a]\n[behaviour]\nretry_dayz = 3\n");
    CHECK(std::string(e.what()) ==
          "test.toml:3: unknown key 'behaviour.retry_dayz' (did you mean 'behaviour.retry_days'?)");
    CHECK(e.file() == "test.toml");
    CHECK(e.line() == 3);
    CHECK(e.key() == "behaviour.retry_dayz");

    e = error_of("[services.a]\n\n[behavior]\nretry_days = 3\n");
    CHECK(std::string(e.what()) == "test.toml:3: unknown key 'behavior' (did you mean 'behaviour'?)");

    // A key put in the wrong section is found by its last component.
    e = error_of("[services.a]\n[network]\ntenant_share = 0.4\n");
    CHECK(std::string(e.what()) ==
          "test.toml:3: unknown key 'network.tenant_share' (did you mean 'population.tenant_share'?)");

    e = error_of("[services.a]\nmonthly_amout = 3\n");
    CHECK(std::string(e.what()) ==
          "test.toml:2: unknown key 'services.a.monthly_amout' (did you mean 'services.a.monthly_amount'?)");

    e = error_of("[services.a.channels.online]\nenable = false\n");
    CHECK(std::string(e.what()) == "test.toml:2: unknown key 'services.a.channels.online.enable' "
                                   "(did you mean 'services.a.channels.online.enabled'?)");

    // Nothing close: no suggestion.
    e = error_of("[services.a]\nfrobnicate_the_widget = 1\n");
    CHECK(std::string(e.what()) == "test.toml:2: unknown key 'services.a.frobnicate_the_widget'");
}

TEST_CASE("wrong types are reported with the expected type and range", "[reader][errors]") {
    auto e = error_of("days = \"730\"\n[services.a]\n");
    CHECK(std::string(e.what()) == "test.toml:1: key 'days': expected an integer in [1, 36500], got \"730\"");
    CHECK(e.key() == "days");

    // A float where an integer is expected is an error...
    e = error_of("[services.a]\n[behaviour]\nretry_days = 7.5\n");
    CHECK(std::string(e.what()) == "test.toml:3: key 'behaviour.retry_days': expected an integer in [1, 365], got 7.5");

    // ...an integer where a float is expected is not.
    const Scenario s = parse_scenario("[services.a]\n[network]\nmean_extra_degree = 4\n", "test.toml");
    CHECK(s.network.mean_extra_degree == 4.0);

    e = error_of("[services.a]\nautomatic = \"yes\"\n");
    CHECK(std::string(e.what()) ==
          "test.toml:2: key 'services.a.automatic': expected a boolean (true or false), got \"yes\"");

    e = error_of("population = 5\n[services.a]\n");
    CHECK(e.line() == 1);
    CHECK_THAT(e.what(), Catch::Contains("key 'population': expected a table"));

    e = error_of("[services.a]\n[population.size]\nvalue = 3\n");
    CHECK_THAT(e.what(), Catch::Contains("key 'population.size': expected an integer in [100, 100000000], got a table"));
}

TEST_CASE("out-of-range values are reported with the allowed range", "[reader][errors]") {
    auto e = error_of("[services.a]\n[behaviour]\nretry_days = -3\n", "scenarios/x.toml");
    CHECK(std::string(e.what()) ==
          "scenarios/x.toml:3: key 'behaviour.retry_days': expected an integer in [1, 365], got -3");
    CHECK(e.line() == 3);

    e = error_of("[services.a]\n[population]\nsize = 99\n");
    CHECK(std::string(e.what()) ==
          "test.toml:3: key 'population.size': expected an integer in [100, 100000000], got 99");

    e = error_of("[services.a]\noutreach = 1.5\n");
    CHECK(std::string(e.what()) == "test.toml:2: key 'services.a.outreach': expected a number in [0, 1], got 1.5");

    e = error_of("[services.a]\noutreach = nan\n");
    CHECK(std::string(e.what()) == "test.toml:2: key 'services.a.outreach': expected a number in [0, 1], got nan");

    e = error_of("seed = -1\n[services.a]\n");
    CHECK(std::string(e.what()) == "test.toml:1: key 'seed': expected an integer in [0, 9223372036854775807], got -1");

    e = error_of("name = \"\"\n[services.a]\n");
    CHECK(std::string(e.what()) == "test.toml:1: key 'name': expected a non-empty string, got \"\"");
}

TEST_CASE("bad enumeration values list the choices", "[reader][errors]") {
    auto e = error_of("[services.a]\n[mediation]\nmode = \"for\"\n");
    CHECK(std::string(e.what()) == "test.toml:3: key 'mediation.mode': expected one of doing_for, doing_with, got \"for\"");

    e = error_of("[services.a]\nidentity = \"biometric\"\n");
    CHECK(std::string(e.what()) ==
          "test.toml:2: key 'services.a.identity': expected one of none, account, strong, got \"biometric\"");

    e = error_of("[services.a.eligibility]\nemployment = [\"employed\", \"student\"]\n");
    CHECK(std::string(e.what()) ==
          "test.toml:2: key 'services.a.eligibility.employment': expected a non-empty array of distinct names "
          "among employed, unemployed, inactive, retired, got \"student\"");

    e = error_of("[services.a.eligibility]\nhousehold = [\"single\", \"single\"]\n");
    CHECK_THAT(e.what(), Catch::Contains("got \"single\" twice"));

    e = error_of("[services.a.eligibility]\nhousehold = []\n");
    CHECK_THAT(e.what(), Catch::Contains("got an empty array"));
}

TEST_CASE("share arrays must have the right length and sum to 1", "[reader][errors]") {
    auto e = error_of("[services.a]\n[population]\nage_group_share = [0.25, 0.25, 0.25, 0.25]\n");
    CHECK(std::string(e.what()) ==
          "test.toml:3: key 'population.age_group_share': expected an array of 5 numbers in [0, 1] summing to 1, "
          "got an array of 4 values");

    e = error_of("[services.a]\n[population]\nterritory_share = [0.5, 0.3, 0.1]\n");
    CHECK_THAT(e.what(), Catch::StartsWith("test.toml:3: key 'population.territory_share': expected an array of 3 "
                                           "numbers in [0, 1] summing to 1, got values summing to 0.9"));

    e = error_of("[services.a]\n[population]\nterritory_share = [0.5, \"x\", 0.5]\n");
    CHECK_THAT(e.what(), Catch::EndsWith("got \"x\" at position 2"));

    // Integers are fine, and a rounding error below 1e-6 is tolerated.
    const Scenario s = parse_scenario(
        "[services.a]\n[population]\nterritory_share = [1, 0, 0]\nage_group_share = [0.2, 0.2, 0.2, 0.2, 0.2000001]\n",
        "test.toml");
    CHECK(s.population.territory_share[0] == 1.0);
    CHECK(s.population.age_group_share[4] == 0.2000001);
}

TEST_CASE("cross-field checks", "[reader][errors]") {
    auto e = error_of("[services.a.eligibility]\nage_min = 70\nage_max = 65\n");
    CHECK(std::string(e.what()) == "test.toml:3: key 'services.a.eligibility.age_max': expected an integer in "
                                   "[70, 120] (at least eligibility.age_min), got 65");

    e = error_of("[services.a.eligibility]\nage_max = 65\nage_min = 70\n");
    CHECK(std::string(e.what()) == "test.toml:3: key 'services.a.eligibility.age_min': expected an integer in "
                                   "[18, 65] (at most eligibility.age_max), got 70");

    e = error_of("name = \"empty\"\n");
    CHECK(e.key() == "services");
    CHECK(std::string(e.what()) ==
          "test.toml: no service defined: a scenario needs at least one [services.<name>] table");

    std::string nine;
    for (int i = 0; i < 9; ++i) nine += "[services.s" + std::to_string(i) + "]\n";
    e = error_of(nine);
    CHECK(e.line() == 9);
    CHECK(std::string(e.what()) == "test.toml:9: key 'services.s8': at most 8 services are allowed, this is number 9");

    e = error_of("[services.Minimum_Income]\n");
    CHECK_THAT(e.what(), Catch::StartsWith("test.toml:1: key 'services.Minimum_Income': a service name must be an "
                                           "identifier ([a-z][a-z0-9_]*"));

    e = error_of("[channels.online]\nenabled = false\n[channels.phone]\nenabled = false\n[channels.counter]\n"
                 "enabled = false\n[channels.mediation]\nenabled = false\n[services.a]\n");
    CHECK(e.line() == 9);
    CHECK_THAT(e.what(), Catch::Contains("service 'a' has every channel closed and is not automatic"));
    // Automatic attribution needs no channel.
    CHECK(parse_scenario("[channels.online]\nenabled = false\n[channels.phone]\nenabled = false\n"
                         "[channels.counter]\nenabled = false\n[channels.mediation]\nenabled = false\n"
                         "[services.a]\nautomatic = true\n",
                         "test.toml")
              .services.at(0)
              .automatic);

    e = error_of("[services.a]\n[capital]\neducation = 0\ndigital_skill = 0\nliteracy = 0\nadmin_literacy = 0\n"
                 "helpers = 0\n");
    CHECK(e.line() == 7);
    CHECK_THAT(e.what(), Catch::Contains("expected at least one positive weight"));
}

TEST_CASE("unknown channels are rejected", "[reader][errors]") {
    auto e = error_of("[services.a]\n[channels.fax]\nenabled = true\n");
    CHECK(std::string(e.what()) ==
          "test.toml:2: unknown channel 'fax' in 'channels.fax': expected one of online, phone, counter, mediation");
    CHECK(e.key() == "channels.fax");

    e = error_of("[services.a.channels.counters]\nenabled = true\n");
    CHECK(std::string(e.what()) ==
          "test.toml:1: unknown channel 'counters' in 'services.a.channels.counters': expected one of online, "
          "phone, counter, mediation (did you mean 'services.a.channels.counter'?)");
}

TEST_CASE("TOML syntax errors give the file, line and column", "[reader][errors]") {
    const auto e = error_of("days = 730\nseed = \nname = \"x\"\n");
    CHECK(e.file() == "test.toml");
    CHECK(e.line() == 2);
    CHECK(e.column() > 0);
    CHECK_THAT(e.what(), Catch::StartsWith("test.toml:2:" + std::to_string(e.column()) + ": TOML syntax error: "));
}

TEST_CASE("a missing scenario file is a clear error", "[reader][errors]") {
    try {
        load_scenario("no/such/scenario.toml");
        FAIL("expected an error");
    } catch (const ScenarioError& e) {
        CHECK(std::string(e.what()) ==
              "no/such/scenario.toml: cannot read scenario file 'no/such/scenario.toml': no such file");
        CHECK(e.line() == 0);
    }
}

TEST_CASE("command-line overrides use the schema ranges", "[reader][overrides]") {
    Scenario s;
    set_population_size(s, 2500, "--population");
    CHECK(s.population.size == 2500);
    set_days(s, 10, "--days");
    CHECK(s.days == 10);
    set_seed(s, 42);
    CHECK(s.seed == 42);

    try {
        set_population_size(s, 50, "--population");
        FAIL("expected an error");
    } catch (const ScenarioError& e) {
        CHECK(std::string(e.what()) == "'--population': expected an integer in [100, 100000000], got 50");
        CHECK(e.key() == "--population");
    }
    CHECK(s.population.size == 2500);  // unchanged after a rejected override
    CHECK_THROWS_AS(set_population_size(s, 100000001, "--population"), ScenarioError);
    CHECK_THROWS_WITH(set_days(s, 0, "--days"), "'--days': expected an integer in [1, 36500], got 0");
    CHECK_THROWS_AS(set_days(s, 36501, "--days"), ScenarioError);
    CHECK(s.days == 10);
    CHECK_THROWS_AS(set_seed(s, std::numeric_limits<std::uint64_t>::max()), ScenarioError);
    CHECK(s.seed == 42);
}

TEST_CASE("a base that is a device or a pipe is refused, not read forever", "[reader][base]") {
    for (const char* device : {"/dev/zero", "/dev/stdin"}) {
        const std::string text = std::string("base = \"") + device + "\"\n";
        try {
            (void)demat::parse_scenario(text, "device.toml");
            FAIL("accepted base = " << device);
        } catch (const demat::ScenarioError& e) {
            const std::string message = e.what();
            INFO(message);
            CHECK(message.find("device.toml") != std::string::npos);
            CHECK(message.find("not a regular file") != std::string::npos);
        }
    }
}
