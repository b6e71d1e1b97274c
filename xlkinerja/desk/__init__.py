"""The Excel desk: what runs inside Excel when a button is pressed.

:mod:`.buttons` is the Python behind the Validasi and Konsolidasi buttons (reached through the
stable entry point :mod:`xlkinerja.button`), :mod:`.excel` the open workbook as the buttons
work with it (protection, messages), :mod:`.refresh` the recap's Konsolidasi button, and :mod:`.sheetimage` carries a sheet of a
workbook file onto the sheet open in Excel. What the Hasil Validasi sheet says is
:mod:`xlkinerja.workbook.hasil` (the writer writes its empty state).
"""
