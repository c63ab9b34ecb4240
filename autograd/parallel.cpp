// A fixed pool of sleeping workers that help the calling thread through one loop at a time.
#include "autograd/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HEED_CPU_RELAX() _mm_pause()
#else
#define HEED_CPU_RELAX() ((void)0)
#endif
#include <mutex>
#include <thread>
#include <vector>

#ifdef HEED_OPENBLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace heed {

namespace {

#ifdef HEED_OPENBLAS
// heed's own pool splits work across threads; OpenBLAS's threads would compete with it and
// spin while waiting. Each product therefore runs on the thread that calls it.
[[maybe_unused]] const bool kBlasSingleThreaded = (openblas_set_num_threads(1), true);
#endif

using Body = std::function<void(Eigen::Index, Eigen::Index)>;

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int threads) {
    stop_workers();
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
    threads_ = std::max(1, threads);
  }
  int threads() const { return threads_; }

  void run(Eigen::Index n, Eigen::Index grain, const Body& body) {
    const Eigen::Index chunks = (n + grain - 1) / grain;
    if (threads_ == 1 || chunks <= 1 || busy_.exchange(true)) {  // small, or nested in a loop: inline
      if (n > 0) body(0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = &body;
      n_ = n;
      grain_ = grain;
      next_.store(0);
      open_ = true;
      ++generation_;
    }
    wake_.notify_all();
    take_chunks();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = false;  // no worker joins from here on
    }
    spin_while([this] { return active_.load() != 0; });
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_ == 0; });
    busy_.store(false);
  }

 private:
  // Runs chunks until none is left. body_, n_ and grain_ are stable while the loop is open.
  void take_chunks() {
    for (;;) {
      const Eigen::Index begin = next_.fetch_add(grain_);
      if (begin >= n_) return;
      (*body_)(begin, std::min(n_, begin + grain_));
    }
  }

  // Spins while `condition` holds, for at most kSpins pauses (about 0.12 ms on the 2-core AMD
  // EPYC). The ops of a training step open their loops microseconds apart, and waking a sleeping
  // thread takes longer: the short spin saved 100 of 140 context switches per step of the small
  // language model, and a loaded machine loses at most that much per loop.
  template <class Condition>
  static void spin_while(Condition condition) {
    for (int i = 0; i < kSpins && condition(); ++i) HEED_CPU_RELAX();
  }

  void work() {
    long long seen = 0;
    for (;;) {
      spin_while([&] { return generation_.load() == seen && !quit_.load(); });
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || (open_ && generation_ != seen); });
        if (quit_) return;
        seen = generation_;
        ++active_;  // the caller waits for us before it returns
      }
      take_chunks();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) done_.notify_all();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    quit_ = false;
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const Body* body_ = nullptr;
  Eigen::Index n_ = 0, grain_ = 1;
  std::atomic<Eigen::Index> next_{0};
  std::atomic<bool> busy_{false}, quit_{false};
  bool open_ = false;
  std::atomic<int> active_{0};  // changed under mutex_; read without it while spinning
  std::atomic<long long> generation_{0};
  static constexpr int kSpins = 4000;
  int threads_ = 1;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_parallel_threads(int threads) {
  const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  if (n != pool().threads()) pool().resize(n);
}

int parallel_threads() { return pool().threads(); }

Eigen::Index balanced_grain(Eigen::Index n, Eigen::Index largest) {
  const Eigen::Index threads = pool().threads(), per_round = threads * std::max<Eigen::Index>(1, largest);
  const Eigen::Index chunks = threads * ((n + per_round - 1) / per_round);
  return std::max<Eigen::Index>(1, (n + chunks - 1) / chunks);
}

void parallel_for(Eigen::Index n, Eigen::Index grain, const Body& body) {
  pool().run(n, std::max<Eigen::Index>(1, grain), body);
}

}  // namespace heed
