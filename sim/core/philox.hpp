// Philox4x32: the counter-based generator of Salmon, Moraes, Dror and Shaw,
// "Parallel random numbers: as easy as 1, 2, 3" (SC'11), written out in
// portable C++ so that the engine builds for any target. Random123's headers
// (which the engine used until the WebAssembly build, docs/classroom.md)
// refuse targets they do not know, such as wasm32; this implementation gives
// the same words for the same counter and key, pinned by Random123's own
// known-answer vectors and by an equality test against Random123 over many
// counters in the native build (tests/core/test_philox.cpp), so that no
// result moved when the engine switched to it.
#pragma once

#include <array>
#include <cstdint>

namespace demat {

template <int Rounds>
class Philox4x32R {
public:
    using ctr_type = std::array<std::uint32_t, 4>;
    using key_type = std::array<std::uint32_t, 2>;

    // The multipliers and Weyl increments of the paper (Random123's
    // PHILOX_M4x32_0/1 and PHILOX_W32_0/1).
    static constexpr std::uint32_t m0 = 0xD2511F53u;
    static constexpr std::uint32_t m1 = 0xCD9E8D57u;
    static constexpr std::uint32_t w0 = 0x9E3779B9u;
    static constexpr std::uint32_t w1 = 0xBB67AE85u;

    constexpr ctr_type operator()(ctr_type ctr, key_type key) const {
        // Random123's schedule: the first round uses the key as given, each
        // following round bumps it first.
        ctr = round(ctr, key);
        for (int r = 1; r < Rounds; ++r) {
            key[0] += w0;
            key[1] += w1;
            ctr = round(ctr, key);
        }
        return ctr;
    }

private:
    static constexpr ctr_type round(const ctr_type& ctr, const key_type& key) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(m0) * ctr[0];
        const std::uint64_t p1 = static_cast<std::uint64_t>(m1) * ctr[2];
        const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
        const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
        return {{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}};
    }
};

// Ten rounds: Random123's default (Philox4x32 = Philox4x32_R<10>).
using Philox4x32 = Philox4x32R<10>;

}  // namespace demat
