// A heed built without MPI (cmake -DHEED_MPI=OFF, or Open MPI not installed): one process only.
#include <stdexcept>

#include "train/distributed/launch.h"

namespace heed {

bool mpi_built() { return false; }

std::unique_ptr<Communicator> start_mpi() {
  throw std::runtime_error("this heed was built without MPI (install libopenmpi-dev and rebuild; cmake -DHEED_MPI=ON)");
}

void abort_job(int) {}

}  // namespace heed
