// `demat run --checkpoint-every/--checkpoint-dir` and `demat resume`, end to
// end: checkpoint names in day order, a resumed run's HDF5 file identical to
// the uninterrupted run's, bad flags and damaged files refused with exit 2.
#include "io/hdf5_writer.hpp"
#include "../core/engine_fixtures.hpp"

#include "run_demat.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::path(DEMAT_BINARY_DIR) / "tests" / "cli_checkpoint_scratch" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string hybrid() { return std::string(DEMAT_SOURCE_DIR) + "/scenarios/hybrid.toml"; }
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> sorted_names(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// "checkpoint-day-000180.demat-checkpoint" -> 180
int day_of(const std::string& name) { return std::stoi(name.substr(std::string("checkpoint-day-").size(), 6)); }

// Everything in the two files equal, except the attributes recording the
// thread count and wall-clock seconds.
void require_same_file(const fs::path& a_path, const fs::path& b_path) {
    const demat::Results a = demat::read_hdf5(a_path.string()), b = demat::read_hdf5(b_path.string());
    demat::test::require_identical(a, b);
    REQUIRE(a.coordinates.size() == b.coordinates.size());
    for (std::size_t i = 0; i < a.coordinates.size(); ++i) {
        INFO(a.coordinates[i].path);
        REQUIRE(a.coordinates[i].path == b.coordinates[i].path);
        REQUIRE(a.coordinates[i].labels == b.coordinates[i].labels);
        REQUIRE(a.coordinates[i].values == b.coordinates[i].values);
    }
    REQUIRE(a.attributes.size() == b.attributes.size());
    for (const auto& [key, value] : a.attributes) {
        if (key == "threads" || key.ends_with("_seconds")) continue;
        INFO("attribute " << key);
        REQUIRE(b.attributes.count(key) == 1);
        REQUIRE(value == b.attributes.at(key));
    }
}

const std::string small = " --population 6000 --days 60 --seed 5 -q ";

}  // namespace

TEST_CASE("run --checkpoint-every writes checkpoints named in day order, and resume gives an identical file", "[checkpoint]") {
    const fs::path dir = scratch("resume");
    const fs::path full = dir / "full.h5";
    const Outcome r = run_demat("run " + hybrid() + small + "--threads 1 -o " + full.string() +
                                " --checkpoint-every 100 --checkpoint-dir " + (dir / "ckpt").string());
    INFO(r.output);
    REQUIRE(r.code == 0);
    // 365 warm-up + 60 recorded days: every 100th day before the end.
    const std::vector<std::string> names = sorted_names(dir / "ckpt");
    REQUIRE(names.size() == 4);
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(day_of(names[i]) == 100 * static_cast<int>(i + 1));
    CHECK(names[0] == "checkpoint-day-000100.demat-checkpoint");

    // Day 400 (recorded period) and day 200 (warm-up), on 2 threads.
    for (const std::string& name : {names[3], names[1]}) {
        INFO(name);
        const fs::path resumed = dir / ("resumed-" + name + ".h5");
        const Outcome s = run_demat("resume " + (dir / "ckpt" / name).string() + " -q --threads 2 -o " + resumed.string());
        INFO(s.output);
        REQUIRE(s.code == 0);
        require_same_file(full, resumed);
    }
}

TEST_CASE("resume keeps checkpointing with --checkpoint-every/--checkpoint-dir", "[checkpoint]") {
    const fs::path dir = scratch("again");
    REQUIRE(run_demat("run " + hybrid() + small + "-o " + (dir / "full.h5").string() + " --checkpoint-every 200 --checkpoint-dir " +
                      (dir / "first").string())
                .code == 0);
    const Outcome s = run_demat("resume " + (dir / "first" / "checkpoint-day-000200.demat-checkpoint").string() +
                                " -q -o " + (dir / "resumed.h5").string() + " --checkpoint-every 100 --checkpoint-dir " +
                                (dir / "second").string());
    INFO(s.output);
    REQUIRE(s.code == 0);
    CHECK(sorted_names(dir / "second") ==
          std::vector<std::string>{"checkpoint-day-000300.demat-checkpoint", "checkpoint-day-000400.demat-checkpoint"});
    require_same_file(dir / "full.h5", dir / "resumed.h5");
    // A checkpoint written by a resumed run resumes too.
    const Outcome t = run_demat("resume " + (dir / "second" / "checkpoint-day-000400.demat-checkpoint").string() +
                                " -q -o " + (dir / "twice.h5").string());
    INFO(t.output);
    REQUIRE(t.code == 0);
    require_same_file(dir / "full.h5", dir / "twice.h5");
}

TEST_CASE("resume of a damaged or foreign file exits 2, names the file and leaves no output", "[checkpoint]") {
    const fs::path dir = scratch("damaged");
    REQUIRE(run_demat("run " + hybrid() + " --population 3000 --days 10 -q -o " + (dir / "full.h5").string() +
                      " --checkpoint-every 300 --checkpoint-dir " + (dir / "ckpt").string())
                .code == 0);
    const fs::path good = dir / "ckpt" / "checkpoint-day-000300.demat-checkpoint";
    std::string bytes;
    {
        std::ifstream in(good, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const fs::path bad = dir / "bad.demat-checkpoint";
    auto resume_bad = [&](const std::string& content) {
        std::ofstream(bad, std::ios::binary | std::ios::trunc).write(content.data(), static_cast<std::streamsize>(content.size()));
        const fs::path out = dir / "out.h5";
        const Outcome r = run_demat("resume " + bad.string() + " -o " + out.string());
        CHECK(r.code == 2);
        CHECK(contains(r.output, bad.string()));
        CHECK_FALSE(fs::exists(out));
        for (const auto& name : sorted_names(dir)) CHECK(name.find("out.h5") == std::string::npos);  // no temporary either
        return r.output;
    };
    std::string flipped = bytes;
    // The claims section's name as the file writes it (a u32 length, then the
    // bytes: sim/checkpoint/checkpoint.cpp), not the word, which the scenario
    // text stored in the header before it may hold too.
    const std::size_t at = flipped.find(std::string("\x06\0\0\0", 4) + "claims");
    REQUIRE(at != std::string::npos);
    flipped[at + 200] = static_cast<char>(flipped[at + 200] ^ 0x01);
    CHECK(contains(resume_bad(flipped), "checksum mismatch in section 'claims'"));
    CHECK(contains(resume_bad(bytes.substr(0, bytes.size() * 2 / 3)), "truncated"));
    CHECK(contains(resume_bad("hello, world\n"), "not a demat checkpoint"));
    const Outcome missing = run_demat("resume " + (dir / "nope.demat-checkpoint").string() + " -o " + (dir / "out.h5").string());
    CHECK(missing.code == 2);
    CHECK(contains(missing.output, "nope.demat-checkpoint"));
}

TEST_CASE("checkpoint flags are checked before simulating", "[checkpoint]") {
    const fs::path dir = scratch("flags");
    const std::string out = " -o " + (dir / "out.h5").string();
    const Outcome zero = run_demat("run " + hybrid() + small + out + " --checkpoint-every 0 --checkpoint-dir " + dir.string());
    INFO(zero.output);
    CHECK(zero.code == 2);
    CHECK(contains(zero.output, "--checkpoint-every"));
    const Outcome alone = run_demat("run " + hybrid() + small + out + " --checkpoint-every 10");
    INFO(alone.output);
    CHECK(alone.code == 2);
    CHECK(contains(alone.output, "--checkpoint-dir"));
    const Outcome folder_alone = run_demat("run " + hybrid() + small + out + " --checkpoint-dir " + dir.string());
    CHECK(folder_alone.code == 2);
    // A folder that cannot be created (under a regular file).
    std::ofstream(dir / "file") << "x";
    const Outcome uncreatable =
        run_demat("run " + hybrid() + " --population 6000 " + out + " --checkpoint-every 10 --checkpoint-dir " + (dir / "file" / "ckpt").string());
    INFO(uncreatable.output);
    CHECK(uncreatable.code == 2);
    CHECK(contains(uncreatable.output, (dir / "file" / "ckpt").string()));
    CHECK_FALSE(contains(uncreatable.output, "generating"));
    CHECK_FALSE(fs::exists(dir / "out.h5"));
    const Outcome no_output = run_demat("resume " + (dir / "x.demat-checkpoint").string());
    CHECK(no_output.code == 2);
    CHECK(contains(no_output.output, "--output"));
}
