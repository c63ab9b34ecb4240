// heed score: BLEU, chrF, exact match and token accuracy of a hypothesis file against one or
// more reference files, with a sacreBLEU-style signature saying how they were computed.
#include <cstdio>
#include <iostream>

#include "train/cli/cli.h"
#include "train/cli/option_checks.h"
#include "train/cli/translation_setup.h"
#include "train/eval/json.h"
#include "train/eval/metrics.h"

namespace heed::cli {

namespace {

int run_score(const po::variables_map& vm);

}  // namespace

Command parse_score(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("hyp", po::value<std::string>()->required(), "hypotheses, one per line (- = stdin)")(
      "ref", po::value<std::vector<std::string>>()->required(),
      "references, one per line; repeat for several references per sentence (an empty line: none for it)")(
      "json", flag(), "print one JSON object");
  po::variables_map vm;
  if (!parse("score",
             "--hyp FILE|- --ref FILE [--ref FILE2 ...] [--json]\n\n"
             "BLEU and chrF2 are sacreBLEU 2.x's defaults (13a tokenization, exp smoothing; character\n"
             "6-grams, no word n-grams), named by a signature line in sacreBLEU's style. Exact match: the\n"
             "hypothesis equals one of its references; token accuracy is against the first reference.",
             options, args, vm))
    return {};
  return Command{.process = {}, .run = [vm] { return run_score(vm); }};
}

namespace {

// sacreBLEU's signatures of its default BLEU and chrF, version naming this implementation.
std::string bleu_signature(std::size_t refs) {
  return "nrefs:" + std::to_string(refs) + "|case:mixed|eff:no|tok:13a|smooth:exp|version:heed-" HEED_VERSION;
}
std::string chrf_signature(std::size_t refs) {
  return "nrefs:" + std::to_string(refs) + "|case:mixed|eff:yes|nc:6|nw:0|space:no|version:heed-" HEED_VERSION;
}

int run_score(const po::variables_map& vm) {
  const std::string hyp_path = vm["hyp"].as<std::string>();
  const std::vector<std::string> ref_paths = vm["ref"].as<std::vector<std::string>>();
  const std::vector<std::string> hyp = read_text_file(hyp_path);
  if (hyp.empty()) throw UsageError((hyp_path == "-" ? std::string("stdin") : hyp_path) + ": no lines to score");
  std::vector<std::vector<std::string>> refs;
  for (const std::string& path : ref_paths) {
    if (path == "-") throw UsageError("--ref: give references as files (stdin is for --hyp)");
    refs.push_back(read_text_file(path));
    if (refs.back().size() != hyp.size())
      throw UsageError((hyp_path == "-" ? std::string("stdin") : hyp_path) + " has " + std::to_string(hyp.size()) +
                       " lines but " + path + " has " + std::to_string(refs.back().size()));
  }
  const BleuScore b = bleu_multi_ref(hyp, refs);
  const double c = chrf_multi_ref(hyp, refs), ta = token_accuracy(hyp, refs[0]);
  std::size_t matched = 0;
  for (std::size_t i = 0; i < hyp.size(); ++i)
    for (const auto& stream : refs)
      if (exact_match({hyp[i]}, {stream[i]}) == 1) {
        ++matched;
        break;
      }
  const double em = double(matched) / double(hyp.size());
  if (vm["json"].as<bool>()) {
    const Json signature =
        JsonObject().text("bleu", bleu_signature(refs.size())).text("chrf", chrf_signature(refs.size())).json();
    std::cout << JsonObject()
                     .number("bleu", b.score, 4)
                     .number("chrf", c, 4)
                     .number("exact_match", em)
                     .number("token_accuracy", ta)
                     .integer("sentences", (long long)hyp.size())
                     .integer("references", (long long)refs.size())
                     .value("signature", signature)
                     .str()
              << "\n";
  } else {
    std::printf("%s\nchrF2 = %.2f\nexact match %.2f%%  token accuracy %.2f%%  (%zu sentences)\n",
                format_bleu(b).c_str(), c, 100 * em, 100 * ta, hyp.size());
    std::printf("signature: BLEU|%s chrF2|%s\n", bleu_signature(refs.size()).c_str(), chrf_signature(refs.size()).c_str());
  }
  return 0;
}

}  // namespace

}  // namespace heed::cli
