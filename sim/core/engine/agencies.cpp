// Agencies: being known to an agency, its information and the data it has
// on file (docs/model.md, section 6.15). Read only when a service names an
// agency (agencies_on); otherwise no draw, no state.
#include "core/engine/impl.hpp"

#include "core/detmath.hpp"
#include "core/households.hpp"

#include <algorithm>

namespace demat {

namespace {

constexpr std::uint8_t bit(Agency a) { return static_cast<std::uint8_t>(1u << (static_cast<int>(a) - 1)); }

// The family allowances, which are not a service of the model, as the
// household's composition says (6.15, assumption): paid without a new
// claim from the second child once claimed at a birth, and the lone-parent
// support allowance; both taken as received.
bool family_allowances(const Population& p, const Households& h, std::size_t c) {
    if (h.empty()) return false;
    const auto kids = h.children_of(c);
    const int children = kids[0] + kids[1] + kids[2];
    return children >= 2 || (p.household[c] == Household::single_parent && children >= 1);
}

}  // namespace

// The agencies (bit Agency - 1) that know citizen c: it receives one of
// their services; the family benefits agency also through the family
// allowances, the pension fund through the pension (the retired).
std::uint8_t Engine::Impl::agencies_knowing(std::size_t c) const {
    const Claim* k = &store.claims[c * static_cast<std::size_t>(services)];
    std::uint8_t known = 0;
    for (int t = 0; t < services; ++t)
        if (agency_of(t) != Agency::none && k[t].state == ClaimState::receiving) known |= bit(agency_of(t));
    const Population& p = e.population_;
    if (family_allowances(p, e.households_, c)) known |= bit(Agency::family_benefits);
    if (p.employment[c] == Employment::retired) known |= bit(Agency::pension_fund);
    return known;
}

// The agency's information hazard for c's claim to s (added to the
// service's outreach, 6.1): its information_rate if the agency knows c.
// The pension fund informs at the start of a spell instead
// (settlement_information).
double Engine::Impl::agency_information(std::size_t c, int s) const {
    const Agency a = agency_of(s);
    if (a == Agency::none || a == Agency::pension_fund) return 0.0;
    const double rate = sc.agencies.of(a).information_rate;
    if (rate <= 0) return 0.0;
    return (agencies_knowing(c) & bit(a)) != 0 ? rate : 0.0;
}

// The same before the run (initial conditions, 6.15): nobody receives
// anything yet, so knowing another service of the agency stands for
// receiving it (assumption: it overstates the contact of those who know
// a service and do not claim it; the warm-up corrects what follows).
double Engine::Impl::agency_information_prior(std::size_t c, int s, std::uint8_t known) const {
    const Agency a = agency_of(s);
    if (a == Agency::none || a == Agency::pension_fund) return 0.0;
    const double rate = sc.agencies.of(a).information_rate;
    if (rate <= 0) return 0.0;
    bool contact = (agencies_knowing(c) & bit(a)) != 0;
    for (int t = 0; t < services && !contact; ++t)
        contact = t != s && agency_of(t) == a && (known >> t & 1u) != 0;
    return contact ? rate : 0.0;
}

// "Tell us once": the share by which the data on file lower the complexity
// of c's first claim to s, the agency's tell_us_once if it knows c, or if
// the tax return's data are shared and c's return is filed.
double Engine::Impl::tell_us_once(std::size_t c, int s) const {
    const Agency a = agency_of(s);
    if (a == Agency::none) return 0.0;
    const double share = sc.agencies.of(a).tell_us_once;
    if (share <= 0) return 0.0;
    const std::uint8_t known = agencies_knowing(c);
    const bool on_file = (known & bit(a)) != 0 || (tax_data_shared && (known & bit(Agency::tax_administration)) != 0);
    return on_file ? share : 0.0;
}

// The pension fund's one contact: the chance that it informs a pensioner of
// a service of its own when their spell starts (at the settlement of the
// pension, or on reaching the service's age while retired).
double Engine::Impl::settlement_probability(std::size_t c, int s) const {
    if (agency_of(s) != Agency::pension_fund || e.population_.employment[c] != Employment::retired) return 0.0;
    return sc.agencies.of(Agency::pension_fund).information_rate;
}

// Called on the day a spell of c for s starts with the claim unaware.
void Engine::Impl::settlement_information(std::size_t c, int s, int day, Sink& sink) {
    const double p = settlement_probability(c, s);
    if (p <= 0) return;
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::agency_settlement);
    if (rng.bernoulli(p)) become_aware(c, s, day, sink);
}

// The agency_contact segment of c's claim to s: the number of other
// benefits c receives from the agency of s (its other services, and the
// family allowances or the pension), 0, 1 or 2 and more; `retired` as
// the counts need it (before a life event's change, see tally).
int Engine::Impl::agency_contact_group(std::size_t c, int s, bool retired) const {
    const Agency a = agency_of(s);
    if (a == Agency::none) return 0;
    const Claim* k = &store.claims[c * static_cast<std::size_t>(services)];
    int n = 0;
    for (int t = 0; t < services; ++t)
        if (t != s && agency_of(t) == a && k[t].state == ClaimState::receiving) ++n;
    const Population& p = e.population_;
    if (a == Agency::family_benefits && family_allowances(p, e.households_, c)) ++n;
    if (a == Agency::pension_fund && retired) ++n;
    return std::min(n, 2);
}

}  // namespace demat
