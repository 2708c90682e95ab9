// The schema against the structs of core/scenario.hpp and against the docs.
#include "scenario/reader.hpp"
#include "scenario/schema.hpp"
#include "scenario_compare.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace demat;

namespace {

std::size_t keys_with_prefix(const std::string& prefix) {
    const auto& schema = parameter_schema();
    return static_cast<std::size_t>(std::count_if(schema.begin(), schema.end(), [&](const ParameterSpec& spec) {
        return spec.key.starts_with(prefix) && spec.key.find('.', prefix.size()) == std::string::npos;
    }));
}

const ParameterSpec& spec(const std::string& key) {
    const auto& schema = parameter_schema();
    const auto found = std::find_if(schema.begin(), schema.end(), [&](const ParameterSpec& s) { return s.key == key; });
    REQUIRE(found != schema.end());
    return *found;
}

}  // namespace

TEST_CASE("schema defaults equal the defaults of the Scenario struct", "[schema]") {
    // The reader fills every field from the schema's defaults, not from the
    // struct's, so a scenario that sets nothing must equal a default-built one.
    const Scenario parsed = parse_scenario("[services.only]\n", "defaults.toml");
    Scenario expected;
    ServiceParams service;
    service.name = "only";
    expected.services.push_back(service);
    test::check_same(parsed, expected);
    CHECK(parsed.source_path == "defaults.toml");
    CHECK(parsed.source_text == "[services.only]\n");
}

TEST_CASE("the schema has one key per field of the scenario structs", "[schema]") {
    // A field added to core/scenario.hpp without a schema key (or a key
    // without a field) breaks one of these counts.
    CHECK(test::member_count<PopulationParams>() == keys_with_prefix("population."));
    CHECK(test::member_count<NetworkParams>() == keys_with_prefix("network."));
    CHECK(test::member_count<CapitalWeights>() == keys_with_prefix("capital."));
    CHECK(test::member_count<BehaviourParams>() == keys_with_prefix("behaviour."));
    CHECK(test::member_count<MediationParams>() == keys_with_prefix("mediation."));
    CHECK(test::member_count<ControlParams>() == keys_with_prefix("control."));
    CHECK(test::member_count<Eligibility>() == keys_with_prefix("services.<service>.eligibility."));
    CHECK(test::member_count<ChannelParams>() == keys_with_prefix("channels.<channel>."));
    CHECK(test::member_count<ChannelParams>() == keys_with_prefix("services.<service>.channels.<channel>."));
    // ServiceParams: the scalar keys plus name, eligibility and channels (tables).
    CHECK(test::member_count<ServiceParams>() == keys_with_prefix("services.<service>.") + 3);
    // Scenario: the top-level keys but `base` (which steers the reader and has
    // no field) + nine sections + services, timeline + source_text, source_path.
    CHECK(test::member_count<Scenario>() == (keys_with_prefix("") - 1) + 9 + 2 + 2);
    CHECK(test::member_count<LifeCourseParams>() == keys_with_prefix("life_course."));
    CHECK(test::member_count<MovingParams>() == keys_with_prefix("moving."));
    // Agencies: each agency's fields, and share_tax_data beside the array of agencies.
    CHECK(test::member_count<AgenciesParams>() - 1 == keys_with_prefix("agencies."));
    for (const char* agency : {"family_benefits", "health_insurance", "pension_fund", "tax_administration"})
        CHECK(test::member_count<AgencyParams>() == keys_with_prefix(std::string("agencies.") + agency + "."));
    // The comparison helper's field lists must be complete as well.
    CHECK(static_cast<std::size_t>(behaviour_field_count) == test::member_count<BehaviourParams>());
    CHECK(static_cast<std::size_t>(control_field_count) == test::member_count<ControlParams>());
}

TEST_CASE("every schema key is documented once", "[schema]") {
    std::set<std::string> keys;
    for (const auto& s : parameter_schema()) {
        INFO(s.key);
        CHECK(keys.insert(s.key).second);
        CHECK_FALSE(s.type.empty());
        CHECK_FALSE(s.range.empty());
        CHECK_FALSE(s.description.empty());
        CHECK_FALSE(s.source.empty());
    }
    CHECK(spec("behaviour.retry_days").range == "[1, 365]");
    CHECK(spec("behaviour.retry_days").default_value == "7");
    CHECK(spec("population.size").range == "[100, 100000000]");
    CHECK(spec("mediation.mode").range == "one of: doing_for, doing_with");
    CHECK(spec("mediation.mode").default_value == "\"doing_for\"");
    CHECK(spec("population.age_group_share").default_value == "[0.17, 0.23, 0.24, 0.22, 0.14]");
    CHECK(spec("services.<service>.eligibility.employment").default_value ==
          "[\"employed\", \"unemployed\", \"inactive\", \"retired\"]");
    CHECK(spec("services.<service>.channels.<channel>.wrongful_rejection").default_value == "0.02");
}

TEST_CASE("calibrated defaults cite the calibration figures", "[schema]") {
    CHECK_THAT(spec("population.age_group_share").source, Catch::Contains("Insee age pyramid 2023"));
    CHECK_THAT(spec("population.territory_share").source, Catch::Contains("Insee grille de densité"));
    CHECK_THAT(spec("population.tenant_share").source, Catch::Contains("Insee housing"));
    CHECK_THAT(spec("population.unemployment_rate").source, Catch::Contains("Insee 2023"));
    CHECK_THAT(spec("population.living_alone_share").source, Catch::Contains("Insee households"));
    CHECK_THAT(spec("channels.<channel>.capacity_per_10k").source,
               Catch::Contains("France Services: 2,840 sites, ~9 million requests in 2023 (Cour des comptes 2024)"));
    // Anything not measured says so.
    CHECK(spec("behaviour.retry_days").source.starts_with("assumption: "));
    CHECK(spec("network.isolated_share").source.starts_with("assumption: "));
}

TEST_CASE("the Markdown table has one row per key", "[schema][docs]") {
    const std::string table = parameter_table_markdown();
    std::istringstream lines(table);
    std::string line;
    std::size_t rows = 0;
    while (std::getline(lines, line))
        if (line.starts_with("| `")) ++rows;
    CHECK(rows == parameter_schema().size());
    CHECK_THAT(table, Catch::Contains("| `behaviour.retry_days` | integer | `7` | [1, 365] | days |"));
}

TEST_CASE("docs/model.md holds the generated parameter table", "[schema][docs]") {
    const std::string path = std::string(DEMAT_SOURCE_DIR) + "/docs/model.md";
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string document = buffer.str();
    INFO("regenerate with: cmake --build <build-dir> --target update_parameter_docs");
    REQUIRE(document.find("<!-- parameters:begin -->") != std::string::npos);
    CHECK(update_parameter_section(document) == document);
}

TEST_CASE("update_parameter_section replaces only the text between the markers", "[schema][docs]") {
    const std::string table = parameter_table_markdown();
    const std::string before = "# Model\n\nText above.\n\n## Parameters\n\n<!-- parameters:begin -->\nstale\n";
    const std::string after = "<!-- parameters:end -->\n\nText below.\n";
    const std::string updated = update_parameter_section(before + after);
    CHECK(updated == "# Model\n\nText above.\n\n## Parameters\n\n<!-- parameters:begin -->\n\n" + table + "\n" + after);
    CHECK(update_parameter_section(updated) == updated);

    const std::string appended = update_parameter_section("# Model\n");
    CHECK(appended.starts_with("# Model\n\n## Parameters\n"));
    CHECK(update_parameter_section(appended) == appended);

    CHECK_THROWS(update_parameter_section("<!-- parameters:end --> <!-- parameters:begin -->"));
    CHECK_THROWS(update_parameter_section("<!-- parameters:begin -->"));
}
