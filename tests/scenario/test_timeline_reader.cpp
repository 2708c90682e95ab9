// Reading [[timeline]] events: values, every error path, base files, to_toml.
#include "scenario/reader.hpp"
#include "scenario_compare.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

using namespace demat;

namespace {

const std::string scenarios_dir = std::string(DEMAT_SOURCE_DIR) + "/scenarios/";

// Two services and a 100-day run; events are appended after this.
const std::string head = "days = 100\n[services.rsa]\n[services.tax]\n";  // lines 1-3

ScenarioError error_of(const std::string& text) {
    try {
        parse_scenario(text, "test.toml");
    } catch (const ScenarioError& error) {
        return error;
    }
    FAIL("no ScenarioError for:\n" << text);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("timeline: every event type is read with its values", "[reader][timeline]") {
    const Scenario s = parse_scenario(head +
                                          "[[timeline]]\nday = 30\nevent = \"close_channel\"\nservice = \"*\"\nchannel = \"counter\"\n"
                                          "[[timeline]]\nday = 60\nevent = \"open_channel\"\nservice = \"rsa\"\nchannel = \"phone\"\n"
                                          "[[timeline]]\nday = 10\nevent = \"set_capacity\"\nservice = \"tax\"\nchannel = \"mediation\"\ncapacity_per_10k = 7.5\n"
                                          "[[timeline]]\nday = 10\nevent = \"set_complexity\"\nservice = \"rsa\"\nrenewal = 0.1\n"
                                          "[[timeline]]\nday = 5\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.01\n"
                                          "[[timeline]]\nday = 99\nevent = \"set_automatic\"\nservice = \"tax\"\nautomatic = true\n"
                                          "[[timeline]]\nday = 0\nevent = \"outage\"\nservice = \"*\"\ndays = 3\n"
                                          "[[timeline]]\nday = 50\nevent = \"set_identity\"\nservice = \"rsa\"\nidentity = \"strong\"\n",
                                      "test.toml");
    REQUIRE(s.timeline.size() == 8);
    // Sorted by day; same-day events keep the file's order.
    std::vector<int> days;
    for (const auto& ev : s.timeline) days.push_back(ev.day);
    CHECK(days == std::vector<int>{0, 5, 10, 10, 30, 50, 60, 99});
    const auto* outage = s.timeline[0].as<event::Outage>();
    REQUIRE(outage);
    CHECK(outage->service == "*");
    CHECK(outage->days == 3);
    const auto* outreach = s.timeline[1].as<event::SetOutreach>();
    REQUIRE(outreach);
    CHECK(outreach->rate == 0.01);
    const auto* capacity = s.timeline[2].as<event::SetCapacity>();
    REQUIRE(capacity);
    CHECK(capacity->channel == Channel::mediation);
    CHECK(capacity->capacity_per_10k == 7.5);
    const auto* complexity = s.timeline[3].as<event::SetComplexity>();
    REQUIRE(complexity);
    CHECK(complexity->first < 0);  // not given: unchanged
    CHECK(complexity->renewal == 0.1);
    const auto* close = s.timeline[4].as<event::CloseChannel>();
    REQUIRE(close);
    CHECK(close->channel == Channel::counter);
    REQUIRE(s.timeline[5].as<event::SetIdentity>());
    CHECK(s.timeline[5].as<event::SetIdentity>()->identity == IdentityRequirement::strong);
    const auto* open = s.timeline[6].as<event::OpenChannel>();
    REQUIRE(open);
    CHECK(open->service == "rsa");
    CHECK(open->channel == Channel::phone);
    REQUIRE(s.timeline[7].as<event::SetAutomatic>());
    CHECK(s.timeline[7].as<event::SetAutomatic>()->automatic);

    // to_toml writes them back to an equal scenario, and is stable.
    const std::string text = to_toml(s);
    const Scenario again = parse_scenario(text, "resolved.toml");
    test::check_same(s, again);
    CHECK(to_toml(again) == text);
    CHECK(text.find("\nrenewal = 0.1\n") != std::string::npos);
    CHECK(text.find("\nfirst =") == std::string::npos);  // an unchanged complexity is not written
}

TEST_CASE("timeline: errors name the file, line and key", "[reader][timeline][errors]") {
    // Event lines start at 4 ([[timeline]]); keys follow on 5, 6, ...
    auto e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_chanel\"\nservice = \"*\"\nchannel = \"counter\"\n");
    CHECK(std::string(e.what()) ==
          "test.toml:6: key 'timeline[1].event': unknown event type \"close_chanel\": expected one of close_channel, "
          "open_channel, set_capacity, set_complexity, set_outreach, set_automatic, outage, set_identity, open_mediation, "
          "close_mediation, skills_programme, prefill_renewals, close_counters, open_counters, share_tax_data, "
          "eligibility_letter "
          "(did you mean 'close_channel'?)");
    CHECK(e.file() == "test.toml");
    CHECK(e.line() == 6);
    CHECK(e.key() == "timeline[1].event");

    e = error_of(head + "[[timeline]]\nday = 100\nevent = \"close_channel\"\nservice = \"*\"\nchannel = \"counter\"\n");
    CHECK(std::string(e.what()) == "test.toml:5: key 'timeline[1].day': expected an integer in [0, 99] (a recorded "
                                   "day of the run: days = 100), got 100");
    CHECK(e.key() == "timeline[1].day");

    e = error_of(head + "[[timeline]]\nday = -1\nevent = \"close_channel\"\nservice = \"*\"\nchannel = \"counter\"\n");
    CHECK(e.line() == 5);
    CHECK(e.key() == "timeline[1].day");
    CHECK(std::string(e.what()).find("got -1") != std::string::npos);

    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_channel\"\nservice = \"rssa\"\nchannel = \"counter\"\n");
    CHECK(std::string(e.what()) == "test.toml:7: key 'timeline[1].service': unknown service \"rssa\": expected \"*\" "
                                   "or one of rsa, tax (did you mean 'rsa'?)");
    CHECK(e.key() == "timeline[1].service");

    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_channel\"\nservice = \"*\"\nchannel = \"counters\"\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].channel': expected one of online, phone, counter, "
                                   "mediation, got \"counters\"");

    // Online has no capacity to set.
    e = error_of(head +
                 "[[timeline]]\nday = 3\nevent = \"set_capacity\"\nservice = \"*\"\nchannel = \"online\"\ncapacity_per_10k = 1\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].channel': expected one of phone, counter, mediation, "
                                   "got \"online\"");

    // Values use the ranges of the keys they change.
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 2\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].rate': expected a number in [0, 1], got 2");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_complexity\"\nservice = \"rsa\"\nfirst = -0.5\n");
    CHECK(e.key() == "timeline[1].first");
    CHECK(std::string(e.what()).find("expected a number in [0, 1], got -0.5") != std::string::npos);
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_automatic\"\nservice = \"rsa\"\nautomatic = \"yes\"\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].automatic': expected a boolean (true or false), got \"yes\"");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_identity\"\nservice = \"rsa\"\nidentity = \"biometric\"\n");
    CHECK(std::string(e.what()) ==
          "test.toml:8: key 'timeline[1].identity': expected one of none, account, strong, got \"biometric\"");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"outage\"\nservice = \"*\"\ndays = 0\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].days': expected an integer in [1, 36500], got 0");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_capacity\"\nservice = \"*\"\nchannel = \"phone\"\n"
                        "capacity_per_10k = -1\n");
    CHECK(e.key() == "timeline[1].capacity_per_10k");
    CHECK(e.line() == 9);

    // Missing keys, keys of another event type, an empty set_complexity.
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_channel\"\nservice = \"*\"\n");
    CHECK(std::string(e.what()) ==
          "test.toml:4: key 'timeline[1].channel' is missing: expected for event 'close_channel'");
    e = error_of(head + "[[timeline]]\nevent = \"set_outreach\"\nservice = \"*\"\nrate = 0.1\n");
    CHECK(e.key() == "timeline[1].day");
    CHECK(e.line() == 4);
    e = error_of(head + "[[timeline]]\nday = 1\nservice = \"*\"\n");
    CHECK(e.key() == "timeline[1].event");
    e = error_of(head + "[[timeline]]\nday = 1\nevent = \"set_outreach\"\nrate = 0.1\n");
    CHECK(e.key() == "timeline[1].service");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.1\nchannel = \"phone\"\n");
    CHECK(std::string(e.what()) == "test.toml:9: unknown key 'timeline[1].channel' for event 'set_outreach' (allowed: "
                                   "day, event, service, rate, segment, group)");
    CHECK(e.key() == "timeline[1].channel");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrat = 0.1\n");
    CHECK(e.key() == "timeline[1].rat");
    CHECK(std::string(e.what()).find("did you mean 'timeline[1].rate'?") != std::string::npos);
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_complexity\"\nservice = \"rsa\"\n");
    CHECK(std::string(e.what()) == "test.toml:4: event 'timeline[1]' (set_complexity): expected key 'first' or "
                                   "'renewal' (or both), got neither");

    // The second event is numbered as such.
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"outage\"\nservice = \"*\"\ndays = 2\n"
                        "[[timeline]]\nday = 3\nevent = \"outage\"\nservice = \"*\"\ndays = 2.5\n");
    CHECK(e.key() == "timeline[2].days");
    CHECK(e.line() == 13);

    // `timeline` must be an array of tables.
    e = error_of("timeline = 3\n" + head);
    CHECK(std::string(e.what()) ==
          "test.toml:1: key 'timeline': expected an array of tables ([[timeline]] sections), got 3");
}

TEST_CASE("timeline: mediation sites, skills programme, targeted outreach and pre-filled renewals are read and round-tripped",
          "[reader][timeline]") {
    const Scenario s = parse_scenario(
        head +
            "[[timeline]]\nday = 10\nevent = \"open_mediation\"\nterritory = \"rural\"\nsites = 0.5\n"
            "[[timeline]]\nday = 20\nevent = \"close_mediation\"\nterritory = \"*\"\nshare = 0.25\n"
            "[[timeline]]\nday = 30\nevent = \"skills_programme\"\nshare_per_month = 0.02\nskill_gain = 0.3\ndays = 60\n"
            "[[timeline]]\nday = 40\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.02\nsegment = \"capital_quintile\"\ngroup = \"Q1\"\n"
            "[[timeline]]\nday = 50\nevent = \"prefill_renewals\"\nservice = \"rsa\"\nprefilled = true\ncomplexity = 0.1\n"
            "[[timeline]]\nday = 60\nevent = \"skills_programme\"\nshare_per_month = 0.1\nskill_gain = 0.2\nskill_below = 0.3\ndays = 1\n",
        "test.toml");
    REQUIRE(s.timeline.size() == 6);
    const auto* open = s.timeline[0].as<event::OpenMediation>();
    REQUIRE(open);
    CHECK(open->territory == static_cast<int>(TerritoryType::rural));
    CHECK(open->sites == 0.5);
    CHECK(s.timeline[0].service() == nullptr);  // sites serve every service
    const auto* close = s.timeline[1].as<event::CloseMediation>();
    REQUIRE(close);
    CHECK(close->territory == -1);
    CHECK(close->share == 0.25);
    const auto* programme = s.timeline[2].as<event::SkillsProgramme>();
    REQUIRE(programme);
    CHECK(programme->share_per_month == 0.02);
    CHECK(programme->skill_gain == 0.3);
    CHECK(programme->skill_below == 0.5);  // the documented default
    CHECK(programme->days == 60);
    const auto* campaign = s.timeline[3].as<event::SetOutreach>();
    REQUIRE(campaign);
    CHECK(campaign->segment == 3);  // capital_quintile, as in the HDF5 segments
    CHECK(campaign->group == 0);
    const auto* prefill = s.timeline[4].as<event::PrefillRenewals>();
    REQUIRE(prefill);
    CHECK(prefill->prefilled);
    CHECK(prefill->complexity == 0.1);
    REQUIRE(s.timeline[5].as<event::SkillsProgramme>());
    CHECK(s.timeline[5].as<event::SkillsProgramme>()->skill_below == 0.3);

    const std::string text = to_toml(s);
    const Scenario again = parse_scenario(text, "resolved.toml");
    test::check_same(s, again);
    CHECK(to_toml(again) == text);
    CHECK(text.find("event = \"open_mediation\"\nterritory = \"rural\"") != std::string::npos);
}

TEST_CASE("timeline: errors of the site, programme, targeted outreach and pre-filling events", "[reader][timeline][errors]") {
    auto e = error_of(head + "[[timeline]]\nday = 3\nevent = \"open_mediation\"\nterritory = \"suburban\"\nsites = 1\n");
    CHECK(std::string(e.what()) == "test.toml:7: key 'timeline[1].territory': expected one of *, dense_urban, "
                                   "intermediate, rural, got \"suburban\"");
    CHECK(e.key() == "timeline[1].territory");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"open_mediation\"\nterritory = \"rural\"\nsites = 0\n");
    CHECK(e.key() == "timeline[1].sites");
    CHECK(e.line() == 8);
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_mediation\"\nterritory = \"rural\"\nshare = 1.5\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].share': expected a number in [0, 1], got 1.5");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"close_mediation\"\nterritory = \"rural\"\n");
    CHECK(std::string(e.what()) == "test.toml:4: key 'timeline[1].share' is missing: expected for event 'close_mediation'");
    // Sites and programmes concern every service: no service key.
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"open_mediation\"\nservice = \"rsa\"\nterritory = \"rural\"\nsites = 1\n");
    CHECK(std::string(e.what()) == "test.toml:7: unknown key 'timeline[1].service' for event 'open_mediation' "
                                   "(allowed: day, event, territory, sites)");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"skills_programme\"\nshare_per_month = 0.1\nskill_gain = 0.2\n");
    CHECK(e.key() == "timeline[1].days");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"skills_programme\"\nshare_per_month = 2\nskill_gain = 0.2\ndays = 5\n");
    CHECK(std::string(e.what()) == "test.toml:7: key 'timeline[1].share_per_month': expected a number in [0, 1], got 2");
    e = error_of(head + "[[timeline]]\nday = 300\nevent = \"skills_programme\"\nshare_per_month = 0.1\nskill_gain = 0.2\ndays = 5\n");
    CHECK(e.key() == "timeline[1].day");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.1\nsegment = \"capital\"\ngroup = \"Q1\"\n");
    CHECK(std::string(e.what()) == "test.toml:9: key 'timeline[1].segment': expected one of age_group, education, "
                                   "income_quintile, capital_quintile, digital_skill, territory, isolation, equipment, household_type, tenure, "
                                   "agency_contact, "
                                   "got \"capital\"");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.1\nsegment = \"age_group\"\ngroup = \"80+\"\n");
    CHECK(std::string(e.what()) == "test.toml:10: key 'timeline[1].group': expected one of 18-29, 30-44, 45-59, "
                                   "60-74, 75+, got \"80+\"");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.1\nsegment = \"age_group\"\n");
    CHECK(e.key() == "timeline[1].group");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"prefill_renewals\"\nservice = \"rsx\"\nprefilled = true\n");
    CHECK(e.key() == "timeline[1].service");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"prefill_renewals\"\nservice = \"rsa\"\nprefilled = 1\n");
    CHECK(std::string(e.what()) == "test.toml:8: key 'timeline[1].prefilled': expected a boolean (true or false), got 1");
    e = error_of(head + "[[timeline]]\nday = 3\nevent = \"prefill_renewals\"\nservice = \"rsa\"\nprefilled = true\ncomplexity = 3\n");
    CHECK(e.key() == "timeline[1].complexity");
    CHECK(e.line() == 9);
}

TEST_CASE("timeline: a derived file adds its events to its base's", "[reader][timeline][base]") {
    const auto dir = std::filesystem::path(DEMAT_BINARY_DIR) / "test-scenario-scratch" / "timeline-base";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        std::ofstream base(dir / "base.toml");
        base << head << "[[timeline]]\nday = 50\nevent = \"set_outreach\"\nservice = \"rsa\"\nrate = 0.01\n";
        std::ofstream derived(dir / "derived.toml");
        derived << "base = \"base.toml\"\n[[timeline]]\nday = 20\nevent = \"outage\"\nservice = \"tax\"\ndays = 4\n";
        std::ofstream bad(dir / "bad.toml");
        bad << "base = \"base.toml\"\ndays = 40\n";
    }
    const Scenario s = load_scenario((dir / "derived.toml").string());
    REQUIRE(s.timeline.size() == 2);
    REQUIRE(s.timeline[0].as<event::Outage>());
    CHECK(*s.timeline[0].service() == "tax");
    CHECK(s.timeline[1].name() == "set_outreach");
    // A derived file that shortens the run makes the base's event fall
    // outside it: the error points at the base's event.
    try {
        load_scenario((dir / "bad.toml").string());
        FAIL("no error");
    } catch (const ScenarioError& e) {
        CHECK(e.file() == (dir / "base.toml").string());
        CHECK(e.line() == 5);
        CHECK(e.key() == "timeline[1].day");
    }
}

TEST_CASE("timeline: the library scenarios load and round-trip", "[reader][timeline][scenarios]") {
    for (const char* file :
         {"transition_online_only.toml", "automatic_to_claim.toml", "outreach_campaign.toml", "outage.toml",
          "prefilled_declarations.toml", "mediation_network.toml", "skills_programme.toml", "targeted_outreach.toml"}) {
        INFO(file);
        const Scenario original = load_scenario(scenarios_dir + file);
        CHECK_FALSE(original.timeline.empty());
        const Scenario again = parse_scenario(to_toml(original), "resolved.toml");
        test::check_same(original, again);
    }
}

TEST_CASE("scenarios: every file in scenarios/ validates and round-trips", "[reader][scenarios]") {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(scenarios_dir))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 10);  // the library of issue 4
    for (const auto& file : files) {
        INFO(file.string());
        const Scenario original = load_scenario(file.string());
        CHECK(original.name == file.stem().string());  // a file's name is its scenario's
        const Scenario again = parse_scenario(to_toml(original), "resolved.toml");
        test::check_same(original, again);
    }
}
