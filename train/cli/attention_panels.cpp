// Attention maps -> heatmap panels.
#include "train/cli/attention_panels.h"

#include "train/cli/cli.h"

namespace heed::cli {

namespace {

struct Kind {
  const char* option;  // its --kind name
  const char* title;
  const std::vector<Matrix>* layers;
  const std::vector<std::string>* rows;
  const std::vector<std::string>* columns;
  const char* row_caption;
  const char* column_caption;
};

// Head h's block (Tq, Tk) of a layer's (H·Tq, Tk) map, or the mean of the heads.
Matrix head_block(const Matrix& layer, Index heads, int head) {
  const Index queries = layer.rows() / heads;
  if (head >= 0) return layer.middleRows(head * queries, queries);
  Matrix mean = Matrix::Zero(queries, layer.cols());
  for (Index h = 0; h < heads; ++h) mean += layer.middleRows(h * queries, queries);
  return mean / Scalar(heads);
}

pictures::HeatmapPanel panel(const Kind& kind, std::size_t layer, int head, const Matrix& block) {
  pictures::HeatmapPanel p;
  p.title = std::string(kind.title) + " · layer " + std::to_string(layer) + " · " +
            (head == kHeadMean ? std::string("mean of heads") : "head " + std::to_string(head));
  p.row_caption = kind.row_caption;
  p.column_caption = kind.column_caption;
  p.row_labels = *kind.rows;
  p.column_labels = *kind.columns;
  for (Index r = 0; r < block.rows(); ++r)
    for (Index k = 0; k < block.cols(); ++k) p.values.push_back(double(block(r, k)));
  return p;
}

// The source's labels: each token as the model read it, and what was typed where that differs
// ("<unk> (xyzzy)": the model read <unk>, not the word).
std::vector<std::string> source_labels(const SentenceAttention& a) {
  std::vector<std::string> labels = a.source_tokens;
  if (a.source_typed.size() != labels.size()) return labels;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (a.source_typed[i] != labels[i]) labels[i] += " (" + a.source_typed[i] + ")";
  return labels;
}

bool selected(const std::string& choice, const std::string& kind) {
  if (choice == "all") return true;
  if (choice == "self") return kind == "encoder" || kind == "decoder";
  return choice == kind;
}

}  // namespace

std::vector<pictures::HeatmapPanel> attention_panels(const SentenceAttention& a, const AttentionSelection& selection) {
  const std::vector<std::string> source = source_labels(a);
  const Kind kinds[] = {
      {"encoder", "encoder self", &a.maps.encoder_self, &source, &source, "source (query)", "source (key)"},
      {"decoder", "decoder self", &a.maps.decoder_self, &a.target_inputs, &a.target_inputs, "decoder input (query)",
       "decoder input (key)"},
      {"cross", "cross", &a.maps.cross, &a.outputs, &source, "token produced (query)", "source (key)"}};
  const Index heads = a.maps.heads;
  if (selection.head >= heads)
    throw UsageError("--head " + std::to_string(selection.head) + " is out of range: the model has " +
                     std::to_string(heads) + (heads == 1 ? " head (0)" : " heads (0 to " + std::to_string(heads - 1) + ")"));
  std::vector<pictures::HeatmapPanel> panels;
  for (const Kind& kind : kinds) {
    if (!selected(selection.kind, kind.option)) continue;
    const std::size_t layers = kind.layers->size();
    if (layers == 0) {
      if (selection.kind == kind.option)
        throw UsageError("--kind " + selection.kind + ": the model has no " + kind.title + "-attention");
      continue;
    }
    if (selection.layer >= int(layers))
      throw UsageError("--layer " + std::to_string(selection.layer) + " is out of range: the model has " +
                       std::to_string(layers) + " " + kind.title + "-attention layer" + (layers == 1 ? "" : "s"));
    for (std::size_t l = 0; l < layers; ++l) {
      if (selection.layer >= 0 && int(l) != selection.layer) continue;
      if (selection.head == kEveryHead) {
        for (int h = 0; h < int(heads); ++h) panels.push_back(panel(kind, l, h, head_block((*kind.layers)[l], heads, h)));
      } else {
        panels.push_back(panel(kind, l, selection.head, head_block((*kind.layers)[l], heads, selection.head)));
      }
    }
  }
  if (panels.empty()) throw UsageError("--kind " + selection.kind + ": the model has no such attention");
  return panels;
}

}  // namespace heed::cli
