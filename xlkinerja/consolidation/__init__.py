"""Consolidation of many returned workbooks into one recap, with a ledger of every submission."""

from .run import ConsolidateOptions, RunSummary, consolidate

__all__ = ["consolidate", "ConsolidateOptions", "RunSummary"]
