"""xlmplan: digital-marketing plans as living Excel workbooks."""

__version__ = "0.2.0"
