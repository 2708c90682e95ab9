// Moving house (docs/model.md, section 2.2): each household moves at a
// yearly rate set by its tenure; a move ends the claims tied to the
// dwelling (the housing benefit), which are made again for the new one.
// Only with moving.enabled; otherwise no draw and no state.
#include "core/engine/impl.hpp"
#include "core/engine/moving.hpp"

#include "core/detmath.hpp"
#include "core/households.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace demat {

namespace {

// The daily hazard -log(1 - q) of moves whose yearly probability is `rate`
// (q = 1 - (1 - rate)^(1/365) the daily probability): +inf at rate 1.
double daily_hazard(double rate) { return rate >= 1.0 ? std::numeric_limits<double>::infinity() : -dmath::log1p(-rate) / 365.0; }

}  // namespace

double mechanism::moving_rate(const MovingParams& m, std::uint8_t tenant) {
    return tenant == 0 ? m.owner_rate : tenant == 1 ? m.private_tenant_rate : m.social_tenant_rate;
}

std::uint16_t mechanism::next_move(const MovingParams& m, std::uint64_t seed, std::uint32_t head, std::uint8_t tenant,
                                   int from) {
    const double hazard = daily_hazard(moving_rate(m, tenant));
    if (hazard <= 0.0) return never;
    Stream rng(seed, head, static_cast<std::uint32_t>(from), Purpose::moving);
    // u in (0, 1]; the wait is the first day whose Bernoulli(q) succeeds:
    // 1 + floor(log u / log(1 - q)), log(1 - q) = -hazard.
    const double u = 1.0 - rng.uniform();
    const double wait = std::isinf(hazard) ? 1.0 : 1.0 + std::floor(-dmath::log(u) / hazard);
    const double day = static_cast<double>(from) + wait;
    return day >= static_cast<double>(never) ? never : static_cast<std::uint16_t>(day);
}

double mechanism::days_since_move(const MovingParams& m, std::uint64_t seed, std::uint32_t head, std::uint8_t tenant) {
    const double hazard = daily_hazard(moving_rate(m, tenant));
    if (hazard <= 0.0) return std::numeric_limits<double>::infinity();
    if (std::isinf(hazard)) return 0.0;
    Stream rng(seed, head, 0, Purpose::moving);
    rng.uniform();  // the first word is the first move's (next_move from day 0)
    return -dmath::log(1.0 - rng.uniform()) / hazard;
}

std::uint8_t mechanism::dwelling_services(const std::vector<ServiceParams>& services) {
    std::uint8_t bits = 0;
    for (std::size_t s = 0; s < services.size(); ++s)
        if (services[s].eligibility.tenant_required && !services[s].automatic) bits |= static_cast<std::uint8_t>(1u << s);
    return bits;
}

std::uint8_t mechanism::move_house(const DayContext& day, std::uint8_t dwelling, int services, std::size_t c) {
    std::uint8_t restarted = 0;
    for (int s = 0; s < services; ++s) {
        if ((dwelling >> s & 1u) == 0) continue;
        Claim& k = day.store.claim(c, s);
        if (k.state == ClaimState::not_eligible || k.state == ClaimState::unaware) continue;
        // The right to the former dwelling ends; a claim for the new one is
        // to be made (docs/model.md 2.2). Clearing `queued` leaves any queue
        // entry behind, skipped when it reaches the front (still_waiting).
        day.transition(c, k, ClaimState::aware, no_event);
        k.flags = claim_flag::knows;
        k.failures = 0;
        k.eligible_since = static_cast<std::uint16_t>(day.day);
        k.next_day = day_plus(day.day, 1);
        restarted |= static_cast<std::uint8_t>(1u << s);
    }
    return restarted;
}

// The household of c moves today (store.next_move): its dwelling's claims
// start again, and its next move is drawn from today, keyed by the
// household's first adult so that both adults of a couple move together.
void Engine::Impl::move_house(std::size_t c, int day, Sink& sink) {
    const Population& p = e.population_;
    if (gone(c)) {
        store.next_move[c] = never;
        return;
    }
    // The services as the timeline has them today (an automatic service needs no claim).
    mechanism::move_house(day_context(day, sink), mechanism::dwelling_services(policy), services, c);
    store.next_move[c] = mechanism::next_move(sc.moving, seed(), household_head(c), p.tenant[c], day);
}

// The first adult of c's household (households.hpp: a walk from the start
// of c's zone, since household ids are freed once the network is built).
std::uint32_t Engine::Impl::household_head(std::size_t c) const {
    std::uint32_t head = 0;
    HouseholdRole role{};
    household_positions(e.population_, c, 1, &head, &role);
    return head;
}

// Each citizen's first move, from day 0, and the days since their
// household's last move before it (read by prior_claim, then freed).
void Engine::Impl::schedule_moves() {
    const Population& p = e.population_;
    prior_since_move.assign(citizens, 0.0f);
    e.executor_.for_each_block(block_count(citizens), [&](std::size_t blk) {
        const std::size_t begin = blk * block_size, end = std::min(citizens, begin + block_size);
        std::array<std::uint32_t, block_size> head{};
        std::array<HouseholdRole, block_size> role{};
        household_positions(p, begin, end - begin, head.data(), role.data());
        for (std::size_t c = begin; c < end; ++c) {
            const std::uint32_t h = head[c - begin];
            store.next_move[c] = mechanism::next_move(sc.moving, seed(), h, p.tenant[c], 0);
            prior_since_move[c] = static_cast<float>(mechanism::days_since_move(sc.moving, seed(), h, p.tenant[c]));
        }
    });
}

}  // namespace demat
