// The final per-citizen snapshot (docs/output.md, /snapshot: "optionally a final per-agent
// snapshot"): which engine arrays it holds, described field by field.
//
// A field does not copy the population: it fills a caller's buffer with the
// values of a range of citizens, read from the engine's own arrays, so that a
// writer can stream a national-scale population chunk by chunk with one
// chunk's worth of memory. The core does no I/O; sim/io writes the fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace demat {

class Engine;

enum class SnapshotType : std::uint8_t { u8, u16, u32, f32 };

inline std::size_t snapshot_type_bytes(SnapshotType t) {
    switch (t) {
        case SnapshotType::u8: return 1;
        case SnapshotType::u16: return 2;
        case SnapshotType::u32:
        case SnapshotType::f32: return 4;
    }
    return 1;
}

struct SnapshotField {
    std::string name;         // dataset /snapshot/<name>
    std::string description;
    std::string unit = "1";   // "1" for codes and dimensionless values
    SnapshotType type = SnapshotType::u8;
    bool per_service = false;  // shape [citizen, service] instead of [citizen]
    // Coded values: code i means labels[i] (written as CF flag_values and
    // flag_meanings); empty for measured quantities.
    std::vector<std::string> labels;
    // Writes the values of citizens [first, first + count) to `out`, row-major
    // (count values, or count x services when per_service), in `type`.
    std::function<void(std::size_t first, std::size_t count, void* out)> fill;
};

struct Snapshot {
    std::size_t citizens = 0;
    int services = 0;
    std::vector<SnapshotField> fields;
};

// The snapshot of the engine's current state. The fields read the engine
// when called: it must outlive them and not step in between.
Snapshot make_snapshot(const Engine& engine);

}  // namespace demat
