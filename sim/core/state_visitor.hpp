// The engine's state as named arrays, for checkpoints (sim/checkpoint).
//
// The core stays free of I/O: the engine, its population, network and
// metrics name every piece of their state through a StateVisitor, which sees
// only named sections of trivially copyable elements. A saving visitor reads
// them; a restoring visitor resizes and fills them, in the same order.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace demat {

class StateVisitor {
public:
    virtual ~StateVisitor() = default;

    // True when the visitor fills the state (resume), false when it reads it (save).
    virtual bool restoring() const = 0;

    template <class T>
    void operator()(std::string_view name, std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>, "state sections hold plain bytes");
        const std::size_t n = begin_section(name, sizeof(T), values.size());
        if (restoring()) values.resize(n);
        section_data(values.data(), n * sizeof(T));
        end_section();
    }

    // A section whose size the state already has (set by the scenario, or by
    // sections restored before it): a restored count must equal it.
    template <class T>
    void fixed(std::string_view name, std::vector<T>& values) {
        const std::size_t expected = values.size();
        (*this)(name, values);
        if (values.size() != expected) count_mismatch(name, expected, values.size());
    }

    // A single value (a section of one element).
    template <class T>
        requires std::is_trivially_copyable_v<T>
    void operator()(std::string_view name, T& value) {
        const std::size_t n = begin_section(name, sizeof(T), 1);
        if (n != 1) count_mismatch(name, 1, n);
        section_data(&value, sizeof(T));
        end_section();
    }

    void operator()(std::string_view name, std::string& text) {
        std::vector<char> chars(text.begin(), text.end());
        (*this)(name, chars);
        if (restoring()) text.assign(chars.begin(), chars.end());
    }

    template <class T>
    void operator()(std::string_view name, std::deque<T>& values) {
        std::vector<T> flat;
        if (!restoring()) flat.assign(values.begin(), values.end());
        (*this)(name, flat);
        if (restoring()) values.assign(flat.begin(), flat.end());
    }

    // A list of lists, stored flat: "<name>.sizes" then "<name>".
    template <class List>
    void nested(std::string_view name, std::vector<List>& lists) {
        using T = typename List::value_type;
        std::vector<std::size_t> sizes;
        std::vector<T> flat;
        if (!restoring()) {
            for (const auto& l : lists) {
                sizes.push_back(l.size());
                flat.insert(flat.end(), l.begin(), l.end());
            }
        }
        (*this)(std::string(name) + ".sizes", sizes);
        (*this)(name, flat);
        if (restoring()) {
            std::size_t total = 0;
            for (auto s : sizes) total += s;
            if (total != flat.size()) count_mismatch(name, total, flat.size());
            lists.resize(sizes.size());
            std::size_t at = 0;
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                lists[i].assign(flat.begin() + static_cast<std::ptrdiff_t>(at),
                                flat.begin() + static_cast<std::ptrdiff_t>(at + sizes[i]));
                at += sizes[i];
            }
        }
    }

protected:
    // Starts a section of `count` elements of `element_size` bytes; returns
    // the number of elements (restoring: the stored one).
    virtual std::size_t begin_section(std::string_view name, std::size_t element_size, std::size_t count) = 0;
    // The section's bytes: read from (saving) or written to (restoring) `data`.
    virtual void section_data(void* data, std::size_t bytes) = 0;
    virtual void end_section() = 0;
    // A restored section whose element count does not fit the state.
    [[noreturn]] virtual void count_mismatch(std::string_view name, std::size_t expected, std::size_t found) = 0;
};

}  // namespace demat
