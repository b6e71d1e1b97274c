"""Foundations with no knowledge of the form: atomic outputs, worker processes, the bundled
templates, and numbers as Indonesian users write them.

Everything else may import from here; nothing here imports from the rest of xlkinerja.
"""
