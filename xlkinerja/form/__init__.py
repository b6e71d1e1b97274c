"""The form definition: what a formulir holds, before any spreadsheet exists.

A YAML spec (:mod:`.spec`, located by :mod:`.yamlsource`) or a master table of many OPD
(:mod:`.masterformat`, :mod:`.master`) is checked by one set of rules (:mod:`.formcheck`, with
the official codes of :mod:`.codes` and the NIP of :mod:`.nip`) into the :class:`.model.Form`
that every later step works from. :mod:`.revision` makes a revised form (APBD Perubahan,
pergeseran) from the form it revises, its lineage; :mod:`.specwriter` writes a form back as a
spec (next year's, to fill).
"""
