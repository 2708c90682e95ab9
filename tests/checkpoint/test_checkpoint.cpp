// Checkpoint and resume: a run saved at any day and resumed gives results
// identical, bit for bit, to the run never stopped; damaged or foreign files
// are refused with a message naming the file and the problem.
#include "checkpoint/checkpoint.hpp"
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "parallel/parallel_executor.hpp"
#include "../core/engine_fixtures.hpp"
#include "../scenario/scenario_compare.hpp"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

using namespace demat;
using namespace demat::test;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::path(DEMAT_BINARY_DIR) / "tests" / "checkpoint_scratch" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Attributes that record the machine and the clock, not the results.
bool wall_clock_or_threads(const std::string& key) {
    return key == "threads" || key == "population_seconds" || key == "network_seconds" || key == "simulation_seconds";
}

void require_same_attributes(const Results& a, const Results& b) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.attributes) keys.insert(k);
    for (const auto& [k, v] : b.attributes) keys.insert(k);
    for (const auto& k : keys) {
        if (wall_clock_or_threads(k)) continue;
        INFO("attribute " << k);
        REQUIRE(a.attributes.count(k) == 1);
        REQUIRE(b.attributes.count(k) == 1);
        REQUIRE(a.attributes.at(k) == b.attributes.at(k));
    }
}

Results uninterrupted(const Scenario& sc, int threads = 1) {
    ParallelExecutor ex(threads);
    Engine engine(sc, ex);
    engine.run();
    return engine.results();
}

// Runs to absolute day `day`, saves (in scratch folder `folder`: one per
// test case, since CTest runs them in parallel), finishes that run; then
// resumes the checkpoint on `resume_threads` threads. Both must equal `reference`.
void check_resume(const std::string& folder, const Scenario& sc, const Results& reference, int day,
                  int save_threads = 1, int resume_threads = 1) {
    INFO("checkpoint at day " << day << ", saved with " << save_threads << " thread(s), resumed with " << resume_threads);
    const fs::path path = scratch(folder) / checkpoint_file_name(day);
    {
        ParallelExecutor ex(save_threads);
        Engine engine(sc, ex);
        while (engine.current_day() < day) engine.step();
        save_checkpoint(engine, path.string());
        engine.run();
        require_identical(engine.results(), reference);  // saving changes nothing
    }
    ParallelExecutor ex(resume_threads);
    std::unique_ptr<Engine> resumed = load_checkpoint(path.string(), ex);
    REQUIRE(resumed->current_day() == day);
    resumed->run();
    REQUIRE(resumed->completed());
    const Results r = resumed->results();
    require_identical(r, reference);
    require_same_attributes(r, reference);
}

Scenario with_timeline() {
    Scenario sc = small_scenario(6000, 90);
    set_channel(sc, Channel::mediation, true, 4.0);
    sc.timeline = {
        timeline_event(20, event::CloseChannel{.channel = Channel::counter}),
        timeline_event(40, event::Outage{.days = 10}),
        timeline_event(45, event::SetCapacity{.channel = Channel::phone, .capacity_per_10k = 1.5}),
        timeline_event(60, event::SetAutomatic{.service = "housing_benefit", .automatic = true}),
        timeline_event(60, event::SetComplexity{.first = 0.2}),
    };
    return sc;
}

// The timeline events with state beyond the services' parameters: mediation
// sites (twice in the same territory, so that the second change reads the
// initial distances), a skills programme, targeted outreach, pre-filling,
// counters by zone.
Scenario with_policy_timeline() {
    Scenario sc = small_scenario(8000, 60);
    sc.population.zone_size = 1000;
    set_channel(sc, Channel::mediation, true, 0.5);
    const int rural = static_cast<int>(TerritoryType::rural);
    sc.timeline = {
        timeline_event(5, event::OpenMediation{.territory = rural, .sites = 1.0}),
        timeline_event(8, event::SkillsProgramme{.share_per_month = 0.2, .skill_gain = 0.3, .days = 40}),
        timeline_event(12, event::SetOutreach{.service = "housing_benefit",
                                              .rate = 0.03,
                                              .segment = static_cast<int>(Dimension::age_group),
                                              .group = 4}),  // 75+
        timeline_event(15, event::PrefillRenewals{}),
        timeline_event(35, event::CloseMediation{.territory = rural, .share = 0.75}),
        // Counters closed in part of the zones (their residents queue at a
        // neighbour's), some reopened, with the per-service habit and the trip limit.
        timeline_event(10, event::CloseCounters{.share = 0.5}),
        timeline_event(40, event::OpenCounters{.share = 0.5, .territory = rural}),
    };
    sc.behaviour.channel_habit_service = 2.0;
    sc.behaviour.trip_limit_km = 40.0;
    return sc;
}

// A visitor that only lists the sections' names.
class SectionNames final : public StateVisitor {
public:
    std::vector<std::string> names;
    bool restoring() const override { return false; }

protected:
    std::size_t begin_section(std::string_view name, std::size_t, std::size_t count) override {
        names.emplace_back(name);
        return count;
    }
    void section_data(void*, std::size_t) override {}
    void end_section() override {}
    void count_mismatch(std::string_view, std::size_t, std::size_t) override { throw std::logic_error("saving"); }
};

std::size_t count_prefixed(const std::vector<std::string>& names, const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& name : names) n += name.rfind(prefix, 0) == 0;
    return n;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string refusal(const fs::path& p) {
    SerialExecutor ex;
    try {
        load_checkpoint(p.string(), ex);
    } catch (const CheckpointError& e) {
        return e.what();
    }
    FAIL("the checkpoint " << p << " was accepted");
    return {};
}

// A checkpoint saved at day 70 of the small scenario.
fs::path saved_checkpoint(const std::string& folder) {
    const Scenario sc = small_scenario(3000, 40);
    SerialExecutor ex;
    Engine engine(sc, ex);
    while (engine.current_day() < 70) engine.step();
    const fs::path path = scratch(folder) / checkpoint_file_name(70);
    save_checkpoint(engine, path.string());
    return path;
}

}  // namespace

TEST_CASE("checkpoint: resumed at any day, results are bit-identical to a run never stopped", "[checkpoint]") {
    const Scenario sc = small_scenario(6000, 60);  // 60 days of warm-up, then 60 recorded
    const Results reference = uninterrupted(sc);
    for (int day : {0, 1, 30, 59, 60, 61, 95, 119}) check_resume("any_day", sc, reference, day);
}

TEST_CASE("checkpoint: saved with 1 thread, resumed with 2 (and the reverse): identical", "[checkpoint]") {
    const Scenario sc = small_scenario(10000, 40);
    const Results reference = uninterrupted(sc);
    check_resume("threads", sc, reference, 75, 1, 2);
    check_resume("threads", sc, reference, 45, 2, 1);
}

TEST_CASE("checkpoint: a timeline crossing the checkpoint day (closure, outage, capacity, automatic)", "[checkpoint]") {
    const Scenario sc = with_timeline();
    const Results reference = uninterrupted(sc);
    const int w = sc.warmup_days;
    // Just before and after the closure, inside the outage, the day it ends,
    // the day of two events at once.
    for (int day : {w + 19, w + 20, w + 21, w + 44, w + 50, w + 60, w + 61}) check_resume("timeline", sc, reference, day);
}

TEST_CASE("checkpoint: across mediation sites, a skills programme, targeted outreach and pre-filling", "[checkpoint]") {
    const Scenario sc = with_policy_timeline();
    const Results reference = uninterrupted(sc);
    const int w = sc.warmup_days;
    // Between the sites' opening and closing, between two programme cohorts,
    // on a cohort's day, after every event.
    for (int day : {w + 6, w + 8, w + 20, w + 38, w + 50}) check_resume("policies", sc, reference, day, 1, 2);
}

TEST_CASE("checkpoint: across a closure with decision_wait and close_with_counters and rural_spacing", "[checkpoint]") {
    // The expected wait is read from the queues, the sites closed with the
    // counters are the zones' sites: both are in the saved state.
    Scenario sc = with_policy_timeline();
    sc.behaviour.decision_wait = 5.0;
    sc.mediation.close_with_counters = 0.5;
    sc.population.rural_spacing = 3.0;
    const Results reference = uninterrupted(sc);
    const int w = sc.warmup_days;
    for (int day : {w + 9, w + 11, w + 30}) check_resume("closure_mechanisms", sc, reference, day, 1, 2);
}

TEST_CASE("checkpoint: with digital control on (scores, suspensions, debts, fear), resumed runs are identical", "[checkpoint]") {
    Scenario sc = small_scenario(6000, 90);
    sc.behaviour.prior_eligibility_days = 36500;
    sc.control.enabled = true;
    sc.control.type_share = {0.4, 0.5, 0.1};
    sc.control.adhesion_intercept = 0.0;  // suspensions under way at the checkpoint days
    sc.control.fraud_rate = 0.01;
    const Results reference = uninterrupted(sc);
    REQUIRE(reference.has_array("control/events"));
    const int w = sc.warmup_days;
    // A round day (w + 30 = 90) and the days around it, and mid-month.
    for (int day : {w - 1, w + 29, w + 30, w + 31, w + 75}) check_resume("control", sc, reference, day, 1, 2);
}

TEST_CASE("checkpoint: document requests open over the checkpoint day (answers under way, in queues, ignored)", "[checkpoint]") {
    Scenario sc = small_scenario(6000, 90);
    sc.behaviour.prior_eligibility_days = 36500;
    sc.control.enabled = true;
    sc.control.type_share = {0.0, 1.0, 0.0};
    sc.control.adhesion_intercept = 0.0;  // withdrawals: requests open until their deadline
    sc.control.document_deadline_days = 45;
    for (auto& s : sc.services) s.channels[static_cast<std::size_t>(Channel::counter)].capacity_per_10k = 0.5;
    const Results reference = uninterrupted(sc);
    const Array& answers = reference.array("control/answers");
    std::int64_t settled = 0;
    for (const std::int64_t x : answers.integers()) settled += x;
    REQUIRE(settled > 50);
    const int w = sc.warmup_days;
    // Requests of the round on day w are open until day w + 45 at the latest;
    // on w + 30 the next round asks again while they are.
    for (int day : {w + 1, w + 10, w + 30, w + 44}) check_resume("control_requests", sc, reference, day, 2, 1);
}

TEST_CASE("checkpoint: with benefit units and differential amounts, resumed runs are identical", "[checkpoint]") {
    Scenario sc = small_scenario(6000, 60);
    sc.services[0].unit = BenefitUnit::household;
    sc.services[0].amount_rule = AmountRule::minimum_income;
    sc.services[1].unit = BenefitUnit::couple;
    sc.services[1].amount_rule = AmountRule::housing_benefit;
    const Results reference = uninterrupted(sc);
    REQUIRE(reference.attributes.count("count_units") == 1);
    for (int day : {0, 30, 61, 100}) check_resume("units", sc, reference, day);
    check_resume("units", sc, reference, 75, 1, 2);
}

TEST_CASE("checkpoint: with agencies and the tax data shared over the checkpoint day, resumed runs are identical", "[checkpoint]") {
    Scenario sc = small_scenario(6000, 60);
    sc.services[0].agency = Agency::family_benefits;
    sc.services[1].agency = Agency::family_benefits;
    sc.services[2].agency = Agency::tax_administration;
    for (auto& a : sc.agencies.agency) {
        a.information_rate = 0.01;
        a.tell_us_once = 0.5;
    }
    sc.timeline.push_back(TimelineEvent{20, EventData{event::ShareTaxData{.shared = true}}});
    const Results reference = uninterrupted(sc);
    REQUIRE(reference.has_array("segments/agency_contact/counts"));
    // Before and after the sharing (recorded day 20 = absolute day 80).
    for (int day : {0, 61, 79, 80, 81, 100}) check_resume("agencies", sc, reference, day);
    check_resume("agencies", sc, reference, 85, 1, 2);
}

TEST_CASE("checkpoint: with moving house, moves scheduled over the checkpoint day, resumed runs are identical", "[checkpoint]") {
    Scenario sc = small_scenario(6000, 60);
    sc.behaviour.prior_eligibility_days = 36500;
    sc.moving.enabled = true;
    sc.moving.private_tenant_rate = sc.moving.social_tenant_rate = 0.5;
    const Results reference = uninterrupted(sc);
    for (int day : {0, 1, 61, 100}) check_resume("moving", sc, reference, day);
    check_resume("moving", sc, reference, 75, 1, 2);
}

TEST_CASE("checkpoint: a completed run saves and loads, and has nothing left to do", "[checkpoint]") {
    const Scenario sc = small_scenario(3000, 20);
    const Results reference = uninterrupted(sc);
    check_resume("completed", sc, reference, sc.warmup_days + sc.days);
}

TEST_CASE("checkpoint: names are zero-padded so that they sort in day order", "[checkpoint]") {
    CHECK(checkpoint_file_name(180) == "checkpoint-day-000180.demat-checkpoint");
    CHECK(checkpoint_file_name(9) < checkpoint_file_name(10));
    CHECK(checkpoint_file_name(999) < checkpoint_file_name(1000));
}

TEST_CASE("checkpoint: the state lists every member of the policy and the population", "[checkpoint]") {
    const Scenario sc = small_scenario(500, 5);
    SerialExecutor ex;
    Engine engine(sc, ex);
    SectionNames visit;
    engine.visit_state(visit);
    // A member added to these structs and forgotten in visit_state fails here.
    CHECK(count_prefixed(visit.names, "policy.0.") == member_count<ServiceParams>());
    CHECK(count_prefixed(visit.names, "population.") == member_count<Population>());
    // Names are unique: a reader matches them one by one.
    CHECK(std::set<std::string>(visit.names.begin(), visit.names.end()).size() == visit.names.size());
}

TEST_CASE("checkpoint: setup-only arrays freed by the engine stay freed, and the engine runs on", "[checkpoint]") {
    // The household ids are freed once the network is built: the checkpoint
    // holds them as an empty section, and a restored engine has none either
    // (a restore that re-filled or required them would fail here).
    const fs::path path = saved_checkpoint("freed");
    SerialExecutor ex;
    const std::unique_ptr<Engine> engine = load_checkpoint(path.string(), ex);
    CHECK(engine->population().household_id.empty());
    CHECK(engine->population().size() == 3000);
    CHECK(engine->current_day() == 70);
    while (!engine->completed()) engine->step();
    CHECK(engine->current_day() == engine->total_days());
}

TEST_CASE("checkpoint: the file says what it holds", "[checkpoint]") {
    const fs::path path = saved_checkpoint("info");
    const CheckpointInfo info = read_checkpoint_info(path.string());
    CHECK(info.demat_version == DEMAT_VERSION);
    CHECK(info.day == 70);
    CHECK(info.seed == 7);
    CHECK(info.citizens == 3000);
    CHECK(info.total_days == 100);
    CHECK(info.scenario_resolved.find("[services.minimum_income]") != std::string::npos);
}

TEST_CASE("checkpoint: a damaged or foreign file is refused, naming the file and the problem", "[checkpoint]") {
    const fs::path path = saved_checkpoint("damaged");
    const std::string good = read_bytes(path);
    const fs::path bad = path.parent_path() / "bad.demat-checkpoint";
    auto contains = [](const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; };

    SECTION("a flipped byte in a section") {
        std::string bytes = good;
        const std::size_t at = bytes.find("population.trust");
        REQUIRE(at != std::string::npos);
        bytes[at + 100] = static_cast<char>(bytes[at + 100] ^ 0x10);  // inside its data
        write_bytes(bad, bytes);
        const std::string message = refusal(bad);
        CHECK(contains(message, bad.string()));
        CHECK(contains(message, "checksum mismatch in section 'population.trust'"));
    }
    SECTION("a flipped byte in the header (the scenario)") {
        std::string bytes = good;
        const std::size_t at = bytes.find("minimum_income");
        REQUIRE(at != std::string::npos);
        bytes[at] = 'M';
        write_bytes(bad, bytes);
        CHECK(contains(refusal(bad), "checksum mismatch in the header"));
    }
    SECTION("a truncated file") {
        for (std::size_t keep : {good.size() / 2, good.size() - 1, good.size() - 20, std::size_t{30}}) {
            INFO("kept " << keep << " of " << good.size() << " bytes");
            write_bytes(bad, good.substr(0, keep));
            const std::string message = refusal(bad);
            CHECK(contains(message, bad.string()));
            CHECK(contains(message, "truncated"));
        }
    }
    SECTION("bytes after the end") {
        write_bytes(bad, good + "x");
        CHECK(contains(refusal(bad), "unexpected bytes after the end marker"));
    }
    SECTION("not a checkpoint") {
        write_bytes(bad, "[services.x]\nname = 'not a checkpoint at all'\n");
        CHECK(contains(refusal(bad), "not a demat checkpoint"));
        write_bytes(bad, "tiny");
        CHECK(contains(refusal(bad), "not a demat checkpoint"));
        CHECK(contains(refusal(path.parent_path() / "missing.demat-checkpoint"), "no such file"));
    }
    SECTION("another demat version or format") {
        // The prefix as another version would write it: signature, format,
        // version string, CRC of the three.
        auto prefix = [](std::uint32_t format, const std::string& version) {
            std::string p = "DEMAT CHECKPOINT";
            p.append(reinterpret_cast<const char*>(&format), 4);
            const auto n = static_cast<std::uint32_t>(version.size());
            p.append(reinterpret_cast<const char*>(&n), 4);
            p += version;
            const auto crc = static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(p.data()), p.size()));
            p.append(reinterpret_cast<const char*>(&crc), 4);
            return p;
        };
        const std::string ours = prefix(checkpoint_format_version, DEMAT_VERSION);
        REQUIRE(good.compare(0, ours.size(), ours) == 0);
        write_bytes(bad, prefix(checkpoint_format_version, "0.0.9") + good.substr(ours.size()));
        std::string message = refusal(bad);
        CHECK(contains(message, "written by demat 0.0.9"));
        CHECK(contains(message, std::string("this is demat ") + DEMAT_VERSION));
        write_bytes(bad, prefix(checkpoint_format_version + 1, DEMAT_VERSION) + good.substr(ours.size()));
        message = refusal(bad);
        CHECK(contains(message, "format " + std::to_string(checkpoint_format_version + 1)));
    }
}

TEST_CASE("checkpoint: any single flipped byte is refused, never loaded", "[checkpoint]") {
    const fs::path path = saved_checkpoint("flips");
    const std::string good = read_bytes(path);
    const fs::path bad = path.parent_path() / "flipped.demat-checkpoint";
    // Every byte of the prefix and header, then positions spread over the sections.
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < 64; ++i) positions.push_back(i);
    for (std::size_t i = 0; i < 400; ++i) positions.push_back(64 + i * (good.size() - 65) / 399);
    for (std::size_t at : positions) {
        INFO("byte " << at << " of " << good.size());
        std::string bytes = good;
        bytes[at] = static_cast<char>(bytes[at] ^ 0x04);
        write_bytes(bad, bytes);
        SerialExecutor ex;
        CHECK_THROWS_AS(load_checkpoint(bad.string(), ex), CheckpointError);
    }
}

TEST_CASE("checkpoint: a file that cannot be written leaves nothing behind", "[checkpoint]") {
    const Scenario sc = small_scenario(500, 5);
    SerialExecutor ex;
    Engine engine(sc, ex);
    const fs::path dir = scratch("unwritable");
    CHECK_THROWS_AS(save_checkpoint(engine, (dir / "no_such_folder" / "c.demat-checkpoint").string()), CheckpointWriteError);
    CHECK(fs::is_empty(dir));
}
