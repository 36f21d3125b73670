"""Every metric's Excel form and pandas form agree on random data, in two engines.

A workbook holds random base sums (with zeros, so divisions by zero occur) and, per
metric, the compiled native formula with the pandas value cached. LibreOffice and the
`formulas` package recalculate it; every cell must equal the pandas value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from engines import NEEDS_LO, compare, formulas_values

from xlmplan.core.catalog import Catalog, Metric, load_catalog
from xlmplan.core.data import MEASURES
from xlmplan.core.template import BUNDLED
from xlmplan.libreoffice import runner
from xlmplan.sheets.layout import a1

ROWS = 60


def random_sums(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {m: np.round(rng.gamma(2.0, 500.0, ROWS), int(rng.integers(0, 3))) for m in MEASURES}
    )
    for m in MEASURES:  # about one value in five is zero
        frame.loc[rng.random(ROWS) < 0.2, m] = 0.0
    return frame


def write_workbook(
    path: Path, catalog: Catalog, sums: pd.DataFrame
) -> dict[str, dict[str, object]]:
    """The workbook, and the pandas values by cell as the expected answer."""
    expected: dict[str, object] = {}
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Metrics")
    for j, m in enumerate(MEASURES):
        ws.write_string(0, j, m)
        ws.write_column(1, j, sums[m].tolist())
    for k, metric in enumerate(catalog):
        col = len(MEASURES) + k
        ws.write_string(0, col, metric.key)
        values = metric.evaluate({m: sums[m] for m in MEASURES})
        for i in range(ROWS):
            refs = {m: a1(1 + i, j) for j, m in enumerate(MEASURES)}
            value = float(values.iloc[i])
            cached: object = "" if np.isnan(value) else value
            ws.write_formula(1 + i, col, "=" + metric.excel(refs), None, cached)
            expected[a1(1 + i, col)] = cached
    wb.close()
    return {"Metrics": expected}


CATALOG = load_catalog(BUNDLED / "metrics.toml")
EXTRA = Catalog(
    (
        Metric("nested", "Nested", "(revenue - spend) / (clicks + sessions) * 100 / conversions"),
        Metric("neg", "Negative", "-spend / impressions + 2.5"),
    )
)


@pytest.mark.parametrize("catalog", [CATALOG, EXTRA], ids=["bundled", "user-defined"])
def test_formulas_package_agrees_with_pandas(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "metrics.xlsx"
    expected = write_workbook(path, catalog, random_sums(1))
    zero_cells = sum(1 for v in expected["Metrics"].values() if v == "")
    assert zero_cells > 10, "the random data must divide by zero somewhere"
    assert not compare(expected, formulas_values(path), actual_label="formulas")


@NEEDS_LO
@pytest.mark.parametrize("seed", [2, 3])
def test_libreoffice_agrees_with_pandas(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "metrics.xlsx"
    catalog = Catalog(CATALOG.metrics + EXTRA.metrics)
    expected = write_workbook(path, catalog, random_sums(seed))
    result = runner.recalculate(path)
    assert result.formula_count == ROWS * len(catalog)
    assert not compare(expected, result.values, actual_label="libreoffice")
