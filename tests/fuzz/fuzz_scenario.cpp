// libFuzzer target for the scenario reader (demat::parse_scenario).
//
// Contract under test: for any bytes, parse_scenario either returns a
// Scenario or throws ScenarioError. Any other exception, a crash, a hang or a
// sanitizer report is a bug. An accepted scenario must also survive the round
// trip documented in reader.hpp: to_toml() gives TOML that parse_scenario
// reads back, and printing that again gives the same text.
//
// `base = "..."` makes the reader open files. Inputs are named as if they were
// a file in a private temporary folder that holds a copy of the shipped
// scenarios, so `base = "hybrid.toml"` exercises the base chain; a top-level
// base that would leave that folder (absolute, or climbing with "..") is
// skipped, so the fuzzer never reads the machine's files (e.g. /dev/zero
// would make it wait for an out-of-memory instead of finding bugs).
#include "scenario/reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

fs::path sandbox;
std::string input_name;

void make_sandbox() {
    std::string pattern = (fs::temp_directory_path() / "demat-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("fuzz_scenario: mkdtemp");
        std::abort();
    }
    sandbox = fs::path(pattern);
    for (const char* name : {"hybrid.toml", "online_only.toml", "online_with_mediation.toml"}) {
        std::error_code ec;
        fs::copy_file(fs::path(DEMAT_SOURCE_DIR) / "scenarios" / name, sandbox / name, ec);
    }
    input_name = (sandbox / "input.toml").string();
}

void remove_sandbox() {
    std::error_code ec;
    fs::remove_all(sandbox, ec);
}

// True when the input's own `base` (if any) resolves inside the sandbox.
// Bases named by the copied scenarios are themselves inside it.
bool base_stays_in_sandbox(std::string_view text) {
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(input_name));
    } catch (const toml::parse_error&) {
        return true;  // the reader will reject it without reading anything
    }
    const auto* base = root.get("base");
    if (base == nullptr || !base->is_string()) return true;
    const fs::path relative(base->as_string()->get());
    if (relative.is_absolute()) return false;
    const fs::path resolved = (sandbox / relative).lexically_normal();
    const auto [end, ignored] = std::mismatch(sandbox.begin(), sandbox.end(), resolved.begin(), resolved.end());
    return end == sandbox.end();
}

[[noreturn]] void report(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_scenario: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_sandbox();
    std::atexit(remove_sandbox);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (!base_stays_in_sandbox(text)) return 0;

    demat::Scenario scenario;
    try {
        scenario = demat::parse_scenario(text, input_name);
    } catch (const demat::ScenarioError& error) {
        // The documented outcome for bad input; its message must say where.
        const std::string message = error.what();
        if (message.empty()) report("ScenarioError with an empty message", "");
        return 0;
    }
    // Anything other than ScenarioError escapes: libFuzzer reports it as a crash.

    const std::string printed = demat::to_toml(scenario);
    std::string reprinted;
    try {
        reprinted = demat::to_toml(demat::parse_scenario(printed, input_name));
    } catch (const demat::ScenarioError& error) {
        report("to_toml() of an accepted scenario is refused by parse_scenario", std::string(error.what()) + "\n--- to_toml() ---\n" + printed);
    }
    if (reprinted != printed)
        report("to_toml() is not a fixed point of parse_scenario", "--- first ---\n" + printed + "\n--- second ---\n" + reprinted);
    return 0;
}
