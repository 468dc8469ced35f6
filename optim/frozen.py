"""The base of every validated spec block: immutable, unknown keys rejected, numbers strict.

Kept apart from :mod:`paretoprice.optim.spec` so that kernel modules whose blocks the
specs use (the pathway, the adoption ramp) can build on it without an import cycle.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


class Frozen(BaseModel):
    """Base of every spec block: immutable, unknown keys rejected, numbers strict.

    A number field takes a finite real number only: booleans (``true``), strings
    (``"0.4"``), NaN and infinities are rejected, whatever the family, unless the field's
    own docstring says otherwise.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True,
                              allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            strict_number_check(field.annotation, value)
        return value


def _is_number_type(ann: Any) -> bool:
    return ann in (float, int)


def strict_number_check(ann: Any, value: Any) -> None:
    """Reject a bool or a string given where ``ann`` wants a number, and anything but
    ``true``/``false`` where it wants a bool (recursively through
    ``X | None``, ``tuple[X, ...]``, ``list[X]`` and ``dict[str, X]``).

    Raises ``PydanticCustomError`` of type ``float_type``/``int_type`` (a clear message);
    non-finite numbers are rejected by ``allow_inf_nan=False`` on :class:`Frozen`.
    """
    if ann is bool:
        if not isinstance(value, bool):
            raise PydanticCustomError("bool_type", "true or false, not {kind}",
                                      {"kind": type(value).__name__})
        return
    if _is_number_type(ann):
        if isinstance(value, bool | str):
            kind = "int_type" if ann is int else "float_type"
            raise PydanticCustomError(kind, "a number, not {kind}",
                                      {"kind": type(value).__name__})
        return
    origin = typing.get_origin(ann)
    args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
    if origin in (typing.Union, types.UnionType):
        if any(a is str or a is bool for a in args):
            return
        nums = [a for a in args if _is_number_type(a)]
        if nums and len(nums) == len(args):
            strict_number_check(nums[0], value)
        return
    if origin in (tuple, list) and args and isinstance(value, list | tuple):
        for v in value:
            strict_number_check(args[0], v)
    elif origin is dict and len(args) == 2 and isinstance(value, Mapping):
        for v in value.values():
            strict_number_check(args[1], v)
