#include "core/tracking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace demat {

CitizenTracking::CitizenTracking(std::size_t citizens, int warmup_days, int recorded_days)
    : persistent_start_(warmup_days + std::max(0, recorded_days - persistent_days)),
      procedures_start_(warmup_days + std::max(0, recorded_days - procedures_days)),
      cohort_day_(warmup_days),
      end_(warmup_days + recorded_days),
      recorded_days_(recorded_days),
      persistent_(citizens, 0),
      procedures_(citizens, 0),
      cohort_(citizens, 0) {}

void CitizenTracking::observe(std::size_t c, const Claim* claims, int services, int day) {
    if (day >= end_) return;
    if (day >= persistent_start_) {
        std::uint16_t bits = day == persistent_start_ ? static_cast<std::uint16_t>(0x00ff) : persistent_[c];
        for (int s = 0; s < services; ++s) {
            const ClaimState st = claims[s].state;
            if (st == ClaimState::not_eligible) bits = static_cast<std::uint16_t>(bits & ~(1u << s));
            if (st == ClaimState::receiving) bits = static_cast<std::uint16_t>(bits | (1u << (8 + s)));
        }
        persistent_[c] = bits;
    }
    if (day == cohort_day_) {
        std::uint32_t bits = 0;
        for (int s = 0; s < services; ++s) {
            const ClaimState st = claims[s].state;
            if (st != ClaimState::not_eligible && st != ClaimState::receiving) bits |= 1u << s;
            if (st == ClaimState::unaware) bits |= 1u << (8 + s);
        }
        cohort_[c] = bits;
    } else if (day > cohort_day_ && (cohort_[c] & 0xffu) != 0) {
        for (int s = 0; s < services; ++s)
            if ((cohort_[c] >> s & 1u) && claims[s].state == ClaimState::receiving) cohort_[c] |= 1u << (16 + s);
    }
}

void CitizenTracking::add_results(Results& r, const Scenario& scenario) const {
    const auto services = scenario.services.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto ratio = [nan](double num, double den) { return den > 0 ? num / den : nan; };

    // Quarterly non-take-up from the daily counts: (eligible - receiving)
    // summed over the last 91 recorded days, over eligible summed likewise.
    {
        const Array& counts = r.array("counts");
        const auto& v = counts.integers();
        const std::size_t days = counts.shape[0], states = counts.shape[2];
        const std::size_t first = days > quarter_days ? days - quarter_days : 0;
        std::vector<double> quarter(services);
        for (std::size_t s = 0; s < services; ++s) {
            double eligible = 0, receiving = 0;
            for (std::size_t d = first; d < days; ++d) {
                eligible += static_cast<double>(v[(d * services + s) * states + 0]);
                receiving += static_cast<double>(v[(d * services + s) * states + 1]);
            }
            quarter[s] = ratio(eligible - receiving, eligible);
        }
        r.arrays.push_back({"non_take_up/quarter", {"service"}, {services}, std::move(quarter),
                            "eligible-days not receiving over eligible-days, over the last 91 recorded days "
                            "(the whole run if shorter)",
                            "1"});
    }
    // Persistent non-take-up over the last three quarters.
    {
        std::vector<std::int64_t> eligible(services, 0), not_receiving(services, 0);
        for (const std::uint16_t bits : persistent_)
            for (std::size_t s = 0; s < services; ++s)
                if (bits >> s & 1u) {
                    ++eligible[s];
                    if (!(bits >> (8 + s) & 1u)) ++not_receiving[s];
                }
        std::vector<double> share(services);
        for (std::size_t s = 0; s < services; ++s)
            share[s] = ratio(static_cast<double>(not_receiving[s]), static_cast<double>(eligible[s]));
        r.arrays.push_back({"non_take_up/persistent_eligible", {"service"}, {services}, eligible,
                            "citizens eligible on every day of the last 273 recorded days (three quarters; the whole "
                            "run if shorter)",
                            "citizens"});
        r.arrays.push_back({"non_take_up/persistent_not_receiving", {"service"}, {services}, not_receiving,
                            "of them, citizens receiving on none of those days", "citizens"});
        r.arrays.push_back({"non_take_up/persistent", {"service"}, {services}, std::move(share),
                            "persistent non-take-up: persistent_not_receiving / persistent_eligible", "1"});
    }
    // Online procedures over the last 365 recorded days, shares of all adults.
    {
        Coordinate indicator{"procedures/indicator", {"did_online", "gave_up_online", "gave_up_for_good"}, {},
                             "citizen indicators over the last 365 recorded days (the whole run if shorter)"};
        std::vector<std::int64_t> n(3, 0);
        for (const std::uint8_t f : procedures_)
            for (std::size_t i = 0; i < 3; ++i)
                if (f >> i & 1u) ++n[i];
        std::vector<double> share(3);
        for (std::size_t i = 0; i < 3; ++i)
            share[i] = ratio(static_cast<double>(n[i]), static_cast<double>(procedures_.size()));
        r.coordinates.push_back(indicator);
        r.arrays.push_back({"procedures/citizens", {"procedures/indicator"}, {3}, n,
                            "adults with at least one such event in the window", "citizens"});
        r.arrays.push_back({"procedures/share", {"procedures/indicator"}, {3}, std::move(share),
                            "procedures/citizens over all adults", "1"});
    }
    // Help sought over the same window (docs/model.md 6.12), by source, then
    // any source, and any source by adults who did no procedure online.
    {
        std::vector<std::string> labels = help_source_names();
        labels.push_back("any");
        labels.push_back("any_without_online");
        const std::size_t H = labels.size();
        Coordinate source{"procedures/help", labels, {},
                          "help sought in the window: from each source, from any, and from any by adults who "
                          "completed no procedure online"};
        std::vector<std::int64_t> n(H, 0);
        for (const std::uint8_t f : procedures_) {
            for (int i = 0; i < help_source_count; ++i)
                if ((f & procedure_flag::sought_help(static_cast<HelpSource>(i))) != 0) ++n[static_cast<std::size_t>(i)];
            if ((f & procedure_flag::sought_help_any) != 0) {
                ++n[H - 2];
                if ((f & procedure_flag::did_online) == 0) ++n[H - 1];
            }
        }
        std::vector<double> share(H);
        for (std::size_t i = 0; i < H; ++i) share[i] = ratio(static_cast<double>(n[i]), static_cast<double>(procedures_.size()));
        r.coordinates.push_back(source);
        r.arrays.push_back({"procedures/help_citizens", {"procedures/help"}, {H}, n,
                            "adults who sought help at least once in the window", "citizens"});
        r.arrays.push_back({"procedures/help_share", {"procedures/help"}, {H}, std::move(share),
                            "procedures/help_citizens over all adults", "1"});
    }
    // Outreach cohort: eligible and not receiving on recorded day 0.
    {
        Coordinate group{"cohort/group", {"not_receiving", "unaware"}, {},
                         "cohort taken on recorded day 0: all eligible citizens not receiving, and those of them "
                         "unaware of the service"};
        std::vector<std::int64_t> members(services * 2, 0), enrolled(services * 2, 0);
        for (const std::uint32_t bits : cohort_)
            for (std::size_t s = 0; s < services; ++s) {
                if (!(bits >> s & 1u)) continue;
                const bool unaware = bits >> (8 + s) & 1u, got = bits >> (16 + s) & 1u;
                ++members[s * 2];
                enrolled[s * 2] += got;
                if (unaware) {
                    ++members[s * 2 + 1];
                    enrolled[s * 2 + 1] += got;
                }
            }
        std::vector<double> share(services * 2);
        for (std::size_t i = 0; i < share.size(); ++i)
            share[i] = ratio(static_cast<double>(enrolled[i]), static_cast<double>(members[i]));
        r.coordinates.push_back(group);
        r.arrays.push_back({"cohort/members", {"service", "cohort/group"}, {services, 2}, members,
                            "citizens of the cohort", "citizens"});
        r.arrays.push_back({"cohort/enrolled", {"service", "cohort/group"}, {services, 2}, enrolled,
                            "of them, citizens receiving on some recorded day after day 0", "citizens"});
        r.arrays.push_back({"cohort/enrolment", {"service", "cohort/group"}, {services, 2}, std::move(share),
                            "cohort/enrolled over cohort/members", "1"});
    }
    r.attributes["tracking_recorded_days"] = static_cast<std::int64_t>(recorded_days_);
}

}  // namespace demat
