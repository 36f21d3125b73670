"""The Excel add-in: its build (``build``), installation (``install``), ribbon callbacks
(``ribbon``) over a live or file-backed book, and the UDFs (``udfs``) xlwings registers.

Nothing here is imported by the CLI's plan jobs; generated plans never need the add-in.
"""
