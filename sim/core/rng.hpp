// Counter-based random numbers: every draw is a pure function of
// (seed, citizen, day, purpose, index), so results never depend on which
// thread handles which citizen, nor on the order in which they are handled.
#pragma once

#include "core/philox.hpp"
#include "core/detmath.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace demat {

// One purpose per kind of decision, so that adding a draw in one place never
// shifts the stream of another. Values are part of the reproducibility
// contract: append, never renumber.
enum class Purpose : std::uint32_t {
    population = 1,
    household = 2,
    network = 3,
    network_long_range = 4,
    awareness = 10,
    decision = 11,
    channel_choice = 12,
    attempt = 13,
    help = 14,
    queue_order = 15,
    processing = 16,
    contest = 17,
    renewal = 18,
    employment = 19,
    abandon = 20,
    channel_taste = 21,
    territory = 22,
    mediator_information = 23,
    decision_taste = 24,
    awareness_taste = 25,
    initial_awareness = 26,
    timeline = 27,
    skills_programme = 28,
    awareness_schedule = 29,
    employment_schedule = 30,
    // Digital control (core/engine/control_*.cpp): streams of their own, so
    // that switching control on moves no other draw.
    control_truth = 31,
    control_select = 32,
    control_type = 33,
    control_response = 34,
    control_outcome = 35,
    // Causes of failure (engine/procedure.cpp, docs/model.md 6.10).
    borrow_device = 36,
    trip = 37,
    // The identity step (engine/procedure.cpp, docs/model.md 6.11).
    chip_id = 38,
    nfc_phone = 39,
    identity_check = 40,
    // Benefit units and differential amounts (core/households.hpp, docs/model.md 5.1-5.2):
    // streams of their own, so that switching them on moves no other draw.
    children = 41,
    claimant = 42,
    unit_resources = 43,
    // Counters by zone (engine/events/counters.cpp, docs/model.md 6.13).
    zone_location = 44,
    counter_rank = 45,
    // Tenure of the tenants (core/population.cpp): social or private landlord.
    social_housing = 46,
    // The pension fund's information at the start of a spell (engine/agencies.cpp,
    // docs/model.md 6.15): a stream of its own, drawn only with agencies.
    agency_settlement = 47,
    // Life course after 75 (engine/life_course.cpp, docs/model.md 2.1): the
    // fall of mobility, and the death of a partner with the pension fund's
    // information to the survivor. Drawn only with life_course.enabled.
    life_course = 48,
    widowhood = 49,
    // Moving house (engine/moving.cpp, docs/model.md 2.2): the day of each
    // household's next move, keyed by its first adult. Drawn only with
    // moving.enabled.
    moving = 50,
    // The belief of eligibility formed on learning of a right, and the
    // eligibility letter (engine/eligibility_belief.cpp, docs/model.md 6.16):
    // drawn only with a service's eligibility_doubt > 0 or the letter's event.
    eligibility_belief = 51,
    eligibility_letter = 52,
};

class Rng {
public:
    using Philox = Philox4x32;  // core/philox.hpp: the words of Random123's r123::Philox4x32

    // Four independent 32-bit words for (seed, subject, day, purpose, index).
    static Philox::ctr_type block(std::uint64_t seed, std::uint64_t subject, std::uint32_t day,
                                  Purpose purpose, std::uint32_t index = 0) {
        const Philox::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
        const Philox::ctr_type ctr = {{static_cast<std::uint32_t>(subject), static_cast<std::uint32_t>(subject >> 32),
                                       day, (static_cast<std::uint32_t>(purpose) << 20) | (index & 0xFFFFFu)}};
        return Philox{}(ctr, key);
    }

    // The subject of a draw about one citizen's claim to one service.
    static constexpr std::uint64_t claim_subject(std::uint64_t citizen, int service) {
        return citizen | (static_cast<std::uint64_t>(service + 1) << 40);
    }

    // Uniform in [0, 1) from a 32-bit word (24 significant bits suffice for
    // probabilities and keep the conversion exact in float and double).
    static double uniform(std::uint32_t word) { return (word >> 8) * (1.0 / 16777216.0); }

    // Standard normal from two words (Box-Muller).
    static double normal(std::uint32_t w1, std::uint32_t w2) {
        const double u1 = (static_cast<double>(w1 >> 8) + 0.5) * (1.0 / 16777216.0);
        const double u2 = uniform(w2);
        return std::sqrt(-2.0 * dmath::log(u1)) * dmath::cos(6.283185307179586 * u2);
    }
};

// A sequential stream for one (seed, subject, day, purpose): draws come four
// at a time from successive counter indices.
class Stream {
public:
    Stream(std::uint64_t seed, std::uint64_t subject, std::uint32_t day, Purpose purpose)
        : seed_(seed), subject_(subject), day_(day), purpose_(purpose) {}

    std::uint32_t next_word() {
        if (used_ == 4) {
            block_ = Rng::block(seed_, subject_, day_, purpose_, index_++);
            used_ = 0;
        }
        return block_[used_++];
    }
    double uniform() { return Rng::uniform(next_word()); }
    bool bernoulli(double p) { return uniform() < p; }
    double normal() {
        const std::uint32_t a = next_word();
        return Rng::normal(a, next_word());
    }
    // Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t x = (static_cast<std::uint64_t>(next_word()) << 32) | next_word();
        __extension__ using wide = unsigned __int128;  // multiply-shift: unbiased enough for n << 2^64
        return static_cast<std::uint64_t>((static_cast<wide>(x) * n) >> 64);
    }

private:
    std::uint64_t seed_;
    std::uint64_t subject_;
    std::uint32_t day_;
    Purpose purpose_;
    std::uint32_t index_ = 0;
    Rng::Philox::ctr_type block_{};
    int used_ = 4;
};

inline double logistic(double x) { return 1.0 / (1.0 + dmath::exp(-x)); }

// A lasting personal trait: a standard normal value that is a pure function of
// (seed, subject, purpose), cheap enough to recompute whenever it is needed
// instead of storing it. A 64-bit mix (splitmix64's finaliser) picks one of
// 4096 equiprobable normal quantiles, ample resolution for a behavioural trait.
double lasting_normal(std::uint64_t seed, std::uint64_t subject, Purpose purpose);

// The same trait as an index into lasting_quantiles(), for callers that
// tabulate a function of it once (lasting_normal(seed, subject, purpose) ==
// lasting_quantiles()[lasting_index(seed, subject, purpose)]).
inline constexpr std::size_t lasting_quantile_count = 4096;
std::size_t lasting_index(std::uint64_t seed, std::uint64_t subject, Purpose purpose);
const std::array<double, lasting_quantile_count>& lasting_quantiles();

}  // namespace demat
