// parallel_for: splits a loop into chunks that a small pool of threads pulls one at a time.
// Between loops threads spin for at most ~0.1 ms (the next loop usually comes sooner), then sleep
// on a condition variable; chunks are taken dynamically, so a thread that the OS deschedules (the
// other core busy) delays nothing: the rest take its share.
#pragma once

#include <functional>

#include "autograd/scalar.h"

namespace heed {

// Threads used by parallel_for, the caller included; 1 runs loops inline. 0 = all cores.
void set_parallel_threads(int threads);
int parallel_threads();

// Calls body(begin, end) over [0, n) in chunks of about `grain` iterations, possibly at once
// on several threads. body must be safe to run concurrently on disjoint ranges.
void parallel_for(Eigen::Index n, Eigen::Index grain, const std::function<void(Eigen::Index, Eigen::Index)>& body);

// A grain of at most `largest` iterations that cuts [0, n) into a multiple of the thread count
// of equal chunks: 768 rows in chunks of 256 would leave one of 2 threads idle a third of the time.
Eigen::Index balanced_grain(Eigen::Index n, Eigen::Index largest);

}  // namespace heed
