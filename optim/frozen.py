"""The base of every validated spec block: immutable, unknown keys rejected.

Kept apart from :mod:`paretoprice.optim.spec` so that kernel modules whose blocks the
specs use (the pathway, the adoption ramp) can build on it without an import cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Base of every spec block: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
