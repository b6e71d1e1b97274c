"""VBA source of the workbook buttons (installed as ``xlkinerja.macros``)."""
