#!/usr/bin/env bash
# heed's BPE against SentencePiece (unigram and BPE) on one corpus: the same model, steps and
# batches, a SentencePiece vocabulary as large as the BPE run's, then test chrF/BLEU and wall time.
# Usage: tools/tokenizer_comparison.sh CORPUS_DIR WORK_DIR STEPS [BPE_MERGES=4000] [heed train options...]
#   CORPUS_DIR holds train.tsv, valid.tsv and test.tsv (tools/debian_fr_corpus.py makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
heed=build/train/heed
corpus="$1" work="$2" steps="$3" merges="${4:-4000}"
shift $(( $# < 4 ? $# : 4 ))
mkdir -p "$work"
common=(--train "$corpus/train.tsv" --valid "$corpus/valid.tsv" --max-len 256 --steps "$steps" --eval-every 0 --quiet "$@")

# run NAME tokenizer-options...: trains once (an existing run is kept), then evaluates on test.
run() {
  local name="$1"
  shift
  if [ ! -e "$work/$name/checkpoint_last.h5" ]; then
    local start=$SECONDS
    "$heed" train "${common[@]}" "$@" --save-dir "$work/$name"
    echo $((SECONDS - start)) > "$work/$name/wall_s"
  fi
  "$heed" eval --checkpoint "$work/$name/checkpoint_last.h5" --data "$corpus/test.tsv" --json > "$work/$name/test.json"
  local vocab
  vocab=$(h5dump -a /config/tgt_vocab_size "$work/$name/checkpoint_last.h5" | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
name, vocab, wall = sys.argv[2], sys.argv[3], int(sys.argv[4])
print("| %s | %s | %d | %.2f | %.2f | %.2f%% | %d min %d s |" % (name, vocab, d["tokens"], d["chrf"], d["bleu"],
      100 * d["exact_match"], wall // 60, wall % 60))' \
    "$work/$name/test.json" "$name" "$vocab" "$(cat "$work/$name/wall_s")"
}

echo "| tokenizer | target vocabulary | test target tokens | test chrF | BLEU | exact | training wall time |"
echo "|---|---|---|---|---|---|---|"
run "bpe-$merges" --tokenizer bpe --bpe-merges "$merges"
# SentencePiece's pieces count its <unk>, <s> and </s>; heed's vocabulary adds <pad> to the rest.
size=$(( $(h5dump -a /config/tgt_vocab_size "$work/bpe-$merges/checkpoint_last.h5" | sed -n 's/.*(0): \([0-9]*\).*/\1/p') - 1 ))
run "spm-unigram-$size" --tokenizer spm --spm-type unigram --spm-vocab-size "$size"
run "spm-bpe-$size" --tokenizer spm --spm-type bpe --spm-vocab-size "$size"
