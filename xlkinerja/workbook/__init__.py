"""The workbook: the form made into a locked, self-checking Excel file.

:mod:`.layout` is the only place that knows where a cell is; :mod:`.calc` holds every derived
figure as a Python value and as its Excel formula, :mod:`.formulas` maps them onto the layout.
:mod:`.writer` writes the formulir with XlsxWriter (building blocks in :mod:`.xlsxkit`, the
Petunjuk text in :mod:`.petunjuk`, the buttons' VBA project in :mod:`.vba`), :mod:`.masterwriter`
the master template, and :mod:`.generate` strings these into the generation use cases.
"""
