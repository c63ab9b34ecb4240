// The launcher's environment.
#include "train/distributed/launch.h"

#include <cstdlib>
#include <string>

namespace heed {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

LaunchInfo launch_info() {
  LaunchInfo info;
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) {
    info.size = env_int("OMPI_COMM_WORLD_SIZE", 1);
    info.rank = env_int("OMPI_COMM_WORLD_RANK", 0);
    info.local_size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
    info.launched = true;
  } else if (std::getenv("PMI_SIZE")) {  // MPICH's hydra, Slurm's srun
    info.size = env_int("PMI_SIZE", 1);
    info.rank = env_int("PMI_RANK", 0);
    info.local_size = env_int("MPI_LOCALNRANKS", 1);
    info.launched = true;
  }
  return info;
}

}  // namespace heed
