"""The metric catalog and its compiler: one definition, an Excel formula and a pandas value.

A metric is an arithmetic expression over the Data measures (``clicks / impressions``).
:meth:`Metric.excel` turns it into a native formula over cells that hold the measures'
base sums; :meth:`Metric.evaluate` computes it over numbers or pandas Series. Both guard
every denominator the same way, so a division by zero gives a blank in both engines.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core.data import MEASURES
from xlmplan.core.units import UNITS
from xlmplan.errors import TemplateError

DIRECTIONS = ("higher", "lower")

_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


@dataclass(frozen=True)
class Metric:
    """One catalog entry: key, display label, expression, direction and unit."""

    key: str
    label: str
    expr: str
    direction: str = "higher"
    unit: str = "number"
    tree: ast.expr = field(init=False, repr=False, compare=False)
    _names: frozenset[str] = field(init=False, repr=False, compare=False)
    _divides: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tree = _parse(self.key, self.expr)
        nodes = list(ast.walk(tree))
        object.__setattr__(self, "tree", tree)
        names = frozenset(n.id for n in nodes if isinstance(n, ast.Name))
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_divides", any(isinstance(n, ast.Div) for n in nodes))

    @property
    def measures(self) -> tuple[str, ...]:
        """The Data measures the expression reads, in catalog order."""
        return tuple(m for m in MEASURES if m in self._names)

    @property
    def additive(self) -> bool:
        """True when the metric is a sum of measures (it grows with time, so run-rate scales it).
        Read from the expression once, when the metric is made: layouts ask it thousands of
        times per refresh."""
        return not self._divides

    def excel(self, refs: Mapping[str, str]) -> str:
        """The native formula body (no ``=``) with each measure replaced by ``refs[measure]``."""
        denominators: list[str] = []
        body = _to_excel(self.tree, refs, denominators)
        if not denominators:
            return body
        unique = list(dict.fromkeys(denominators))
        test = (
            unique[0] + "=0"
            if len(unique) == 1
            else "OR(" + ",".join(d + "=0" for d in unique) + ")"
        )
        return f'IF({test},"",{body})'

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The metric over numbers or Series of base sums; NaN where a denominator is zero."""
        zero_mask: list[Any] = []
        result = _to_value(self.tree, values, zero_mask)
        if not zero_mask:
            return result
        if isinstance(result, pd.Series | np.ndarray):
            bad = np.zeros(len(result), dtype=bool)
            for mask in zero_mask:
                bad |= np.asarray(mask, dtype=bool)
            out = pd.Series(np.asarray(result, dtype=float), index=getattr(result, "index", None))
            out[bad] = np.nan
            return out if isinstance(result, pd.Series) else out.to_numpy()
        return float("nan") if any(bool(m) for m in zero_mask) else result


def _parse(key: str, expr: str) -> ast.expr:
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError as exc:
        raise TemplateError(f"metric '{key}': cannot read expression '{expr}' — {exc.msg}") from exc
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in MEASURES:
            raise TemplateError(
                f"metric '{key}': '{node.id}' is not a Data measure — use one of "
                + ", ".join(MEASURES)
            )
        allowed = (ast.BinOp, ast.UnaryOp, ast.USub, ast.Name, ast.Constant, ast.Load)
        if not isinstance(node, allowed + tuple(_OPS)):
            raise TemplateError(
                f"metric '{key}': '{expr}' may use only measures, numbers, + - * / and brackets"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise TemplateError(f"metric '{key}': {node.value!r} is not a number")
    return tree


def _to_excel(node: ast.expr, refs: Mapping[str, str], dens: list[str]) -> str:
    if isinstance(node, ast.Name):
        return refs[node.id]
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.UnaryOp):
        return "-" + _to_excel(node.operand, refs, dens)
    assert isinstance(node, ast.BinOp)
    left = _to_excel(node.left, refs, dens)
    right = _to_excel(node.right, refs, dens)
    if isinstance(node.op, ast.Div):
        dens.append(right)
    return f"({left}{_OPS[type(node.op)]}{right})"


def _to_value(node: ast.expr, values: Mapping[str, Any], zeros: list[Any]) -> Any:
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp):
        return -_to_value(node.operand, values, zeros)
    assert isinstance(node, ast.BinOp)
    left = _to_value(node.left, values, zeros)
    right = _to_value(node.right, values, zeros)
    ops: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
        ast.Add: lambda a, b: a + b,
        ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b,
    }
    if isinstance(node.op, ast.Div):
        zero = right == 0
        zeros.append(zero)
        if isinstance(right, pd.Series | np.ndarray):
            safe = (
                right.where(~zero, 1.0)
                if isinstance(right, pd.Series)
                else np.where(zero, 1.0, right)
            )
            return left / safe
        return left / right if not zero else float("nan")
    return ops[type(node.op)](left, right)


@dataclass(frozen=True)
class Catalog:
    """The ordered metric catalog."""

    metrics: tuple[Metric, ...]

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    def localized(self, labels: Mapping[str, str]) -> Catalog:
        """The catalog with each metric's label taken from ``labels[key]`` where given."""
        return Catalog(
            tuple(
                m if m.key not in labels else replace(m, label=labels[m.key]) for m in self.metrics
            )
        )

    def by_label(self, label: str) -> Metric | None:
        """The metric whose label (or key) matches, case-insensitively."""
        folded = label.strip().casefold()
        for metric in self.metrics:
            if folded in (metric.label.casefold(), metric.key.casefold()):
                return metric
        return None


def load_catalog(path: Path) -> Catalog:
    """Read a catalog TOML file (``[[metric]]`` tables) and check every entry."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the metric catalog — {exc}") from exc
    metrics: list[Metric] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("metric", []), start=1):
        try:
            metric = Metric(
                key=str(entry["key"]),
                label=str(entry["label"]),
                expr=str(entry["expr"]),
                direction=str(entry.get("direction", "higher")),
                unit=str(entry.get("unit", "number")),
            )
        except KeyError as exc:
            raise TemplateError(f"{path}: metric #{i} has no {exc.args[0]} — add it") from exc
        if metric.direction not in DIRECTIONS:
            raise TemplateError(f"{path}: metric '{metric.key}': direction must be higher or lower")
        if metric.unit not in UNITS:
            raise TemplateError(f"{path}: metric '{metric.key}': unit must be one of {UNITS}")
        if metric.label.casefold() in seen or metric.key.casefold() in seen:
            raise TemplateError(f"{path}: metric '{metric.key}' is defined twice — rename one")
        seen.update({metric.label.casefold(), metric.key.casefold()})
        metrics.append(metric)
    if not metrics:
        raise TemplateError(f"{path}: the metric catalog is empty — add [[metric]] entries")
    return Catalog(tuple(metrics))
