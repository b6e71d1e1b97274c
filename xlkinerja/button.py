"""The stable entry point of the workbook buttons: never move or rename.

Every ``.xlsm`` already sent out runs ``import xlkinerja.button as b; b.validasi()`` (and
``b.konsolidasi()``) through xlwings' RunPython; the code behind them lives in
:mod:`xlkinerja.desk.buttons`.
"""

from xlkinerja.desk.buttons import konsolidasi, validasi

__all__ = ["validasi", "konsolidasi"]
