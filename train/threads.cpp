// Thread count for heed's parallel loops.
#include "train/threads.h"

#include <malloc.h>

#include <stdexcept>
#include <string>

#include "autograd/parallel.h"

namespace heed {

void set_threads(int threads) {
  if (threads < 0) throw std::invalid_argument("--threads: " + std::to_string(threads) + " must be >= 0");
  set_parallel_threads(threads);
  // Activations are allocated and freed every step: keep freed memory in the heap instead of
  // returning it to the OS, which costs a page fault per page at the next step.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int thread_count() { return parallel_threads(); }

}  // namespace heed
