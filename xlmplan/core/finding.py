"""A finding about a plan (a light module: the CLI reports findings without the engine)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning | info
    where: str
    message: str
