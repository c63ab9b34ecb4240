// Attention dumps as named arrays.
#include "train/checkpoint/attention_file.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

namespace {

// Per-layer maps (H·Tq, Tk) -> one float32 array (layers, H, Tq, Tk), row-major.
Array<float> stack_layers(const std::vector<Matrix>& layers, Index heads) {
  Array<float> out;
  if (layers.empty()) return out;
  const Index rows = layers.front().rows(), keys = layers.front().cols();
  HEED_CHECK(heads > 0 && rows % heads == 0, "attention dump: " << rows << " rows for " << heads << " heads");
  out.shape = {layers.size(), std::size_t(heads), std::size_t(rows / heads), std::size_t(keys)};
  for (const Matrix& m : layers)
    for (Index r = 0; r < m.rows(); ++r)
      for (Index k = 0; k < m.cols(); ++k) out.values.push_back(float(m(r, k)));
  return out;
}

}  // namespace

CheckpointData attention_dump(const std::vector<DumpedSentence>& sentences, const AttentionDumpInfo& info) {
  CheckpointData data;
  data.attributes["/"] = {{"checkpoint", info.checkpoint}, {"arch", info.arch}, {"attention", info.attention},
                          {"window", info.window}, {"sentences", std::int64_t(sentences.size())}};
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const DumpedSentence& s = sentences[i];
    const SentenceAttention& a = s.attention;
    const std::string group = "/sentences/" + std::to_string(i);
    // truncated: the output limit cut the translation off before "</s>" (outputs then ends without it).
    data.attributes[group] = {{"source", s.source}, {"translation", s.translation},
                              {"truncated", std::int64_t(a.output_ended ? 0 : 1)}};
    // Attributes, not datasets: h5py reads a string attribute as str (a dataset as bytes).
    data.string_list_attributes[group] = {
        {"source_tokens", a.source_tokens}, {"target_inputs", a.target_inputs}, {"outputs", a.outputs}};
    const std::pair<const char*, const std::vector<Matrix>*> kinds[] = {
        {"encoder_self", &a.maps.encoder_self}, {"decoder_self", &a.maps.decoder_self}, {"cross", &a.maps.cross}};
    for (const auto& [name, layers] : kinds)
      if (!layers->empty()) data.floats[group + "/" + name] = stack_layers(*layers, a.maps.heads);
  }
  return data;
}

HEED_NAMESPACE_END
