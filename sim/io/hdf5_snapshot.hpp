// Writes the per-citizen snapshot under /snapshot (internal to sim/io; the
// layout is documented in docs/output.md).
#pragma once

#include "core/snapshot.hpp"

#include <hdf5.h>

namespace demat::h5 {

// Citizens per chunk of every /snapshot dataset; also the number of
// citizens whose values are held in memory at once while writing.
inline constexpr std::size_t snapshot_chunk_citizens = 65536;

// Creates /snapshot in `file` (whose root must already hold the /service
// scale), with the /snapshot/citizen scale and one dataset per field, each
// chunked, shuffled and deflated, filled chunk by chunk through the field's
// fill(): no copy of the population is ever held.
void write_snapshot(hid_t file, const Snapshot& snapshot);

}  // namespace demat::h5
