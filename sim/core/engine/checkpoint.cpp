// Checkpointed state: what a resumed run needs to continue bit for bit (docs/output.md, checkpoint).
#include "core/engine/impl.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

// ------------------------------------------------------------ checkpoint
// Impl's share of Engine::visit_state. Not listed, because they hold
// nothing from one day to the next: `scratch` (its type, DayScratch, says
// so), each block's DayCounts (cleared in phase A), serial.counts (cleared
// at the start of step), day_total (cleared before use), and
// reschedule_awareness (zero between days); the schedule, offsets, total_groups_,
// peer_share_bound and the awareness_factors table are constants derived
// from the scenario alone, recomputed by the constructor (which the
// restoring Engine constructor runs too) with the same expressions.
void Engine::Impl::visit_state(StateVisitor& visit) {
    for (int s = 0; s < services; ++s) visit_policy(visit, "policy." + std::to_string(s) + ".", policy[static_cast<std::size_t>(s)]);
    visit("timeline.next_event", next_event);
    visit.fixed("timeline.outage_closed", outage_closed);
    visit.fixed("timeline.mediation_sites", mediation_sites);
    // The constructor takes it from the zones, which a restore has already
    // set to their changed distances: the saved one is the true initial one.
    visit.fixed("timeline.initial_km_to_mediation", initial_km_to_mediation);
    visit.nested("timeline.targeted_outreach", targeted_outreach);
    visit.fixed("timeline.prefilled_complexity", prefilled_complexity);
    if (agencies_on) visit("agencies.tax_data_shared", tax_data_shared);
    visit_stock(visit, "stock.segment_states", &BlockStock::segment_states);
    visit_stock(visit, "stock.states", &BlockStock::states);
    visit_stock(visit, "stock.centiles", &BlockStock::centiles);
    visit_stock(visit, "stock.queue_length", &BlockStock::queue_length);
    if (control_on()) visit_stock(visit, "stock.suspended", &BlockStock::suspended);
    visit_requests(visit, "block.queue_requests", &BlockOutput::queue_requests);
    visit_requests(visit, "block.help_requests", &BlockOutput::help_requests);
    visit("serial.help_requests", serial.help_requests);
    visit("serial.queue_requests", serial.queue_requests);
    visit("queues.carried", carried);
    visit.nested("queues.waiting", queues);
    visit.fixed("queues.credit", queue_credit);
    visit.fixed("queues.daily_capacity", queue_daily_capacity);
    visit.fixed("channels.open", open_channels);
    // Counters by zone (6.13): the closures and what they imply, small;
    // the zones' centres are a constant of the seed.
    visit.fixed("counters.closed", counter_closed);
    visit.fixed("counters.zone", counter_zone);
    visit.fixed("counters.km", counter_km);
    visit("counters.moved", counters_moved);
    visit.fixed("citizen.service_habit", store.service_habit);
    visit.fixed("identity.checked", store.identity_checked);
    visit.fixed("observe.dirty", store.dirty);
    visit.fixed("observe.due", store.due);
    visit.fixed("life.next_employment_event", store.next_employment_event);
    // Only in runs that move, so that the others' checkpoints are unchanged.
    if (sc.moving.enabled) visit.fixed("life.next_move", store.next_move);
    // The citizen indicators (core/tracking.hpp): their windows are fixed
    // by the scenario, their per-citizen bits accumulate day by day.
    visit.fixed("tracking.persistent", tracking.persistent());
    visit.fixed("tracking.procedures", tracking.procedures());
    visit.fixed("tracking.cohort", tracking.cohort());
    visit.nested("observe.in_progress", in_progress);
    visit_control_state(visit);
    if (visit.restoring() && (queues.size() != queue_credit.size() || in_progress.size() != blocks.size() ||
                              targeted_outreach.size() != static_cast<std::size_t>(services) ||
                              next_event > schedule.size()))
        throw CheckpointError("checkpoint state does not fit its scenario (queues, blocks or timeline)");
}

// Every member of ServiceParams: the timeline changes some of them (a
// test checks that this lists as many as the struct has).
void Engine::Impl::visit_policy(StateVisitor& visit, const std::string& prefix, ServiceParams& svc) {
    visit(prefix + "name", svc.name);
    visit(prefix + "kind", svc.kind);
    visit(prefix + "eligibility", svc.eligibility);
    visit(prefix + "monthly_amount", svc.monthly_amount);
    visit(prefix + "complexity_first", svc.complexity_first);
    visit(prefix + "complexity_renewal", svc.complexity_renewal);
    visit(prefix + "identity", svc.identity);
    visit(prefix + "channels", svc.channels);
    visit(prefix + "processing_days", svc.processing_days);
    visit(prefix + "renewal_days", svc.renewal_days);
    visit(prefix + "outreach", svc.outreach);
    visit(prefix + "automatic", svc.automatic);
    visit(prefix + "stigma", svc.stigma);
    visit(prefix + "eligibility_doubt", svc.eligibility_doubt);
    visit(prefix + "unit", svc.unit);
    visit(prefix + "amount_rule", svc.amount_rule);
    visit(prefix + "agency", svc.agency);
}

// The blocks' state counts, as one flat array (each block's size is set
// by the scenario).
void Engine::Impl::visit_stock(StateVisitor& visit, std::string_view name, std::vector<std::int16_t> BlockStock::*member) {
    std::vector<std::int16_t> flat;
    for (auto& blk : blocks) flat.insert(flat.end(), (blk.stock.*member).begin(), (blk.stock.*member).end());
    visit.fixed(name, flat);
    if (!visit.restoring()) return;
    auto at = flat.begin();
    for (auto& blk : blocks) {
        std::copy(at, at + static_cast<std::ptrdiff_t>((blk.stock.*member).size()), (blk.stock.*member).begin());
        at += static_cast<std::ptrdiff_t>((blk.stock.*member).size());
    }
}

// Requests lists are empty between days (phase C takes them all); listed
// anyway, so that the rule "everything that may carry over" holds.
template <class Request>
void Engine::Impl::visit_requests(StateVisitor& visit, std::string_view name, std::vector<Request> BlockOutput::*member) {
    std::vector<std::vector<Request>> lists;
    for (auto& blk : blocks) lists.push_back(blk.*member);
    visit.nested(name, lists);
    if (!visit.restoring()) return;
    if (lists.size() != blocks.size()) throw CheckpointError("checkpoint section '" + std::string(name) + "' does not fit the blocks");
    for (std::size_t i = 0; i < blocks.size(); ++i) blocks[i].*member = std::move(lists[i]);
}

}  // namespace demat
