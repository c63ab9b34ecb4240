// Thread count for Eigen's parallel products.
#include "train/threads.h"

#include <Eigen/Core>
#include <stdexcept>
#include <string>
#include <thread>

namespace heed {

void set_threads(int threads) {
  if (threads < 0) throw std::invalid_argument("--threads: " + std::to_string(threads) + " must be >= 0");
  const int n = threads == 0 ? int(std::thread::hardware_concurrency()) : threads;
  Eigen::setNbThreads(n > 0 ? n : 1);
}

int thread_count() { return Eigen::nbThreads(); }

}  // namespace heed
