// std::atomic_ref where the standard library has it, else the same
// operations on the compiler's __atomic builtins (GCC and clang): libc++ 14,
// the WebAssembly build's (docs/classroom.md), has no std::atomic_ref.
// The engine uses relaxed order only, which the fallback always gives.
#pragma once

#include <atomic>

namespace demat {

#if defined(__cpp_lib_atomic_ref)
template <class T>
using atomic_ref = std::atomic_ref<T>;
#else
template <class T>
class atomic_ref {
public:
    explicit atomic_ref(T& x) : p_(&x) {}
    T load(std::memory_order = std::memory_order_seq_cst) const { return __atomic_load_n(p_, __ATOMIC_RELAXED); }
    T fetch_add(T v, std::memory_order = std::memory_order_seq_cst) const {
        return __atomic_fetch_add(p_, v, __ATOMIC_RELAXED);
    }
    T fetch_sub(T v, std::memory_order = std::memory_order_seq_cst) const {
        return __atomic_fetch_sub(p_, v, __ATOMIC_RELAXED);
    }
    T fetch_or(T v, std::memory_order = std::memory_order_seq_cst) const {
        return __atomic_fetch_or(p_, v, __ATOMIC_RELAXED);
    }

private:
    T* p_;
};
#endif

}  // namespace demat
