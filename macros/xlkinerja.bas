Attribute VB_Name = "XlKinerja"
' xlkinerja: the macros behind the Validasi and Konsolidasi buttons.
'
' Each button runs one Python function of the xlkinerja package through
' xlwings' RunPython (the "xlwings" module of this project, BSD 3-clause).
' The computer needs Python with "pip install xlkinerja[button]", whose
' xlwings version equals the one of the embedded xlwings module.
' Settings are on the hidden sheet "xlwings.conf".
'
' Built into the workbook by xlkinerja (xlkinerja/vba.py) from this file.
Option Explicit

Sub Validasi()
    RunPython "import xlkinerja.button as b; b.validasi()"
End Sub

Sub Konsolidasi()
    RunPython "import xlkinerja.button as b; b.konsolidasi()"
End Sub
