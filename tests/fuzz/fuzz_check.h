#pragma once

#include <cstdio>
#include <cstdlib>

// A fuzz target reports a broken invariant by aborting, so that both libFuzzer and our replay
// driver (fuzz_driver.cpp) stop on the input that broke it. Never compiled out, unlike assert().
#define FUZZ_CHECK(cond, what)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s (%s)\n", __FILE__, __LINE__, what,  \
                   #cond);                                                                         \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)
