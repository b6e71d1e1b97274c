"""Any file that arrives by e-mail: each broken kind gets one clear finding, and a fuzzer mutating
valid workbooks (bytes and XML) finds no crash, only findings."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlkinerja.findings import Severity
from xlkinerja.validation.rules import ValidationOptions, validate_file


def rezip(src: Path, dst: Path, change) -> Path:
    """Rewrite a workbook's zip, letting ``change(name, data) -> data | None`` edit each part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, filled_xlsx, soffice) -> dict[str, tuple[Path, str]]:
    d = tmp_path_factory.mktemp("rusak")
    good = filled_xlsx.read_bytes()
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, code: str) -> None:
        (d / name).write_bytes(data)
        files[name] = (d / name, code)

    put("kosong.xlsx", b"", "FILE_EMPTY")
    put("terpotong.xlsx", good[: len(good) * 3 // 5], "FILE_CORRUPT")
    put("acak.xlsx", random.Random(1).randbytes(5000), "FILE_NOT_XLSX")
    put("csv_berganti_nama.xlsx",
        "kode;uraian;pagu;realisasi\n4.01.02;Program;25.338.739.129;4.497.357.736\n".encode(),
        "FILE_CSV")
    put("halaman_web.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        "FILE_HTML")

    import msoffcrypto.format.ooxml as ooxml
    enc = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(good)).encrypt("rahasia", enc)
    put("berkata_sandi.xlsx", enc.getvalue(), "FILE_ENCRYPTED")

    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info.filename, zin.read(info.filename))
        z.writestr("xl/media/image1.bin", b"\0" * (40 * 1024 * 1024))
    put("bom_zip.xlsx", bomb.getvalue(), "FILE_ZIP_BOMB")

    rezip(filled_xlsx, d / "entitas_xml.xlsx",
          lambda n, b: BILLION_LAUGHS + b.split(b"?>", 1)[1] if n == "xl/workbook.xml" else b)
    files["entitas_xml.xlsx"] = (d / "entitas_xml.xlsx", "FILE_XML_ENTITIES")

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    put("dokumen_word.xlsx", docx.getvalue(), "FILE_NOT_XLSX")

    # a part whose compressed bytes were damaged in transit (the zip directory is intact)
    raw = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 50, start + 90):
        raw[i] ^= 0x5A
    put("bagian_rusak.xlsx", bytes(raw), "FILE_CORRUPT")

    other = openpyxl.Workbook()
    other.active["A1"] = "Rekap buatan sendiri"
    other.save(d / "template_lain.xlsx")
    files["template_lain.xlsx"] = (d / "template_lain.xlsx", "IDENTITY_NOT_XLKINERJA")

    # real legacy .xls and .ods, written by LibreOffice from the generated workbook
    conv = d / "konversi"
    conv.mkdir()
    for fmt, name, code in (("xls", "lama.xls", "FILE_LEGACY_XLS"), ("ods", "libreoffice.ods", "FILE_ODS")):
        proc = subprocess.run([soffice, f"-env:UserInstallation=file://{d}/lo-profile", "--headless",
                               "--convert-to", fmt, "--outdir", str(conv), str(filled_xlsx)],
                              capture_output=True, timeout=180)
        out = conv / (filled_xlsx.stem + "." + fmt)
        assert out.exists(), proc.stderr
        shutil.copyfile(out, d / name)
        files[name] = (d / name, code)
        shutil.copyfile(out, d / (name + ".xlsx"))  # the same, renamed to .xlsx
        files[name + ".xlsx"] = (d / (name + ".xlsx"), code)
    return files


@pytest.mark.libreoffice
def test_each_broken_file_gets_one_clear_finding(corpus):
    for name, (path, code) in corpus.items():
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        report = validate_file(path)
        assert [f.code for f in report.findings] == [code], (name, report.findings)
        f = report.findings[0]
        assert f.severity is Severity.ERROR and f.file == name and len(f.message) > 40
        assert not report.readable
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before, name


@pytest.mark.libreoffice
def test_command_goes_on_with_the_other_files(corpus, filled_xlsx):
    paths = [str(p) for p, _ in corpus.values()]
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "validate", "--json", *paths,
                           str(filled_xlsx)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1  # errors, but one file was readable
    assert "Traceback" not in proc.stderr
    rows = json.loads(proc.stdout)
    by_file = {}
    for r in rows:
        by_file.setdefault(r["file"], []).append(r["code"])
    for name, (_, code) in corpus.items():
        assert by_file[name] == [code]
    assert "ENTRY_DUPLICATE_AMOUNT" in by_file[filled_xlsx.name]
    # only broken files: nothing could be read at all
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "validate", *paths[:4]],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "tidak dapat dibaca" in proc.stdout


def test_missing_file_and_folder(tmp_path):
    assert [f.code for f in validate_file(tmp_path / "tidak_ada.xlsx").findings] == ["FILE_NOT_FOUND"]


# -- fuzzing -------------------------------------------------------------------------------------

def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    kind = rng.choice(["flip", "truncate", "insert", "zero"])
    if kind == "flip":
        for _ in range(rng.randint(1, 40)):
            buf[rng.randrange(len(buf))] ^= rng.randrange(1, 256)
    elif kind == "truncate":
        del buf[rng.randrange(1, len(buf)):]
    elif kind == "insert":
        at = rng.randrange(len(buf))
        buf[at:at] = rng.randbytes(rng.randint(1, 200))
    else:
        at = rng.randrange(len(buf))
        buf[at:at + rng.randint(10, 2000)] = b"\0" * 100
    return bytes(buf)


_XML_MUTATIONS = [
    lambda rng, s: re.sub(rb"<v>[^<]*</v>", lambda m: b"<v>" + rng.choice(
        [b"abc", b"-1e309", b"", b"NaN", b"1" * 400, b"&amp;", b"4.497.357.736"]) + b"</v>", s, count=rng.randint(1, 30)),
    lambda rng, s: s.replace(b"</row>", b"", rng.randint(1, 5)),
    lambda rng, s: s[: rng.randrange(len(s))],
    lambda rng, s: re.sub(rb' r="[A-Z]+[0-9]+"', lambda m: b' r="' + rng.choice([b"A0", b"ZZZZ1", b"", b"B2"]) + b'"', s, count=rng.randint(1, 20)),
    lambda rng, s: re.sub(rb'<c ([^>]*)t="s"', rb'<c \1t="n"', s, count=rng.randint(1, 50)),
    lambda rng, s: re.sub(rb"<f>[^<]*</f>", b"", s, count=rng.randint(1, 20)),
    lambda rng, s: s.replace(b"<sheetData>", b"<sheetData>" + rng.randbytes(rng.randint(1, 100))),
    lambda rng, s: re.sub(rb"<t[^>]*>[^<]*</t>", lambda m: b"<t>" + rng.choice(
        [b"xlkinerja-formulir", b"{", b"[]", b"99", b"\xff\xfe"]) + b"</t>", s, count=rng.randint(1, 10)),
]


def _mutate_xml(rng: random.Random, src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as z:
        names = [n for n in z.namelist() if n.endswith(".xml")]
    targets = set(rng.sample(names, k=min(len(names), rng.randint(1, 3))))

    def change(name, data):
        if name in targets:
            if rng.random() < 0.1:
                return None  # a part goes missing
            return rng.choice(_XML_MUTATIONS)(rng, data)
        return data
    rezip(src, dst, change)


def test_fuzz_mutated_workbooks_never_crash(tmp_path, filled_xlsx, blank_xlsx):
    rng = random.Random(20241127)
    sources = [filled_xlsx.read_bytes(), blank_xlsx.read_bytes()]
    seen_codes: set[str] = set()
    for i in range(240):
        path = tmp_path / f"fuzz{i}.xlsx"
        if i % 2:
            path.write_bytes(_mutate_bytes(rng, rng.choice(sources)))
        else:
            base = tmp_path / "base.xlsx"
            base.write_bytes(rng.choice(sources))
            _mutate_xml(rng, base, path)
        before = path.read_bytes()
        report = validate_file(path, ValidationOptions(check_formulas=i % 4 == 0))
        assert report.findings is not None
        for f in report.findings:
            assert f.code != "INTERNAL_ERROR", (i, f.message)
            assert f.code and f.message and f.severity in Severity
        assert path.read_bytes() == before
        seen_codes.update(f.code for f in report.findings)
    # the fuzzer reached deep: broken files and readable-but-damaged workbooks both occurred
    assert any(c.startswith("FILE_") for c in seen_codes)
    assert any(c.startswith(("INTEGRITY_", "ENTRY_", "IDENTITY_")) for c in seen_codes)
