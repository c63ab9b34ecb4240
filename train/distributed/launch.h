// Data-parallel training over MPI (`mpirun -np N heed train ...`): how a process learns that it
// is one rank of several, and the MPI implementation of the trainer's Communicator.
#pragma once

#include <memory>

#include "train/loop/communicator.h"

namespace heed {

// What the launcher says in the environment (Open MPI's OMPI_COMM_WORLD_*, else PMI_*): read
// before MPI starts, since the save-dir lock and the thread count are decided before it.
struct LaunchInfo {
  int rank = 0, size = 1;
  int local_size = 1;  // ranks on this machine, which share its cores
  bool launched = false;  // the variables were there: started by mpirun
};
LaunchInfo launch_info();

// Whether this heed was built with MPI (cmake -DHEED_MPI=ON, the default when Open MPI is found).
bool mpi_built();
// Starts MPI and returns the ranks' communicator. Throws std::runtime_error when this heed was
// built without MPI, or when MPI's rank differs from launch_info()'s.
std::unique_ptr<Communicator> start_mpi();
// After an error on one rank: ends the whole job at once (MPI_Abort), so that no other rank waits
// in a collective for it. Does nothing when MPI is not running.
void abort_job(int exit_code);

}  // namespace heed
