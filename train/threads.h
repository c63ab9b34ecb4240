// The number of threads heed's kernels use (Eigen's matrix products through OpenMP).
#pragma once

namespace heed {

// 0 = all cores. Throws std::invalid_argument naming --threads for a negative count.
void set_threads(int threads);
int thread_count();

}  // namespace heed
