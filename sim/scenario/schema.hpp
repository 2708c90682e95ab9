// The parameter schema: the one source of truth for every scenario key's
// name, type, default, allowed range, unit, description and source. The
// reader validates against it and docs/model.md's parameter table is
// generated from it (`demat params --markdown`; a test checks the docs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace demat {

struct ParameterSpec {
    std::string key;          // dotted key; "<service>" / "<channel>" stand for any service / channel name
    std::string type;         // "integer", "float", "boolean", "string", "array of float", ...
    std::string default_value;
    std::string range;        // e.g. "[0, 1]", "one of: doing_for, doing_with"
    std::string unit;         // e.g. "days", "€ per month", "probability per day", "" for none
    std::string description;
    std::string source;       // a calibration figure with its source, or "assumption: why"
};

const std::vector<ParameterSpec>& parameter_schema();

// The schema as a Markdown table (the one in docs/model.md).
std::string parameter_table_markdown();

// The [[timeline]] event kinds as a Markdown table (docs/model.md, section
// 10), generated from each kind's keys (core/timeline_events.hpp).
std::string timeline_table_markdown();
// The same, as plain text for `demat params`.
std::string timeline_events_text();

// `markdown` (the text of docs/model.md) with the table between the
// `<!-- parameters:begin -->` and `<!-- parameters:end -->` markers replaced by
// parameter_table_markdown(); a "## Parameters" section with the markers is
// appended when there are none. The docs are in sync iff this returns its
// input unchanged. The event table between `<!-- timeline:begin -->` and
// `<!-- timeline:end -->`, when present, is replaced by
// timeline_table_markdown() likewise. Throws std::runtime_error when only
// one marker of a pair is present or they are out of order.
std::string update_parameter_section(std::string_view markdown);

}  // namespace demat
