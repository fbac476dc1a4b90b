"""Benchmark: recall on name variants of listed persons, false hits on real non-listed people.

Test set, all from public material:
- `list_alias:<script>`: every non-Latin alias of a listed person on the real OFAC SDN
  (advanced XML) and UN lists, screened against the lists' Latin names only (the alias
  itself is not in the index), expecting its own entry;
- `romanised:<standard>`: the same aliases romanised by published standards as ICU implements
  them (BGN/PCGN for Russian, Ukrainian, Belarusian, Persian, Arabic, Greek, Georgian,
  Armenian, Korean; ISO 9 for Cyrillic; UNGEGN for Greek; Hanyu Pinyin for Han), expecting
  the entry;
- false hits: tests/unit/screening/data/public_figures.txt (real people not on the lists)
  against every list name, without a DOB and with a year of birth (a random year 1940-1995:
  their real DOBs are not in the file, so this measures how often a year-only DOB fails to
  contradict).

    PYTHONPATH=libs .venv/bin/python bench/bench_name_variants.py --per-class 300
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import icu

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lists import is_latin, load_entries, public_figures  # noqa: E402

from fcc.core.settings.screening import ScreeningSettings  # noqa: E402
from fcc.screening._index import NameIndex  # noqa: E402

STANDARDS = {
    "Cyrillic": [
        "Russian-Latin/BGN",
        "Ukrainian-Latin/BGN",
        "Belarusian-Latin/BGN",
        "Cyrillic-Latin",
    ],
    "Arabic": ["Arabic-Latin/BGN", "Persian-Latin/BGN"],
    "Greek": ["Greek-Latin/BGN", "Greek-Latin/UNGEGN"],
    "Georgian": ["Georgian-Latin/BGN"],
    "Armenian": ["Armenian-Latin/BGN"],
    "Hangul": ["Korean-Latin/BGN"],
    "Han": ["Han-Latin/Names"],
}


def _romanise(name: str, transform: str) -> str:
    text = icu.Transliterator.createInstance(transform + "; Latin-ASCII").transliterate(name)
    if transform == "Han-Latin/Names":  # surname syllable, then the given name as one word
        syl = text.split()
        text = " ".join([syl[0], "".join(syl[1:])]) if len(syl) > 1 else text
    return text.strip()


def _queries(entries: list[dict], per_class: int, rng: random.Random) -> dict[str, list]:
    by_class: dict[str, list] = collections.defaultdict(list)
    for e in entries:
        if e["entity_type"] != "person":
            continue
        latin = {n["name"] for n in e["names"] if is_latin(n["name"])}
        if not latin:
            continue
        for n in e["names"]:
            # a Latin alias with the original script in brackets is a note, not a variant
            if is_latin(n["name"]) or "(" in n["name"]:
                continue
            script = n.get("script") or "other"
            by_class[f"list_alias:{script}"].append((n["name"], e["entry_id"]))
            for std in STANDARDS.get(script, []):
                if std.startswith(("Ukrainian", "Belarusian")) and not any(
                    ch in n["name"] for ch in "іїєґўІЇЄҐЎ"
                ):
                    continue
                roman = _romanise(n["name"], std)
                if roman and roman.isascii():
                    by_class[f"romanised:{std}"].append((roman, e["entry_id"]))
    return {k: rng.sample(v, min(per_class, len(v))) for k, v in sorted(by_class.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-class", type=int, default=300, help="queries sampled per class")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=Path("bench/results/name_variants.json"))
    args = ap.parse_args()
    cfg = ScreeningSettings()
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    entries = load_entries()
    latin_entries = [
        {**e, "names": [n for n in e["names"] if is_latin(n["name"])]} for e in entries
    ]
    full = NameIndex.build(entries, cfg)
    latin = NameIndex.build(latin_entries, cfg)
    build_s = time.monotonic() - t0

    recall: dict[str, dict] = {}
    misses: list[dict] = []
    t1 = time.monotonic()
    for cls, queries in _queries(entries, args.per_class, rng).items():
        found = 0
        for name, target in queries:
            try:
                results = latin.screen(name)
            except ValueError:
                results = []
            hit = any(c.entry_id == target and c.score >= cfg.threshold for c in results)
            found += hit
            if not hit:
                best = next((c for c in results if c.entry_id == target), None)
                misses.append(
                    {
                        "class": cls,
                        "query": name,
                        "entry": target,
                        "best_name": best.matched_name if best else None,
                        "score": best.score if best else None,
                    }
                )
        recall[cls] = {
            "queries": len(queries),
            "found": found,
            "recall": round(found / len(queries), 4),
        }
    total_q = sum(v["queries"] for v in recall.values())
    total_f = sum(v["found"] for v in recall.values())
    recall_s = time.monotonic() - t1

    figures = public_figures()
    hits_no_dob, hits_dob = [], []
    for f in figures:
        yob = str(rng.randint(1940, 1995))
        res = full.screen(f)
        above = [c for c in res if c.score >= cfg.threshold]
        if above:
            hits_no_dob.append({"name": f, "hits": [(c.matched_name, c.score) for c in above[:3]]})
        res_dob = full.screen(f, dob=yob)
        above = [c for c in res_dob if c.score >= cfg.threshold]
        if above:
            hits_dob.append(
                {"name": f, "yob": yob, "hits": [(c.matched_name, c.score) for c in above[:3]]}
            )
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": os.getloadavg(),
        "threshold": cfg.threshold,
        "list_names_indexed": len(full.names),
        "recall_by_class": recall,
        "recall_overall": round(total_f / total_q, 4),
        "queries": total_q,
        "public_figures": len(figures),
        "false_hit_people_without_dob": len(hits_no_dob),
        "false_hit_rate_without_dob_per_1000": round(1000 * len(hits_no_dob) / len(figures), 2),
        "false_hit_people_with_year_of_birth": len(hits_dob),
        "false_hit_rate_with_year_of_birth_per_1000": round(1000 * len(hits_dob) / len(figures), 2),
        "false_hits_without_dob": hits_no_dob,
        "false_hits_with_dob": hits_dob,
        "misses": misses[:300],
        "seconds": {
            "index": round(build_s, 1),
            "recall": round(recall_s, 1),
            "total": round(time.monotonic() - t0, 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    summary = {
        k: v
        for k, v in result.items()
        if k not in ("misses", "false_hits_without_dob", "false_hits_with_dob")
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
