"""xlkinerja: the quarterly Formulir Pengukuran Kinerja Perangkat Daerah as a locked,
self-checking Excel workbook, and the consolidation of the files that come back.

The public API (docs/api.md) is loaded on first use, so ``import xlkinerja`` stays cheap for a
button click::

    import xlkinerja as xk
    sub = xk.read("kiriman.xlsx")
    sub.findings, sub.budget_frame()
"""

from xlkinerja.base.version import __version__

#: the names ``xlkinerja.api`` offers here; resolved by ``__getattr__`` when first used
__all__ = ["__version__", "XlkinerjaError", "SpecError", "UnreadableWorkbook", "load_spec",
           "load_master", "write", "read", "Submission", "validate", "consolidate", "open_ledger",
           "Ledger", "BUDGET_COLUMNS", "INDICATOR_COLUMNS"]


def __getattr__(name: str):
    if name in __all__:
        from xlkinerja import api

        value = getattr(api, name)
        if name not in ("BUDGET_COLUMNS", "INDICATOR_COLUMNS"):
            globals()[name] = value  # cached: later uses are plain attribute lookups
        return value
    raise AttributeError(f"module 'xlkinerja' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
