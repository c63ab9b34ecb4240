#include "train/cli.h"
namespace heed::cli {
int run_train(const std::vector<std::string>&, bool) { throw UsageError("not built yet"); }
int run_eval(const std::vector<std::string>&) { throw UsageError("not built yet"); }
int run_translate(const std::vector<std::string>&) { throw UsageError("not built yet"); }
int run_score(const std::vector<std::string>&) { throw UsageError("not built yet"); }
int run_data(const std::vector<std::string>&) { throw UsageError("not built yet"); }
}
