"""The formula that picks a metric by its label and computes it from base-sum cells."""

from __future__ import annotations

from collections.abc import Callable

from xlmplan.core.catalog import Catalog
from xlmplan.core.data import MEASURES


def choose_metric(catalog: Catalog, label_ref: str, measure_ref: Callable[[str], str]) -> str:
    """``IFERROR(CHOOSE(MATCH(label, lst_metrics, 0), <metric 1>, …), "")``.

    Each branch is the catalog's own compiled formula over the cells ``measure_ref``
    names, so adding a metric to the catalog adds a branch and nothing else.
    """
    refs = {m: measure_ref(m) for m in MEASURES}
    branches = ",".join(metric.excel(refs) for metric in catalog)
    return f'IFERROR(CHOOSE(MATCH({label_ref},lst_metrics,0),{branches}),"")'
