"""World Bank Remittance Prices Worldwide (RPW): the cost of sending remittances, per corridor and quarter.

Two files are read and united by :func:`to_store` into ``remittance_cost``:

* ``rpw_databank_corridors``, **official**: the DataBank export of series ``ATCR.CORR`` "Average Total Cost to
  remit in corridor" (cost of sending US$200), 2011Q1-2020Q3. A wide CSV with a UTF-8 BOM, one row per sender x
  receiver pair (every pair, mostly ``..``), one column per period named ``2011Q1 [YR2011Q1]`` (half-yearly to
  2012: 2011Q1, 2011Q3, 2012Q1, 2012Q3; quarterly from 2013Q1). ``..`` means no estimate: NA, never 0. The
  receiving columns are named with two spaces (``Receiving Countries  Code``); header names are matched with runs
  of spaces collapsed, so an export with single spaces reads too, and errors name the column as the file spells
  it. Five footer lines (three blank, "Data from database: ...", "Last Updated: ...") end the table: the first
  row without a series code ends it, and only such lines may follow. Only ATCR.CORR is accepted: the export has
  no US$500 cost, fx margin or provider count, so those are NULL in official rows.
* ``rpw_quotes_jonsmirl``, **third party**: means over all provider quotes per corridor and quarter, computed from
  the official quote-level workbook by the jonsmirl/thesis repository, 2016Q2-2025Q1, for corridors whose sender or
  receiver is in a list of ~47 countries (a subset). Periods are written ``2016_2Q``. Its ``corridor`` label
  must agree with the code columns; DEU->Kosovo is labelled ``DEUKSV`` in 34 quarters and ``DEUXKX`` in two (its
  destination code is ``KSV`` in all 36), so rows are keyed by the code columns, never by the label, and the label
  variants are said in the build log. The US$500 fx margin is read and checked but not stored.

Not read by the build: the mirror's tidy union ``rpw_corridor_long`` (registered with ``build = false``). It is a
rendering of the same two files; building the union here keeps each row's ``source`` and ``source_id`` exact and
the preference rule in code that is tested.

Decisions:

* **Units: percent of the amount sent (0..100), not fractions.** The store names the columns ``cost_pct_200``,
  ``cost_pct_500`` and ``fx_margin_pct_200`` (as the issue does), and SDG 10.c.1 is stated in percent; a fraction in
  a ``_pct`` column would be a trap. This is the one exception to "shares are fractions" (``vocab.UNITS`` has
  "percent"); the schema comment says so. Values outside [-100, 1000] are not a cost in percent (a unit or typing
  error) and are refused; inside that range nothing is altered.
* **Codes:** RPW's Kosovo ``KSV`` becomes the project's ``XKX`` (:data:`ALIASES`). ``ANT`` Netherlands Antilles
  (dissolved in 2010; the databank keeps NLD->ANT for 2011Q1-2015Q3) cannot be split among its successors
  (Curaçao, Sint Maarten, the Caribbean Netherlands), so it is kept as a documented code (:data:`DOCUMENTED_CODES`).
* **Union:** official rows are preferred where both files give a corridor-quarter; the derived rows then not loaded
  are counted in the build log with how far they differ. A corridor-quarter given twice by one file after recoding
  keeps the row with the most provider quotes (the other is said).
* **Anomalies are flagged, not hidden** (``anomaly``): a negative US$200 cost (fx-margin artefacts of the quote
  data), a cost above 30 %, fewer than 3 provider quotes (derived rows only: the export has no count). Several
  flags are joined with "; ".
* **The global number is a simple mean** of the corridor averages in the table (:func:`simple_mean_cost`). It does
  not reproduce RPW's published Global Average (e.g. 2016Q2: 7.69 % over 361 official corridors against 7.60 %
  published), and is labelled as such (:data:`MEAN_LABEL`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError, QueryError
from migdev.sources import spec
from migdev.sources.csv_tables import (
    check_unique,
    dispatch,
    find_header,
    locate_header,
    read_csv,
    refuse,
    require_utf8,
    scan,
    validate,
)

if TYPE_CHECKING:  # harmonise imports the sources package, which imports this module
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

#: RPW's own codes and the registry's: Kosovo is KSV in both files (the World Bank's XKX elsewhere).
ALIASES = {"KSV": "XKX"}

#: Codes RPW uses that are not ISO 3166-1 today.
DOCUMENTED_CODES = {
    "ANT": {
        "note": "Netherlands Antilles: ISO 3166-1 ANT (M49 530) until the country was dissolved on 2010-10-10 "
                "(now ISO 3166-3 ANHH). RPW's DataBank export keeps the corridor NLD->ANT (2011Q1-2015Q3) under "
                "the old code; its costs cannot be split among Curaçao, Sint Maarten and the Caribbean Netherlands",
        "names": {"en": "Netherlands Antilles", "fr": "Antilles néerlandaises", "es": "Antillas Neerlandesas",
                  "ru": "Нидерландские Антильские острова", "zh": "荷属安的列斯", "ar": "جزر الأنتيل الهولندية"},
    },
}

#: A number outside these bounds is not a cost in percent of the amount sent (refused, not flagged).
LOWEST_PCT, HIGHEST_PCT = -100.0, 1000.0
#: Anomaly thresholds: a cost above this percent, fewer provider quotes than this.
HIGH_COST_PCT, MIN_PROVIDERS = 30.0, 3
MEAN_LABEL = "simple mean of corridor averages in the file (not RPW's published Global Average)"
SERIES_CODE = "ATCR.CORR"
COLUMNS = ("period", "sender", "receiver", "cost_pct_200", "cost_pct_500", "fx_margin_pct_200", "providers",
           "source", "source_id", "anomaly")

_PERIOD = pa.Column(str, pa.Check.str_matches(r"^\d{4}Q[1-4]$"))
_CODE = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))


def _pct(nullable: bool) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(LOWEST_PCT, HIGHEST_PCT), nullable=nullable)


_PLACES = {"period": _PERIOD, "sender": _CODE, "sender_name": pa.Column(str), "receiver": _CODE,
           "receiver_name": pa.Column(str)}
DATABANK = pa.DataFrameSchema({**_PLACES, "cost_pct_200": _pct(False)}, name="RPW DataBank corridors", strict=True)
QUOTES = pa.DataFrameSchema(
    {**_PLACES, "corridor": pa.Column(str), "cost_pct_200": _pct(False), "cost_pct_500": _pct(True),
     "fx_margin_pct_200": _pct(True), "fx_margin_pct_500": _pct(True),
     "providers": pa.Column("Int64", pa.Check.ge(1))},
    name="RPW quarterly means of quotes", strict=True)

# DataBank column names with single spaces; the file's are matched with runs of spaces collapsed
_DB_IDS = {"sender_name": "Sending Countries Name", "sender": "Sending Countries Code",
           "series_name": "Series Name", "series": "Series Code", "receiver_name": "Receiving Countries Name",
           "receiver": "Receiving Countries Code"}
_DB_PERIOD = re.compile(r"^(\d{4}Q[1-4]) \[YR\1\]$")
_DB_FOOTER = ("Data from database", "Last Updated")
_QUOTE_COLUMNS = {"period": "period", "source_code": "sender", "source_name": "sender_name",
                  "destination_code": "receiver", "destination_name": "receiver_name", "corridor": "corridor",
                  "avg_cost_pct_200usd": "cost_pct_200", "avg_cost_pct_500usd": "cost_pct_500",
                  "avg_fx_margin_200usd": "fx_margin_pct_200", "avg_fx_margin_500usd": "fx_margin_pct_500",
                  "num_providers": "providers"}
_QUOTE_PERIOD = re.compile(r"^(\d{4})_([1-4])Q$")


def _collapse(name: str) -> str:
    return " ".join(name.split())


def _numbers(path: Path, text: pd.Series, first_row: int, column: str, missing: tuple[str, ...] = ()) -> pd.Series:
    """Numbers of a text column (``missing`` markers and empty cells are NA), refusing non-numbers, non-finite
    values and values outside [LOWEST_PCT, HIGHEST_PCT]."""
    text = text.where(~text.isin(missing))
    values = pd.to_numeric(text, errors="coerce")
    refuse(path, values.isna() & text.notna(), text, column, "is not a number", first_row=first_row)
    refuse(path, values.notna() & ~np.isfinite(values.astype(float)), text, column, "is not a finite number",
           first_row=first_row)
    refuse(path, (values < LOWEST_PCT) | (values > HIGHEST_PCT), text, column,
           f"is outside [{LOWEST_PCT:g}, {HIGHEST_PCT:g}]: not a cost in percent of the amount sent",
           first_row=first_row)
    return values.astype(float)


def parse_databank(path: Path | str) -> pd.DataFrame:
    """The official DataBank export (wide, ``..`` missing, footer lines) as one row per corridor and period."""
    path = Path(path)
    line = find_header(path, ("Sending Countries Code", "Series Code"))
    header = scan(path, line, normalise=_collapse)  # a name repeated with other spacing is a repeated name
    by_name = {_collapse(c): c for c in header}
    ids = {key: by_name.get(name, name) for key, name in _DB_IDS.items()}
    periods = {c: m.group(1) for c in header if (m := _DB_PERIOD.match(c))}
    extra = [c for c in header if c not in periods and c not in ids.values() and c]
    if extra:
        raise ParseError(path, "not a period column like '2011Q1 [YR2011Q1]'", row=line + 1, column=extra[0])
    if not periods:
        raise ParseError(path, "no period columns after the header", row=line + 1)
    df = read_csv(path, (*ids.values(), *periods), header_line=line)
    first = line + 2
    footer = df.drop(columns=ids["sender_name"]).isna().all(axis=1) & (
        df[ids["sender_name"]].isna() | df[ids["sender_name"]].str.startswith(_DB_FOOTER, na=False))
    end = int(footer.to_numpy().argmax()) if footer.any() else len(df)
    after = ~footer.iloc[end:]
    if after.any():
        i = end + int(after.to_numpy().argmax())
        raise ParseError(path, f"a data row after the end of the table (row {first + end})", row=first + i)
    df = df.iloc[:end]
    if df.empty:
        raise ParseError(path, "the table has no data rows", row=line + 2)
    for key in ("sender", "series", "receiver", "sender_name", "receiver_name"):
        col = ids[key]
        refuse(path, df[col].isna(), df[col], col, "is empty: a required value", first_row=first)
    for key in ("sender", "receiver"):
        refuse(path, ~df[ids[key]].str.fullmatch(r"[A-Z]{3}"), df[ids[key]], ids[key],
               "is not a three-letter country code", first_row=first)
    refuse(path, df[ids["series"]] != SERIES_CODE, df[ids["series"]], ids["series"],
           f"is not the series {SERIES_CODE} (average total cost of sending US$200)", first_row=first)
    check_unique(df, (ids["sender"], ids["receiver"]), path, first_row=first)
    self_pair = df[ids["sender"]] == df[ids["receiver"]]
    for col in periods:
        df[col] = _numbers(path, df[col], first, col, missing=("..",))
        refuse(path, self_pair & df[col].notna(), df[ids["sender"]], col,
               "sends to itself: a corridor needs two countries", first_row=first)
    long = df.rename(columns={c: k for k, c in ids.items()}).melt(
        id_vars=list(_PLACES)[1:], value_vars=list(periods), var_name="period", value_name="cost_pct_200")
    long = long.dropna(subset=["cost_pct_200"])  # '..': no estimate for that corridor and period
    long["period"] = long["period"].map(periods)
    long = long[list(DATABANK.columns)].sort_values(["period", "sender", "receiver"]).reset_index(drop=True)
    return validate(long, DATABANK, path)


def parse_quotes(path: Path | str) -> pd.DataFrame:
    """The third-party long file of per-quarter means of provider quotes (period ``2016_2Q``)."""
    path = Path(path)
    line = locate_header(path, ("period", "source_code", "destination_code"))  # read_csv names a missing column
    df = read_csv(path, tuple(_QUOTE_COLUMNS), integer=("num_providers",), header_line=line,
                  required=("period", "source_code", "source_name", "destination_code", "destination_name",
                            "corridor", "avg_cost_pct_200usd", "num_providers"))
    first = line + 2
    period = df["period"].str.extract(_QUOTE_PERIOD)
    refuse(path, period[0].isna(), df["period"], "period", "is not a quarter like '2016_2Q'", first_row=first)
    df["period"] = period[0] + "Q" + period[1]
    for col in ("source_code", "destination_code"):
        refuse(path, ~df[col].str.fullmatch(r"[A-Z]{3}"), df[col], col, "is not a three-letter country code",
               first_row=first)
    refuse(path, df["source_code"] == df["destination_code"], df["destination_code"], "destination_code",
           "is also the sender: a corridor needs two countries", first_row=first)
    same = lambda codes: codes.replace(ALIASES)  # noqa: E731 - the label may spell Kosovo either way
    label_ok = (df["corridor"].str[:3] == df["source_code"]) & (
        same(df["corridor"].str[3:]) == same(df["destination_code"]))
    refuse(path, ~label_ok, df["corridor"], "corridor", "does not name the sender and destination codes",
           first_row=first)
    for col in ("avg_cost_pct_200usd", "avg_cost_pct_500usd", "avg_fx_margin_200usd", "avg_fx_margin_500usd"):
        df[col] = _numbers(path, df[col], first, col)
    refuse(path, df["num_providers"] < 1, df["num_providers"], "num_providers",
           "provider quotes: a mean needs at least one", first_row=first)
    check_unique(df, ("period", "source_code", "destination_code"), path, first_row=first)
    df = df.rename(columns=_QUOTE_COLUMNS)[list(QUOTES.columns)]
    return validate(df, QUOTES, path, first_row=first)


def parse(path: Path | str) -> pd.DataFrame:
    """Read either RPW file, recognised by its header."""
    path = Path(path)
    require_utf8(path, ("Sending Countries Code", "period"))
    try:
        find_header(path, ("Sending Countries Code", "Series Code"))
    except ParseError:
        return dispatch(path, [(("period", "source_code", "destination_code", "avg_cost_pct_200usd"), parse_quotes)],
                        "Remittance Prices Worldwide")
    return parse_databank(path)


# ------------------------------------------------------------------------------------------------ to the store
def anomalies(cost_pct_200: pd.Series, providers: pd.Series) -> pd.Series:
    """The ``anomaly`` flags of each row ("negative", "above 30%", "fewer than 3 providers"; "; "-joined), or NA."""
    flags = {
        "negative": cost_pct_200 < 0,
        f"above {HIGH_COST_PCT:g}%": cost_pct_200 > HIGH_COST_PCT,
        f"fewer than {MIN_PROVIDERS} providers": (providers < MIN_PROVIDERS).fillna(False).astype(bool),
    }
    text = pd.Series("", index=cost_pct_200.index, dtype="string")
    for name, hit in flags.items():
        text = text.mask(hit.to_numpy(), text.where(text == "", text + "; ") + name)
    return text.mask(text == "")


def corridor_rows(frame: pd.DataFrame, source_id: str, h: Harmoniser) -> pd.DataFrame:
    """One parsed file as rows of ``remittance_cost`` (before the union): codes recoded and resolved, flags set.

    A file is official (the DataBank export) or derived (quote means), known by its columns.
    """
    kind = "derived" if "providers" in frame.columns else "official"
    f = frame.copy()
    for field in ("sender", "receiver"):
        f[field] = h.recode(f[field], ALIASES, source_id, field)
    sender, sender_group = h.split(f, source_id, "sender", iso3="sender", name="sender_name")
    receiver, receiver_group = h.split(f, source_id, "receiver", iso3="receiver", name="receiver_name")
    h.not_loaded(sender_group.fillna(receiver_group), source_id, "corridor costs are kept between countries only")
    if "corridor" in f.columns:
        odd = f["corridor"] != frame["sender"] + frame["receiver"]
        for label, part in f[odd].groupby("corridor"):
            h.say("info", f"{source_id}: corridor label {label} on {len(part)} rows ({', '.join(part['period'])}) "
                          f"for {frame.loc[part.index[0], 'sender']}->{frame.loc[part.index[0], 'receiver']}: "
                          f"rows are keyed by the code columns, not the label")
    missing = pd.Series(np.nan, index=f.index)
    providers = f["providers"] if kind == "derived" else pd.Series(pd.NA, index=f.index, dtype="Int64")
    out = pd.DataFrame({
        "period": f["period"], "sender": sender, "receiver": receiver, "cost_pct_200": f["cost_pct_200"],
        "cost_pct_500": f.get("cost_pct_500", missing), "fx_margin_pct_200": f.get("fx_margin_pct_200", missing),
        "providers": providers.astype("Int64"), "source": kind, "source_id": source_id,
        "anomaly": anomalies(f["cost_pct_200"], providers)})
    return out[(sender.notna() & receiver.notna()).to_numpy()].reset_index(drop=True)


def union(parts: list[pd.DataFrame], h: Harmoniser) -> pd.DataFrame:
    """One row per corridor-quarter: within a source the row with most quotes, across sources the official one."""
    key = ["period", "sender", "receiver"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    table = table.sort_values("providers", ascending=False, na_position="last", kind="stable")
    twice = table.duplicated([*key, "source"], keep="first")
    for (source, source_id), part in table[twice].groupby(["source", "source_id"]):
        shown = ", ".join(f"{r.period} {r.sender}->{r.receiver}" for r in part.head(5).itertuples())
        h.say("warning", f"{source_id}: {len(part)} {source} corridor-quarters given twice after recoding codes "
                         f"({shown}); the row with most provider quotes is kept, the other not loaded")
    table = table[~twice]
    table = table.sort_values("source", key=lambda s: s.map({"official": 0, "derived": 1}), kind="stable")
    covered = table.duplicated(key, keep="first")
    if covered.any():
        dropped = table[covered]
        gap = dropped.merge(table[~covered], on=key, suffixes=("", "_kept"))
        diff = (gap["cost_pct_200"] - gap["cost_pct_200_kept"]).abs()
        h.say("info", f"remittance_cost: {len(dropped):,} derived corridor-quarters not loaded where the official "
                      f"export gives the same corridor and quarter (official preferred); they differ by "
                      f"{diff.median():.2f} pp in median, {(diff <= 0.05).mean():.0%} within 0.05 pp, "
                      f"at most {diff.max():.2f} pp")
    table = table[~covered].sort_values([*key]).reset_index(drop=True)
    for (source, flag), n in table.groupby(["source", "anomaly"]).size().items():
        h.say("info", f"remittance_cost: {n:,} {source} rows flagged '{flag}' (kept, not altered)")
    return table[list(COLUMNS)]


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """``remittance_cost``: the union of the official export and the derived quote means (see the module text)."""
    table = union([corridor_rows(frame, sid, h) for sid, frame in frames.items()], h)
    h.say("info", f"remittance_cost: {len(table):,} corridor-quarters, {table['period'].min()}-"
                  f"{table['period'].max()}" if len(table) else "remittance_cost: no rows")
    return {"remittance_cost": table}


def simple_mean_cost(table: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Simple (unweighted) mean of the corridor costs of sending US$200, per quarter.

    RPW's own "Global Average" is also a simple mean over corridors, but of RPW's full corridor set and its own
    provider averages; the files at hand do not reproduce it (SOURCES.md 1.6), so the result carries
    :data:`MEAN_LABEL`. Anomalous rows are included (as RPW includes them) and counted. On the stored union the
    corridor set changes at 2020Q4, where the official export ends (367 official corridors in 2020Q3, 298 of the
    derived subset in 2020Q4): ``corridors`` and ``sources`` say so, and a mean per source is this function applied
    to the rows of one source.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of ``remittance_cost`` (or of :func:`corridor_rows`): ``period``, ``cost_pct_200``, ``source``,
        ``anomaly``.
    period : str, optional
        One quarter (``"2025Q1"``); all quarters when omitted.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``corridors`` (corridors with a cost), ``mean_cost_pct_200`` (percent of the amount sent),
        ``anomalies`` (flagged corridors among them), ``sources`` (comma-joined) and ``label``, by period.

    Raises
    ------
    QueryError
        If ``period`` is given and the table has no row for it.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2025Q1", "2025Q1", "2024Q4"], "cost_pct_200": [4.0, -1.0, 6.0],
    ...                   "source": "derived", "anomaly": [None, "negative", None]})
    >>> simple_mean_cost(t)[["period", "corridors", "mean_cost_pct_200", "anomalies"]]
       period  corridors  mean_cost_pct_200  anomalies
    0  2024Q4          1                6.0          0
    1  2025Q1          2                1.5          1
    """
    rows = table if period is None else table[table["period"] == period]
    rows = rows[rows["cost_pct_200"].notna()]
    if rows.empty:
        held = f"{table['period'].min()}-{table['period'].max()}" if len(table) else "none"
        raise QueryError(f"no corridor cost for period {period!r}; periods held: {held}")
    g = rows.groupby("period", sort=True)
    out = pd.DataFrame({"corridors": g["cost_pct_200"].count(), "mean_cost_pct_200": g["cost_pct_200"].mean(),
                        "anomalies": g["anomaly"].count(),
                        "sources": g["source"].agg(lambda s: ", ".join(sorted(set(s))))}).reset_index()
    out["label"] = MEAN_LABEL
    return out
