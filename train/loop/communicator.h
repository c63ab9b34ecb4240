// Who else trains the same model, and how to combine with them. The trainer sees only this
// interface; this class itself is the single process (every call leaves the values as they are),
// train/distributed/ derives the MPI ranks of `mpirun -np N heed train`.
#pragma once

#include <cstddef>
#include <vector>

namespace heed {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }

  // Element-wise sum over the ranks, the same result on every rank. The ranks' values are added
  // in rank order (rank 0's + rank 1's + ...), never in arrival order, so a run with the same
  // ranks gives the same bits every time and all ranks hold the same bits.
  virtual void sum(float* values, std::size_t count) { (void)values, (void)count; }
  virtual void sum(double* values, std::size_t count) { (void)values, (void)count; }
  // Every rank's `value`, in rank order.
  virtual std::vector<double> gather(double value) { return {value}; }
  // Rank 0's values, on every rank. Waiting ranks sleep between polls rather than spin: rank 0
  // may be validating or saving for seconds, on cores they share.
  virtual void broadcast(double* values, std::size_t count) { (void)values, (void)count; }
};

}  // namespace heed
