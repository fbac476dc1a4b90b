"""Settings of the screening step (conf/screening.yaml)."""

from __future__ import annotations

from pydantic import Field

from fcc.core.settings._base import Strict


class NameMatchingSettings(Strict):
    """How two analysed names are compared token by token."""

    token_min: float = 0.85  # Jaro-Winkler below which two tokens are not paired
    unmatched_subject_weight: float = 0.5  # cost of a customer-name token the list name lacks
    unmatched_list_weight: float = 0.3  # cost of a list-name token the customer lacks
    phonetic_similarity: float = 0.9  # similarity given to tokens with the same metaphone
    phonetic_min_length: int = 4  # tokens shorter than this never count as phonetic equals
    max_edit_fraction: float = 0.34  # edits (share of shorter token) to pair by spelling
    phonetic_max_edit_fraction: float = 0.5  # edits allowed to pair by same metaphone
    initial_similarity: float = 0.85  # an initial and a part starting with it, or the same initial
    skeleton_similarity: float = 0.9  # an Arabic / Hebrew part and one with its consonant skeleton
    unmatched_particle_weight: float = 0.05  # cost of a left-over particle (al, bin, de, van)
    unmatched_patronymic_weight: float = 0.2  # cost of a left-over patronymic or initial
    rejoined_similarity: float = 0.9  # one name's letters in other word boundaries and order
    dot_variant_similarity: float = 0.85  # an Arabic-script part one dotted letter from the other


class BlockingSettings(Strict):
    """Candidate generation: which keys a customer name and a list name must share."""

    prefix_length: int = 3  # characters of a token used as its prefix key
    min_token_length: int = 2  # shorter tokens never form keys
    symbol_keys: bool = True  # given-name equivalents (rigour name symbols) form keys


class EvidenceSettings(Strict):
    """Secondary evidence added to the name score (score units, 0..1 scale)."""

    name_floor: float = 0.8  # below this name score evidence is not applied
    dob_match_weight: float = 0.05  # added for an exact date of birth (x0.6 month, x0.5 year)
    dob_year_tolerance: int = 1  # years of difference treated as neutral, not contradicting
    dob_contradiction_penalty: float = 0.2  # subtracted when every list DOB contradicts
    country_match_weight: float = 0.03  # added for a nationality match (x0.5 residence)
    country_contradiction_penalty: float = 0.03  # subtracted when nationalities disagree
    type_mismatch_penalty: float = 0.3  # subtracted when person vs entity/vessel/aircraft
    weak_alias_penalty: float = 0.05  # subtracted for a list alias of weak quality


class ScreeningSettings(Strict):
    threshold: float = 0.88  # final score at or above which a name match is a hit
    lists: list[str] = Field(default_factory=list)  # list_name values to screen; empty = all
    # segments whose customers WITHOUT a date of birth are screened as entities (legal persons)
    company_segments: list[str] = Field(default_factory=lambda: ["merchant", "institutional"])
    name: NameMatchingSettings = Field(default_factory=NameMatchingSettings)
    blocking: BlockingSettings = Field(default_factory=BlockingSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
