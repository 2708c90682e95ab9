#include "core/detmath.hpp"

#include <cstring>

namespace demat::dmath {

std::uint64_t checksum() {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&](double v) {
        std::uint64_t u;
        std::memcpy(&u, &v, sizeof u);
        h = (h ^ u) * 1099511628211ULL;
    };
    for (int i = 0; i < 100000; ++i) {
        const double t = (i + 0.5) / 100000.0;
        mix(exp(-40.0 + 80.0 * t));
        mix(log(t));
        mix(log1p(-t));
        mix(expm1(-t * 3));
        mix(pow(t, 37.0 * t));
        mix(cos(6.283185307179586 * t));
    }
    return h;
}

}  // namespace demat::dmath
