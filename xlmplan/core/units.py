"""Units of measure and their number formats: the one mapping every sheet uses.

A metric's unit (``number``, ``currency``, ``percent``, ``ratio``) and whether it adds up
over time give a number key ("int", "money0", "pct", ...); the key gives the Excel number
format in the plan's currency. Counts are whole numbers with separators; sums of money are
whole amounts; per-unit money (CPC, CPA, AOV) keeps the currency's minor units, and a
currency without minor units (JPY, KRW, IRR, IQD, ...) never shows decimals.
"""

from __future__ import annotations

UNITS = ("number", "currency", "percent", "ratio")

# ISO 4217 currencies with no minor unit, and those whose minor unit is out of use
# (IRR, IQD, LBP, SYP, YER, IDR are priced in whole units in practice).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
        "VND", "VUV", "XAF", "XOF", "XPF", "IRR", "IQD", "LBP", "SYP", "YER", "IDR",
    }
)  # fmt: skip

SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CNY": "¥",
    "TRY": "₺",
    "KRW": "₩",
    "RUB": "₽",
    "BRL": "R$",
    "AUD": "A$",
    "CAD": "C$",
}


def number_key(unit: str, additive: bool = False) -> str:
    """The number key of a metric value: sums of money and counts whole, rates as %."""
    if unit == "currency":
        return "money0" if additive else "money"
    if unit == "percent":
        return "pct"
    if unit == "ratio":
        return "ratio"
    return "int" if additive else "num"


def currency_decimals(currency: str) -> int:
    """Decimals a currency shows: 0 for currencies without minor units, else 2."""
    return 0 if currency.strip().upper() in ZERO_DECIMAL_CURRENCIES else 2


def money_format(currency: str, decimals: int = 2) -> str:
    """An amount in ``currency``: its symbol in front when it has one, else the code after."""
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    symbol = SYMBOLS.get(currency.upper())
    return f'"{symbol}"{number}' if symbol else f'{number} "{currency}"'


def number_formats(currency: str) -> dict[str, str]:
    """Number key -> Excel number format, money in ``currency``."""
    return {
        "int": "#,##0",
        "num": "#,##0.00",
        "money": money_format(currency, currency_decimals(currency)),
        "money0": money_format(currency, 0),
        "pct": "0.0%",
        "ratio": '0.00"x"',
        # month grids: an idle month shows a dash, not 0 or 0.00
        "money0_dash": _dash(money_format(currency, 0)),
        "hours_dash": _dash("#,##0.0"),
    }


def _dash(number: str) -> str:
    """``number`` for positive and negative values, a dash for zero."""
    return f'{number};-{number};"–"'


# Month headers in the plan's language. Arabic: Egypt's Gregorian month names (يناير), which
# Excel and LibreOffice both show. LibreOffice's Persian locale names Gregorian months with
# the Solar Hijri names (January shows as فروردین), so Persian plans number their months.
MONTH_FORMATS = {"ar": "[$-C01]mmm yyyy", "fa": "yyyy/mm"}
SHORT_MONTH_FORMATS = {"ar": "[$-C01]mmm yy", "fa": "yy/mm"}


def month_format(lang: str, short: bool = False) -> str:
    """The number format of month headers (``short``: chart axes) in language ``lang``."""
    if short:
        return SHORT_MONTH_FORMATS.get(lang, "mmm yy")
    return MONTH_FORMATS.get(lang, "mmm yyyy")
