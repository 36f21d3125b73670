"""The KPI forecasts are fitted only where they are written: `xlmplan allocate` reads the
plan's Data and settings without fitting a model (nor loading the forecasting library),
while a refresh of the same plan fits them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from mix_sim import simulate

from xlmplan.api import new_plan
from xlmplan.core.engine import Engine, Results
from xlmplan.mix import allocate_plan
from xlmplan.refresh import analyse


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Daily Data from July 2024 to August 2026 (25 whole months: enough for the seasonal
    model) in a plan for 2026."""
    folder = tmp_path_factory.mktemp("switch")
    csv = folder / "sim.csv"
    simulate(7, weeks=110, start=dt.date(2024, 7, 1)).to_csv(csv, index=False)
    return new_plan(folder / "plan.xlsx", data=csv, start="2026-01").path


@pytest.fixture
def fitted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the engine's forecast steps."""
    calls: list[int] = []
    real = Engine._forecast

    def counted(self: Engine, res: Results) -> None:
        calls.append(1)
        real(self, res)

    monkeypatch.setattr(Engine, "_forecast", counted)
    return calls


def test_allocate_fits_no_forecast(plan: Path, fitted: list[int]) -> None:
    allocate_plan(plan, months=3)
    assert fitted == []
    an = analyse(plan)  # reading the plan for a refresh does forecast
    an.pf.close()
    assert fitted == [1] and an.results.forecasts


def test_allocate_leaves_the_forecasting_library_unloaded(plan: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from xlmplan.mix import allocate_plan\n"
        "from xlmplan.refresh import analyse\n"
        f"allocate_plan(Path({str(plan)!r}), months=3)\n"
        "print('statsmodels' in sys.modules)\n"
        f"analyse(Path({str(plan)!r})).pf.close()\n"
        "print('statsmodels' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
