// The start of a renewal (docs/model.md 6.9), on a day context: what a
// receiving claim's renewal date brings, without the engine
// (engine/renewal.cpp; unit test tests/core/test_renewal_start_unit.cpp).
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>

namespace demat::mechanism {

// What a receiving claim's renewal date brings.
enum class RenewalStart {
    none,         // the service asks no periodic declaration: the right runs on
    automatic,    // the administration renews on its own: next date in renewal_days
    declaration,  // the citizen must declare again: a procedure starts today
};

// Starts the renewal of citizen c's right to s on its date (6.9): `svc` the
// service as the timeline has it today. For a declaration, the claim is
// marked renewing from today (the window of renewal_window_days counts from
// it), unassisted and with no failure yet; the engine then takes the
// procedure's first step. The claim stays receiving meanwhile: no event.
// The engine has un-counted c already (the claim is due today).
RenewalStart start_renewal(const DayContext& day, const ServiceParams& svc, std::size_t c, int s);

}  // namespace demat::mechanism
