#include "io/results_bytes.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace demat {

namespace {

constexpr std::string_view magic = "demat-results-2\n";
constexpr std::uint32_t byte_order_mark = 0x01020304;

class Packer {
public:
    explicit Packer(std::size_t capacity) { out_.reserve(capacity); }
    void raw(const void* data, std::size_t size) {
        if (size != 0) out_.append(static_cast<const char*>(data), size);  // an empty array's data() may be null
    }
    template <class T>
    void number(T value) {
        static_assert(std::is_arithmetic_v<T>);
        raw(&value, sizeof value);
    }
    void size(std::size_t n) { number(static_cast<std::uint64_t>(n)); }
    void text(const std::string& s) {
        size(s.size());
        raw(s.data(), s.size());
    }
    template <class T>
    void numbers(const std::vector<T>& v) {
        size(v.size());
        raw(v.data(), v.size() * sizeof(T));
    }
    void texts(const std::vector<std::string>& v) {
        size(v.size());
        for (const auto& s : v) text(s);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Unpacker {
public:
    explicit Unpacker(std::string_view in) : in_(in) {}
    void raw(void* data, std::size_t size) {
        if (size > in_.size() - at_) throw std::runtime_error("packed results: truncated");
        if (size == 0) return;  // an empty array's data() may be null: no memcpy from or to it
        std::memcpy(data, in_.data() + at_, size);
        at_ += size;
    }
    template <class T>
    T number() {
        T value;
        raw(&value, sizeof value);
        return value;
    }
    std::size_t size() {
        const auto n = number<std::uint64_t>();
        if (n > in_.size() - at_) throw std::runtime_error("packed results: truncated");  // no item is under a byte
        return static_cast<std::size_t>(n);
    }
    std::string text() {
        std::string s(size(), '\0');
        raw(s.data(), s.size());
        return s;
    }
    template <class T>
    std::vector<T> numbers() {
        const std::size_t n = size();
        if (n > (in_.size() - at_) / sizeof(T)) throw std::runtime_error("packed results: truncated");
        std::vector<T> v(n);
        raw(v.data(), n * sizeof(T));
        return v;
    }
    std::vector<std::string> texts() {
        std::vector<std::string> v(size());
        for (auto& s : v) s = text();
        return v;
    }
    bool done() const { return at_ == in_.size(); }

private:
    std::string_view in_;
    std::size_t at_ = 0;
};

}  // namespace

std::string pack_results(const Results& r) {
    // One allocation: the arrays are nearly all of it.
    std::size_t capacity = 4096;
    for (const auto& a : r.arrays) capacity += a.size() * 8 + 256;
    for (const auto& c : r.coordinates) capacity += c.values.size() * 8 + c.labels.size() * 32 + 256;
    for (const auto& [key, value] : r.attributes)
        capacity += key.size() + 32 + (std::holds_alternative<std::string>(value) ? std::get<std::string>(value).size() : 0);
    Packer p(capacity);
    p.number(byte_order_mark);
    p.size(r.attributes.size());
    for (const auto& [key, value] : r.attributes) {
        p.text(key);
        p.number(static_cast<std::uint8_t>(value.index()));
        if (const auto* s = std::get_if<std::string>(&value)) p.text(*s);
        if (const auto* i = std::get_if<std::int64_t>(&value)) p.number(*i);
        if (const auto* d = std::get_if<double>(&value)) p.number(*d);
    }
    p.size(r.coordinates.size());
    for (const auto& c : r.coordinates) {
        p.text(c.path);
        p.texts(c.labels);
        p.numbers(c.values);
        p.text(c.description);
    }
    p.size(r.arrays.size());
    for (const auto& a : r.arrays) {
        p.text(a.path);
        p.texts(a.dims);
        std::vector<std::uint64_t> shape(a.shape.begin(), a.shape.end());
        p.numbers(shape);
        p.text(a.description);
        p.text(a.unit);
        p.number(static_cast<std::uint8_t>(a.is_integer() ? 0 : 1));
        if (a.is_integer())
            p.numbers(a.integers());
        else
            p.numbers(a.reals());
    }
    const std::string raw = p.take();
    // zlib's fastest level: the counts are mostly small integers and runs of
    // zeros (about 7x smaller), which costs the worker less than moving and
    // journaling the raw bytes costs the gathering process.
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string out(magic);
    const std::uint64_t raw_size = raw.size();
    out.append(reinterpret_cast<const char*>(&raw_size), sizeof raw_size);
    const std::size_t header = out.size();
    out.resize(header + packed_size);
    if (compress2(reinterpret_cast<Bytef*>(out.data() + header), &packed_size,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), Z_BEST_SPEED) != Z_OK)
        throw std::runtime_error("packed results: compression failed");
    out.resize(header + packed_size);
    return out;
}

Results unpack_results(std::string_view bytes) {
    if (bytes.substr(0, magic.size()) != magic) throw std::runtime_error("packed results: not a packed Results");
    std::uint64_t raw_size = 0;
    if (bytes.size() < magic.size() + sizeof raw_size) throw std::runtime_error("packed results: truncated");
    std::memcpy(&raw_size, bytes.data() + magic.size(), sizeof raw_size);
    const std::string_view packed = bytes.substr(magic.size() + sizeof raw_size);
    // A size no compression ratio can reach is damage, not a reason to allocate it.
    if (raw_size / 1100 > packed.size()) throw std::runtime_error("packed results: bad size");
    std::string raw(static_cast<std::size_t>(raw_size), '\0');
    uLongf raw_length = static_cast<uLongf>(raw_size);
    uLong consumed = static_cast<uLong>(packed.size());
    if (uncompress2(reinterpret_cast<Bytef*>(raw.data()), &raw_length, reinterpret_cast<const Bytef*>(packed.data()),
                    &consumed) != Z_OK ||
        raw_length != raw_size)
        throw std::runtime_error("packed results: damaged or truncated");
    if (consumed != packed.size()) throw std::runtime_error("packed results: trailing bytes");
    Unpacker u(raw);
    if (u.number<std::uint32_t>() != byte_order_mark)
        throw std::runtime_error("packed results: packed on a machine of another byte order");
    Results r;
    for (std::size_t n = u.size(); n > 0; --n) {
        std::string key = u.text();
        switch (u.number<std::uint8_t>()) {
            case 0: r.attributes[key] = u.text(); break;
            case 1: r.attributes[key] = u.number<std::int64_t>(); break;
            case 2: r.attributes[key] = u.number<double>(); break;
            default: throw std::runtime_error("packed results: bad attribute type");
        }
    }
    for (std::size_t n = u.size(); n > 0; --n) {
        Coordinate c;
        c.path = u.text();
        c.labels = u.texts();
        c.values = u.numbers<std::int64_t>();
        c.description = u.text();
        r.coordinates.push_back(std::move(c));
    }
    for (std::size_t n = u.size(); n > 0; --n) {
        Array a;
        a.path = u.text();
        a.dims = u.texts();
        for (auto s : u.numbers<std::uint64_t>()) a.shape.push_back(static_cast<std::size_t>(s));
        a.description = u.text();
        a.unit = u.text();
        const auto kind = u.number<std::uint8_t>();
        if (kind == 0)
            a.data = u.numbers<std::int64_t>();
        else if (kind == 1)
            a.data = u.numbers<double>();
        else
            throw std::runtime_error("packed results: bad array type");
        if (a.size() != (a.is_integer() ? a.integers().size() : a.reals().size()))
            throw std::runtime_error("packed results: array '" + a.path + "' does not fill its shape");
        r.arrays.push_back(std::move(a));
    }
    if (!u.done()) throw std::runtime_error("packed results: trailing bytes");
    return r;
}

}  // namespace demat
