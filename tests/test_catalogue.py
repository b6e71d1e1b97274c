"""The catalogue of finding codes is the one list: every code the code reports is in it, with the
severity it is reported with, every code in it is reported somewhere, and docs/kode-temuan.md is
the table it writes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xlkinerja.findings import Severity
from xlkinerja.findings.catalogue import CODES, DOC, GROUPS, documented_table, markdown_table

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xlkinerja"
CATALOGUE = PACKAGE / "findings" / "catalogue.py"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
#: calls whose code argument is a finding code whatever its first word (``bad("X", msg)``,
#: ``self.add(Severity.ERROR, "X", msg)``, ``self._fatal("X", msg)``)
FINDING_CALLS = {"bad", "_fatal", "error", "add", "uncounted", "Finding", "ConsolidationFinding"}
ALWAYS_ERROR = {"bad", "_fatal", "error"}  # these report an error whatever the code


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _severity(node: ast.expr) -> Severity | None:
    """``Severity.ERROR`` or ``Severity.ERROR.value`` -> Severity.ERROR; anything else None."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "Severity"):
        return Severity[node.attr]
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_RE.match(node.value):
        return node.value
    return None


def scan(path: Path, root: Path = ROOT):
    """(codes used, [(code, severity it is reported with, where)]) of one module.

    A string counts as a code when it starts with a catalogued group's word (FILE_, ENTRY_, ...),
    or wherever it stands as one: ``code=...``, ``code = ...``, an argument of a finding call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    reported: list[tuple[str, Severity, str]] = []
    for node in ast.walk(tree):
        value = _literal(node) if isinstance(node, ast.expr) else None
        if value and value.split("_", 1)[0] in GROUPS:
            used.add(value)
        if isinstance(node, ast.keyword) and node.arg == "code":
            for sub in ast.walk(node.value):
                if (v := _literal(sub)) if isinstance(sub, ast.expr) else None:
                    used.add(v)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "code" for t in targets) and node.value:
                for sub in ast.walk(node.value):
                    if (v := _literal(sub)) if isinstance(sub, ast.expr) else None:
                        used.add(v)
        if isinstance(node, ast.Call) and _name(node.func) in FINDING_CALLS:
            args = list(node.args) + [k.value for k in node.keywords]
            codes = [v for a in args if (v := _literal(a))]
            used.update(codes)
            severities = [s for a in args if (s := _severity(a))]
            if _name(node.func) in ALWAYS_ERROR:
                severities = [Severity.ERROR]
            where = f"{path.relative_to(root)}:{node.lineno}"
            for code in codes:
                for sev in severities[:1]:
                    reported.append((code, sev, where))
    return used, reported


def all_uses():
    used: dict[str, list[str]] = {}
    reported = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == CATALOGUE:
            continue
        codes, rep = scan(path)
        for code in codes:
            used.setdefault(code, []).append(str(path.relative_to(ROOT)))
        reported += rep
    return used, reported


def test_every_code_used_is_catalogued():
    used, _ = all_uses()
    missing = {code: files for code, files in used.items() if code not in CODES}
    assert not missing, (
        f"finding codes used but not in xlkinerja/findings/catalogue.py: {missing}. Add one line "
        "per code to _ROWS there (code, severity, arti, tindakan), then run "
        "`python -m xlkinerja.findings.catalogue --tulis` for docs/kode-temuan.md")


def test_every_catalogued_code_is_used():
    used, _ = all_uses()
    unused = sorted(set(CODES) - set(used))
    assert not unused, f"catalogued but reported nowhere in xlkinerja/: {unused}; remove them"


def test_codes_are_reported_with_their_catalogued_severity():
    _, reported = all_uses()
    assert len(reported) > 40  # the scan sees the checks (it would pass vacuously otherwise)
    wrong = [f"{where}: {code} reported as {sev.value}, catalogued as "
             f"{CODES[code].severity.value}"
             for code, sev, where in reported if code in CODES and sev not in CODES[code].severities]
    assert not wrong, "\n".join(wrong)


def test_the_scan_catches_a_new_code(tmp_path):
    """The checks above would pass vacuously if the scan missed codes: a module with a new code of
    a new group in each position a check reports one from is seen in all of them."""
    module = tmp_path / "m.py"
    module.write_text(
        "def f(self, bad, Severity, Finding):\n"
        "    self.add(Severity.WARNING, 'REGISTER_UNKNOWN_FORM', 'pesan')\n"
        "    bad('SIGNATURE_BROKEN', 'pesan')\n"
        "    code = 'PERUBAHAN_X' if self else 'PERUBAHAN_Y'\n"
        "    Finding(file='a', severity=Severity.INFO, code='REFERENCE_Z', message='m')\n"
        "    return 'ENTRY_SOMETHING_NEW', 'NOT_A_CODE_CONSTANT'\n", encoding="utf-8")
    used, reported = scan(module, root=tmp_path)
    assert used == {"REGISTER_UNKNOWN_FORM", "SIGNATURE_BROKEN", "PERUBAHAN_X", "PERUBAHAN_Y",
                    "REFERENCE_Z", "ENTRY_SOMETHING_NEW"}
    assert {(c, s) for c, s, _ in reported} == {("REGISTER_UNKNOWN_FORM", Severity.WARNING),
                                                ("SIGNATURE_BROKEN", Severity.ERROR),
                                                ("REFERENCE_Z", Severity.INFO)}


def test_catalogue_entries_are_complete_and_indonesian():
    for entry in CODES.values():
        assert entry.code.split("_", 1)[0] in GROUPS, entry.code
        assert isinstance(entry.severity, Severity)
        for text in (entry.meaning, entry.action):
            assert text and text[-1] in ".)", (entry.code, text)
            assert "\n" not in text and "|" not in text, entry.code


def test_docs_table_is_the_catalogue():
    text = (ROOT / DOC).read_text(encoding="utf-8")
    assert documented_table(text) == markdown_table(), (
        "docs/kode-temuan.md is not the catalogue's table: run "
        "`python -m xlkinerja.findings.catalogue --tulis` from the repository root")
    for code in ("FILE_UNREADABLE", "FILE_IS_FOLDER", "CONSOLIDATE_CONFLICT"):
        assert f"| `{code}` |" in text


def test_readme_points_to_the_codes_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/kode-temuan.md" in readme
    assert "| `ENTRY_NOT_NUMBER` |" not in readme  # the table lives in one place


# -- what the desk sees -------------------------------------------------------------------------

def _run(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=300)


def _batch(tmp_path, filled_xlsx, form):
    """A clean filled formulir, one with an amount above the pagu and one typed as text, an empty
    attachment and a CSV renamed to .xlsx."""
    from people import Cells, edited

    at = Cells(form)
    leaf = form.leaves()[0]
    above = at.realisasi(leaf.name)
    edited(filled_xlsx, tmp_path / "lebih.xlsx",
           lambda wb: wb["TW I"].__setitem__(above, leaf.pagu * 2))
    edited(filled_xlsx, tmp_path / "teks.xlsx",
           lambda wb: wb["TW I"].__setitem__(above, "1.250.000"))
    (tmp_path / "kosong.xlsx").write_bytes(b"")
    (tmp_path / "tabel.xlsx").write_text("kode;nama\n1;a\n", encoding="utf-8")
    return [filled_xlsx, *(tmp_path / n for n in ("lebih.xlsx", "teks.xlsx", "kosong.xlsx",
                                                  "tabel.xlsx"))]


def test_findings_of_real_files_carry_their_catalogued_severity(tmp_path, filled_xlsx, form):
    from xlkinerja.validation.rules import validate_file

    seen = set()
    for path in _batch(tmp_path, filled_xlsx, form):
        for f in validate_file(path).findings:
            assert f.code in CODES, f.code
            assert f.severity in CODES[f.code].severities, (f.code, f.severity)
            seen.add(f.code)
    assert {"ENTRY_ABOVE_PAGU", "ENTRY_NOT_NUMBER", "FILE_EMPTY", "FILE_CSV"} <= seen


def test_validate_lists_each_code_met_with_meaning_and_action(tmp_path, filled_xlsx, form):
    proc = _run("validasi", *map(str, _batch(tmp_path, filled_xlsx, form)))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    digest = out[out.index("Kode temuan (arti dan tindakan"):out.index("Ringkasan:")]
    for code in ("ENTRY_ABOVE_PAGU", "ENTRY_NOT_NUMBER", "FILE_EMPTY", "FILE_CSV"):
        entry = CODES[code]
        assert f"  {code} ({entry.label}, 1x): {entry.meaning}\n      Tindakan: {entry.action}\n" in digest
    lines = [ln for ln in digest.splitlines() if ln.startswith("  ") and "x): " in ln]
    ranks = [CODES[ln.split()[0]].severity.rank for ln in lines]
    assert ranks == sorted(ranks)  # errors first
    assert "Traceback" not in proc.stderr


def test_no_findings_no_code_digest():
    from xlkinerja.validation.rules import ReportCounts, format_codes

    assert format_codes(ReportCounts()) == []


def test_kode_command(tmp_path):
    one = _run("kode", "entry_above_pagu", "FILE_IS_FOLDER")
    assert one.returncode == 0
    assert one.stdout == "".join(
        f"{c} ({CODES[c].label})\n    Arti: {CODES[c].meaning}\n"
        f"    Tindakan: {CODES[c].action}\n" for c in ("ENTRY_ABOVE_PAGU", "FILE_IS_FOLDER"))
    every = _run("kode")
    assert every.returncode == 0
    assert all(f"\n{c} (" in every.stdout for c in CODES)
    assert every.stdout.startswith("== Berkas\n") and "\n== Konsolidasi\n" in every.stdout
    bad = _run("kode", "ENTRY_TYPO")
    assert bad.returncode == 1 and "ENTRY_TYPO tidak dikenal" in bad.stderr
    assert "Traceback" not in bad.stderr
