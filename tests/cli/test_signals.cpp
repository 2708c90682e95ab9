// Interrupted runs: `demat run` stopped by SIGINT, SIGTERM or SIGKILL must
// never leave a file at the output path, since a later step (compare, a
// notebook) would take a partial or missing-day file for a finished run.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

// Large enough that the days take seconds even in a Release build, so the
// signal lands while the engine is stepping (checked below: the progress
// line must have appeared and the exit must not be a success).
const std::vector<std::string> long_run_args = {"--population", "300000", "--days", "365", "--threads", "1"};

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::path(DEMAT_BINARY_DIR) / "tests" / "signals_scratch" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

struct Child {
    pid_t pid = -1;
    int stderr_fd = -1;
    std::string stderr_text;
};

// Starts `demat <command_args>` with stderr on a pipe.
Child start_demat(std::vector<std::string> command_args) {
    std::vector<std::string> args = {std::string(DEMAT_BINARY_DIR) + "/bin/demat"};
    args.insert(args.end(), command_args.begin(), command_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    return Child{pid, fds[0], {}};
}

Child start_run(const fs::path& output, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", std::string(DEMAT_SOURCE_DIR) + "/scenarios/hybrid.toml", "-o", output.string()};
    args.insert(args.end(), long_run_args.begin(), long_run_args.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return start_demat(args);
}

// Reads the child's stderr until `marker` appears; false on EOF or timeout.
bool wait_for(Child& child, const std::string& marker, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child.stderr_text.find(marker) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{child.stderr_fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[4096];
        const ssize_t n = read(child.stderr_fd, buffer, sizeof buffer);
        if (n <= 0) return false;
        child.stderr_text.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

int wait_status(Child& child) {
    char buffer[4096];
    ssize_t n;
    while ((n = read(child.stderr_fd, buffer, sizeof buffer)) > 0) child.stderr_text.append(buffer, static_cast<std::size_t>(n));
    close(child.stderr_fd);
    int status = 0;
    REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
    return status;
}

std::vector<std::string> folder_contents(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    return names;
}

// Sends `signal` once the engine is stepping (the first progress line), then
// returns the wait status.
int interrupt_run(const fs::path& output, int signal, Child& child) {
    child = start_run(output);
    const bool stepping = wait_for(child, "day ", std::chrono::seconds(300));
    if (!stepping) kill(child.pid, SIGKILL);
    const int status = stepping ? (kill(child.pid, signal), wait_status(child)) : wait_status(child);
    INFO("demat's stderr:\n" << child.stderr_text);
    REQUIRE(stepping);
    return status;
}

}  // namespace

TEST_CASE("SIGINT during a run exits 130 and leaves no file, temporary or final", "[signals]") {
    const fs::path dir = scratch("sigint");
    const fs::path output = dir / "out.h5";
    Child child;
    const int status = interrupt_run(output, SIGINT, child);
    INFO("demat's stderr:\n" << child.stderr_text);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(child.stderr_text.find("interrupted at day") != std::string::npos);
    CHECK_FALSE(fs::exists(output));
    CHECK(folder_contents(dir).empty());
}

TEST_CASE("SIGTERM during a run exits 143 and leaves no file, temporary or final", "[signals]") {
    const fs::path dir = scratch("sigterm");
    const fs::path output = dir / "out.h5";
    Child child;
    const int status = interrupt_run(output, SIGTERM, child);
    INFO("demat's stderr:\n" << child.stderr_text);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 143);
    CHECK(child.stderr_text.find("interrupted at day") != std::string::npos);
    CHECK_FALSE(fs::exists(output));
    CHECK(folder_contents(dir).empty());
}

TEST_CASE("SIGKILL during a run leaves nothing at the output path", "[signals]") {
    // SIGKILL cannot be handled: the guarantee comes from writing to a
    // temporary name and renaming only a complete, synced file. A temporary
    // may remain after a kill during the write; it is never the output path.
    const fs::path dir = scratch("sigkill");
    const fs::path output = dir / "out.h5";
    Child child;
    const int status = interrupt_run(output, SIGKILL, child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK_FALSE(fs::exists(output));
    for (const auto& name : folder_contents(dir)) CHECK(name.rfind("out.h5.tmp-", 0) == 0);
}

TEST_CASE("SIGINT during a resumed run exits 130 and leaves no file, as for run", "[signals][checkpoint]") {
    const fs::path dir = scratch("resume");
    const fs::path checkpoints = dir / "ckpt";
    // A run that checkpoints every day, stopped once the first checkpoint exists.
    Child first = start_run(dir / "first.h5", {"--checkpoint-every", "1", "--checkpoint-dir", checkpoints.string()});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    const fs::path day1 = checkpoints / "checkpoint-day-000001.demat-checkpoint";
    while (!fs::exists(day1) && std::chrono::steady_clock::now() < deadline)
        poll(nullptr, 0, 50);
    kill(first.pid, SIGINT);
    const int first_status = wait_status(first);
    INFO("first run's stderr:\n" << first.stderr_text);
    REQUIRE(fs::exists(day1));
    REQUIRE(WIFEXITED(first_status));
    CHECK(WEXITSTATUS(first_status) == 130);
    CHECK_FALSE(fs::exists(dir / "first.h5"));

    const fs::path output = dir / "out.h5";
    Child child = start_demat({"resume", day1.string(), "-o", output.string(), "--threads", "1"});
    // The progress line (not "resuming ... at day 1"): the engine is stepping.
    const bool stepping = wait_for(child, "agent-days/s", std::chrono::seconds(300));
    if (!stepping) kill(child.pid, SIGKILL);
    else kill(child.pid, SIGINT);
    const int status = wait_status(child);
    INFO("resume's stderr:\n" << child.stderr_text);
    REQUIRE(stepping);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(child.stderr_text.find("interrupted at day") != std::string::npos);
    CHECK_FALSE(fs::exists(output));
    for (const auto& name : folder_contents(dir)) CHECK(name == "ckpt");
}
