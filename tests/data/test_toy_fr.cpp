// toy-fr: translations by rule (agreement, word order, pronouns by meaning), the held-out
// split, determinism, and the pronoun check.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <stdexcept>

#include "data/toy_fr.h"
#include "data/toy_fr_grammar.h"

namespace heed {
namespace {

std::set<std::string> words_of(const std::vector<Example>& examples, bool french) {
  std::set<std::string> words;
  for (const auto& e : examples) {
    std::istringstream in(french ? e.target : e.source);
    for (std::string w; in >> w;) words.insert(w);
  }
  return words;
}

TaskOptions sized(std::size_t train, std::size_t held_out, std::uint64_t seed = 1) {
  TaskOptions options;
  options.seed = seed;
  options.train_size = train;
  options.valid_size = held_out;
  options.test_size = held_out;
  return options;
}

// One shared draw for the split tests (each split is drawn once per test binary).
const std::vector<Example>& split(const std::string& name) {
  static const std::vector<Example> train = make_toy_fr("train", sized(5000, 500));
  static const std::vector<Example> valid = make_toy_fr("valid", sized(5000, 500));
  static const std::vector<Example> test = make_toy_fr("test", sized(5000, 500));
  return name == "train" ? train : name == "valid" ? valid : test;
}

TEST(ToyFr, TranslatesTheCanonicalSentence) {
  EXPECT_EQ(toy_fr_translate("the cat sat on the mat because it was soft"),
            "le chat s'est assis sur le tapis parce qu'il était doux");
}

TEST(ToyFr, AdjectivesMoveAndAgree) {
  EXPECT_EQ(toy_fr_translate("the black cat was tired"), "le chat noir était fatigué");
  EXPECT_EQ(toy_fr_translate("the black table was soft"), "la table noire était douce");
  EXPECT_EQ(toy_fr_translate("the old white cow sat on the big red mat"),
            "la vieille vache blanche s'est assise sur le grand tapis rouge");
  EXPECT_EQ(toy_fr_translate("the beautiful hen lay on the small bed near the grey door"),
            "la belle poule s'est couchée sur le petit lit près de la porte grise");
  EXPECT_EQ(toy_fr_translate("the dog ate the apple near the old wall"),
            "le chien a mangé la pomme près du vieux mur");
}

TEST(ToyFr, ItIsResolvedByMeaningNotByTheNearestNoun) {
  // Same nouns, different predicate: the place is soft, the animal is tired.
  EXPECT_EQ(toy_fr_translate("the cow sat on the mat because it was soft"),
            "la vache s'est assise sur le tapis parce qu'il était doux");
  EXPECT_EQ(toy_fr_translate("the cow sat on the mat because it was tired"),
            "la vache s'est assise sur le tapis parce qu'elle était fatiguée");
  // A feminine landmark sits right before "it"; the masculine subject decides.
  EXPECT_EQ(toy_fr_translate("the big black dog slept on the white chair near the old window because it was sleepy"),
            "le grand chien noir a dormi sur la chaise blanche près de la vieille fenêtre parce qu'il était somnolent");
  EXPECT_EQ(toy_fr_translate("the dog slept on the chair near the wall because it was dry"),
            "le chien a dormi sur la chaise près du mur parce qu'elle était sèche");
  // Eating: the eater is hungry, the food is sweet.
  EXPECT_EQ(toy_fr_translate("the cow ate the cake because it was hungry"),
            "la vache a mangé le gâteau parce qu'elle était affamée");
  EXPECT_EQ(toy_fr_translate("the cow ate the cake because it was sweet"),
            "la vache a mangé le gâteau parce qu'il était sucré");
}

TEST(ToyFr, RejectsSentencesOutsideTheGrammar) {
  EXPECT_THROW(toy_fr_translate("the cat sat on the cake"), std::invalid_argument);             // not furniture
  EXPECT_THROW(toy_fr_translate("the mat sat on the bed"), std::invalid_argument);              // mats do not sit
  EXPECT_THROW(toy_fr_translate("the river was soft"), std::invalid_argument);                  // no landmark predicates
  EXPECT_THROW(toy_fr_translate("the cat ate the cake because it was soft"), std::invalid_argument);
  EXPECT_THROW(toy_fr_translate("the cat sat on the mat because it was"), std::invalid_argument);
  EXPECT_THROW(toy_fr_translate(""), std::invalid_argument);
  try {
    toy_fr_translate("the cat sat on the mat because it was delicious");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "toy-fr: \"the cat sat on the mat because it was delicious\" is not in the grammar: at word "
                           "10 expected a reason to rest (tired, soft, ...), got 'delicious'");
  }
}

TEST(ToyFr, VocabularyIsSmall) {
  const auto words = toy_fr::english_words();
  EXPECT_EQ(words.size(), 65u);
  EXPECT_EQ(std::set<std::string>(words.begin(), words.end()).size(), words.size());
}

TEST(ToyFr, ExamplesAreTranslationsOfTheGrammar) {
  for (const auto& e : split("train")) {
    ASSERT_EQ(toy_fr_translate(e.source), e.target) << e.source;
    const bool has_it = e.source.find(" it ") != std::string::npos;
    EXPECT_EQ(!e.pronoun.empty(), has_it) << e.source;
    if (has_it) {
      EXPECT_NE(e.target.find("parce qu'" + e.pronoun + " était"), std::string::npos) << e.target;
    }
    std::istringstream in(e.source);
    std::size_t count = 0;
    for (std::string w; in >> w;) ++count;
    EXPECT_LE(count, 19u);
  }
}

TEST(ToyFr, TrainHasEveryWordAndConstruction) {
  const auto& train = split("train");
  const auto vocab = words_of(train, false);
  for (const auto& word : toy_fr::english_words()) EXPECT_EQ(vocab.count(word), 1u) << word;
  std::size_t copula = 0, plain = 0, il = 0, elle = 0, near = 0;
  for (const auto& e : train) {
    const bool has_was = e.source.find(" was ") != std::string::npos;
    copula += has_was && e.pronoun.empty();
    plain += !has_was;
    il += e.pronoun == "il";
    elle += e.pronoun == "elle";
    near += e.source.find(" near ") != std::string::npos;
  }
  EXPECT_GT(copula, train.size() / 10);
  EXPECT_GT(plain, train.size() / 10);
  EXPECT_GT(il, train.size() / 4);
  EXPECT_GT(elle, train.size() / 4);
  EXPECT_GT(near, train.size() / 5);
}

TEST(ToyFr, PronounOftenDisagreesWithTheNearestNoun) {
  using namespace toy_fr;
  std::size_t nearest_differs = 0, referent_is_subject = 0, pronouns = 0;
  for (const auto& e : split("train")) {
    if (e.pronoun.empty()) continue;
    const Sentence s = parse(e.source);
    const NounPhrase& nearest = s.landmark ? *s.landmark : s.object;
    const Gender gender = e.pronoun == "il" ? Gender::masculine : Gender::feminine;
    ++pronouns;
    nearest_differs += nouns()[static_cast<std::size_t>(nearest.noun)].gender != gender;
    referent_is_subject += referent(s) == &s.subject;
  }
  EXPECT_GT(nearest_differs, pronouns / 4);      // copying the nearest noun's gender fails often
  EXPECT_GT(referent_is_subject, pronouns / 3);  // the referent is often far away
  EXPECT_LT(referent_is_subject, 2 * pronouns / 3);
}

TEST(ToyFr, HoldsOutPairingsWhateverTheRestOfTheSentence) {
  EXPECT_TRUE(toy_fr_held_out("the cow was lazy"));  // (cow, lazy)
  EXPECT_TRUE(toy_fr_held_out("the old cow sat on the bed near the door because it was lazy"));
  EXPECT_FALSE(toy_fr_held_out("the cow sat on the bed near the door because it was tired"));
  EXPECT_TRUE(toy_fr_held_out("the cat sat on the mat because it was soft"));  // (mat, soft)
  EXPECT_TRUE(toy_fr_held_out("the black cat ate the bread"));                 // (cat, bread)
  EXPECT_FALSE(toy_fr_held_out("the black cat ate the cake"));
  std::size_t cow_lazy = 0;
  for (const auto& e : split("train")) {
    cow_lazy += e.source.find("cow") != std::string::npos && e.source.find("lazy") != std::string::npos;
  }
  EXPECT_EQ(cow_lazy, 0u);
}

TEST(ToyFr, TestSplitHoldsUnseenCombinationsOfSeenWords) {
  std::set<std::string> train_sources;
  for (const auto& e : split("train")) {
    EXPECT_FALSE(toy_fr_held_out(e.source)) << e.source;
    train_sources.insert(e.source);
  }
  const auto train_en = words_of(split("train"), false), train_fr = words_of(split("train"), true);
  std::set<std::string> valid_sources;
  for (const auto& e : split("valid")) valid_sources.insert(e.source);
  for (const auto& e : split("test")) {
    EXPECT_TRUE(toy_fr_held_out(e.source)) << e.source;
    EXPECT_EQ(train_sources.count(e.source), 0u) << e.source;
    EXPECT_EQ(valid_sources.count(e.source), 0u) << e.source;
  }
  for (const auto& name : {"valid", "test"}) {
    for (const auto& word : words_of(split(name), false)) EXPECT_EQ(train_en.count(word), 1u) << word;
    for (const auto& word : words_of(split(name), true)) EXPECT_EQ(train_fr.count(word), 1u) << word;
  }
  EXPECT_EQ(valid_sources.size(), 500u);  // distinct within a split
}

TEST(ToyFr, DeterministicFromTheSeed) {
  const auto a = make_toy_fr("test", sized(10, 200, 3));
  const auto b = make_toy_fr("test", sized(10, 200, 3));
  const auto c = make_toy_fr("test", sized(10, 200, 4));
  ASSERT_EQ(a.size(), 200u);
  std::size_t same_as_other_seed = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].source, b[i].source);
    EXPECT_EQ(a[i].target, b[i].target);
    same_as_other_seed += a[i].source == c[i].source;
  }
  EXPECT_LT(same_as_other_seed, 10u);
}

TEST(ToyFr, LengthOptionsFilterSentences) {
  TaskOptions options = sized(300, 10);
  options.min_len = 12;
  options.max_len = 14;
  for (const auto& e : make_toy_fr("train", options)) {
    std::istringstream in(e.source);
    int count = 0;
    for (std::string w; in >> w;) ++count;
    EXPECT_GE(count, 12);
    EXPECT_LE(count, 14);
  }
  options.min_len = 1;
  options.max_len = 3;
  EXPECT_THROW(make_toy_fr("train", options), std::invalid_argument);
}

TEST(ToyFr, PronounCorrectChecksTheRightForm) {
  const Example elle{"the cow sat on the mat because it was tired",
                     "la vache s'est assise sur le tapis parce qu'elle était fatiguée", "elle"};
  EXPECT_TRUE(pronoun_correct(elle.target, elle));
  EXPECT_TRUE(pronoun_correct("la vache parce qu' elle était", elle));       // token-separated
  EXPECT_FALSE(pronoun_correct("la vache s'est assise parce qu'il était fatigué", elle));
  EXPECT_FALSE(pronoun_correct("parce qu'il ou qu'elle", elle));               // both forms
  EXPECT_FALSE(pronoun_correct("la vache s'est assise", elle));               // missing
  const Example il{"", "", "il"};
  EXPECT_TRUE(pronoun_correct("parce qu’il était doux.", il));
  EXPECT_FALSE(pronoun_correct("parce qu'ils étaient", il));
  EXPECT_TRUE(pronoun_correct("anything", Example{"a", "b", ""}));            // nothing to check
}

}  // namespace
}  // namespace heed
