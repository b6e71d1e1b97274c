"""Consolidation of many returned workbooks into one recap, with a ledger of every submission."""

from xlkinerja.consolidation.run import ConsolidateOptions, RunSummary, consolidate

__all__ = ["consolidate", "ConsolidateOptions", "RunSummary"]
