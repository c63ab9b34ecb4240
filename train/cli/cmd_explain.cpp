// heed explain: does attention explain the pronoun? On a toy-fr transformer, behaviour under noun
// swaps and where each attribution method puts the decision (train/eval/pronoun_probe.h).
#include <cstdio>
#include <iostream>

#include "data/toy_fr.h"
#include "train/cli/cli.h"
#include "train/cli/option_checks.h"
#include "train/cli/translation_setup.h"
#include "train/eval/json.h"
#include "train/eval/pronoun_probe.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--checkpoint CKPT.h5 [--split test|valid] [--limit N] [--json]

For every toy-fr sentence of the split with "because it was", at the step where the model
produces il or elle (teacher-forced on the grammar's French):
  behaviour   does the model prefer the right pronoun; swapping the noun "it" refers to for one of
              the other gender (same kind), does its choice follow; swapping the other noun, does
              its choice stay
  attribution where each method puts the decision among the source words (</s> left out): each
              cross-attention head, the heads' mean per layer, attention rollout through the encoder
              into the cross-attention (Abnar & Zuidema 2020), gradient x input (d log p / d input,
              times the input: token embedding + position), leave-one-out (the fall of log p when
              the word is erased)
For each method: how often its top word is the antecedent noun, the other noun, "it", the
predicate (the clause's last word, whose meaning decides the antecedent) or another word, and its mean Kendall tau-b with gradient x input and with leave-one-out. Transformer only.)";

int run_explain(const po::variables_map& vm);

}  // namespace

Command parse_explain(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "a transformer trained on toy-fr")(
      "split", po::value<std::string>()->default_value("test"), "the toy-fr split to probe: test or valid")(
      "limit", po::value<long long>()->default_value(0), "probe at most this many sentences (0 = all)")(
      "json", flag(), "print one JSON object instead of the table")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)");
  po::variables_map vm;
  if (!parse("explain", kUsage, options, args, vm)) return {};
  return Command{.process = {.threads = int(checked_int(vm, "threads", 0))}, .run = [vm] { return run_explain(vm); }};
}

namespace {

void print_table(const ProbeSummary& s) {
  std::printf("%zu sentences with a pronoun; the model prefers the right one in %.1f%%\n", s.sentences, 100 * s.correct);
  std::printf("behaviour: antecedent swapped to the other gender -> the pronoun follows in %.1f%%; "
              "other noun swapped -> the pronoun stays in %.1f%%\n\n", 100 * s.referent_swap_follows, 100 * s.other_swap_keeps);
  std::printf("%-18s %10s %10s %10s %10s %10s %14s %14s\n", "top word:", "antecedent", "other noun", "\"it\"", "predicate",
              "elsewhere", "tau(grad x in)", "tau(leave-out)");
  for (const MethodSummary& m : s.methods)
    std::printf("%-18s %9.1f%% %9.1f%% %9.1f%% %9.1f%% %9.1f%% %14.2f %14.2f\n", m.name.c_str(), 100 * m.referent,
                100 * m.other, 100 * m.it, 100 * m.predicate, 100 * m.elsewhere, m.tau_gradient, m.tau_leave_one_out);
}

int run_explain(const po::variables_map& vm) {
  const std::string split = vm["split"].as<std::string>();
  if (split != "test" && split != "valid") throw UsageError("--split " + split + ": must be test or valid");
  const std::size_t limit = std::size_t(checked_int(vm, "limit", 0));
  const LoadedModel loaded = load_for_decoding(vm["checkpoint"].as<std::string>());
  const auto* transformer = dynamic_cast<const Transformer*>(loaded.model.get());
  if (!transformer)
    throw UsageError(loaded.path + " is an " + arch_name(loaded.model->config().arch) +
                     " model: heed explain probes a transformer's attention");
  const ProbeSummary summary = summarise(probe_pronouns(*transformer, *loaded.pre, make_toy_fr(split, TaskOptions{}), limit));
  if (!vm["json"].as<bool>()) {
    print_table(summary);
    return 0;
  }
  Json methods = Json::array();
  for (const MethodSummary& m : summary.methods)
    methods.push_back(JsonObject()
                          .text("name", m.name)
                          .number("antecedent", m.referent)
                          .number("other_noun", m.other)
                          .number("it", m.it)
                          .number("predicate", m.predicate)
                          .number("elsewhere", m.elsewhere)
                          .number("tau_gradient_x_input", m.tau_gradient)
                          .number("tau_leave_one_out", m.tau_leave_one_out)
                          .json());
  std::cout << JsonObject()
                   .text("checkpoint", loaded.path)
                   .integer("sentences", (long long)summary.sentences)
                   .number("correct", summary.correct)
                   .number("antecedent_swap_follows", summary.referent_swap_follows)
                   .number("other_swap_keeps", summary.other_swap_keeps)
                   .value("methods", methods)
                   .str()
            << "\n";
  return 0;
}

}  // namespace

}  // namespace heed::cli
