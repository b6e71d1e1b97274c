"""Whatever a master's cells hold (text, numbers, booleans, dates, blanks, in any column), reading
it never raises, and every problem it reports points at a cell."""

from __future__ import annotations

import datetime as dt

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masters import synthetic
from xlkinerja.form.master import read_master
from xlkinerja.form.masterformat import TABLES

CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["", " ", "4.01", "X.XX.01", "X.XX.01.2.01", "X.XX.01.2.01.0001", "Program",
                     "Kegiatan", "Sub Kegiatan", "sub_kegiatan", "1.234.567", "Rp 5.000,00",
                     "75%", "2,7", "-", "naik", "turun", "rentang", "tahunan", "CONTOH",
                     "196611071985121001", "1,96611E+17", "tanpa", "pmk", "=SUM(A1)"]),
    st.text(max_size=30),
)


def write(rows: dict, path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for table in TABLES:
        ws = wb.add_worksheet(table.sheet)
        for j, col in enumerate(table.columns):
            ws.write_string(0, j, col.header)
        for i, row in enumerate(rows[table.key], start=1):
            for j, col in enumerate(table.columns):
                value = row.get(col.key)
                if isinstance(value, dt.datetime):
                    ws.write_datetime(i, j, value, date)
                elif isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                elif value is not None:
                    ws.write_string(i, j, value)
    wb.close()


BASE, _ = synthetic(seed=5)
SMALL = {"opd": BASE["opd"][:2],
         "anggaran": [r for r in BASE["anggaran"] if r["kode_opd"] in ("4.01", "1.01")][:30],
         "indikator": [r for r in BASE["indikator"] if r["kode_opd"] in ("4.01", "1.01")]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cells_are_read_without_an_exception(tmp_path, data):
    rows = {k: [dict(r) for r in v] for k, v in SMALL.items()}
    for _ in range(data.draw(st.integers(1, 12))):
        table = data.draw(st.sampled_from(TABLES))
        if not rows[table.key]:
            continue
        row = data.draw(st.sampled_from(rows[table.key]))
        row[data.draw(st.sampled_from([c.key for c in table.columns]))] = data.draw(CELLS)
    path = tmp_path / "acak.xlsx"
    write(rows, path)
    master = read_master([path])
    for opd in master.opds:
        assert (opd.spec is None) == bool(opd.problems)
        for problem in opd.problems:
            assert problem.cell and problem.message
    for problem in master.problems + master.notes:
        assert problem.message
