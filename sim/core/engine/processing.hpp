// The processing of a claim on a day context (engine/day_context.hpp): the
// administration's answer, a wrongful rejection and the appeal against it
// (docs/model.md 6.8). Defined in engine/processing.cpp, where the
// Engine::Impl kernel gathers what it reads and adds what only the engine
// has (the counts by closed counter, the trace).
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace demat::mechanism {

// What the processing of citizen c's claim to s ended in.
enum class Processed {
    first_payment,  // the right is received for the first time: counted as a first payment
    paid_again,     // received again after a spell, an interruption or a control: no first payment
    appealed,       // wrongfully rejected, and the citizen appeals
    rejected,       // rejected for good (an appeal lost, or none lodged)
};

// Draws the answer (stream of Purpose::processing, the claim and the day)
// and applies it: `svc` the service as the timeline has it, `trust` the
// population's (a rejection costs some), `capital` the citizen's capital
// score (with their trust, what makes them contest a rejection).
Processed finish_processing(const DayContext& day, const ServiceParams& svc, std::uint64_t seed,
                            std::vector<float>& trust, double capital, std::size_t c, int s);

}  // namespace demat::mechanism
