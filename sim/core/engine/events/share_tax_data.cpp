// share_tax_data (docs/model.md, sections 6.15 and 10).
#include "core/engine/impl.hpp"

namespace demat::event {

void apply(const ShareTaxData& ev, EventContext& at) { at.impl.tax_data_shared = ev.shared; }

}  // namespace demat::event
