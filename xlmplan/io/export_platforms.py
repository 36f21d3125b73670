"""What each platform's export looks like: how to tell the platform from a file, which
of its columns feed each Data column, and the channel its rows get by default."""

from __future__ import annotations

import re
from collections.abc import Sequence

from xlmplan.core.data import DATA_COLUMNS, normalise_header
from xlmplan.errors import DataError
from xlmplan.io.export_layout import Preamble
from xlmplan.io.export_options import OPT_MAP
from xlmplan.io.export_table import Table

PLATFORMS = {
    "ga4": "GA4",
    "universal-analytics": "Universal Analytics",
    "google-ads": "Google Ads",
    "meta-ads": "Meta Ads",
    "linkedin-ads": "LinkedIn Ads",
    "microsoft-ads": "Microsoft Ads",
    "generic": "file",
}
DEFAULT_CHANNELS = {
    "google-ads": "Paid Search",
    "microsoft-ads": "Paid Search",
    "meta-ads": "Paid Social",
    "linkedin-ads": "Paid Social",
}

_ADS_TITLE = re.compile(r"(?i)[\w &/+-]+ report")
_CONVERSION_ACTIONS = re.compile(
    r"(?i)purchase|lead|registration|conversion|subscribe|contact|schedule|"
    r"submit_application|start_trial|checkout|add_to_cart|donate"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- column names per platform (normalised; 'x*' = starts with, '*x' = contains) ----------

_COMMON = {"channel": ("channel",)}
_PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "ga4": {
        "channel": ("*channel_group", "channel"),
        "campaign": (
            "session_campaign",
            "session_manual_campaign_name",
            "campaign",
            "campaign_name",
            "first_user_campaign",
            "first_user_manual_campaign_name",
        ),
        "date": ("date",),
        "month": ("year_month",),
        "nth_day": ("nth_day",),
        "impressions": ("impressions", "google_ads_impressions", "ads_impressions"),
        "clicks": ("google_ads_clicks", "ads_clicks", "clicks"),
        "sessions": ("sessions",),
        "conversions": (
            "key_events",
            "conversions",
            "transactions",
            "ecommerce_purchases",
            "purchases",
        ),
        "revenue": ("total_revenue", "purchase_revenue", "revenue", "item_revenue"),
        "spend": ("google_ads_cost", "ads_cost", "cost"),
        "new_customers": ("first_time_purchasers", "new_customers"),
    },
    "universal-analytics": {
        "channel": (
            "default_channel_grouping",
            "channel_grouping",
            "standaard_kanaalgroepering",
            "kanaalgroepering",
            "*channel_grouping",
            "channel",
        ),
        "campaign": ("campaign", "campagne", "kampagne"),
        "date": ("date", "datum", "day_index", "dagindex", "fecha"),
        "month": ("month_of_year", "maand_van_het_jaar"),
        "impressions": ("impressions", "vertoningen"),
        "clicks": ("clicks", "klikken"),
        "sessions": ("sessions", "sessies", "sitzungen", "sesiones"),
        "conversions": (
            "goal_completions",
            "behaalde_doelen",
            "zielabschl_sse",
            "transactions",
            "transacties",
        ),
        "revenue": ("revenue", "opbrengst", "transaction_revenue", "umsatz", "ingresos"),
        "spend": ("cost", "kosten"),
    },
    "google-ads": {
        "date": ("day", "date", "dag", "tag", "week"),
        "month": ("month",),
        "campaign": ("campaign", "campaign_name"),
        "impressions": ("impr", "impressions"),
        "clicks": ("clicks",),
        "conversions": ("conversions", "conv"),
        "revenue": ("conv_value", "conversion_value", "total_conv_value"),
        "spend": ("cost",),
    },
    "meta-ads": {
        "date": ("day",),
        "starts": ("reporting_starts",),
        "ends": ("reporting_ends",),
        "campaign": ("campaign_name", "ad_set_name", "ad_name"),
        "impressions": ("impressions",),
        "clicks": ("link_clicks", "clicks_all"),
        "conversions": ("purchases", "website_purchases"),
        "revenue": ("purchases_conversion_value", "website_purchases_conversion_value"),
        "spend": ("amount_spent*",),
    },
    "linkedin-ads": {
        "date": ("start_date_in_utc", "start_date", "date"),
        "campaign": ("campaign_name", "campaign"),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "conversions": ("conversions",),
        "revenue": ("total_conversion_value", "conversion_value"),
        "spend": ("total_spent", "amount_spent*"),
    },
    "microsoft-ads": {
        "date": ("gregoriandate", "timeperiod", "date", "day"),
        "campaign": ("campaignname", "campaign_name", "campaign"),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "conversions": ("conversions", "conv"),
        "revenue": ("revenue",),
        "spend": ("spend", "cost"),
    },
    "generic": {key: (key,) for key in DATA_COLUMNS},
}
# Columns that date rows when there is no date column.
_HELPERS = ("month", "nth_day", "starts", "ends")

# --- headers that tell the platform ------------------------------------------------------

_LINKEDIN_KEYS = _words(
    """
    start_date_in_utc total_spent campaign_group_name campaign_group_id
    company_name_segment
    """
)
_MICROSOFT_KEYS = _words("gregoriandate timeperiod campaignname accountname adgroupname")
_META_KEYS = _words(
    """
    reporting_starts reporting_ends link_clicks clicks_all ad_set_name result_indicator
    attribution_setting purchases_conversion_value
    """
)
_UA_KEYS = _words(
    """
    default_channel_grouping pageviews unique_pageviews avg_time_on_page page_value
    new_sessions pages_session avg_session_duration goal_conversion_rate goal_completions
    goal_value sessies nieuwe_sessies bouncepercentage pagina_s_sessie gem_sessieduur
    doelconversieratio behaalde_doelen doelwaarde nieuwe_gebruikers
    standaard_kanaalgroepering ecommerce_conversion_rate
    """
)
_GA4_KEYS = _words(
    """
    key_events total_users active_users event_count engaged_sessions engagement_rate
    total_revenue session_key_event_rate user_key_event_rate nth_day event_name
    first_user_primary_channel_group_default_channel_group
    session_primary_channel_group_default_channel_group session_default_channel_group
    """
)
_GOOGLE_ADS_KEYS = _words(
    """
    impr currency_code cost_conv conv_value avg_cpc interactions interaction_rate
    search_impr_share conv_rate campaign_status ad_group match_type search_keyword avg_cost
    optimisation_score optimization_score
    """
)


def detect(pre: Preamble, keys: set[str]) -> str:
    """The platform a file comes from, from its preamble and headers."""
    text = pre.text
    if "report start:" in text or "(in utc)" in text or keys & _LINKEDIN_KEYS:
        return "linkedin-ads"
    if "report name:" in text or "report time:" in text or keys & _MICROSOFT_KEYS:
        return "microsoft-ads"
    if keys & _META_KEYS or any(k.startswith("amount_spent") for k in keys):
        return "meta-ads"
    if "all web site data" in text or keys & _UA_KEYS:
        return "universal-analytics"
    if {"date", "channel"} <= keys:
        return "generic"
    if pre.comments or keys & _GA4_KEYS:
        return "ga4"
    if _ADS_TITLE.fullmatch(pre.title) or keys & _GOOGLE_ADS_KEYS or {"cost", "clicks"} <= keys:
        return "google-ads"
    return "generic"


def check_supported(t: Table, source: str, pre: Preamble) -> None:
    """Refuse reports that hold no campaign rows (LinkedIn demographics)."""
    segments = normalise_header(t.header[0]).endswith("_segment")
    if source == "linkedin-ads" and ("demographic" in pre.title.lower() or segments):
        raise DataError(
            f"{t.name}: a LinkedIn demographics report lists audience segments "
            "(companies, job titles, locations) in separate tables, without dates or "
            "campaigns — export the Campaign Performance report instead."
        )


# --- choosing columns --------------------------------------------------------------------


def choose_columns(t: Table, source: str, mapping: dict[str, str]) -> dict[str, int]:
    """Which column feeds each Data column (platform names, then the mapping), plus the
    columns that date rows without a date column ('month', 'nth_day', 'starts', 'ends')."""
    profile = {**_COMMON, **_PROFILES[source]}
    keys = [normalise_header(h) for h in t.header]
    where: dict[str, int] = {}
    taken: set[int] = set()
    for key, candidates in profile.items():
        j = _find(keys, candidates, taken)
        if j is not None:
            where[key] = j
            taken.add(j)
    for column, target in mapping.items():
        j = _column_named(t, column)
        for key in [k for k, v in where.items() if v == j or k == target]:
            del where[key]
        where[target] = j
    if "date" in where:
        for key in _HELPERS:
            where.pop(key, None)
    return where


def _find(keys: list[str], candidates: Sequence[str], taken: set[int]) -> int | None:
    for want in candidates:
        for j, key in enumerate(keys):
            if j in taken:
                continue
            if want.startswith("*") and want[1:] in key:
                return j
            if want.endswith("*") and key.startswith(want[:-1]):
                return j
            if key == want:
                return j
    return None


def _column_named(t: Table, column: str) -> int:
    header = t.header
    for j, head in enumerate(header):
        if head == column.strip():
            return j
    wanted = normalise_header(column)
    for j, head in enumerate(header):
        if normalise_header(head) == wanted:
            return j
    shown = ", ".join(repr(h) for h in header[:12]) + (" ..." if len(header) > 12 else "")
    raise DataError(
        f"{t.name}: {OPT_MAP} names column {column!r}, which is not in the file — "
        f"its columns are {shown}."
    )


def meta_results(t: Table, source: str, where: dict[str, int], notes: list[str]) -> None:
    """Meta 'Results' count as conversions only when every result is a conversion."""
    if source != "meta-ads" or "conversions" in where:
        return
    keys = [normalise_header(h) for h in t.header]
    if "results" not in keys:
        return
    indicator = keys.index("result_indicator") if "result_indicator" in keys else None
    kinds: list[str] = []
    if indicator is not None:
        values, _ = t.columns[indicator].sample(len(t.rows))
        kinds = sorted(v for v in values if v)
    if kinds and all(_CONVERSION_ACTIONS.search(k) for k in kinds):
        where["conversions"] = keys.index("results")
    else:
        shown = ", ".join(kinds[:4]) if kinds else "unknown"
        notes.append(
            f"'Results' not used as conversions: the results are {shown}, not purchases or "
            f"leads ({OPT_MAP} 'Results=conversions' to use them anyway)"
        )
