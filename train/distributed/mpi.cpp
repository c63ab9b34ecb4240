// The trainer's Communicator over MPI. Sums are a reduce-scatter and an allgather written with
// MPI_Alltoallv and MPI_Allgatherv rather than MPI_Allreduce, whose order of additions is the
// library's choice (and may change with the message size or the rank count): here each rank adds
// one slice of the vector, always in rank order, and sends its slice to all. The bytes moved are
// those of a ring allreduce, 2 (N-1)/N of the vector per rank.
#include <mpi.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "train/distributed/launch.h"

namespace heed {

namespace {

template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  // After an error, main() ends the job with abort_job(): MPI_Finalize would wait for ranks that
  // are still training.
  ~MpiCommunicator() override {
    if (std::uncaught_exceptions() == 0) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(float* values, std::size_t count) override { rank_ordered_sum(values, count); }
  void sum(double* values, std::size_t count) override { rank_ordered_sum(values, count); }

  std::vector<double> gather(double value) override {
    std::vector<double> all(std::size_t(size_), 0.0);
    MPI_Allgather(&value, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
    return all;
  }

  void broadcast(double* values, std::size_t count) override {
    MPI_Request request;
    MPI_Ibcast(values, int(count), MPI_DOUBLE, 0, MPI_COMM_WORLD, &request);
    wait_politely(request);
  }

 private:
  // Polls with short sleeps: a blocking MPI call would spin on a core that rank 0 (validating,
  // saving) may need.
  static void wait_politely(MPI_Request& request) {
    for (int done = 0;;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) return;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  template <class T>
  void rank_ordered_sum(T* values, std::size_t count) {
    if (size_ == 1 || count == 0) return;
    if (count > std::size_t(1) << 30) throw std::length_error("rank_ordered_sum: more than 2^30 values at once");
    const std::size_t n = std::size_t(size_);
    std::vector<int> counts(n), offsets(n);  // slice r: the values rank r adds up
    for (std::size_t r = 0; r < n; ++r) {
      offsets[r] = int(count * r / n);
      counts[r] = int(count * (r + 1) / n) - offsets[r];
    }
    const int mine = counts[std::size_t(rank_)];
    std::vector<int> from_counts(n, mine), from_offsets(n);
    for (std::size_t r = 0; r < n; ++r) from_offsets[r] = int(r) * mine;
    scratch<T>().resize(n * std::size_t(mine));
    T* received = scratch<T>().data();  // every rank's copy of my slice, in rank order
    MPI_Alltoallv(values, counts.data(), offsets.data(), mpi_type<T>(), received, from_counts.data(),
                  from_offsets.data(), mpi_type<T>(), MPI_COMM_WORLD);
    T* slice = values + offsets[std::size_t(rank_)];
    for (int i = 0; i < mine; ++i) {
      T total = received[i];
      for (std::size_t r = 1; r < n; ++r) total += received[r * std::size_t(mine) + std::size_t(i)];
      slice[i] = total;
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, mpi_type<T>(), values, counts.data(), offsets.data(), mpi_type<T>(),
                   MPI_COMM_WORLD);
  }

  template <class T>
  std::vector<T>& scratch() {
    if constexpr (std::is_same_v<T, float>) return scratch_f_;
    else return scratch_d_;
  }

  int rank_ = 0, size_ = 1;
  std::vector<float> scratch_f_;
  std::vector<double> scratch_d_;
};

}  // namespace

bool mpi_built() { return true; }

std::unique_ptr<Communicator> start_mpi() {
  auto comm = std::make_unique<MpiCommunicator>();
  const LaunchInfo launch = launch_info();
  if (launch.launched && (launch.rank != comm->rank() || launch.size != comm->size()))
    throw std::runtime_error("MPI says rank " + std::to_string(comm->rank()) + " of " + std::to_string(comm->size()) +
                             ", the launcher's environment rank " + std::to_string(launch.rank) + " of " +
                             std::to_string(launch.size));
  return comm;
}

void abort_job(int exit_code) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, exit_code);
}

}  // namespace heed
