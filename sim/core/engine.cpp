// The engine's day: the step, as a table of contents of the phases, and
// the phase drivers (engine.hpp describes the phases; each mechanism lives
// in its own file under core/engine/, docs/architecture.md).
#include "core/engine.hpp"
#include "core/error.hpp"

#include "core/engine/impl.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

// ------------------------------------------------------------ phase drivers

void Engine::Impl::act_block(std::size_t blk) {
    BlockOutput& out = blocks[blk];
    Sink sink{out.counts, out.queue_requests, out.help_requests};
    Population& p = e.population_;
    const std::size_t begin = blk * block_size;
    const std::size_t end = std::min(citizens, begin + block_size);
    const int day = e.day_;
    const int day_of_year = day % 365;
    // The month's informal help starts afresh for everyone.
    if (day > 0 && day % 30 == 0) std::fill(&store.helps_this_month[begin], &store.helps_this_month[begin] + (end - begin), 0);

    // Who has something to do today: a claim due (an awareness
    // candidate included) or a life event.
    std::array<std::uint32_t, block_size> work;
    std::size_t n = 0;
    for (std::size_t c = begin; c < end; ++c) {  // branch-free: most citizens are skipped
        work[n] = static_cast<std::uint32_t>(c);
        n += store.due[c] <= day;
    }

    for (std::size_t i = 0; i < n; ++i) {
        if (i + prefetch_distance < n) {
            prefetch_claims(work[i + prefetch_distance]);
            prefetch_life(work[i + prefetch_distance]);
        }
        const std::size_t c = work[i];
        const auto ci = static_cast<std::uint32_t>(c);
        // The household moves (docs/model.md 2.2): before today's due claims,
        // which it may restart.
        if (!store.next_move.empty() && store.next_move[c] == day) move_house(c, day, sink);
        if ((day > 0 && p.birthday[c] == day_of_year) || store.next_employment_event[c] == day) {
            const int age_before = p.age[c];
            const int income_before = p.income_decile[c];
            const Employment employment_before = p.employment[c];
            const int employment_event = store.next_employment_event[c];
            if (life_events_today(sc, p, ci, day, store.next_employment_event[c])) {
                // Resources that change are "unstable" to the control's scorer.
                if (control_on() && employment_event == day) control.last_change[c] = static_cast<std::uint16_t>(day);
                // Claims are untouched so far: un-count with the former age and income.
                if (!is_dirty(c)) {
                    if (recording()) tally(out.stock, c, groups_of(c, age_before, income_before), -1, employment_before);
                    set_dirty(c);
                }
                for (int s = 0; s < services; ++s) {
                    const bool was_unaware = claim(c, s).state == ClaimState::unaware;
                    update_eligibility(c, s, day, sink);
                    // A new spell's chance of learning of it starts today
                    // (and the pension fund may write then, 6.15).
                    if (!was_unaware && claim(c, s).state == ClaimState::unaware) {
                        if (agencies_on) settlement_information(c, s, day, sink);
                        if (claim(c, s).state == ClaimState::unaware) schedule_awareness(c, s, day);
                    }
                }
            }
        }
        Peers peers;
        for (int s = 0; s < services; ++s) {
            Claim& k = claim(c, s);
            if (k.next_day != day) continue;
            if (k.state == ClaimState::unaware) {
                awareness_candidate(c, s, day, peers, sink);
            } else {
                touch(c);
                handle_due(c, s, day, sink);
            }
        }
        // Phase A refreshes the days of touched citizens.
        if (!is_dirty(c)) store.due[c] = earliest_due(c, day + 1);
    }
}

void Engine::Impl::handle_due(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    switch (k.state) {
        case ClaimState::aware:
        case ClaimState::declined:
        case ClaimState::interrupted: decide(c, s, day, sink); break;
        case ClaimState::attempting: procedure_step(c, s, day, sink); break;
        case ClaimState::submitted: finish_processing(c, s, day, sink); break;
        case ClaimState::receiving:
            if (k.has(claim_flag::renewing)) procedure_step(c, s, day, sink);
            else start_renewal(c, s, day, sink);
            break;
        case ClaimState::rejected:
        case ClaimState::abandoned: {
            Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::abandon);
            if (rng.bernoulli(b.abandon_retry)) decide(c, s, day, sink);
            else k.next_day = day_plus(day, b.abandon_revisit_days);
            break;
        }
        case ClaimState::not_eligible:
        case ClaimState::unaware:
        case ClaimState::waiting_help: k.next_day = never; break;
    }
}

// -------------------------------------------------------------------- Engine

namespace {

// Citizens ordered by (score, index), sorted in parallel: runs of
// block_size * 16 keys sorted independently, then merged pairwise, round
// after round. The key packs the score's bits (order-preserving for floats)
// above the index, so the order is total and the result does not depend on
// how the work is split. Scores are never NaN.
std::vector<std::uint32_t> rank_by_score(const std::vector<float>& score, Executor& executor) {
    const std::size_t n = score.size();
    std::vector<std::uint64_t> keys(n);
    executor.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c) {
            std::uint32_t bits;
            std::memcpy(&bits, &score[c], sizeof bits);
            bits = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;  // negative floats reversed
            keys[c] = static_cast<std::uint64_t>(bits) << 32 | static_cast<std::uint32_t>(c);
        }
    });
    constexpr std::size_t run = block_size * 16;
    const std::size_t runs = (n + run - 1) / run;
    executor.for_each_block(runs, [&](std::size_t r) {
        std::sort(keys.begin() + static_cast<std::ptrdiff_t>(r * run),
                  keys.begin() + static_cast<std::ptrdiff_t>(std::min(n, (r + 1) * run)));
    });
    std::vector<std::uint64_t> merged(runs > 1 ? n : 0);
    for (std::size_t width = run; width < n; width *= 2) {
        const std::size_t pairs = (n + 2 * width - 1) / (2 * width);
        executor.for_each_block(pairs, [&](std::size_t p) {
            const auto at = [&](std::size_t i) { return static_cast<std::ptrdiff_t>(std::min(n, i)); };
            const std::ptrdiff_t first = at(p * 2 * width), middle = at(p * 2 * width + width),
                                 last = at((p + 1) * 2 * width);
            std::merge(keys.begin() + first, keys.begin() + middle, keys.begin() + middle, keys.begin() + last,
                       merged.begin() + first);
        });
        keys.swap(merged);
    }
    std::vector<std::uint64_t>().swap(merged);
    std::vector<std::uint32_t> order(n);
    executor.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t r = blk * block_size; r < end; ++r) order[r] = static_cast<std::uint32_t>(keys[r]);
    });
    return order;
}

}  // namespace


Engine::Engine(const Scenario& scenario, Executor& executor)
    : scenario_(scenario),
      executor_(executor),
      services_(static_cast<int>(scenario.services.size())),
      metrics_(scenario, scenario.days) {
    if (services_ < 1 || services_ > max_services)
        throw ScenarioError("", 0, "services", "a scenario needs between 1 and " + std::to_string(max_services) + " services");
    auto start = Clock::now();
    population_ = generate_population(scenario_, executor_);
    stats_.population_seconds = seconds_since(start);
    start = Clock::now();
    network_ = build_network(scenario_, population_, executor_);
    stats_.network_seconds = seconds_since(start);
    // Benefit units (docs/model.md 5.1) keep what they need of the
    // households, when a service asks for them.
    if (uses_households(scenario_)) households_ = build_households(scenario_, population_, executor_);
    // Household ids serve only to build the network, which now holds the
    // household ties: 4 bytes per citizen (214 MB at national scale) freed.
    std::vector<std::uint32_t>().swap(population_.household_id);

    start = Clock::now();
    const std::size_t n = population_.size();
    store_.services = services_;
    store_.claims.assign(n * static_cast<std::size_t>(services_), Claim{});
    store_.knows.assign(n, 0);
    store_.capable.assign((n + 63) / 64, 0);
    store_.habit.assign(n, 255);
    store_.helps_this_month.assign(n, 0);
    store_.helps_total.assign(n, 0);
    if (scenario_.life_course.enabled) store_.gone.assign(n, 0);

    // Capital score (docs/population.md, section 1): weighted mean of education, digital skill,
    // literacy, administrative literacy and capable helpers around.
    const CapitalWeights& w = scenario_.capital;
    const BehaviourParams& b = scenario_.behaviour;
    const double weight_sum = w.education + w.digital_skill + w.literacy + w.admin_literacy + w.helpers;
    capital_score_.assign(n, 0.0f);
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c) {
            int helpers = 0;
            const auto [first, last] = network_.neighbours(static_cast<std::uint32_t>(c));
            for (auto it = first; it != last; ++it)
                helpers += population_.digital_skill[*it] >= b.helper_skill &&
                           population_.admin_literacy[*it] >= b.helper_admin && population_.equipment[*it] != Equipment::none;
            const double h = std::min(helpers, w.helpers_saturation) / static_cast<double>(std::max(1, w.helpers_saturation));
            const double score = w.education * static_cast<double>(population_.education[c]) / 2.0 +
                                 w.digital_skill * population_.digital_skill[c] + w.literacy * population_.literacy[c] +
                                 w.admin_literacy * population_.admin_literacy[c] + w.helpers * h;
            capital_score_[c] = static_cast<float>(weight_sum > 0 ? score / weight_sum : 0.0);
        }
    });
    // Ranks by (score, index): a total order, so the ranking is the same
    // whatever sorts it (here in parallel, see rank_by_score).
    const std::vector<std::uint32_t> order = rank_by_score(capital_score_, executor_);
    capital_centile_.assign(n, 0);
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t r = blk * block_size; r < end; ++r) {
            capital_centile_[order[r]] = static_cast<std::uint8_t>(r * capital_centiles / n);
        }
    });

    impl_ = std::make_unique<Impl>(*this);
    // Day-0 eligibility: per claim, so in parallel (update_eligibility
    // writes nothing to its sink).
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        Sink initial{impl_->blocks[blk].counts, impl_->blocks[blk].queue_requests, impl_->blocks[blk].help_requests};
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c)
            for (int s = 0; s < services_; ++s) impl_->update_eligibility(c, s, 0, initial);
    });
    // Moves (docs/model.md 2.2): the first, and the last before day 0,
    // which the initial conditions read.
    if (scenario_.moving.enabled) impl_->schedule_moves();
    impl_->initial_awareness();
    std::vector<float>().swap(impl_->prior_since_move);
    // Each citizen's first employment event, from day 1.
    executor_.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c)
            store_.next_employment_event[c] =
                static_cast<std::uint16_t>(next_employment_event(scenario_, population_, static_cast<std::uint32_t>(c), 1));
    });

    stats_.setup_seconds = seconds_since(start);
    stats_.memory_bytes = population_.memory_bytes() + network_.memory_bytes() + store_.claims.capacity() * sizeof(Claim) +
                          n * (sizeof(float) + 6) + store_.capable.size() * sizeof(std::uint64_t) + households_.memory_bytes() +
                          impl_->memory_bytes();
}

Engine::Engine(const Scenario& scenario, Executor& executor, StateVisitor& restore)
    : scenario_(scenario),
      executor_(executor),
      services_(static_cast<int>(scenario.services.size())),
      metrics_(scenario, scenario.days) {
    if (services_ < 1 || services_ > max_services)
        throw ScenarioError("", 0, "services", "a scenario needs between 1 and " + std::to_string(max_services) + " services");
    // The engine's own arrays first: the Impl is sized by the population.
    store_.services = services_;
    visit_own_state(restore);
    check_restored();
    impl_ = std::make_unique<Impl>(*this);
    impl_->visit_state(restore);
    metrics_.visit_state(restore);
}

void Engine::visit_state(StateVisitor& visit) {
    visit_own_state(visit);
    impl_->visit_state(visit);
    metrics_.visit_state(visit);
}

void Engine::visit_own_state(StateVisitor& visit) {
    visit("engine.day", day_);
    visit("engine.stats", stats_);
    population_.visit_state(visit);
    network_.visit_state(visit);
    // Fixed after construction, but they come from the generated population
    // and network: stored with them.
    visit("capital.score", capital_score_);
    visit("capital.centile", capital_centile_);
    visit("claims", store_.claims);
    visit("snapshot.knows", store_.knows);
    visit("snapshot.capable", store_.capable);
    visit("citizen.habit", store_.habit);
    visit("citizen.helps_this_month", store_.helps_this_month);
    visit("citizen.helps_total", store_.helps_total);
    // Only in runs that use them, so that the others' checkpoints are unchanged.
    if (uses_households(scenario_)) households_.visit_state(visit);
    if (scenario_.life_course.enabled) visit("citizen.gone", store_.gone);
}

// A restored state whose arrays disagree in size would read out of bounds:
// refused (sections are checksummed, so this means a file written by other code).
void Engine::check_restored() const {
    const std::size_t n = population_.size();
    const Population& p = population_;
    const bool population_ok = p.birthday.size() == n && p.education.size() == n && p.income_decile.size() == n &&
                               p.employment.size() == n && p.household.size() == n &&
                               p.household_id.empty() /* freed once the network was built */ &&
                               p.tenant.size() == n && p.equipment.size() == n &&
                               p.mobility.size() == n && p.digital_skill.size() == n && p.literacy.size() == n &&
                               p.admin_literacy.size() == n && p.trust.size() == n &&
                               p.self_efficacy.size() == n;
    const bool engine_ok = network_.citizens() == n && store_.claims.size() == n * static_cast<std::size_t>(services_) &&
                           capital_score_.size() == n &&
                           capital_centile_.size() == n && store_.knows.size() == n && store_.capable.size() == (n + 63) / 64 &&
                           store_.habit.size() == n && store_.helps_this_month.size() == n && store_.helps_total.size() == n &&
                           (!uses_households(scenario_) ||
                            (households_.role.size() == n && households_.children.size() == 3 * n &&
                             households_.represented.size() == n)) &&
                           (!scenario_.life_course.enabled || store_.gone.size() == n);
    if (!population_ok || !engine_ok || static_cast<std::int64_t>(n) != scenario_.population.size ||
        day_ < 0 || day_ > total_days())
        throw CheckpointError("checkpoint state does not fit its scenario (" + std::to_string(n) + " citizens, day " +
                                 std::to_string(day_) + ")");
    // zone_of() scans the zones from a page's zone: they must tile the
    // population, and the saved page index must be the one they imply.
    Population reindexed;
    reindexed.zones = p.zones;
    reindexed.age.resize(n);
    if (p.zones_tile()) reindexed.index_zones();
    if (!p.zones_tile() || reindexed.zone_of_page != p.zone_of_page)
        throw CheckpointError("checkpoint state's zones do not fit its citizens");
}

Engine::~Engine() = default;

int Engine::total_days() const { return scenario_.warmup_days + scenario_.days; }
bool Engine::completed() const { return day_ >= total_days(); }

// Sums per-block counts into day totals, the index range of every array
// split across threads (at 53.5M citizens, 13,000 blocks of a few thousand
// counts each, every recorded day). Integer sums: any split gives the
// same totals. `sum(first, last, add)` calls add(to, from, first, last)
// for each array; the range is a share [first, last) of each array's length.
template <class Sum>
void Engine::sum_over_blocks(Sum&& sum) {
    static constexpr std::size_t scale = std::size_t{1} << 20;
    const std::size_t parts = static_cast<std::size_t>(4 * std::max(1, executor_.threads()));
    executor_.for_each_block(parts, [&](std::size_t part) {
        const std::size_t first = part * scale / parts, last = (part + 1) * scale / parts;
        sum(first, last, [](std::vector<std::int64_t>& to, const auto& from, std::size_t lo, std::size_t hi) {
            const std::size_t n = from.size();
            for (std::size_t i = lo * n / scale; i < hi * n / scale; ++i) to[i] += from[i];
        });
    });
}

bool Engine::step() {
    if (completed()) return false;
    const auto start = Clock::now();
    Impl& im = *impl_;
    const std::size_t blocks = im.blocks.size();
    const bool rec = im.recording();
    im.serial.counts.clear();
    im.apply_timeline(day_);
    // Life course after 75 (docs/model.md 2.1), every 30 days before phase A.
    if (scenario_.life_course.enabled && day_ > 0 && day_ % 30 == 0) im.life_course(day_);
    // Document requests settled, then the month's controls, before phase A
    // counts their suspensions.
    if (im.control_on()) im.resolve_document_requests(day_);
    if (im.control_on() && day_ % 30 == 0) im.control_round(day_);
    auto phase_start = Clock::now();
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.observe_block(blk); });
    im.reschedule_awareness = 0;
    if (rec && check_counts_) im.check_counts();
    if (rec && im.control_on()) im.record_control_stock(day_);
    stats_.observe_seconds += seconds_since(phase_start);
    DayCounts& total = im.day_total;
    if (rec) {
        // The state counts as phase A left them, before phase B un-counts anyone.
        total.clear();
        sum_over_blocks([&](std::size_t first, std::size_t last, auto&& add) {
            for (const auto& blk : im.blocks) {
                add(total.segment_states, blk.stock.segment_states, first, last);
                add(total.states, blk.stock.states, first, last);
                add(total.centiles, blk.stock.centiles, first, last);
                add(total.queue_length, blk.stock.queue_length, first, last);
                add(total.overdue, blk.counts.overdue, first, last);
                add(total.unclaimed_cents, blk.counts.unclaimed_cents, first, last);
            }
        });
    }
    phase_start = Clock::now();
    executor_.for_each_block(blocks, [&](std::size_t blk) { im.act_block(blk); });
    stats_.act_seconds += seconds_since(phase_start);
    phase_start = Clock::now();
    im.serve(day_);
    stats_.serve_seconds += seconds_since(phase_start);
    if (rec) {
        auto add_events = [&](const DayCounts& c) {
            for (std::size_t i = 0; i < c.events.size(); ++i) total.events[i] += c.events[i];
            for (std::size_t i = 0; i < c.channel_events.size(); ++i) total.channel_events[i] += c.channel_events[i];
            total.helps_given += c.helps_given;
        };
        add_events(im.serial.counts);
        sum_over_blocks([&](std::size_t first, std::size_t last, auto&& add) {
            for (const auto& blk : im.blocks) {
                add(total.events, blk.counts.events, first, last);
                add(total.channel_events, blk.counts.channel_events, first, last);
            }
        });
        for (const auto& blk : im.blocks) total.helps_given += blk.counts.helps_given;
        im.count_tallies(total);
        metrics_.record(day_ - scenario_.warmup_days, total);
    }
    im.end_trace_day();
    ++day_;
    if (completed()) metrics_.set_helps_given(store_.helps_total);
    stats_.simulation_seconds += seconds_since(start);
    return !completed();
}

void Engine::run(const std::function<bool(int, int)>& on_day) {
    while (!completed()) {
        step();
        if (on_day && day_ > scenario_.warmup_days && !on_day(day_ - scenario_.warmup_days, scenario_.days)) return;
    }
}

void Engine::set_trace(const std::vector<std::uint32_t>& citizens) {
    Impl& im = *impl_;
    im.traced.assign(citizens.empty() ? 0 : population_.size(), 0);
    for (const auto c : citizens) {
        if (c >= population_.size())
            throw UsageError("trace: citizen " + std::to_string(c) + " is not in [0, " +
                                    std::to_string(population_.size()) + ")");
        im.traced[c] = 1;
    }
    im.tracing = !citizens.empty();
}

const std::vector<TraceEvent>& Engine::trace() const { return impl_->trace_events; }

// /trace (docs/output.md): one row per event, columns as arrays over the
// event index; the event names are the labels of trace/kind.
void Engine::add_trace(Results& r) const {
    const auto& ev = impl_->trace_events;
    Coordinate index{"trace/event", {}, {}, "event of a traced citizen, in order: by day, then citizen, then as they happened"};
    index.values.resize(ev.size());
    std::iota(index.values.begin(), index.values.end(), std::int64_t{0});
    r.coordinates.push_back(std::move(index));
    r.coordinates.push_back({"trace/kind", trace_event_names(), {}, "what happened (docs/output.md, /trace)"});
    std::vector<std::int64_t> day, citizen, service, kind, channel;
    for (const auto& e : ev) {
        day.push_back(e.day - scenario_.warmup_days);
        citizen.push_back(e.citizen);
        service.push_back(e.service);
        kind.push_back(e.kind);
        channel.push_back(e.channel == trace_no_channel ? -1 : e.channel);
    }
    const std::size_t n = ev.size();
    r.arrays.push_back({"trace/day", {"trace/event"}, {n}, std::move(day),
                        "day of the event: recorded day since the end of the warm-up (negative during the warm-up)", "day"});
    r.arrays.push_back({"trace/citizen", {"trace/event"}, {n}, std::move(citizen), "citizen id (as given to --trace)", "1"});
    r.arrays.push_back({"trace/service", {"trace/event"}, {n}, std::move(service), "service, index into /service", "1"});
    r.arrays.push_back({"trace/event_kind", {"trace/event"}, {n}, std::move(kind), "what happened, index into /trace/kind", "1"});
    r.arrays.push_back({"trace/channel", {"trace/event"}, {n}, std::move(channel),
                        "channel, index into /channel, -1 when the event has none", "1"});
}

void Engine::Impl::end_trace_day() {
    if (!tracing) return;
    std::stable_sort(trace_events.begin() + static_cast<std::ptrdiff_t>(trace_day_start), trace_events.end(),
                     [](const TraceEvent& x, const TraceEvent& y) {
                         return x.citizen != y.citizen ? x.citizen < y.citizen : x.service < y.service;
                     });
    trace_day_start = trace_events.size();
}

Results Engine::control_results() const {
    Results r;
    impl_->add_control_results(r);
    return r;
}

Results Engine::results() const {
    Results r = metrics_.to_results(scenario_);
    impl_->tracking.add_results(r, scenario_);
    impl_->add_control_results(r);
    if (impl_->tracing) add_trace(r);
    r.attributes["threads"] = static_cast<std::int64_t>(executor_.threads());
    r.attributes["population_seconds"] = stats_.population_seconds;
    r.attributes["network_seconds"] = stats_.network_seconds;
    r.attributes["simulation_seconds"] = stats_.simulation_seconds;
    r.attributes["complete"] = static_cast<std::int64_t>(completed() ? 1 : 0);
    return r;
}

std::uint8_t Engine::procedure_flags(std::size_t citizen) const { return impl_->tracking.procedure_flags(citizen); }

long Engine::counter_zone(int service, std::size_t zone) const {
    const std::uint32_t z = impl_->site_zone(service, Channel::counter, zone);
    return z == Impl::no_counter ? -1 : static_cast<long>(z);
}

double Engine::km_to_counter(int service, std::size_t zone) const { return impl_->km_to_site(service, Channel::counter, zone); }
int Engine::closure_rank(std::size_t zone) const { return impl_->closure_rank.at(zone); }

std::size_t Engine::queue_entries(int service, Channel channel, std::size_t zone) const {
    return impl_->queues[impl_->queue_index(service, staffed_index(channel), zone)].size();
}

}  // namespace demat
