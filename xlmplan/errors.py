"""Errors that reach the user as one clear line."""

from __future__ import annotations


class XlmplanError(Exception):
    """A problem the user can fix; the CLI prints it on one line and exits with 2."""

    exit_code = 2


class DataError(XlmplanError):
    """Input data that cannot be read: names the file, row/column and the fix."""


class TemplateError(XlmplanError):
    """An unknown or malformed template, catalog or label pack."""


class WorkbookError(XlmplanError):
    """A plan workbook that cannot be read or written safely: names the file and the fix."""
