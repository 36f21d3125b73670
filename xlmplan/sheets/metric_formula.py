"""The formula that picks a metric by its label and computes it from base-sum cells."""

from __future__ import annotations

from collections.abc import Mapping

from xlmplan.core.catalog import Catalog
from xlmplan.core.rules import literal_lookup_xl


def choose_metric(catalog: Catalog, label_ref: str, refs: Mapping[str, str]) -> str:
    """``IFERROR(CHOOSE(MATCH(label, lst_metrics, 0), <metric 1>, …), "")``.

    Each branch is the catalog's own compiled formula over the base-sum cells ``refs``
    (measure -> cell), so adding a metric to the catalog adds a branch and nothing else.
    """
    branches = ",".join(metric.excel(refs) for metric in catalog)
    label = literal_lookup_xl(label_ref)
    return f'IFERROR(CHOOSE(MATCH({label},lst_metrics,0),{branches}),"")'
