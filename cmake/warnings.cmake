# Warnings live on an INTERFACE target that our own targets link privately,
# so nothing leaks into consumers and no global flags are set.
add_library(demat_warnings INTERFACE)
target_compile_options(demat_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                  $<$<BOOL:${DEMAT_WERROR}>:-Werror>>)
