// Runs the built `demat` command from a test and captures what it prints.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

struct Outcome {
    int code;
    std::string output;  // stdout and stderr together
};

inline Outcome run_demat(const std::string& args) {
    const std::string command = std::string(DEMAT_BINARY_DIR) + "/bin/demat " + args + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) out += buf.data();
    const int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}
