"""Consolidation of many returned workbooks into one recap, with a ledger of every submission.

:mod:`.records` reads a file into what the ledger keeps, :mod:`.ledger` stores it, :mod:`.plan`
decides which file counts for each OPD and triwulan, :mod:`.figures` recomputes the figures,
:mod:`.recap` writes the recap workbook at the positions :mod:`.recap_layout` names (the only
place that knows a row or column of the recap), :mod:`.run` strings them into one run.
"""

from xlkinerja.consolidation.run import ConsolidateOptions, RunSummary, consolidate

__all__ = ["consolidate", "ConsolidateOptions", "RunSummary"]
