#!/usr/bin/env python3
"""Builds a real English -> French parallel corpus from the French message catalogs installed on
this Debian machine (/usr/share/locale/fr/LC_MESSAGES/*.mo: the translated user-interface strings
of the installed packages). Nothing is downloaded and nothing is committed: the pairs are
extracted on the spot.

  python3 tools/debian_fr_corpus.py OUT_DIR     writes OUT_DIR/{train,valid,test}.tsv

Kept: single-line messages of 2 to 15 English words without printf placeholders or tabs, unique
pairs. Split by a hash of the English side: 2% valid, 2% test, the rest train.
"""
import gettext
import glob
import hashlib
import os
import sys


def pairs():
    seen = set()
    for path in sorted(glob.glob("/usr/share/locale/fr/LC_MESSAGES/*.mo")):
        try:
            with open(path, "rb") as f:
                catalog = gettext.GNUTranslations(f)._catalog
        except Exception:
            continue
        for en, fr in catalog.items():
            if isinstance(en, tuple) or not en or not fr:
                continue
            en, fr = " ".join(en.split()), " ".join(fr.split())
            if "%" in en or "\t" in en + fr or "\n" in en + fr or not 2 <= len(en.split()) <= 15:
                continue
            if (en, fr) not in seen:
                seen.add((en, fr))
                yield en, fr


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):  # an option is not a directory to write into
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {name: open(os.path.join(out, name + ".tsv"), "w", encoding="utf-8") for name in ("train", "valid", "test")}
    counts = dict.fromkeys(files, 0)
    for en, fr in pairs():
        bucket = int(hashlib.sha1(en.encode()).hexdigest()[:8], 16) % 100
        name = "valid" if bucket < 2 else "test" if bucket < 4 else "train"
        files[name].write(f"{en}\t{fr}\n")
        counts[name] += 1
    for f in files.values():
        f.close()
    print(", ".join(f"{n} {c}" for n, c in counts.items()), "pairs in", out)


if __name__ == "__main__":
    main()
