// "It" and its antecedent, measured (issue 12, part 3). For each toy-fr sentence with a "because
// it was" clause, at the step where the decoder produces il or elle (teacher-forced on the
// grammar's French): what the model does when a noun changes gender (behaviour), and where each
// explanation method says the choice comes from, over the source words: raw and head-mean
// cross-attention, attention rollout through the encoder into the cross-attention (Abnar &
// Zuidema 2020), gradient×input and leave-one-out (erasing each source word). Transformer only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "data/preprocessor.h"
#include "layers/transformer.h"

HEED_NAMESPACE_BEGIN

// A score per source word (</s> left out), higher = more responsible for the pronoun.
using Attribution = std::vector<double>;

struct PronounProbe {
  std::string english;
  // source word positions: the antecedent noun, the other noun, "it", the predicate ("soft") whose
  // meaning decides which noun "it" is
  Index referent = -1, other = -1, it = -1, predicate = -1;
  bool correct = false;              // the model prefers the grammar's pronoun (il vs elle)
  bool referent_swap_follows = false;  // the antecedent swapped for a noun of the other gender: the choice flips with it
  bool other_swap_keeps = false;       // the other noun swapped likewise: the choice stays
  std::vector<std::pair<std::string, Attribution>> methods;  // the same names, in the same order, for every probe
};

// The examples with a pronoun whose two nouns each have a noun of the same kind and the other
// gender in the grammar; at most `limit` (0 = all). Throws std::invalid_argument when the
// model's vocabularies lack il or elle.
std::vector<PronounProbe> probe_pronouns(const Transformer& model, const Preprocessor& pre,
                                         const std::vector<Example>& examples, std::size_t limit);

struct MethodSummary {
  std::string name;
  double referent = 0, other = 0, it = 0, predicate = 0, elsewhere = 0;  // how often the top word is each
  double tau_gradient = 0, tau_leave_one_out = 0;         // mean Kendall τ-b with those two methods
};
struct ProbeSummary {
  std::size_t sentences = 0;
  double correct = 0, referent_swap_follows = 0, other_swap_keeps = 0;  // fractions
  std::vector<MethodSummary> methods;
};
ProbeSummary summarise(const std::vector<PronounProbe>& probes);

// Kendall's τ-b of two equally long score lists (0 when either is constant).
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

HEED_NAMESPACE_END
