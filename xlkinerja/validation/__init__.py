"""Validation of returned workbooks: identity, integrity and entries, one finding each
(:mod:`.rules`), with the findings themselves defined in :mod:`xlkinerja.findings`.
"""
