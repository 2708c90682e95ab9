// open_mediation and close_mediation: sites in the zones of a territory type
// (docs/model.md, section 10).
#include "core/engine/impl.hpp"

#include <algorithm>
#include <cmath>

namespace demat {

// Zone z's mediation sites become `sites` (a multiple of its initial
// network). Capacity is proportional to the sites (set_daily_capacity, to
// be called after); the distance to the nearest site scales as
// 1 / sqrt(sites), as for points spread uniformly over an area, at most 10
// times the initial distance.
void Engine::Impl::set_mediation_sites(std::size_t z, double sites) {
    mediation_sites[z] = sites;
    const double factor = sites == 1.0 ? 1.0 : std::min(10.0, 1.0 / std::sqrt(sites));
    e.population_.zones[z].km_to_mediation = static_cast<float>(initial_km_to_mediation[z] * factor);
}

}  // namespace demat

namespace demat::event {

namespace {

// Sites open (sites_z += added) or close (sites_z *= 1 - share) in the
// zones of a territory type (Engine::Impl::set_mediation_sites above).
// No citizen's segment or snapshot depends on either, so nobody is touched.
template <class Change>
void change_sites(Engine::Impl& impl, int territory, Change&& change) {
    auto& zones = impl.population().zones;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        if (territory >= 0 && static_cast<int>(zones[z].type) != territory) continue;
        impl.set_mediation_sites(z, change(impl.mediation_sites[z]));
    }
    for (int s = 0; s < impl.services; ++s) impl.set_daily_capacity(s, staffed_index(Channel::mediation));
}

}  // namespace

void apply(const OpenMediation& ev, EventContext& at) {
    change_sites(at.impl, ev.territory, [&](double sites) { return sites + ev.sites; });
}

void apply(const CloseMediation& ev, EventContext& at) {
    change_sites(at.impl, ev.territory, [&](double sites) { return sites * (1.0 - ev.share); });
}

}  // namespace demat::event
