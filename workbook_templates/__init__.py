"""Template specs shipped with xlkinerja (installed as ``xlkinerja.workbook_templates``)."""
