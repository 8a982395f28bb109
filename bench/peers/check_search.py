"""Check Frontline's search totals in a harness result against its own ground truth.

The harness's truths are: substring and whole word over title + description, and
substring over title + description + follow-ups. Frontline matches whole words (FTS5,
unicode61) over the subject and every message, follow-ups and internal notes included,
so its exact truth is "whole word, follow-ups included". This recomputes it from the
same deterministic corpus with the harness's own functions, compares every reported
total, and writes <result>.search-check.json beside the result.

    python bench/peers/check_search.py bench/peers/results/frontline-sqlite-n100000.json
"""

import json
import os
import sys
from pathlib import Path

PEERS = Path(os.environ.get("PEERS_DIR", Path(__file__).resolve().parents[3] / "shared/peers"))
sys.path.insert(0, str(PEERS))

from harness import corpus  # noqa: E402


def main(path: str) -> int:
    result = json.loads(Path(path).read_text())
    n, seed = result["n"], result.get("corpus_seed", corpus.DEFAULT_SEED)
    words = result["search_words"]
    recs = [
        {
            "title": r["title"],
            "description": r["description"] + "\n" + "\n".join(f["text"] for f in r["followups"]),
        }
        for r in corpus.generate(n, seed)
    ]
    truth = {w: e["whole_word"] for w, e in corpus.expected_counts(recs, words).items()}
    report = {"truth": "whole_word_with_followups", "phases": []}
    bad = 0
    for phase in result["phases"]:
        if phase.get("phase") != "search":
            continue
        checked, mismatched = 0, []
        for q in phase.get("per_query", []):
            if q.get("reported_total") is None:
                continue
            checked += 1
            if q["reported_total"] != truth[q["word"]]:
                mismatched.append(
                    {"word": q["word"], "reported": q["reported_total"], "truth": truth[q["word"]]}
                )
        bad += len(mismatched) + (checked == 0)
        report["phases"].append(
            {
                "concurrency": phase["concurrency"],
                "checked": checked,
                "exact": checked - len(mismatched),
                "mismatched": mismatched,
            }
        )
        for m in mismatched:
            c = phase["concurrency"]
            print(f"  c={c} {m['word']}: reported {m['reported']}, truth {m['truth']}")
        print(
            f"search c={phase['concurrency']}: totals vs whole-word-with-follow-ups truth "
            f"{checked - len(mismatched)}/{checked} exact"
        )
    report["truth_by_word"] = truth
    Path(path).with_suffix(".search-check.json").write_text(json.dumps(report, indent=1))
    return 1 if bad or not report["phases"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
