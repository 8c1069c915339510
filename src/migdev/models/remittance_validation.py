"""How well the re-estimation reproduces KNOMAD's published matrices, per edition and variant.

Every variant of :mod:`migdev.models.remittances` is run for each KNOMAD edition on the inputs that edition used,
and compared with the published corridors (``remittance_bilateral``, the cells above 0). Decisions:

* **Stock basis per edition** (:data:`BASES`): the year the edition's notes name, from the oldest IMS revision
  held (2020; KNOMAD's own migration matrices were built on UN DESA's 2013, 2017 and 2020 revisions). 2016: stocks
  of 2013 (the notes); 2017: 2017 (the notes); 2018: 2017 (the third party's CSV has no notes: assumed the 2017
  matrix, KNOMAD's latest migration matrix then); 2021: 2020, the notes' "estimated migrant stocks from 2021" are
  KNOMAD's extrapolation of UN DESA 2020, and migdev does not extrapolate past a revision's last year. The latest
  revision at the edition's year is run as well (``basis = 'latest'``) to show what a newer revision changes.
* **Inflows**: ``wdi`` is the WDI series of the edition's year in the build's vintage (the product); ``published``
  is the edition's own receipts per receiver (its cells summed), which isolates the allocation from data
  revisions (China's receipts for 2021 were US$ 53 bn in the edition and are 17 bn in WDI 2026; Viet Nam has
  none in WDI).
* **Metrics** over the edition's corridors above 0: ``share_within_25`` is the share of the edition's volume in
  corridors the estimate reproduces within 25 % (an estimate of 0 is outside); ``corr_log`` is the Pearson
  correlation of log values over the corridors both have above 0; ``corridors`` and ``matched`` count them.
* **Choice** (:func:`best`): the variant with the highest mean ``share_within_25`` over the editions 2016-2018
  (WDI inflows, the edition's basis); 2021 is held out, so its figure is an out-of-sample check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from migdev.models.remittances import METHOD, Inputs, Method, allocate, stocks_at

__all__ = ["BASES", "CANDIDATES", "COLUMNS", "README_MARKERS", "TRAIN", "Basis", "best", "compare", "readme_block",
           "readme_table", "validate"]


@dataclass(frozen=True)
class Basis:
    """The stock revision and year an edition is compared on."""

    stock_revision: str
    stock_year: int


BASES: dict[int, Basis] = {2016: Basis("2020", 2013), 2017: Basis("2020", 2017), 2018: Basis("2020", 2017),
                           2021: Basis("2020", 2020)}
#: Editions the choice is made on; the others are held out.
TRAIN = (2016, 2017, 2018)
CANDIDATES: tuple[Method, ...] = (
    Method("stock"), Method("host"), Method("min"),
    *(Method("gain", s) for s in (0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0)))

COLUMNS = ["edition", "method_version", "variant", "share", "inflows", "basis", "stock_revision", "stock_year",
           "income_year", "corridors", "matched", "volume_published", "volume_estimated", "share_within_25",
           "corr_log", "chosen"]


def compare(estimate: pd.DataFrame, published: pd.DataFrame, tolerance: float = 0.25) -> dict[str, float]:
    """Agreement of estimated corridors with published ones.

    Parameters
    ----------
    estimate, published : DataFrame
        ``sender``, ``receiver``, ``usd``; only published corridors above 0 are scored.
    tolerance : float
        Relative distance that counts as reproduced.

    Returns
    -------
    dict
        ``corridors``, ``matched`` (estimated above 0), ``volume_published``, ``volume_estimated`` (on the
        published corridors), ``share_within_25`` (share of published volume reproduced within the tolerance)
        and ``corr_log`` (NaN with fewer than 3 matched corridors).

    Examples
    --------
    >>> pub = pd.DataFrame({"sender": ["A", "B", "C"], "receiver": "X", "usd": [80.0, 15.0, 5.0]})
    >>> est = pd.DataFrame({"sender": ["A", "B"], "receiver": "X", "usd": [90.0, 30.0]})
    >>> compare(est, pub)["share_within_25"]
    0.8
    """
    pub = published[published["usd"] > 0]
    m = pub.merge(estimate[["sender", "receiver", "usd"]], on=["sender", "receiver"], how="left",
                  suffixes=("", "_est"))
    est = m["usd_est"].fillna(0.0).to_numpy()
    val = m["usd"].to_numpy()
    within = np.abs(est - val) <= tolerance * val
    both = est > 0
    corr = float(np.corrcoef(np.log(est[both]), np.log(val[both]))[0, 1]) if both.sum() >= 3 else float("nan")
    return {"corridors": len(m), "matched": int(both.sum()), "volume_published": float(val.sum()),
            "volume_estimated": float(est.sum()),
            "share_within_25": float(val[within].sum() / val.sum()) if val.sum() > 0 else float("nan"),
            "corr_log": corr}


def validate(con, data: Inputs) -> pd.DataFrame:
    """The ``remittance_estimate_validation`` rows: every candidate x edition x inflows x basis held.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A database with ``remittance_bilateral`` (the editions).
    data : Inputs
        :func:`migdev.models.remittances.inputs` of the same database.

    Returns
    -------
    DataFrame
        One row per edition x :data:`CANDIDATES` x inflows (``wdi``, ``published``) x basis, columns
        :data:`COLUMNS`.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE remittance_bilateral AS SELECT 2021 AS edition, 'QAT' AS sender, "
    ...                 "'NPL' AS receiver, 9.0 AS usd")
    >>> stock = pd.DataFrame({"year": [2020], "sender": "QAT", "receiver": "NPL", "stock": [20.0]})
    >>> flows = pd.DataFrame({"iso3": ["NPL"], "year": [2021], "value": [10.0]})
    >>> v = validate(con, Inputs({"2020": stock}, flows, flows.iloc[:0], "v1"))
    >>> v[v["chosen"]][["inflows", "share_within_25"]].values.tolist()
    [['wdi', 1.0], ['published', 1.0]]
    """
    published = con.execute("SELECT edition, sender, receiver, usd FROM remittance_bilateral").df()
    rows = []
    for edition, pub in published.groupby("edition"):
        edition = int(edition)
        own = pub.groupby("receiver")["usd"].sum()
        inflows = {"wdi": data.inflow_of(edition), "published": own}
        for basis_name, basis in _bases(edition, data).items():
            stock = stocks_at(data.stock[basis.stock_revision], basis.stock_year)  # one year: no matrix kept
            for method in CANDIDATES:
                for name, inflow in inflows.items():
                    est = allocate(stock, inflow, data.income_of(edition), method)
                    rows.append({"edition": edition, "method_version": method.version, "variant": method.variant,
                                 "share": method.share, "inflows": name, "basis": basis_name,
                                 "stock_revision": basis.stock_revision, "stock_year": basis.stock_year,
                                 "income_year": edition, **compare(est, pub),
                                 "chosen": method.version == METHOD.version})
    return pd.DataFrame(rows, columns=COLUMNS)


def _bases(edition: int, data: Inputs) -> dict[str, Basis]:
    """The edition's documented basis (if its revision is held) and the latest revision at the edition's year."""
    out = {}
    doc = BASES.get(edition)
    if doc and doc.stock_revision in data.stock and _spans(data, doc):
        out["edition"] = doc
    if data.stock:
        latest = Basis(max(data.stock), edition)
        if _spans(data, latest) and latest != doc:
            out["latest"] = latest
    return out


def _spans(data: Inputs, basis: Basis) -> bool:
    years = data.stock[basis.stock_revision]["year"]
    return bool(len(years)) and years.min() <= basis.stock_year <= years.max()


def best(validation: pd.DataFrame, editions: tuple[int, ...] = TRAIN) -> str:
    """The method version with the highest mean ``share_within_25`` over ``editions`` (WDI inflows, each edition's
    own stock basis).

    Examples
    --------
    >>> v = pd.DataFrame({"edition": [2016, 2016, 2017, 2017], "method_version": ["a", "b", "a", "b"],
    ...                   "inflows": "wdi", "basis": "edition", "share_within_25": [0.5, 0.6, 0.5, 0.45]})
    >>> best(v)
    'b'
    """
    v = validation[validation["edition"].isin(editions) & (validation["inflows"] == "wdi")
                   & (validation["basis"] == "edition")]
    return str(v.groupby("method_version")["share_within_25"].mean().idxmax())


def readme_table(validation: pd.DataFrame) -> str:
    """The README's tables: the chosen method per edition, then every variant's share per edition (WDI inflows).

    The first table gives, per edition, the share within 25 % and the correlation of logs on WDI inflows and on the
    edition's own inflows (its basis), and the share on the latest IMS revision at the edition's year where held.

    Examples
    --------
    >>> v = pd.DataFrame({"edition": [2021, 2021], "method_version": ["m", "m"], "variant": "gain", "share": 0.1,
    ...     "inflows": ["wdi", "published"], "basis": "edition", "stock_revision": "2020", "stock_year": 2020,
    ...     "corridors": 5, "matched": 4, "volume_published": 2e9, "share_within_25": [0.5, 0.9],
    ...     "corr_log": [0.9, 0.95], "chosen": True})
    >>> print(readme_table(v).splitlines()[2])
    | 2021 | IMS 2020, 2020 | 5 | 4 | 2.0 | 50.0 % | 0.900 | 90.0 % | 0.950 | - |
    """
    pct = lambda x: "-" if pd.isna(x) else f"{x:.1%}".replace("%", " %")  # noqa: E731
    chosen = validation[validation["chosen"]]
    own = chosen[chosen["basis"] == "edition"]
    lines = ["| edition | stocks | corridors | matched | volume (US$ bn) | within 25 % (WDI inflows) | corr. of logs "
             "(WDI) | within 25 % (edition's inflows) | corr. of logs (edition's) | within 25 % (WDI, latest IMS "
             "at the edition's year) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for edition, f in own.groupby("edition"):
        w = f[f["inflows"] == "wdi"].iloc[0]
        p = f[f["inflows"] == "published"].iloc[0]
        latest = chosen[(chosen["edition"] == edition) & (chosen["basis"] == "latest") & (chosen["inflows"] == "wdi")]
        late = pct(latest["share_within_25"].iloc[0]) if len(latest) else "-"
        if len(latest):
            late += f" (IMS {latest['stock_revision'].iloc[0]}, {latest['stock_year'].iloc[0]})"
        lines.append(f"| {edition} | IMS {w.stock_revision}, {w.stock_year} | {w.corridors} | {w.matched} | "
                     f"{w.volume_published / 1e9:.1f} | {pct(w.share_within_25)} | {w.corr_log:.3f} | "
                     f"{pct(p.share_within_25)} | {p.corr_log:.3f} | {late} |")
    wdi = validation[(validation["basis"] == "edition") & (validation["inflows"] == "wdi")]
    if len(wdi["method_version"].unique()) > 1:
        grid = wdi.pivot_table(index="method_version", columns="edition", values="share_within_25", sort=False)
        train = [e for e in TRAIN if e in grid.columns]
        grid["mean"] = grid[train].mean(axis=1)
        lines += ["", "| variant (WDI inflows, the edition's stocks) | "
                  + " | ".join(str(e) for e in grid.columns[:-1])
                  + f" | mean {min(train)}-{max(train)} (the choice) |", "|---" * len(grid.columns) + "|---|"]
        for version, r in grid.sort_values("mean", ascending=False).iterrows():
            mark = " (chosen)" if version == METHOD.version else ""
            lines.append(f"| {version}{mark} | " + " | ".join(pct(x) for x in r) + " |")
    return "\n".join(lines)


#: The README's markers around the generated table.
README_MARKERS = ("<!-- remittance-validation:start -->", "<!-- remittance-validation:end -->")


def readme_block(readme: str, table: str) -> str:
    """``readme`` with the text between :data:`README_MARKERS` replaced by ``table``.

    Examples
    --------
    >>> readme_block("a\\n<!-- remittance-validation:start -->\\nold\\n<!-- remittance-validation:end -->\\nb", "new")
    'a\\n<!-- remittance-validation:start -->\\nnew\\n<!-- remittance-validation:end -->\\nb'
    """
    start, end = README_MARKERS
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{table}\n{end}{tail}"


if __name__ == "__main__":  # python -m migdev.models.remittance_validation [README.md]: rewrite the README's table
    import sys
    from pathlib import Path

    from migdev.query import run

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    frame = run("remittance_validation", None).frame
    path.write_text(readme_block(path.read_text(encoding="utf-8"), readme_table(frame)), encoding="utf-8")
    print(f"{path}: remittance validation table rewritten from {len(frame)} rows")
