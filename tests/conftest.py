"""Shared fixtures: plans generated once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xlmplan.api import PlanResult, new_plan
from xlmplan.io.example_data import edge_case_data
from xlmplan.libreoffice import available


@pytest.fixture(scope="session")
def libreoffice() -> None:
    """Skip without LibreOffice locally; in CI (CI=true) a missing LibreOffice fails."""
    if available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice + python3-uno) is required in CI: run scripts/setup.sh")
    pytest.skip("LibreOffice not installed (soffice + python3-uno); run scripts/setup.sh")


@pytest.fixture(scope="session")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """The demo plan from the bundled example data."""
    return new_plan(tmp_path_factory.mktemp("example") / "plan.xlsx")


@pytest.fixture(scope="session")
def edge_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """Zero-spend channels, a month with no rows and a channel with no conversions."""
    folder = tmp_path_factory.mktemp("edge")
    csv = folder / "edge.csv"
    edge_case_data().to_csv(csv, index=False)
    return new_plan(folder / "plan.xlsx", data=csv, start="2026-01", months=6, currency="EUR")


@pytest.fixture(scope="session")
def example_path(example_plan: PlanResult) -> Path:
    return example_plan.path
