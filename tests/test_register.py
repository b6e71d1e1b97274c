"""The register of issued forms and the signature every issued workbook carries.

Forgeries are built the way a sender would: with openpyxl on the issued file (edited hidden JSON,
with or without its checksum fixed), or with xlkinerja itself on another PC (a regenerated "newer
version" signed by another register's key, or by none).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from people import edited
from xlkinerja.form.model import form_json
from xlkinerja.register import FILENAME, Register, RegisterError, find_register
from xlkinerja.register import signature as sig
from xlkinerja.validation.rules import ValidationOptions, format_report, validate_file
from xlkinerja.workbook.generate import _write, seed_spec
from xlkinerja.workbook.layout import SHEET_META, MetaLayout


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def issue(register, spec, path: Path, entries=None) -> Path:
    return _write(spec, path, None, entries, register=register, source="uji", source_kind="spec").path


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def meta(path: Path) -> dict:
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True)[SHEET_META]
    return {row[0]: row[1] for row in ws.iter_rows(max_row=len(MetaLayout.keys), values_only=True)}


@pytest.fixture
def office(tmp_path, entries):
    """An office's register and one issued, filled form of the seed OPD."""
    spec = seed_spec()
    reg = Register.create(tmp_path / FILENAME)
    filled = issue(reg, spec, tmp_path / "formulir" / "terisi.xlsx", entries)
    yield reg, spec, filled
    reg.close()


def validate(path: Path, reg: Register | None):
    return validate_file(path, ValidationOptions(register=str(reg.path) if reg else None))


# -- the register ----------------------------------------------------------------------------

def test_generate_records_every_form_and_signs_it(office):
    reg, spec, filled = office
    [version] = reg.versions(2024)
    form = spec.form
    assert (version.opd_code, version.opd_name, version.year) == (form.opd_code, form.opd_name, 2024)
    assert version.total_pagu == form.total_pagu == 71_845_569_394
    assert version.model_sha == hashlib.sha256(form_json(form).encode()).hexdigest()
    rows = dict(reg.db.execute("SELECT row_id, pagu FROM budget_rows WHERE version_id=?",
                               (version.id,)).fetchall())
    assert rows == {r.id: r.pagu for r in form.budget_rows()}
    assert version.outputs == (str(filled.resolve()),)
    m = meta(filled)
    assert m["register_id"] == reg.id
    assert m["signature"] == sig.sign(reg.key, form.opd_code, 2024, version.model_sha)
    assert reg.check(form.opd_code, 2024, version.model_sha, m["signature"], reg.id).status == "issued"


def test_key_is_private_and_never_in_a_workbook(office, tmp_path):
    reg, _, filled = office
    key_file = sig.key_path(reg.path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with zipfile.ZipFile(filled) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    assert reg.key not in blob and reg.key.hex().encode() not in blob
    assert reg.key.hex().upper().encode() not in blob


def test_a_register_without_its_key_refuses_to_check(office):
    reg, _, _ = office
    sig.key_path(reg.path).unlink()
    with pytest.raises(RegisterError, match="kunci register tidak ada"):
        Register.open(reg.path)
    with pytest.raises(RegisterError, match="kunci register tidak ada"):
        Register.create(reg.path)  # never a new key for a register that already signed forms


def test_a_new_version_revises_the_one_before(office, tmp_path):
    reg, spec, _ = office
    newer = copy.deepcopy(spec)
    newer.form.programs[0].children[0].children[0].own_pagu += 1_000_000
    issue(reg, newer, tmp_path / "formulir" / "baru.xlsx")
    old, new = reg.versions(2024)
    assert new.revises == old.id and new.revision_kind is None and new.effective_quarter is None
    assert reg.current(spec.form.opd_code, 2024).id == new.id
    assert reg.current_versions(2024)[spec.form.opd_code].total_pagu == old.total_pagu + 1_000_000


def test_find_register_looks_in_the_folder_and_two_above(tmp_path):
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert find_register([tmp_path / "a" / "b" / "c"]) is None
    Register.create(tmp_path / "a" / FILENAME).close()
    assert find_register([tmp_path / "a" / "b" / "c" / "x.xlsx"]) == (tmp_path / "a" / FILENAME)
    assert find_register([tmp_path / "a" / "b" / "c"], depth=1) is None


# -- validate: what the sender can do ---------------------------------------------------------

def test_the_issued_form_is_authentic(office):
    reg, _, filled = office
    rep = validate(filled, reg)
    assert not {c for c in codes(rep) if c.startswith("IDENTITY")}
    assert "DITOLAK" not in format_report(rep)[0]


def test_edited_json_is_rejected_with_or_without_the_checksum_fixed(office, tmp_path):
    reg, _, filled = office
    M = MetaLayout()

    def tenfold(fix_checksum: bool):
        def change(wb):
            ws = wb[SHEET_META]
            text = "".join(ws.cell(M.chunk_start + 1 + i, M.chunk_col + 1).value
                           for i in range(ws.cell(M.key_row("model_chunks") + 1, 2).value))
            d = json.loads(text)
            d["programs"][0]["children"][0]["children"][0]["pagu"] *= 10
            new = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            for i in range(0, len(new), M.chunk_size):
                ws.cell(M.chunk_start + 1 + i // M.chunk_size, M.chunk_col + 1).value = new[i:i + M.chunk_size]
            if fix_checksum:
                ws.cell(M.key_row("model_sha256") + 1, 2).value = hashlib.sha256(new.encode()).hexdigest()
        return change

    plain = validate(edited(filled, tmp_path / "json.xlsx", tenfold(False)), reg)
    assert {"INTEGRITY_META_CHANGED", "IDENTITY_SIGNATURE_INVALID"} <= codes(plain)
    fixed = validate(edited(filled, tmp_path / "json_fixed.xlsx", tenfold(True)), reg)
    assert "INTEGRITY_META_CHANGED" not in codes(fixed)
    assert "IDENTITY_SIGNATURE_INVALID" in codes(fixed)
    for rep in (plain, fixed):
        text = "\n".join(format_report(rep))
        assert "DITOLAK" in text and "kirim ulang dari formulir asli" in text


def test_a_newer_version_regenerated_elsewhere_is_rejected(office, tmp_path, entries):
    reg, spec, _ = office
    forged = copy.deepcopy(spec)
    for leaf in forged.form.leaves():
        leaf.own_pagu *= 10
    with Register.create(tmp_path / "lain" / FILENAME) as elsewhere:  # another PC, another key
        other = issue(elsewhere, forged, tmp_path / "lain" / "baru.xlsx", entries)
    rep = validate(other, reg)
    assert "IDENTITY_SIGNATURE_INVALID" in codes(rep)
    assert "register lain" in next(f.message for f in rep.findings
                                   if f.code == "IDENTITY_SIGNATURE_INVALID")
    unsigned = _write(forged, tmp_path / "lain" / "tanpa.xlsx", None, entries).path  # no register
    assert "IDENTITY_NOT_SIGNED" in codes(validate(unsigned, reg))
    # without the office's register the forgery cannot be told apart, and validate says so
    assert not {c for c in codes(validate(other, None)) if c.startswith("IDENTITY")}


def test_a_signature_copied_onto_another_identity_does_not_verify(office, tmp_path):
    reg, _, filled = office

    def other_opd(wb):
        ws = wb[SHEET_META]
        M = MetaLayout()
        text = ws.cell(M.chunk_start + 1, M.chunk_col + 1).value
        d = json.loads(text)
        d["opd"]["code"] = "1.01"
        new = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        ws.cell(M.chunk_start + 1, M.chunk_col + 1).value = new
        ws.cell(M.key_row("model_sha256") + 1, 2).value = hashlib.sha256(new.encode()).hexdigest()
        ws.cell(M.key_row("opd_code") + 1, 2).value = "1.01"

    rep = validate(edited(filled, tmp_path / "opd_lain.xlsx", other_opd), reg)
    assert "IDENTITY_SIGNATURE_INVALID" in codes(rep)


def test_an_older_issued_version_is_a_warning(office, tmp_path):
    reg, spec, filled = office
    newer = copy.deepcopy(spec)
    newer.form.programs[0].children[0].children[0].own_pagu += 1_000_000
    issue(reg, newer, tmp_path / "formulir" / "baru.xlsx")
    rep = validate(filled, reg)
    assert [f.severity.value for f in rep.findings if f.code == "IDENTITY_VERSION_SUPERSEDED"] == ["warning"]


# -- the command line ----------------------------------------------------------------------------

def test_cli_generate_records_and_lists(tmp_path):
    out = tmp_path / "formulir"
    proc = run("generate", "--master", str(_shipped_master()), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / FILENAME).is_file() and not (out / FILENAME).exists()
    assert "Dicatat di register" in proc.stdout
    listing = run("register", str(tmp_path / FILENAME))
    assert listing.returncode == 0, listing.stderr
    assert "4.01 Sekretariat Daerah Kota Jambi" in listing.stdout
    assert "total pagu 71.845.569.394" in listing.stdout and "(berlaku)" in listing.stdout
    assert "Traceback" not in listing.stdout + listing.stderr
    # found from the folder the desk works in, and as JSON
    again = run("daftar-formulir", "--json", cwd=out)
    assert json.loads(again.stdout)[0]["total_pagu"] == 71_845_569_394
    # validate finds it above the forms folder
    check = run("validate", "--cepat", str(next(out.glob("*.xlsx"))))
    assert f"diperiksa dengan register {tmp_path / FILENAME}" in check.stderr


def test_cli_validate_without_a_register_says_identities_are_unconfirmed(tmp_path):
    spec = seed_spec()
    path = _write(spec, tmp_path / "f.xlsx", None, None).path
    proc = run("validate", "--cepat", str(path))
    assert "Identitas formulir tidak dapat dipastikan" in proc.stderr
    missing = run("validate", "--register", str(tmp_path / "tidak-ada.sqlite"), str(path))
    assert missing.returncode == 1 and "register formulir tidak ditemukan" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_cli_register_without_a_register(tmp_path):
    proc = run("register", cwd=tmp_path)
    assert proc.returncode == 1 and "register formulir tidak ditemukan" in proc.stderr


def _shipped_master() -> Path:
    from xlkinerja.base import bundled
    from xlkinerja.workbook.generate import SEED_MASTER

    with bundled.template_path(SEED_MASTER) as p:
        return Path(p)


def test_an_apbd_perubahan_is_recorded_as_a_revision_of_the_issued_form(office, tmp_path):
    """I13's revised form names the version it revises: the register records the lineage."""
    from perubahan import revised_form

    from xlkinerja.form.revision import RevisionRequest, revise
    from xlkinerja.form.formcheck import TemplateSpec

    reg, spec, _ = office
    new, *_ = revised_form(spec.form)
    form, _ = revise(new, RevisionRequest.of("perubahan", 3), base=spec.form)
    _write(TemplateSpec(form, None, "uji"), tmp_path / "formulir" / "perubahan.xlsx", None, None,
           form=form, register=reg, source="uji", source_kind="spec")
    old, revised = reg.versions(2024)
    assert (revised.revises, revised.revision_kind, revised.effective_quarter) == (old.id, "perubahan", 3)
    assert reg.current(spec.form.opd_code, 2024).id == revised.id
    listing = run("register", str(reg.path))
    assert "merevisi versi" in listing.stdout and "(perubahan), berlaku mulai TW III" in listing.stdout
