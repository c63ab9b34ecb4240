// A fixed pool of sleeping workers that help the calling thread through one loop at a time.
#include "autograd/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
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
    std::unique_lock<std::mutex> lock(mutex_);
    open_ = false;  // no worker joins from here on
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

  void work() {
    long long seen = 0;
    for (;;) {
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
  std::atomic<bool> busy_{false};
  bool open_ = false, quit_ = false;
  int active_ = 0;
  long long generation_ = 0;
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

void parallel_for(Eigen::Index n, Eigen::Index grain, const Body& body) {
  pool().run(n, std::max<Eigen::Index>(1, grain), body);
}

}  // namespace heed
