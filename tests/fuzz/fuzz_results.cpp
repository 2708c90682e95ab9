// libFuzzer target for the results-file reader (demat::read_results_file),
// the one every reader of a user's HDF5 file goes through: `demat compare`,
// demat.load() and demat.analysis.
//
// For any bytes the reader must return results that pass
// check_results_layout or throw ResultsFileError, within its time limit, and
// the calling process must survive: libhdf5 runs in a child process, so a
// crash or a loop inside it is an expected, reported outcome, not a finding.
// libFuzzer only sees coverage of this process (the child's is lost), so this
// target checks the isolation and the layout checks more than it explores
// libhdf5 (docs/hardening.md).
#include "io/results_file.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::filesystem::path input_path;

void remove_input() {
    std::error_code ignored;
    std::filesystem::remove_all(input_path.parent_path(), ignored);
}

[[noreturn]] void report(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_results: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char folder[] = "/tmp/demat-fuzz-results-XXXXXX";
    if (!::mkdtemp(folder)) std::abort();
    input_path = std::filesystem::path(folder) / "input.h5";
    std::atexit(remove_input);
    // Short, so that inputs that make libhdf5 loop cost 2 s, not 10.
    ::setenv("DEMAT_READ_TIMEOUT", "2", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    {
        std::ofstream out(input_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    const auto start = std::chrono::steady_clock::now();
    try {
        const demat::Results results = demat::read_results_file(input_path.string());
        demat::check_results_layout(results, input_path.string());  // what the child checked must hold here too
    } catch (const demat::ResultsFileError& error) {
        const std::string message = error.what();
        if (message.find(" is not a readable demat results file: ") == std::string::npos)
            report("ResultsFileError without the documented wording", message);
    }
    // Anything other than ResultsFileError escapes: libFuzzer reports it as a crash.
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > 10) report("the reader outlived its time limit", std::to_string(seconds) + " s");
    return 0;
}
