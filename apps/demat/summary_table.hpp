// The short summary `demat run` prints at the end.
#pragma once

#include "core/engine.hpp"
#include "core/scenario.hpp"
#include "core/summary.hpp"

#include <ostream>
#include <string>

namespace demat {

void print_summary(std::ostream& out, const Scenario& scenario, const RunSummary& summary, const EngineStats& stats,
                   const std::string& output_path);

}  // namespace demat
