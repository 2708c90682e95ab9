// The `demat` command: run, resume, validate, compare and sweep scenarios.
//
// Exit codes are an interface that scripts rely on:
//   0 success, 1 internal error, 2 bad input or usage, 130 interrupted by
//   SIGINT, 143 by SIGTERM (128 + signal number, as a shell reports a kill).
#include "checkpoint/checkpoint.hpp"
#include "core/compare.hpp"
#include "core/error.hpp"
#include "io/hdf5_writer.hpp"
#include "io/results_file.hpp"
#include "scenario/reader.hpp"
#include "scenario/schema.hpp"
#include "classroom_command.hpp"
#include "compare_table.hpp"
#include "run_command.hpp"
#include "sweep_command.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <tuple>
#include <utility>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_internal = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_interrupted = 130;

std::atomic<bool> interrupted{false};
std::atomic<int> interrupting_signal{SIGINT};  // lock-free on every platform we build for: safe in a handler
extern "C" void on_signal(int signal) {
    interrupting_signal.store(signal);
    interrupted.store(true);
}
// 128 + the signal, so that a supervisor sending SIGTERM sees 143, not 130.
int interrupted_exit_code() { return 128 + interrupting_signal.load(); }

// The one mapping from an error's kind to the exit code (core/error.hpp).
int exit_code_of(demat::ErrorKind kind) {
    switch (kind) {
    case demat::ErrorKind::scenario:
    case demat::ErrorKind::usage:
    case demat::ErrorKind::results_file:
    case demat::ErrorKind::checkpoint:
    case demat::ErrorKind::io:  // a full disk or a removed folder is the environment, not a bug
        return exit_bad_input;
    case demat::ErrorKind::internal:
        return exit_internal;
    }
    return exit_internal;
}

// The first line of a message: a library's error stack (HDF5's runs to
// kilobytes) is for --verbose, not for the user's terminal.
std::string headline(const std::string& text, bool verbose) {
    const auto newline = text.find('\n');
    if (verbose || newline == std::string::npos) return text;
    return text.substr(0, newline) + " (--verbose for details)";
}

// A scenario error's lines are all for the user; a library's stack (HDF5's,
// carried in what() or detail()) is only for --verbose.
std::string message_of(const demat::Error& e, bool verbose) {
    std::string text = e.kind() == demat::ErrorKind::scenario ? std::string(e.what())
                       : e.kind() == demat::ErrorKind::internal ? "internal error: " + headline(e.what(), verbose)
                                                                : headline(e.what(), verbose);
    if (verbose && !e.detail().empty()) text += "\n" + e.detail();
    return text;
}

// --seed, --population and --days are read as text so that a bad value is
// reported as typed, with the key's range, not as a wrapped 64-bit number.
struct Typed {
    std::string text;
    CLI::Option* option = nullptr;
    bool given() const { return option && option->count() > 0; }
};
struct Overrides {
    Typed seed, population, days;
    void add(CLI::App* cmd, const std::string& seed_help) {
        seed.option = cmd->add_option("--seed", seed.text, seed_help);
        population.option = cmd->add_option("--population", population.text, "Number of citizens (overrides population.size)");
        days.option = cmd->add_option("--days", days.text, "Days to record (overrides days)");
    }
    template <class Options>
    void apply(Options& o) const {
        if (seed.given()) o.seed = static_cast<std::uint64_t>(demat::parse_override("seed", seed.text, "--seed"));
        if (population.given()) o.population = demat::parse_override("population.size", population.text, "--population");
        if (days.given()) o.days = demat::parse_override("days", days.text, "--days");
    }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"demat: an agent-based simulation of administrative dematerialisation.\n"
                 "Who loses access to their rights when public services go online-only, and why."};
    app.set_version_flag("--version", std::string("demat ") + DEMAT_VERSION);
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "On error, print the whole message (HDF5's error stack included)");
    app.fallthrough();
    app.footer(
        "Examples:\n"
        "  demat run scenarios/hybrid.toml                       # writes results/hybrid.h5\n"
        "  demat run scenarios/online_only.toml -o oo.h5 --population 1000000 --threads 2\n"
        "  demat run scenarios/hybrid.toml --checkpoint-every 90 --checkpoint-dir ckpt\n"
        "  demat resume ckpt/checkpoint-day-000450.demat-checkpoint -o hybrid.h5\n"
        "  demat validate scenarios/my_reform.toml\n"
        "  demat compare results/hybrid.h5 results/online_only.h5\n"
        "  demat sweep scenarios/hybrid.toml --set channels.counter.enabled=true,false --replicates 10 -o sweep.h5\n"
        "  demat sweep ... -o sweep.h5 --resume                 # after Ctrl-C: only the missing runs\n"
        "  demat sweep ... --scheduler tcp://HOST:8786           # on a Dask cluster (docs/cluster.md)\n"
        "  demat params --markdown                               # every scenario key\n"
        "Exit codes: 0 success, 1 internal error, 2 bad input or usage, 130 interrupted (SIGINT), 143 (SIGTERM).");

    // --checkpoint-every and --checkpoint-dir, for run and resume: both or neither.
    auto add_checkpoint_options = [](CLI::App* cmd, demat::CheckpointOptions& cp) {
        auto* every = cmd->add_option("--checkpoint-every", cp.every,
                                      "Save the whole state every DAYS simulated days (warm-up included)")
                          ->check(CLI::Range(1, 1000000));
        auto* folder = cmd->add_option("--checkpoint-dir", cp.folder,
                                       "Folder for the checkpoints (created if needed), named by day");
        every->needs(folder);
        folder->needs(every);
    };

    demat::RunOptions ro;
    auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its results to HDF5");
    run_cmd->add_option("scenario", ro.scenario, "Scenario file (TOML)")->required();
    auto* run_output = run_cmd->add_option("-o,--output", ro.output, "Output HDF5 file (default: results/<scenario>.h5)");
    Overrides run_typed, sweep_typed;
    run_typed.add(run_cmd, "Random seed (overrides the scenario's)");
    run_cmd->add_option("--threads", ro.threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 1024));
    run_cmd->add_flag("-q,--quiet", ro.quiet, "No progress bar and no summary");
    run_cmd->add_flag("--snapshot", ro.snapshot, "Also write every citizen's final state under /snapshot");
    run_cmd->add_option("--trace", ro.trace,
                        "Citizen ids (comma-separated) whose events (learned of a right, tried online, queued, "
                        "got the right, gave up...) are written under /trace")
        ->delimiter(',')
        ->check(CLI::Range(0u, 4294967295u));
    add_checkpoint_options(run_cmd, ro.checkpoints);

    demat::ResumeOptions rso;
    auto* resume_cmd = app.add_subcommand("resume", "Continue a run from a checkpoint and write its results to HDF5");
    resume_cmd->add_option("checkpoint", rso.checkpoint, "Checkpoint file (from run --checkpoint-every)")->required();
    resume_cmd->add_option("-o,--output", rso.output, "Output HDF5 file")->required();
    resume_cmd->add_option("--threads", rso.threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 1024));
    resume_cmd->add_flag("-q,--quiet", rso.quiet, "No progress bar and no summary");
    add_checkpoint_options(resume_cmd, rso.checkpoints);

    demat::ClassroomOptions co;
    auto* classroom_cmd = app.add_subcommand(
        "classroom", "Serve the classroom page (web/dist: the engine in the browser) on 127.0.0.1 and print its address");
    classroom_cmd->add_option("--port", co.port, "Port on 127.0.0.1 (0: any free port)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    classroom_cmd->add_option("--dir", co.dir, "Folder of the built page (default: web/dist here, else in the source tree)");
    classroom_cmd->add_option("--stop-after", co.stop_after, "Stop serving after SECONDS (default: until Ctrl-C)")
        ->check(CLI::Range(0.0, 1e9));

    std::string validate_path;
    auto* validate_cmd = app.add_subcommand("validate", "Check a scenario file and print its resolved parameters");
    validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();
    bool validate_quiet = false;
    validate_cmd->add_flag("-q,--quiet", validate_quiet, "Print nothing; only the exit code tells");

    bool markdown = false;
    auto* params_cmd = app.add_subcommand("params", "List every scenario parameter with its default, range and source");
    params_cmd->add_flag("--markdown", markdown, "As the Markdown table of docs/model.md");

    std::string compare_a, compare_b;
    int compare_window = 90;
    auto* compare_cmd = app.add_subcommand("compare", "Compare two runs: take-up, non-take-up by type, divide");
    // No CLI::ExistingFile: the reader names the file and the problem in the
    // same words for a missing file, a folder or a damaged one.
    compare_cmd->add_option("a", compare_a, "First run (HDF5)")->required();
    compare_cmd->add_option("b", compare_b, "Second run (HDF5)")->required();
    compare_cmd->add_option("--window", compare_window, "Average over the last N recorded days (default 90)")
        ->check(CLI::Range(1, 36500));
    std::optional<std::int64_t> compare_point;
    compare_cmd->add_option("--point", compare_point,
                            "Sweep point to compare (run_point), in each file that holds several; never pooled")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));

    demat::SweepOptions so;
    auto* sweep_cmd = app.add_subcommand("sweep", "Run a scenario over swept values and replicates into one HDF5 file");
    sweep_cmd->add_option("scenario", so.scenario, "Scenario file (TOML)")->required();
    sweep_cmd->add_option("--set", so.sets, "Swept key and values: dotted.key=v1,v2 (repeat for a product)");
    sweep_cmd->add_option("--replicates", so.replicates, "Runs per point, seeds derived from --seed (default 1)")
        ->check(CLI::Range(1, 100000));
    sweep_cmd->add_option("-o,--output", so.output, "Output HDF5 file (default: sweep.h5)");
    sweep_typed.add(sweep_cmd, "Root seed (overrides the scenario's)");
    sweep_cmd->add_option("--jobs", so.jobs, "Runs at once, one thread each (default: one per core)")
        ->check(CLI::Range(0, 1024));
    sweep_cmd->add_flag("-q,--quiet", so.quiet, "No progress");
    sweep_cmd->add_flag("--resume", so.resume,
                        "Continue an interrupted sweep from OUT.journal: compute only the missing runs");
    sweep_cmd->add_option("--retries", so.retries, "Further attempts of a failing run before it is recorded as "
                                                   "failed (default 2)")
        ->check(CLI::Range(0, 100));
    sweep_cmd->add_option("--scheduler", so.scheduler,
                          "Run on a Dask cluster: tcp://HOST:PORT of its scheduler (hands over to python3 -m demat.sweep)");

    // CLI11 would answer "A subcommand is required" to `demat frob`: name the word.
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty() || word[0] == '-') continue;
        bool known = false;
        for (const auto* sub : app.get_subcommands({})) known = known || sub->get_name() == word;
        if (!known) {
            std::cerr << "demat: unknown command '" << word
                      << "': expected run, resume, validate, params, compare, sweep or classroom (demat --help)\n";
            return exit_bad_input;
        }
        break;
    }

    // Each subcommand's own examples (CLI11 would repeat the top-level ones).
    const std::string codes = "\nExit codes: 0 success, 1 internal error, 2 bad input or usage, 130 interrupted (SIGINT), 143 (SIGTERM).";
    run_cmd->footer("Examples:\n"
                    "  demat run scenarios/hybrid.toml                       # writes results/hybrid.h5\n"
                    "  demat run scenarios/online_only.toml -o oo.h5 --population 20000 --days 365 --seed 7\n"
                    "  demat run scenarios/hybrid.toml -o h.h5 --snapshot    # with every citizen's final state\n"
                    "  demat run scenarios/online_only.toml -o oo.h5 --trace 17,4242   # /trace: these citizens' events\n"
                    "  demat run scenarios/hybrid.toml --checkpoint-every 90 --checkpoint-dir ckpt" + codes);
    resume_cmd->footer("Examples:\n"
                       "  demat resume ckpt/checkpoint-day-000450.demat-checkpoint -o hybrid.h5\n"
                       "  demat resume ckpt/checkpoint-day-000450.demat-checkpoint -o hybrid.h5 --checkpoint-every 90 --checkpoint-dir ckpt2" +
                       codes);
    classroom_cmd->footer("Examples:\n"
                          "  demat classroom                  # http://127.0.0.1:8000/ until Ctrl-C\n"
                          "  demat classroom --port 8080" + codes);
    validate_cmd->footer("Examples:\n"
                         "  demat validate scenarios/my_reform.toml              # every error of the file, or the resolved scenario\n"
                         "  demat validate -q scenarios/my_reform.toml && echo valid" + codes);
    params_cmd->footer("Examples:\n"
                       "  demat params | less\n"
                       "  demat params --markdown > parameters.md");
    compare_cmd->footer("Examples:\n"
                        "  demat compare results/hybrid.h5 results/online_only.h5\n"
                        "  demat compare results/hybrid.h5 results/online_only.h5 --window 30   # the last 30 recorded days\n"
                        "  demat compare sweep_a.h5 sweep_b.h5                   # replicates paired by index, 90% intervals" + codes);
    sweep_cmd->footer("Examples:\n"
                      "  demat sweep scenarios/hybrid.toml --set channels.counter.enabled=true,false --replicates 10 -o sweep.h5\n"
                      "  demat sweep scenarios/online_only.toml --set services.minimum_income.outreach=0,0.01,0.02 "
                      "--replicates 5 --population 20000 -o outreach.h5" + codes);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_bad_input;
    }

    if (*sweep_cmd && !so.scheduler.empty()) return demat::hand_sweep_to_python(argc, argv);

    try {
        if (*run_cmd) {
            // `-o ""` is a mistake, not a request for the default path.
            if (run_output->count() > 0 && ro.output.empty())
                throw demat::UsageError("-o: the output path is empty: give a file name (or leave -o out for results/<scenario>.h5)");
            run_typed.apply(ro);
        }
        if (*sweep_cmd) {
            sweep_typed.apply(so);
            if (so.output.empty()) throw demat::UsageError("-o: the output path is empty: give a file name");
        }
        if (*run_cmd || *resume_cmd || *sweep_cmd) {
            std::signal(SIGINT, on_signal);
            std::signal(SIGTERM, on_signal);
            const int code = *run_cmd    ? demat::run_scenario(ro, interrupted)
                             : *resume_cmd ? demat::resume_run(rso, interrupted)
                                           : demat::run_sweep(so, interrupted);
            return code == exit_interrupted ? interrupted_exit_code() : code;
        }
        if (*classroom_cmd) {
            std::signal(SIGINT, on_signal);
            std::signal(SIGTERM, on_signal);
            const int code = demat::serve_classroom(co, interrupted);
            return code == exit_interrupted ? interrupted_exit_code() : code;
        }
        if (*validate_cmd) {
            // Every error of the file in one pass (up to 20), not only the first.
            constexpr std::size_t max_errors = 20;
            const auto errors = demat::scenario_errors(validate_path, max_errors);
            if (!errors.empty()) {
                for (const auto& e : errors) std::cerr << "demat: " << e.what() << "\n";
                if (errors.size() > 1)
                    std::cerr << "demat: " << validate_path << ": " << errors.size()
                              << (errors.size() == max_errors ? " errors or more" : " errors") << "\n";
                return exit_bad_input;
            }
            const demat::Scenario sc = demat::load_scenario(validate_path);
            if (!validate_quiet) {
                std::cout << demat::to_toml(sc);
                std::cerr << validate_path << ": valid (" << sc.services.size() << " services, "
                          << sc.population.size << " citizens, " << sc.days << " days)\n";
            }
            return exit_ok;
        }
        if (*compare_cmd) {
            // Files demat did not just write: read in a child process with a
            // time limit (io/results_file.hpp), layout and counts checked.
            demat::Results a = demat::read_results_file(compare_a);
            demat::Results b = demat::read_results_file(compare_b);
            // Runs of different sweep points are not replicates of one another.
            for (const auto& [r, name] : {std::pair{&a, &compare_a}, std::pair{&b, &compare_b}}) {
                const auto points = demat::sweep_points(*r);
                if (points.size() <= 1) continue;
                std::string list;
                for (const auto p : points) list += (list.empty() ? "" : ", ") + std::to_string(p);
                if (!compare_point)
                    throw demat::UsageError(*name + " holds " + std::to_string(points.size()) + " sweep points (" + list +
                                           "): compare one at a time with --point P; runs of different points are not replicates");
                if (std::find(points.begin(), points.end(), *compare_point) == points.end())
                    throw demat::UsageError("--point " + std::to_string(*compare_point) + ": " + *name +
                                           " holds the points " + list);
                *r = demat::runs_of_point(*r, *compare_point);
            }
            // Unlike runs can be compared, but not without a word.
            const auto population = [](const demat::Results& r) -> std::int64_t {
                if (r.has_array("population.size")) {  // swept: one value per run
                    const auto& sizes = r.array("population.size");
                    if (sizes.is_integer() && !sizes.integers().empty()) return sizes.integers()[0];
                    if (!sizes.is_integer() && !sizes.reals().empty()) return static_cast<std::int64_t>(sizes.reals()[0]);
                }
                const auto it = r.attributes.find("population");
                const auto* value = it == r.attributes.end() ? nullptr : std::get_if<std::int64_t>(&it->second);
                return value ? *value : -1;
            };
            const auto days = [](const demat::Results& r) {
                const auto& shape = r.array("counts").shape;
                return static_cast<std::int64_t>(shape[shape.size() - 3]);
            };
            for (const auto& [what, x, y] : {std::tuple{"citizens", population(a), population(b)},
                                              std::tuple{"recorded days", days(a), days(b)}})
                if (x != y && x >= 0 && y >= 0)
                    std::cerr << "demat: warning: the runs are of different sizes (A: " << x << " " << what << ", B: " << y
                              << " " << what << "): the differences mix the scenarios' effect with that of the size\n";
            demat::print_comparison(std::cout, demat::compare_runs(a, b, compare_window),
                                    demat::ComparedFile{compare_a, population(a), days(a)},
                                    demat::ComparedFile{compare_b, population(b), days(b)});
            return exit_ok;
        }
        if (*params_cmd) {
            if (markdown) {
                std::cout << demat::parameter_table_markdown() << "\n" << demat::timeline_table_markdown();
            } else {
                for (const auto& p : demat::parameter_schema())
                    std::cout << p.key << " = " << p.default_value << "  (" << p.type
                              << (p.range.empty() ? "" : ", " + p.range) << (p.unit.empty() ? "" : ", " + p.unit)
                              << ")\n    " << p.description << "\n";
                std::cout << "\n" << demat::timeline_events_text();
            }
            return exit_ok;
        }
    } catch (const demat::Error& e) {
        std::cerr << "demat: " << message_of(e, verbose) << "\n";
        return exit_code_of(e.kind());
    } catch (const std::exception& e) {
        std::cerr << "demat: internal error: " << headline(e.what(), verbose) << "\n";
        return exit_internal;
    }
    return exit_internal;
}
