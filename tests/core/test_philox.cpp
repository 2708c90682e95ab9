// The project's Philox4x32 (core/philox.hpp) against Random123: the engine
// switched from Random123's headers to it for the WebAssembly build, and no
// native result may move because of it (docs/classroom.md, docs/testing.md).
#include "core/philox.hpp"
#include "core/rng.hpp"

#include <Random123/philox.h>
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

namespace {

struct Kat {
    std::array<std::uint32_t, 4> ctr;
    std::array<std::uint32_t, 2> key;
    std::array<std::uint32_t, 4> expected;
};

// Random123's tests/kat_vectors (https://github.com/DEShawResearch/random123,
// the "philox4x32 10" and "philox4x32 7" lines; columns CTR[4] KEY[2] OUT[4]).
constexpr Kat kat10[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};
constexpr Kat kat7[] = {
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a}},
};

// splitmix64: spreads the test's counters and keys over all 32-bit words.
std::uint64_t next(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("philox: Random123's known-answer vectors, 10 and 7 rounds", "[philox]") {
    for (const auto& k : kat10) CHECK(demat::Philox4x32{}(k.ctr, k.key) == k.expected);
    for (const auto& k : kat7) CHECK(demat::Philox4x32R<7>{}(k.ctr, k.key) == k.expected);
    // Usable at compile time too (constexpr): the first vector, checked by the compiler.
    static_assert(demat::Philox4x32{}({{0, 0, 0, 0}}, {{0, 0}})[0] == 0x6627e8d5u);
}

TEST_CASE("philox: same words as Random123's r123::Philox4x32 over a million counters and keys", "[philox]") {
    std::uint64_t s = 20261205;
    int differing = 0;
    for (int i = 0; i < 1000000; ++i) {
        const std::uint64_t a = next(s), b = next(s), c = next(s);
        // Half the draws use the engine's own counter layout (small subjects,
        // days, purpose << 20 | index), half arbitrary words.
        const std::array<std::uint32_t, 4> ctr =
            i % 2 ? std::array<std::uint32_t, 4>{{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                                                  static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)}}
                  : std::array<std::uint32_t, 4>{{static_cast<std::uint32_t>(a % 2000000), 0u,
                                                  static_cast<std::uint32_t>(b % 800),
                                                  static_cast<std::uint32_t>(((c % 31) << 20) | (c >> 40) % 64)}};
        const std::array<std::uint32_t, 2> key{{static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32)}};
        const r123::Philox4x32::ctr_type rc = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
        const r123::Philox4x32::key_type rk = {{key[0], key[1]}};
        const auto want = r123::Philox4x32{}(rc, rk);
        const auto got = demat::Philox4x32{}(ctr, key);
        for (int w = 0; w < 4; ++w) differing += got[static_cast<std::size_t>(w)] != want.v[w];
    }
    CHECK(differing == 0);
}

TEST_CASE("philox: Rng::block is Random123's Philox on the documented counter layout", "[philox]") {
    const std::uint64_t seed = 0x0123456789abcdefULL, subject = demat::Rng::claim_subject(123456, 3);
    const auto got = demat::Rng::block(seed, subject, 412, demat::Purpose::renewal, 7);
    const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(subject), static_cast<std::uint32_t>(subject >> 32),
                                             412u, (static_cast<std::uint32_t>(demat::Purpose::renewal) << 20) | 7u}};
    const auto want = r123::Philox4x32{}(ctr, key);
    for (int w = 0; w < 4; ++w) CHECK(got[static_cast<std::size_t>(w)] == want.v[w]);
}
