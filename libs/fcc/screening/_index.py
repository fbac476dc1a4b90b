"""The screening matcher in plain Python, for one name at a time: an in-memory index of list
names by blocking key, and the same name scoring and secondary evidence as the nightly step
(`_match.py`). Used to screen a single name on demand and by the benchmarks.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._match import key_params, score_params
from fcc.screening._names import AnalysedName, analyse_readings, subject_keys
from fcc.screening._score import NameScores, best_reading_scores


@dataclass(frozen=True)
class ListName:
    entry_id: str
    list_name: str
    entity_type: str
    name: str
    name_type: str
    quality: str
    dobs: tuple[str, ...]
    nationalities: tuple[str, ...]
    countries: tuple[str, ...]
    readings: tuple[AnalysedName, ...]


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    list_name: str
    matched_name: str
    name_score: float
    dob_score: float
    country_score: float
    score: float
    scores: NameScores


def best_scores(
    subject: Iterable[AnalysedName], listed: Iterable[AnalysedName], cfg: ScreeningSettings
) -> NameScores:
    """Components of the best (subject reading, list reading) pair."""
    return best_reading_scores(
        ((a.tokens, a.symbols) for a in subject),
        ((a.tokens, a.symbols) for a in listed),
        score_params(cfg),
    )


def dob_score(subject: str | None, dobs: Iterable[str], tolerance: int) -> float:
    """Same rule as the nightly step: compare at the precision both DOBs have."""
    dobs = [d for d in dobs if d]
    if not subject or not dobs:
        return 0.0
    best = 0.0
    for d in dobs:
        both = min(len(subject), len(d))
        if both >= 10 and subject[:10] == d[:10]:
            best = max(best, 1.0)
        elif both >= 7 and subject[:7] == d[:7]:
            best = max(best, 0.6)
        elif subject[:4] == d[:4]:
            best = max(best, 0.5)
    if best > 0:
        return best
    try:
        year = int(subject[:4])
        near = any(d[:4].isdigit() and abs(int(d[:4]) - year) <= tolerance for d in dobs)
    except ValueError:
        near = False
    return 0.0 if near else -1.0


def country_score(
    nationality: str | None, residence: str | None, nats: Iterable[str], countries: Iterable[str]
) -> float:
    nats = list(nats)
    if nationality and nationality in nats:
        return 1.0
    if residence and residence in [*nats, *countries]:
        return 0.5
    if nats and nationality:
        return -1.0
    return 0.0


def final_score(
    scores: NameScores,
    dob: float,
    country: float,
    subject_type: str,
    entity_type: str | None,
    quality: str | None,
    cfg: ScreeningSettings,
) -> float:
    """name_score + evidence adjustments, clipped to 0..1 (below name_floor: name_score)."""
    ev = cfg.evidence
    if scores.name_score < ev.name_floor:
        return scores.name_score
    adj = (
        dob * ev.dob_match_weight if dob > 0 else (-ev.dob_contradiction_penalty if dob < 0 else 0)
    )
    adj += (
        country * ev.country_match_weight
        if country > 0
        else (-ev.country_contradiction_penalty if country < 0 else 0)
    )
    if subject_type != (entity_type or subject_type):
        adj -= ev.type_mismatch_penalty
    if quality == "weak":
        adj -= ev.weak_alias_penalty
    return round(min(1.0, max(0.0, scores.name_score + adj)), 4)


@dataclass
class NameIndex:
    """List names by blocking key."""

    cfg: ScreeningSettings
    names: list[ListName] = field(default_factory=list)
    by_key: dict[str, list[int]] = field(default_factory=lambda: collections.defaultdict(list))

    @classmethod
    def build(cls, entries: Iterable[dict], cfg: ScreeningSettings) -> NameIndex:
        """entries: watchlist rows as the list parsers give them (names with name_type, quality)."""
        index = cls(cfg)
        kp = key_params(cfg)
        for e in entries:
            for n in e["names"]:
                readings = analyse_readings(n["name"], e["entity_type"], kp)
                if not readings:
                    continue
                i = len(index.names)
                index.names.append(
                    ListName(
                        e["entry_id"],
                        e.get("list_name") or "",
                        e["entity_type"],
                        n["name"],
                        n.get("name_type") or "",
                        n.get("quality") or "",
                        tuple(e.get("dobs") or ()),
                        tuple(e.get("nationalities") or ()),
                        tuple(e.get("countries") or ()),
                        readings,
                    )
                )
                for key in {k for r in readings for k in r.keys}:
                    index.by_key[key].append(i)
        return index

    def subject_keys(self, readings: Iterable[AnalysedName]) -> set[str]:
        kp = key_params(self.cfg)
        return {k for r in readings for k in subject_keys(r, kp)}

    def candidates(self, readings: tuple[AnalysedName, ...]) -> set[int]:
        """Indices of the list names sharing a blocking key with the subject."""
        return {i for k in self.subject_keys(readings) for i in self.by_key.get(k, ())}

    def screen(
        self,
        name: str,
        subject_type: str = "person",
        dob: str | None = None,
        nationality: str | None = None,
        residence: str | None = None,
        brute_force: bool = False,
    ) -> list[Candidate]:
        """Best candidate per entry, best first (every list name when brute_force)."""
        readings = analyse_readings(name, subject_type, key_params(self.cfg))
        if not readings:
            raise ValueError(f"name {name!r} yields no token in any script reading")
        pool = range(len(self.names)) if brute_force else self.candidates(readings)
        best: dict[str, Candidate] = {}
        tol = self.cfg.evidence.dob_year_tolerance
        for i in pool:
            ln = self.names[i]
            s = best_scores(readings, ln.readings, self.cfg)
            if s.name_score <= 0:
                continue
            person = subject_type == "person"
            d = dob_score(dob, ln.dobs, tol) if person and ln.entity_type == "person" else 0.0
            c = (
                country_score(nationality, residence, ln.nationalities, ln.countries)
                if person
                else 0.0
            )
            score = final_score(s, d, c, subject_type, ln.entity_type, ln.quality, self.cfg)
            cand = Candidate(ln.entry_id, ln.list_name, ln.name, s.name_score, d, c, score, s)
            old = best.get(ln.entry_id)
            if old is None or (cand.score, cand.name_score) > (old.score, old.name_score):
                best[ln.entry_id] = cand
        return sorted(best.values(), key=lambda c: (-c.score, -c.name_score, c.entry_id))
