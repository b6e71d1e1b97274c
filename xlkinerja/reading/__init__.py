"""Reading a returned file back: look before opening (:mod:`.preflight`), find the files in the
inputs (:mod:`.files`), get cell values from one of several engines behind one interface
(:mod:`.sources`), and rebuild the entries by identity, not by position (:mod:`.reader`).
"""
