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
  contradict);
- Chinese names in pinyin: `--pinyin-names` distinct names made of common surnames and given
  name syllables, as Chinese names are, against every list name without a DOB; a hit on a
  list name with the same parts is a namesake, any other hit is a false hit of the matcher.

    PYTHONPATH=libs .venv/bin/python bench/bench_name_variants.py --per-class 300
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
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


# common Chinese surnames and given-name syllables, in Hanyu Pinyin
_SURNAMES = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng "
    "liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye "
    "cheng wei su lu ding ren shen yao jin fu zhong dai cui fan"
).split()
_GIVEN = (
    "wei min jun jie tao hua ming ying li na fang jing hong yan ping gang qiang lei bin hui xin "
    "yu yi jian guo dong hai xiao chun lan mei xia yun long feng bo tian rui zhi peng hao yong "
    "chao lin qing wen"
).split()


def _pinyin_names(n: int, rng: random.Random) -> list[str]:
    """n distinct names: a surname and a given name of one syllable (30%) or two."""
    names: set[str] = set()
    while len(names) < n:
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        names.add(f"{rng.choice(_SURNAMES).title()} {given.title()}")
    return sorted(names)


def _same_parts(a: str, b: str) -> bool:
    """Two names with the same letters in the same parts or joined (Wei Zhang / Zhang Wei); a
    list name in Han by its pinyin reading (Zeng Guowei / 曾國衞 zeng guo wei)."""
    if not b.isascii():
        b = _romanise(b, "Han-Latin/Names")
    pa, pb = (sorted(re.findall(r"[a-z]+", x.casefold())) for x in (a, b))
    return pa == pb or "".join(pa) == "".join(pb)


def _pinyin_false_hits(index: NameIndex, names: list[str], threshold: float) -> dict:
    namesakes, others = [], []
    for name in names:
        above = [c for c in index.screen(name) if c.score >= threshold]
        if not above:
            continue
        row = {"name": name, "hits": [(c.matched_name, c.score) for c in above[:3]]}
        same = any(_same_parts(name, c.matched_name) for c in above)
        (namesakes if same else others).append(row)
    return {
        "names": len(names),
        "namesake_hits": len(namesakes),
        "other_name_hits": len(others),
        "other_name_hits_per_1000": round(1000 * len(others) / max(len(names), 1), 2),
        "other_name_hit_rows": others[:100],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-class", type=int, default=300, help="queries sampled per class")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--pinyin-names", type=int, default=3000, help="generated Chinese names")
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
    t2 = time.monotonic()
    pinyin = _pinyin_false_hits(
        full, _pinyin_names(args.pinyin_names, random.Random(args.seed)), cfg.threshold
    )
    pinyin_s = time.monotonic() - t2
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
        "pinyin_names": pinyin,
        "false_hits_without_dob": hits_no_dob,
        "false_hits_with_dob": hits_dob,
        "misses": misses[:300],
        "seconds": {
            "index": round(build_s, 1),
            "recall": round(recall_s, 1),
            "pinyin_names": round(pinyin_s, 1),
            "total": round(time.monotonic() - t0, 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    summary = {
        k: v
        for k, v in result.items()
        if k not in ("misses", "false_hits_without_dob", "false_hits_with_dob", "pinyin_names")
    }
    summary["pinyin_names"] = {k: v for k, v in pinyin.items() if k != "other_name_hit_rows"}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
