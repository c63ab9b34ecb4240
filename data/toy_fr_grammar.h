// The toy-fr grammar: its lexicon, a sentence as a structure, and rendering that structure
// as English and (by rule) as French. parse_toy_fr reads English back into the structure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heed::toy_fr {

enum class Gender { masculine, feminine };
enum class NounKind { animal, furniture, landmark, food };
enum class Reason { rest, eat };  // what a verb does, and which verbs a predicate can explain

struct Noun {
  std::string_view english, french;
  Gender gender;
  NounKind kind;
};
// Attributive adjectives: sizes stand before the French noun, colours after it.
struct Adjective {
  std::string_view english, masculine, feminine;
};
// "because it was <predicate>": the predicate describes a noun of kind `about`, and gives a
// reason for a verb of kind `reason`. This meaning decides what "it" refers to.
struct Predicate {
  std::string_view english, masculine, feminine;
  NounKind about;
  Reason reason;
};
struct Verb {
  std::string_view english, masculine, feminine;  // French agrees with the subject
  Reason reason;                                  // rest: "on" a furniture noun; eat: a food noun
};

const std::vector<Noun>& nouns();
const std::vector<Adjective>& sizes();
const std::vector<Adjective>& colors();
const std::vector<Predicate>& predicates();
const std::vector<Verb>& verbs();
// Every English word of the grammar, function words included.
std::vector<std::string> english_words();

// "the [size] [colour] noun"; indices into the tables, -1 for none.
struct NounPhrase {
  int noun = 0;
  int size = -1;
  int color = -1;
};

enum class Construction {
  copula,  // NP was PRED                                    the cow was tired
  verb,    // NP VERB [on] NP [near NP] [because it was PRED]  the cat sat on the mat ...
};

struct Sentence {
  Construction construction = Construction::verb;
  NounPhrase subject;
  int verb = -1;
  NounPhrase object;                     // furniture after "on" (rest verbs) or food (eat)
  std::optional<NounPhrase> landmark;    // "near the ..."
  int predicate = -1;                    // copula's predicate, or the "because it was" clause's
};

// The noun phrase the predicate describes (the copula's subject, or what "it" refers to:
// the subject for animal predicates, the object otherwise); nullptr without a predicate.
const NounPhrase* referent(const Sentence& sentence);
bool has_pronoun(const Sentence& sentence);  // a "because it was" clause
int word_count(const Sentence& sentence);    // English words

std::string english(const Sentence& sentence);
std::string french(const Sentence& sentence);
// "il", "elle", or "" when the sentence has no pronoun.
std::string french_pronoun(const Sentence& sentence);

// Parses a sentence of the grammar (words separated by single spaces). Throws
// std::invalid_argument saying which word was unexpected and what was expected.
Sentence parse(const std::string& english_text);

}  // namespace heed::toy_fr
