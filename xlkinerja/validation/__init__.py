"""Validation of returned workbooks: identity, integrity and entries, one finding each
(:mod:`.rules`), with the findings themselves defined in :mod:`xlkinerja.findings`.
:mod:`.carry` reads a returned file the same way to carry its entries into a revised form
(APBD Perubahan, ``generate --dari``) and to roll a form over to next year (``--tahun-berikut``).
:mod:`.guards` warns when a returned file was saved by a program that dropped the form's guards
(structure lock, sheet protection, data validation, the very hidden ``_xlkinerja``).
"""
