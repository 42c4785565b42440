"""The demand file reader and ``forecast_backtest`` on a slice of the shared manufacturing data set."""

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from apps.planning.engine.demandfile import DemandFileError, read_demand_file
from apps.planning.engine.report import evaluate_file

DATA = Path(__file__).parent / "data"
# 80 SKUs of ../shared/datasets/manufacturing_weekly_demand.xlsx that sold before week 98, all 150
# weeks, with lead time, cost and minimum order quantity (derived by a seeded pick).
SLICE = DATA / "manufacturing_slice.csv"
SHARED = (
    next((p for p in Path(__file__).resolve().parents if (p / "shared" / "datasets").exists()), Path("/nonexistent"))
    / "shared"
    / "datasets"
    / "manufacturing_weekly_demand.xlsx"
)


def test_reads_the_slice_with_its_attributes():
    data = read_demand_file(SLICE)

    assert data.y.shape == (80, 150)
    assert set(np.unique(data.lead)) <= {7.0, 16.0}
    assert data.cost is not None
    assert (data.cost > 0).all()
    assert data.moq is not None
    assert data.periods[0] == "week 1"


@pytest.mark.skipif(not SHARED.exists(), reason="the shared data set is not beside the repository")
def test_reads_the_shared_workbook_with_its_multi_row_header():
    data = read_demand_file(SHARED)

    assert data.y.shape == (3451, 150)
    assert data.ids[:2] == ["1", "2"]
    assert data.lead[0] == 7
    assert data.moq[0] == 10
    assert data.pack[0] == 1
    assert data.cost[0] == pytest.approx(1.873685, rel=1e-6)


def test_a_plain_csv_with_a_late_start_and_blank_cells(tmp_path):
    path = tmp_path / "demand.csv"
    path.write_text("item,2024-01,2024-02,2024-03,2024-04\nA,,,5,\nB,1,2,3,4\n", encoding="utf-8")

    data = read_demand_file(path)

    assert data.ids == ["A", "B"]
    assert np.isnan(data.y[0, :2]).all()
    assert data.y[0, 2:].tolist() == [5, 0]  # blank after the start is no demand
    assert data.lead is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("item,w1,w2,w3\nA,1,2,3\nB,1,x,3\n", "item B has a period cell that is not a number"),
        ("just,words\nno,numbers\n", "no row of numbers found"),
    ],
)
def test_bad_files_are_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DemandFileError, match=message):
        read_demand_file(path)


def test_a_missing_or_foreign_file_is_refused(tmp_path):
    with pytest.raises(DemandFileError, match="no such file"):
        read_demand_file(tmp_path / "nope.csv")
    other = tmp_path / "demand.json"
    other.write_text("{}")
    with pytest.raises(DemandFileError, match=r"expected an \.xlsx or \.csv file"):
        read_demand_file(other)


def test_holdout_year_of_the_slice():
    data = read_demand_file(SLICE)

    report = evaluate_file(data.y, period="week", horizon=4, lead=data.lead, cost=data.cost)

    assert report["holdout"] == 52
    assert report["evaluated"] > 50
    assert set(report["methods"]) == {"naive", "moving_average", "ses", "damped", "croston", "sba", "tsb"}
    selector = report["selector"]
    fills = [selector["service"][t]["fill_rate"] for t in ("0.90", "0.95", "0.99")]
    assert fills == sorted(fills)  # more service asked, more delivered
    assert 0.80 < fills[1] <= 1.0
    stock = [selector["service"][t]["average_stock_value"] for t in ("0.90", "0.95", "0.99")]
    assert stock == sorted(stock)


def test_command_prints_json_per_method_and_target():
    out = StringIO()

    call_command("forecast_backtest", str(SLICE), "--period", "week", "--horizon", "4", "--format", "json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["file"] == str(SLICE)
    sba = report["methods"]["sba"]
    assert set(sba["service"]) == {"0.90", "0.95", "0.99"}
    assert set(sba["service"]["0.95"]) >= {"fill_rate", "average_stock_units", "average_stock_value"}
    assert {"mase", "rmsse", "wape", "bias"} <= set(sba)
    assert report["seconds"] > 0


def test_command_prints_a_table():
    out = StringIO()

    call_command("forecast_backtest", str(SLICE), "--horizon", "4", stdout=out)

    text = out.getvalue()
    assert "selector" in text
    assert "fill@95%" in text


def test_command_refuses_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("forecast_backtest", str(tmp_path / "none.csv"))
