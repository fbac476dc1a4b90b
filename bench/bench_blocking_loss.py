"""Benchmark: what blocking loses. On a random sample of customers, every list name of the real
OFAC SDN and UN lists is scored ("brute force") and the pairs at or above the threshold that
blocking did not produce are counted. Target: at most 0.5% lost.

Brute force is made affordable by an exact pre-filter: a list name is scored unless it has no
name part the scorer could pair with one of the customer's (no equal part, shared symbol,
initial, consonant skeleton, metaphone or Jaro-Winkler >= token_min, joined parts and
romanisation folds included).
A name outside the pre-filter scores 0, so skipping it loses nothing.

The sample: generated customers (common given and family names of several cultures), the real
public figures of tests/unit/screening/data/public_figures.txt, and variants of listed persons'
names (their non-Latin aliases, one typo, reordered parts, a dropped middle name, initials),
so that pairs at the threshold exist to be lost.

    PYTHONPATH=libs .venv/bin/python bench/bench_blocking_loss.py --customers 300
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

from rapidfuzz import process
from rapidfuzz.distance import Indel, JaroWinkler
from rigour.text import metaphone

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lists import load_entries, public_figures  # noqa: E402

from fcc.core.settings.screening import ScreeningSettings  # noqa: E402
from fcc.screening._index import NameIndex, best_scores  # noqa: E402
from fcc.screening._names import (  # noqa: E402
    analyse_readings,
    assimilated_join,
    romanisation_fold,
    skeleton,
)
from fcc.screening._score import (  # noqa: E402
    _DOT_PAIRS,
    DOT_VARIANT_MIN,
    REJOINED_MIN_LETTERS,
    _canonical_patronymic,
    is_patronymic,
)

GIVEN = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Maria Jose Juan Carmen Ana Luis Carlos Ahmed Fatima Ali Aisha Omar Hassan Layla Yusuf Wei "
    "Li Ming Hui Hiroshi Yuki Kenji Olga Ivan Sergei Natalia Dmitri Anna Pierre Sophie Lukas "
    "Priya Rahul Amit Chinedu Ngozi Kwame Mehmet Ayse Nikos Eleni Jan Piotr Mohammed Abdullah"
).split()
FAMILY = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Taylor Moore Jackson Martin Lee Khan Ahmed Hussain Rahman Haddad Nasser "
    "Wang Zhang Liu Chen Yang Tanaka Suzuki Ivanov Smirnova Kuznetsov Popov Dubois Muller "
    "Schmidt Rossi Sharma Patel Singh Okafor Mensah Yilmaz Kaya Nowak Kowalski Silva Santos"
).split()


def _variant(rng: random.Random, name: str) -> str:
    parts = name.replace(",", " ").split()
    kind = rng.choice(["reorder", "drop", "typo", "initials", "same"])
    if kind == "reorder" and len(parts) > 1:
        parts = parts[1:] + parts[:1]
    elif kind == "drop" and len(parts) > 2:
        del parts[rng.randrange(1, len(parts) - 1)]
    elif kind == "initials" and len(parts) > 2:
        parts = [p[0] + "." for p in parts[:-1]] + parts[-1:]
    elif kind == "typo":
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        p = parts[i]
        if len(p) > 4:
            j = rng.randrange(1, len(p) - 1)
            parts[i] = p[:j] + p[j + 1] + p[j] + p[j + 2 :]
    return " ".join(parts)


def _sample(entries: list[dict], n: int, rng: random.Random) -> list[str]:
    persons = [e for e in entries if e["entity_type"] == "person" and e["names"]]
    figures = public_figures()
    out = []
    for _ in range(n):
        u = rng.random()
        if u < 0.4:
            out.append(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}")
        elif u < 0.6:
            out.append(rng.choice(figures))
        else:
            out.append(_variant(rng, rng.choice(rng.choice(persons)["names"])["name"]))
    return out


class Prefilter:
    """List names with at least one name part the scorer could pair with the subject's."""

    def __init__(self, index: NameIndex, token_min: float) -> None:
        self.token_min = token_min
        self.forms: dict[str, set[int]] = collections.defaultdict(set)
        self.phon: dict[str, set[int]] = collections.defaultdict(set)
        self.syms: dict[str, set[int]] = collections.defaultdict(set)
        self.first: dict[str, set[int]] = collections.defaultdict(set)
        self.initial: dict[str, set[int]] = collections.defaultdict(set)
        self.letters: dict[str, set[int]] = collections.defaultdict(set)
        for i, ln in enumerate(index.names):
            for r in ln.readings:
                if letters := self._letters(r.tokens):
                    self.letters[letters].add(i)
                for f in self._forms(r.tokens):
                    self.forms[f].add(i)
                    self.phon[metaphone(f) or f].add(i)
                    self.first[f[0]].add(i)
                    if len(f) == 1:
                        self.initial[f].add(i)
                for s in " ".join(r.symbols).split():
                    self.syms[self._sym(s)].add(i)
                for s in self._joined_skeletons(r.tokens):
                    self.syms[s].add(i)
        self.vocab = list(self.forms)
        self.letter_vocab = list(self.letters)

    @staticmethod
    def _letters(tokens: tuple[str, ...]) -> str:
        """A name's letters sorted (the scorer rejoins names with other word boundaries)."""
        joined = "".join(tokens)
        return "".join(sorted(joined)) if len(joined) >= REJOINED_MIN_LETTERS else ""

    @staticmethod
    def _dot_variants(symbol: str) -> set[str]:
        """Skeletons one dotted letter from a skeleton (the scorer pairs them when either is
        an abjad one; a superset here only costs scoring)."""
        if symbol[1:2] != ":" or len(symbol) - 2 < DOT_VARIANT_MIN:
            return set()
        sk = symbol[2:]
        return {
            "k:" + sk[:i] + other + sk[i + 1 :]
            for i, letter in enumerate(sk)
            for pair in _DOT_PAIRS
            if letter in pair
            for other in pair - {letter}
        }

    @staticmethod
    def _joined_skeletons(tokens: tuple[str, ...]) -> set[str]:
        """Skeletons of two or three adjacent parts joined, read either way (the scorer pairs
        them when one side is in an abjad: 'bd lhbyb / Abdul Habib)."""
        out = set()
        for n in (2, 3):
            for i in range(len(tokens) - n + 1):
                run = tokens[i : i + n]
                for form, abjad in (("".join(run), True), ("".join(run), False)):
                    out.add("k:" + skeleton(form, abjad))
                out.add("k:" + skeleton(assimilated_join(run), True))
        return out

    @staticmethod
    def _sym(s: str) -> str:
        return s.split("~")[0].replace("K:", "k:", 1)

    @staticmethod
    def _forms(tokens: tuple[str, ...]) -> set[str]:
        forms = set(tokens)
        for n in (2, 3):
            forms.update("".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        forms.update(_canonical_patronymic(t) for t in tokens if is_patronymic(t))
        # the scorer also pairs parts by their romanisation folds (Khloponin / Hloponin)
        forms.update([romanisation_fold(f) for f in forms if len(f) > 1])
        return forms

    def __call__(self, readings) -> set[int]:
        out: set[int] = set()
        for r in readings:
            forms = self._forms(r.tokens)
            for f in forms:
                out |= self.forms.get(f, set())
                out |= self.phon.get(metaphone(f) or f, set())
                out |= self.initial.get(f[0], set())
                if len(f) == 1:
                    out |= self.first.get(f, set())
            for f in forms:
                for match, _, _ in process.extract(
                    f,
                    self.vocab,
                    scorer=JaroWinkler.normalized_similarity,
                    score_cutoff=self.token_min,
                    limit=None,
                ):
                    out |= self.forms[match]
            for s in " ".join(r.symbols).split():
                out |= self.syms.get(self._sym(s), set())
                for v in self._dot_variants(s):
                    out |= self.syms.get(v, set())
            for s in self._joined_skeletons(r.tokens):
                out |= self.syms.get(s, set())
            if letters := self._letters(r.tokens):
                for match, _, _ in process.extract(
                    letters, self.letter_vocab, scorer=Indel.distance, score_cutoff=2, limit=None
                ):
                    out |= self.letters[match]
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=300)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/results/blocking_loss.json"))
    args = ap.parse_args()
    cfg = ScreeningSettings()
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    entries = load_entries()
    index = NameIndex.build(entries, cfg)
    pre = Prefilter(index, cfg.name.token_min)
    build_s = time.monotonic() - t0
    sample = _sample(entries, args.customers, rng)
    t1 = time.monotonic()
    brute = blocked_found = scored = blocked_pairs = 0
    lost: list[dict] = []
    for name in sample:
        readings = analyse_readings(name, "person")
        if not readings:
            continue
        pool = pre(readings)
        blocked = index.candidates(readings)
        scored += len(pool)
        blocked_pairs += len(blocked)
        for i in pool:
            s = best_scores(readings, index.names[i].readings, cfg)
            if s.name_score >= cfg.threshold:
                brute += 1
                if i in blocked:
                    blocked_found += 1
                else:
                    lost.append(
                        {"customer": name, "list_name": index.names[i].name, "score": s.name_score}
                    )
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": os.getloadavg(),
        "threshold": cfg.threshold,
        "list_names": len(index.names),
        "sample_customers": len(sample),
        "pairs_scored_after_exact_prefilter": scored,
        "pairs_produced_by_blocking": blocked_pairs,
        "brute_force_pairs_at_threshold": brute,
        "of_which_blocked": blocked_found,
        "lost": brute - blocked_found,
        "blocking_loss": round(1 - blocked_found / brute, 4) if brute else 0.0,
        "lost_pairs": lost[:100],
        "seconds": {"index": round(build_s, 1), "scoring": round(time.monotonic() - t1, 1)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "lost_pairs"}, indent=1))


if __name__ == "__main__":
    main()
