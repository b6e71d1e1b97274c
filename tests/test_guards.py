"""validate warns when the returned formulir was saved by a program that dropped its guards:
the structure lock, sheet protection, data validation, the very hidden _xlkinerja sheet
(FILE_GUARDS_LOST, Bahasa Indonesia); library warnings never reach the user raw.

The files are the filled seed example saved the way an OPD would: "Save As .xlsx" in LibreOffice
(soffice --convert-to) and in Gnumeric (ssconvert), and one whose validations were stripped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import pytest

import gnumeric
from xlkinerja.validation.guards import CODE, guard_findings, read_guards
from xlkinerja.validation.rules import validate_file


def _guards(report):
    return [f for f in report.findings if f.code == CODE]


def test_a_file_as_issued_keeps_every_guard(filled_xlsx):
    g = read_guards(filled_xlsx)
    assert g.structure_locked and g.states["_xlkinerja"] == "veryHidden"
    assert {"TW I", "TW II", "TW III", "TW IV", "Rekap Tahunan"} <= g.protected
    assert len(g.validated["TW I"]) == 33  # 25 realisasi, 5 indicators, 3 narratives
    assert _guards(validate_file(filled_xlsx)) == []


@pytest.mark.libreoffice
def test_saved_by_libreoffice(filled_xlsx, tmp_path, soffice):
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profil", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                    str(filled_xlsx)], capture_output=True, timeout=300, check=True)
    saved = out / filled_xlsx.name
    report = validate_file(saved)
    [finding] = _guards(report)
    assert finding.severity.value == "warning"
    assert "LibreOffice" in finding.message and "kunci struktur workbook" in finding.message
    assert "_xlkinerja" in finding.message and "tersembunyi biasa" in finding.message
    assert "tidak ada yang salah pada angkanya" in finding.message
    assert report.submission is not None and not report.has_errors


@pytest.mark.gnumeric
def test_saved_by_gnumeric(filled_xlsx, tmp_path):
    saved = tmp_path / "gnumeric.xlsx"
    subprocess.run([gnumeric.find_ssconvert(), "--export-type=Gnumeric_Excel:xlsx2", str(filled_xlsx),
                    str(saved)], capture_output=True, timeout=300, check=True,
                   env={**os.environ, "HOME": str(tmp_path)})
    [finding] = _guards(validate_file(saved))
    assert "Gnumeric" in finding.message and "terlihat dan ikut tercetak" in finding.message


def test_validations_stripped(filled_xlsx, tmp_path, form):
    bare = tmp_path / "tanpa_validasi.xlsx"
    with zipfile.ZipFile(filled_xlsx) as src, zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dataValidations.*?</dataValidations>", b"", data, flags=re.S)
            dst.writestr(item, data)
    [finding] = guard_findings(bare, bare.name, form)
    assert "validasi isian pada 120 sel" in finding.message  # 25 realisasi + 5 indicators a sheet
    assert finding.extra["cells_without_validation"] == {"TW I": 30, "TW II": 30, "TW III": 30,
                                                         "TW IV": 30}
    assert "kunci struktur" not in finding.message


def test_validate_prints_no_raw_library_warning(tmp_path, filled_xlsx):
    """A workbook openpyxl warns about (no default style, as Gnumeric writes it): the CLI shows
    our report, never openpyxl's English UserWarning."""
    odd = tmp_path / "tanpa_gaya_bawaan.xlsx"
    with zipfile.ZipFile(filled_xlsx) as src, zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = re.sub(rb"<cellStyles.*?</cellStyles>", b"", data, flags=re.S)
            dst.writestr(item, data)
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "xlkinerja", "validate", str(odd)],
                          capture_output=True, text=True, timeout=300)
    assert "Warning" not in proc.stderr and "Warning" not in proc.stdout, proc.stderr
    assert odd.name in proc.stdout


def test_nip_printed_with_its_usual_spacing(filled_xlsx):
    from python_calamine import CalamineWorkbook

    from xlkinerja.form.nip import format_nip

    assert format_nip("196611071985121001") == "19661107 198512 1 001"
    assert format_nip("12345") == "12345"
    rows = CalamineWorkbook.from_path(str(filled_xlsx)).get_sheet_by_name("TW I").to_python()
    assert any("NIP. 19661107 198512 1 001" == v for row in rows for v in row)
