// Trains TinyCopier on heed's built-in `copy` task with heed's Trainer, which saves
// SAVE_DIR/checkpoint_last.h5 (and _best, metrics.csv); checks that it learned to copy, then loads
// the checkpoint into a new TinyCopier that must score the same. Usage: train_copy SAVE_DIR
#include <heed/heed.h>

#include <cmath>
#include <iostream>

#include "tiny_copier.h"

using namespace heed;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: train_copy SAVE_DIR\n";
    return 2;
  }
  try {
    const TaskOptions task{.min_len = 1, .max_len = 6, .train_size = 2000, .valid_size = 100};
    const std::vector<Example> train = make_task("copy", "train", task), valid = make_task("copy", "valid", task);
    TokenizerOptions tokenizer;
    tokenizer.type = "word";
    const Preprocessor pre = Preprocessor::build(train, tokenizer, /*min_freq=*/1);

    ModelConfig config;
    config.src_vocab_size = Index(pre.src_vocab().size());
    config.tgt_vocab_size = Index(pre.tgt_vocab().size());
    config.d_model = 32, config.num_heads = 2, config.d_ff = 64, config.max_len = 32, config.dropout = 0;
    TinyCopier model(config);

    TrainOptions options;
    options.steps = 400, options.batch_size = 32, options.optimizer.lr = 3e-3, options.label_smoothing = 0;
    options.policy.eval_every = 0, options.save_dir = argv[1], options.quiet = true;  // validate at the end
    const TrainOutcome trained = Trainer(model, pre, train, valid, options, "copy").run();
    std::cout << "trained " << trained.steps_done << " steps: " << trained.last_eval.summary() << "\n";
    if (trained.last_eval.exact_match < 0.9) {
      std::cerr << "train_copy: TinyCopier did not learn to copy\n";
      return 1;
    }

    const Checkpoint checkpoint = read_checkpoint(options.save_dir + "/checkpoint_last.h5");
    TinyCopier loaded(checkpoint.config);
    load_weights(checkpoint, loaded);
    const EvalResult again = evaluate(loaded, Preprocessor::from_state(checkpoint.vocab), valid, EvalOptions{});
    std::cout << "loaded back:   " << again.summary() << "\n";
    if (std::abs(again.loss - trained.last_eval.loss) > 1e-5 * trained.last_eval.loss ||
        again.exact_match != trained.last_eval.exact_match) {
      std::cerr << "train_copy: the loaded model scores differently\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "train_copy: " << e.what() << "\n";
    return 1;
  }
}
