// One updating progress line on stderr: day, percent, agent-days per second, time left.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace demat {

class Progress {
public:
    Progress(bool enabled, std::int64_t citizens) : enabled_(enabled), citizens_(citizens), tty_(isatty(2) != 0) {}

    void phase(const std::string& what) {
        if (enabled_) std::fprintf(stderr, "%s...\n", what.c_str());
    }
    // `first_day`: the day a resumed run starts from (rates count the days done here).
    void start(int total_days, int first_day = 0) {
        total_ = total_days;
        first_ = first_day;
        start_ = Clock::now();
        last_ = start_;
    }
    void update(int day) {
        if (!enabled_) return;
        const auto now = Clock::now();
        // Redraw at most 5 times a second on a terminal; in a log, every 10%.
        const bool due = tty_ ? now - last_ > std::chrono::milliseconds(200)
                              : day * 10 / total_ != (day - 1) * 10 / total_;
        if (!due && day < total_) return;
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const int done = day - first_;
        const double rate = elapsed > 0 ? static_cast<double>(citizens_) * done / elapsed : 0;
        const double left = done > 0 ? elapsed * (total_ - day) / done : 0;
        std::fprintf(stderr, "%sday %5d/%d %5.1f%%  %7.2fM agent-days/s  %5.0fs left%s", tty_ ? "\r" : "", day,
                     total_, 100.0 * day / total_, rate / 1e6, left, tty_ ? "\033[K" : "\n");
        std::fflush(stderr);
    }
    void finish() {
        if (enabled_ && tty_) std::fprintf(stderr, "\n");
    }

private:
    using Clock = std::chrono::steady_clock;
    bool enabled_;
    std::int64_t citizens_;
    bool tty_;
    int total_ = 1;
    int first_ = 0;
    Clock::time_point start_, last_;
};

}  // namespace demat
