// The toy-fr lexicon (65 English words), rendering by rule, and a parser for the grammar.
#include "data/toy_fr_grammar.h"

#include <algorithm>
#include <stdexcept>

namespace heed::toy_fr {

namespace {

constexpr Gender M = Gender::masculine;
constexpr Gender F = Gender::feminine;

}  // namespace

// Every noun starts with a consonant, so articles never elide (le/la, never l').
const std::vector<Noun>& nouns() {
  static const std::vector<Noun> table = {
      {"cat", "chat", M, NounKind::animal},          {"dog", "chien", M, NounKind::animal},
      {"horse", "cheval", M, NounKind::animal},      {"rabbit", "lapin", M, NounKind::animal},
      {"duck", "canard", M, NounKind::animal},       {"mouse", "souris", F, NounKind::animal},
      {"cow", "vache", F, NounKind::animal},         {"goat", "chèvre", F, NounKind::animal},
      {"hen", "poule", F, NounKind::animal},         {"frog", "grenouille", F, NounKind::animal},
      {"mat", "tapis", M, NounKind::furniture},      {"bed", "lit", M, NounKind::furniture},
      {"sofa", "canapé", M, NounKind::furniture},    {"bench", "banc", M, NounKind::furniture},
      {"cushion", "coussin", M, NounKind::furniture}, {"chair", "chaise", F, NounKind::furniture},
      {"table", "table", F, NounKind::furniture},    {"box", "boîte", F, NounKind::furniture},
      {"blanket", "couverture", F, NounKind::furniture}, {"towel", "serviette", F, NounKind::furniture},
      {"wall", "mur", M, NounKind::landmark},        {"mirror", "miroir", M, NounKind::landmark},
      {"piano", "piano", M, NounKind::landmark},     {"door", "porte", F, NounKind::landmark},
      {"window", "fenêtre", F, NounKind::landmark},  {"river", "rivière", F, NounKind::landmark},
      {"cake", "gâteau", M, NounKind::food},         {"bread", "pain", M, NounKind::food},
      {"cheese", "fromage", M, NounKind::food},      {"apple", "pomme", F, NounKind::food},
      {"soup", "soupe", F, NounKind::food},          {"carrot", "carotte", F, NounKind::food},
  };
  return table;
}

const std::vector<Adjective>& sizes() {
  static const std::vector<Adjective> table = {
      {"big", "grand", "grande"}, {"small", "petit", "petite"}, {"old", "vieux", "vieille"},
      {"beautiful", "beau", "belle"}};
  return table;
}

const std::vector<Adjective>& colors() {
  static const std::vector<Adjective> table = {
      {"black", "noir", "noire"}, {"white", "blanc", "blanche"}, {"red", "rouge", "rouge"},
      {"green", "vert", "verte"}, {"grey", "gris", "grise"},     {"brown", "brun", "brune"}};
  return table;
}

// Animal predicates explain resting (tired) or eating (hungry); the others describe the
// furniture one rests on or the food one eats. No predicate fits a landmark.
const std::vector<Predicate>& predicates() {
  static const std::vector<Predicate> table = {
      {"tired", "fatigué", "fatiguée", NounKind::animal, Reason::rest},
      {"sleepy", "somnolent", "somnolente", NounKind::animal, Reason::rest},
      {"lazy", "paresseux", "paresseuse", NounKind::animal, Reason::rest},
      {"hungry", "affamé", "affamée", NounKind::animal, Reason::eat},
      {"greedy", "gourmand", "gourmande", NounKind::animal, Reason::eat},
      {"soft", "doux", "douce", NounKind::furniture, Reason::rest},
      {"warm", "chaud", "chaude", NounKind::furniture, Reason::rest},
      {"dry", "sec", "sèche", NounKind::furniture, Reason::rest},
      {"comfortable", "confortable", "confortable", NounKind::furniture, Reason::rest},
      {"fresh", "frais", "fraîche", NounKind::food, Reason::eat},
      {"sweet", "sucré", "sucrée", NounKind::food, Reason::eat},
      {"delicious", "délicieux", "délicieuse", NounKind::food, Reason::eat},
  };
  return table;
}

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> table = {
      {"sat", "s'est assis", "s'est assise", Reason::rest},
      {"lay", "s'est couché", "s'est couchée", Reason::rest},
      {"slept", "a dormi", "a dormi", Reason::rest},
      {"stayed", "est resté", "est restée", Reason::rest},
      {"ate", "a mangé", "a mangé", Reason::eat},
  };
  return table;
}

std::vector<std::string> english_words() {
  std::vector<std::string> words = {"the", "on", "near", "because", "it", "was"};
  for (const auto& n : nouns()) words.emplace_back(n.english);
  for (const auto& a : sizes()) words.emplace_back(a.english);
  for (const auto& a : colors()) words.emplace_back(a.english);
  for (const auto& p : predicates()) words.emplace_back(p.english);
  for (const auto& v : verbs()) words.emplace_back(v.english);
  return words;
}

namespace {

template <typename Entry>
std::string_view agree(const Entry& entry, Gender gender) {
  return gender == Gender::masculine ? entry.masculine : entry.feminine;
}

const Noun& noun_of(const NounPhrase& np) { return nouns()[static_cast<std::size_t>(np.noun)]; }
const Adjective& size_of(const NounPhrase& np) { return sizes()[static_cast<std::size_t>(np.size)]; }
const Adjective& color_of(const NounPhrase& np) { return colors()[static_cast<std::size_t>(np.color)]; }

// Appends words separated by single spaces.
void add(std::string& out, std::string_view words) {
  if (!out.empty()) out += ' ';
  out += words;
}

void add_english_np(std::string& out, const NounPhrase& np) {
  add(out, "the");
  if (np.size >= 0) add(out, size_of(np).english);
  if (np.color >= 0) add(out, color_of(np).english);
  add(out, noun_of(np).english);
}

// "le grand chat noir"; after "de", "de le" contracts to "du".
void add_french_np(std::string& out, const NounPhrase& np, bool after_de = false) {
  const Gender g = noun_of(np).gender;
  add(out, g == Gender::masculine ? (after_de ? "du" : "le") : (after_de ? "de la" : "la"));
  if (np.size >= 0) add(out, agree(size_of(np), g));
  add(out, noun_of(np).french);
  if (np.color >= 0) add(out, agree(color_of(np), g));
}

const Predicate& predicate_of(const Sentence& s) { return predicates()[static_cast<std::size_t>(s.predicate)]; }
const Verb& verb_of(const Sentence& s) { return verbs()[static_cast<std::size_t>(s.verb)]; }

}  // namespace

const NounPhrase* referent(const Sentence& s) {
  if (s.predicate < 0) return nullptr;
  if (s.construction == Construction::copula || predicate_of(s).about == NounKind::animal) return &s.subject;
  return &s.object;
}

bool has_pronoun(const Sentence& s) { return s.construction == Construction::verb && s.predicate >= 0; }

int word_count(const Sentence& s) {
  const auto np_words = [](const NounPhrase& np) { return 2 + (np.size >= 0) + (np.color >= 0); };
  if (s.construction == Construction::copula) return np_words(s.subject) + 2;
  int count = np_words(s.subject) + 1 + np_words(s.object) + (verb_of(s).reason == Reason::rest ? 1 : 0);
  if (s.landmark) count += 1 + np_words(*s.landmark);
  if (s.predicate >= 0) count += 4;
  return count;
}

std::string english(const Sentence& s) {
  std::string out;
  add_english_np(out, s.subject);
  if (s.construction == Construction::copula) {
    add(out, "was");
    add(out, predicate_of(s).english);
    return out;
  }
  add(out, verb_of(s).english);
  if (verb_of(s).reason == Reason::rest) add(out, "on");
  add_english_np(out, s.object);
  if (s.landmark) {
    add(out, "near");
    add_english_np(out, *s.landmark);
  }
  if (s.predicate >= 0) {
    add(out, "because it was");
    add(out, predicate_of(s).english);
  }
  return out;
}

std::string french_pronoun(const Sentence& s) {
  if (!has_pronoun(s)) return "";
  return noun_of(*referent(s)).gender == Gender::masculine ? "il" : "elle";
}

std::string french(const Sentence& s) {
  std::string out;
  add_french_np(out, s.subject);
  const Gender subject_gender = noun_of(s.subject).gender;
  if (s.construction == Construction::copula) {
    add(out, "était");
    add(out, agree(predicate_of(s), subject_gender));
    return out;
  }
  add(out, agree(verb_of(s), subject_gender));
  if (verb_of(s).reason == Reason::rest) add(out, "sur");
  add_french_np(out, s.object);
  if (s.landmark) {
    add(out, "près");
    add_french_np(out, *s.landmark, /*after_de=*/true);
  }
  if (s.predicate >= 0) {
    add(out, french_pronoun(s) == "il" ? "parce qu'il était" : "parce qu'elle était");
    add(out, agree(predicate_of(s), noun_of(*referent(s)).gender));  // agrees with the referent
  }
  return out;
}

namespace {

// A cursor over the words of an English sentence, with errors that say what it expected.
class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {
    for (std::size_t start = 0; start <= text.size();) {
      std::size_t end = text.find(' ', start);
      if (end == std::string::npos) end = text.size();
      words_.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }

  bool at_end() const { return pos_ >= words_.size(); }
  bool accept(std::string_view word) {
    if (at_end() || words_[pos_] != word) return false;
    ++pos_;
    return true;
  }
  void unread() { --pos_; }
  void expect(std::string_view what) {
    if (!accept(what)) fail("'" + std::string(what) + "'");
  }
  // Index of the current word in `table` (by English form), advancing past it; -1 if absent.
  template <typename Entry>
  int accept_from(const std::vector<Entry>& table) {
    if (at_end()) return -1;
    const auto it = std::find_if(table.begin(), table.end(), [&](const Entry& e) { return e.english == words_[pos_]; });
    if (it == table.end()) return -1;
    ++pos_;
    return static_cast<int>(it - table.begin());
  }
  NounPhrase noun_phrase(std::initializer_list<NounKind> kinds, const std::string& what) {
    expect("the");
    NounPhrase np;
    np.size = accept_from(sizes());
    np.color = accept_from(colors());
    np.noun = accept_from(nouns());
    if (np.noun < 0 || std::find(kinds.begin(), kinds.end(), nouns()[static_cast<std::size_t>(np.noun)].kind) ==
                           kinds.end()) {
      if (np.noun >= 0) unread();
      fail(what);
    }
    return np;
  }
  [[noreturn]] void fail(const std::string& expected) const {
    const std::string got = at_end() ? "the end of the sentence" : "'" + words_[pos_] + "'";
    throw std::invalid_argument("toy-fr: \"" + text_ + "\" is not in the grammar: at word " +
                                std::to_string(pos_ + 1) + " expected " + expected + ", got " + got);
  }

 private:
  std::string text_;
  std::vector<std::string> words_;
  std::size_t pos_ = 0;
};

}  // namespace

Sentence parse(const std::string& english_text) {
  Parser p(english_text);
  Sentence s;
  s.subject = p.noun_phrase({NounKind::animal, NounKind::furniture, NounKind::food}, "an animal, furniture or food noun");
  const NounKind subject_kind = nouns()[static_cast<std::size_t>(s.subject.noun)].kind;
  // The predicate must make sense: describe the copula's subject, or give a reason for the verb.
  const auto predicate = [&](auto fits, const std::string& what) {
    const int index = p.accept_from(predicates());
    if (index >= 0 && !fits(predicates()[static_cast<std::size_t>(index)])) p.unread();
    if (index < 0 || !fits(predicates()[static_cast<std::size_t>(index)])) p.fail(what);
    return index;
  };
  if (p.accept("was")) {
    s.construction = Construction::copula;
    s.predicate = predicate([&](const Predicate& q) { return q.about == subject_kind; },
                            "a predicate that fits the subject");
  } else {
    if (subject_kind != NounKind::animal) p.fail("'was' (only animals do things)");
    s.verb = p.accept_from(verbs());
    if (s.verb < 0) p.fail("a verb or 'was'");
    if (verb_of(s).reason == Reason::rest) {
      p.expect("on");
      s.object = p.noun_phrase({NounKind::furniture}, "a furniture noun");
    } else {
      s.object = p.noun_phrase({NounKind::food}, "a food noun");
    }
    if (p.accept("near")) s.landmark = p.noun_phrase({NounKind::landmark}, "a landmark noun");
    if (p.accept("because")) {
      p.expect("it");
      p.expect("was");
      const Reason reason = verb_of(s).reason;
      s.predicate = predicate([&](const Predicate& q) { return q.reason == reason; },
                              reason == Reason::rest ? "a reason to rest (tired, soft, ...)"
                                                     : "a reason to eat (hungry, fresh, ...)");
    }
  }
  if (!p.at_end()) p.fail("the end of the sentence");
  return s;
}

}  // namespace heed::toy_fr
