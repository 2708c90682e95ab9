# Warnings (and, on request, sanitizers) live on an INTERFACE target that our
# own targets link privately, so nothing leaks into consumers and no global
# flags are set.
set(DEMAT_SANITIZE "" CACHE STRING "Sanitizers for every demat target, e.g. 'address,undefined' or 'thread'")

add_library(demat_warnings INTERFACE)
target_compile_options(demat_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                  $<$<BOOL:${DEMAT_WERROR}>:-Werror>>)
if(DEMAT_SANITIZE)
  target_compile_options(demat_warnings INTERFACE -fsanitize=${DEMAT_SANITIZE} -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=all)
  target_link_options(demat_warnings INTERFACE -fsanitize=${DEMAT_SANITIZE})
endif()
