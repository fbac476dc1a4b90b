"""Settings of the typologies step (conf/typologies.yaml and conf/typologies/*.yaml)."""

from typing import Any

from pydantic import Field

from fcc.core.settings._base import Strict


class TypologiesSettings(Strict):
    # file name -> parsed content of conf/typologies/*.yaml; validated by the typologies domain
    rule_sets: dict[str, Any] = Field(default_factory=dict)
