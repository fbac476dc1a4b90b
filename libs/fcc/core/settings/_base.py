from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every settings model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")
