// `demat classroom`: serves the classroom page (web/dist, docs/classroom.md)
// on 127.0.0.1 only, for a teacher's own machine.
#pragma once

#include <atomic>
#include <optional>
#include <string>

namespace demat {

struct ClassroomOptions {
    std::string dir;                 // folder to serve; empty: web/dist here, else in the source tree
    int port = 8000;                 // 0: any free port
    std::optional<double> stop_after;  // seconds, then exit 0 (tests, kiosks)
};

// Returns 0 when stopped by `stop_after`, 130 when `interrupted`; throws
// UsageError (exit 2) when the folder is missing or the port is taken.
int serve_classroom(const ClassroomOptions& options, const std::atomic<bool>& interrupted);

}  // namespace demat
