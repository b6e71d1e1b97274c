"""Working with the workbook open in Excel, shared by every button: the user's problems as
messages, sheet protection opened and closed again, the screen kept quiet, and the note when this
PC's xlwings differs from the workbook's.

Uses xlwings' Book/Sheet/Range API and, where xlwings has no portable call (protection), the
Excel object model through ``.api``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from xlkinerja.workbook.layout import SHEET_XLWINGS_CONF, XlwingsConfLayout

ALERT_TITLE = "xlkinerja"
PASSWORD_ENV = "XLKINERJA_PASSWORD"


class ButtonProblem(Exception):
    """Something the user can act on; the message says what and how (Bahasa Indonesia)."""


def xlwings_version_note(book) -> str | None:
    """A note when this PC's xlwings differs from the xlwings VBA module in the workbook."""
    try:
        import xlwings

        from xlkinerja.workbook.vba import XLWINGS_SETTINGS

        C = XlwingsConfLayout(len(XLWINGS_SETTINGS))
        conf = book.sheets[SHEET_XLWINGS_CONF]
        embedded = conf.range((C.version_row + 1, C.value_col + 1)).value
    except Exception:  # noqa: BLE001 - the note is a courtesy, never a failure
        return None
    if embedded and str(embedded) != xlwings.__version__:
        return (f"Catatan: xlwings di komputer ini versi {xlwings.__version__}, sedangkan modul "
                f"xlwings di workbook ini versi {embedded}. Pasang versi yang sama "
                f"(pip install xlwings=={embedded}) agar tombol tetap berjalan.")
    return None


class quiet_screen:
    """Screen updating off while writing (faster, no flicker); restored afterwards."""

    def __init__(self, book):
        self.app = book.app
        self.before = None

    def __enter__(self):
        try:
            self.before = self.app.screen_updating
            self.app.screen_updating = False
        except Exception:  # noqa: BLE001 - cosmetic only
            self.before = None
        return self

    def __exit__(self, *exc):
        if self.before is not None:
            try:
                self.app.screen_updating = self.before
            except Exception:  # noqa: BLE001
                pass


# -- sheet protection -----------------------------------------------------------------------------

#: Worksheet.Protection members kept across unprotect/protect (names of Worksheet.Protect's
#: arguments, Excel object model)
ALLOW_OPTIONS = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
                 "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
                 "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
                 "AllowUsingPivotTables")


def _protection_state(api) -> dict:
    """Worksheet.Protect's arguments that re-create the sheet's present protection."""
    return {"DrawingObjects": bool(api.ProtectDrawingObjects), "Contents": True,
            "Scenarios": bool(api.ProtectScenarios),
            **{opt: bool(getattr(api.Protection, opt)) for opt in ALLOW_OPTIONS}}


class ProtectionAccess:
    """Unprotects a sheet (or the workbook structure) on its first write and protects it
    again when the block ends, also after an error, with the password that opened it and the
    options it had.

    Uses these members of the Excel object model (``Sheet.api``, ``Book.api``; xlwings'
    portable API has no protection): Worksheet.ProtectContents, .ProtectDrawingObjects,
    .ProtectScenarios, .EnableSelection, .Protection.Allow*, .Unprotect(Password),
    .Protect(Password, DrawingObjects, Contents, Scenarios, Allow*...); Workbook
    .ProtectStructure, .ProtectWindows, .Unprotect(Password), .Protect(Password, Structure,
    Windows). Passwords tried: none (the generator's default), then the one in the
    XLKINERJA_PASSWORD environment variable.
    """

    def __init__(self, book, action: str, passwords: Sequence[str] | None = None):
        self.book = book
        self.action = action
        if passwords is None:
            passwords = [""]
            if os.environ.get(PASSWORD_ENV):
                passwords.append(os.environ[PASSWORD_ENV])
        self.passwords = list(passwords)
        self._sheets: dict[str, tuple[Any, dict, Any, str] | None] = {}
        self._structure: tuple[dict, str] | None = None
        self._structure_checked = False

    def __enter__(self) -> "ProtectionAccess":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        failed = self.restore()
        if failed:
            cause = f" (sebelumnya: {type(exc).__name__}: {exc})" if exc is not None else ""
            raise ButtonProblem(
                f"{self.action}: proteksi tidak dapat dipasang kembali pada: "
                f"{', '.join(failed)}{cause}. Pasang kembali lewat Review > Protect Sheet "
                "sebelum berkas dipakai lagi.") from exc

    def _open(self, unprotect: Callable[[str], Any], still_protected: Callable[[], bool],
              what: str) -> str:
        for password in self.passwords:
            try:
                unprotect(password)
            except Exception:  # noqa: BLE001 - wrong password: Excel raises, try the next
                continue
            if not still_protected():
                if password in self.passwords:  # try the one that worked first next time
                    self.passwords.remove(password)
                    self.passwords.insert(0, password)
                return password
        raise ButtonProblem(
            f"{self.action} tidak dapat menulis hasilnya: {what} dikunci dengan kata sandi "
            f"yang tidak diketahui xlkinerja. Isi variabel lingkungan {PASSWORD_ENV} dengan "
            "kata sandi itu (lalu tutup dan buka Excel kembali), atau minta pengelola "
            "formulir membuka kuncinya (Review > Unprotect Sheet). Tidak ada yang diubah pada "
            f"{what}.")

    def sheet(self, sheet) -> None:
        """Make ``sheet`` (an xlwings Sheet) writable until the block ends."""
        name = sheet.name
        if name in self._sheets:
            return
        api = sheet.api
        if not api.ProtectContents:
            self._sheets[name] = None
            return
        state = _protection_state(api)
        selection = api.EnableSelection
        password = self._open(lambda pw: api.Unprotect(pw), lambda: bool(api.ProtectContents),
                              f"sheet '{name}'")
        self._sheets[name] = (sheet, state, selection, password)

    def adopt(self, sheet, like) -> None:
        """Protect ``sheet`` (just added, unprotected) at the end of the block as ``like`` is
        protected, with the password that opened the workbook structure."""
        api = like.api
        if not api.ProtectContents:
            self._sheets[sheet.name] = None
            return
        password = self._structure[1] if self._structure else self.passwords[0]
        self._sheets[sheet.name] = (sheet, _protection_state(api), api.EnableSelection, password)

    def structure(self) -> None:
        """Allow adding a sheet until the block ends."""
        if self._structure_checked:
            return
        self._structure_checked = True
        api = self.book.api
        if not api.ProtectStructure:
            return
        state = {"Structure": True, "Windows": bool(api.ProtectWindows)}
        password = self._open(lambda pw: api.Unprotect(pw), lambda: bool(api.ProtectStructure),
                              "struktur workbook")
        self._structure = (state, password)

    def restore(self) -> list[str]:
        """Protect again what was opened; returns what could not be protected."""
        failed = []
        for name, entry in self._sheets.items():
            if entry is None:
                continue
            sheet, state, selection, password = entry
            try:
                sheet.api.Protect(Password=password, **state)
                sheet.api.EnableSelection = selection
            except Exception:  # noqa: BLE001 - collect, report once
                failed.append(f"sheet '{name}'")
        self._sheets = {}
        if self._structure is not None:
            state, password = self._structure
            try:
                self.book.api.Protect(Password=password, **state)
            except Exception:  # noqa: BLE001
                failed.append("struktur workbook")
            self._structure = None
        self._structure_checked = False
        return failed
