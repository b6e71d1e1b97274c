"""Every kind of workbook the product writes passes openxml-audit, a pure-Python port of the Open
XML SDK validator Microsoft uses for Office files, at Office 2007 (the oldest Excel the offices
may run) and Microsoft 365: the blank and filled formulir, the .xlsm, the master and the recap
of a small city (.xlsx and .xlsm)."""

from __future__ import annotations

import pytest

from kinds import KINDS, write_every_kind

import openxml_audit  # in the test extra: a missing validator fails the suite, never skips it


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    return write_every_kind(tmp_path_factory.mktemp("audit"))


@pytest.mark.parametrize("fmt", ["office2007", "microsoft365"])
@pytest.mark.parametrize("kind", KINDS)
def test_openxml_audit_finds_nothing(kinds, kind, fmt):
    validator = openxml_audit.OpenXmlValidator(file_format=openxml_audit.FileFormat(fmt))
    result = validator.validate(str(kinds[kind]))
    errors = [str(e)
              for e in result.errors][:10]
    assert result.is_valid and result.error_count == 0, errors


def test_the_audit_bites(kinds, tmp_path):
    """One element the schema does not allow, put in the filled formulir: the audit says so."""
    import zipfile

    bad = tmp_path / "rusak.xlsx"
    with zipfile.ZipFile(kinds["filled"]) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><bogus/>", 1)
            dst.writestr(item, data)
    result = openxml_audit.OpenXmlValidator(
        file_format=openxml_audit.FileFormat("office2007")).validate(str(bad))
    assert not result.is_valid and "bogus" in str(result.errors[0])
