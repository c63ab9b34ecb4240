// toy-fr: English -> French sentences from a fixed grammar (data/toy_fr_grammar.h) that need
// attention: adjectives move and agree, articles agree, and "it" becomes il/elle by the
// gender of the noun the clause's meaning picks, not the nearest one:
//   the cat sat on the mat because it was soft -> le chat s'est assis sur le tapis parce qu'il était doux
//   the cow ate the cake because it was hungry -> la vache a mangé le gâteau parce qu'elle était affamée
//
// Splits: some (noun, predicate) pairings ("the cow ... it was sleepy") and (subject, object)
// pairings ("the cow ... the mat") are held out of train entirely. valid and test hold only
// sentences with at least one held-out pairing (split between them by a hash of the
// sentence); train holds none. Every word, inflected form and construction still occurs in
// train. Sentences are unique within a split.
#pragma once

#include <string>
#include <vector>

#include "data/tasks.h"

namespace heed {

// The examples of a split; English length (words) within [min_len, max_len] of the options.
// Throws std::invalid_argument when the length range excludes every sentence or the split
// cannot be filled with distinct sentences.
std::vector<Example> make_toy_fr(const std::string& split, const TaskOptions& options);

// The French of any sentence of the grammar, by rule. Throws std::invalid_argument for
// English outside the grammar, naming the word that does not fit.
std::string toy_fr_translate(const std::string& english);

// True when the sentence uses a pairing held out of train (so it is valid/test material).
bool toy_fr_held_out(const std::string& english);

// Whether a translation renders "it" right: it contains the expected pronoun (il or elle,
// also as qu'il / qu'elle) and not the other. True for examples without a pronoun.
bool pronoun_correct(const std::string& hypothesis, const Example& example);

}  // namespace heed
