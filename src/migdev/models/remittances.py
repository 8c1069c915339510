"""Bilateral remittances re-estimated: each receiving country's inflow split across the countries its emigrants live in.

The World Bank/KNOMAD matrices (``remittance_bilateral``) stop at 2021 and are themselves estimates: Ratha and
Shaw (2007, *South-South Migration and Remittances*, World Bank Working Paper 102, annex; restated in the annex
of Mohapatra and Ratha 2010) allocate the remittances ``R_i`` a country *i* receives across the host countries *j*
of its emigrants, ``R_ij = R_i w_ij / sum_j w_ij``, with three published weighting rules: (1) the migrant stock
``M_ij``; (2) the stock times the host's per capita income; (3) a weight that "takes into account migrants'
incomes abroad as well as source-country incomes". The matrices' notes say only that the remittances are
"disaggregated using host country and origin country incomes" and that "the incomes of migrants abroad and the
costs of living in the migrants' country of origin are both proxied by per capita incomes in PPP terms"; the form
of rule (3) is left open. Decisions:

* **Direction.** As in ``remittance_bilateral``: ``sender`` is where the migrants live (``migrant_stock``'s
  destination, the remittance-sending country), ``receiver`` is their country of birth (``migrant_stock``'s
  origin, the remittance-receiving country). The money flows sender -> receiver.
* **Inputs.** Inflows: WDI personal remittances received, ``BX.TRF.PWKR.CD.DT`` (current US$) of the year.
  Stocks: UN DESA IMS bilateral stocks (both sexes) of a revision; a year between two IMS years of the revision
  is a linear interpolation of the two, per corridor (a corridor the UN does not publish in one of the two years
  counts 0 there); no year outside a revision's first and last IMS year is made. Incomes: WDI GNI per capita,
  PPP (``NY.GNP.PCAP.PP.CD``) of the year, as the notes say.
* **Variants** (:data:`VARIANTS`): ``stock`` (rule 1), ``host`` (rule 2), ``min`` (stock x the lower of the host's
  and the origin's income) and ``gain`` (rule 3 as an income gain): ``w = M (y_origin + s max(y_host - y_origin,
  0))``: a migrant remits in proportion to the cost of living at home plus a share ``s`` of what the host pays
  above it. ``s = 0`` is rule (1), ``s = 1`` is ``M max(y_host, y_origin)`` (the ratio form ``M max(y_host /
  y_origin, 1)``, since the origin's income is common to all of a receiver's corridors). The published matrices
  have exactly this shape: within a receiver the remittance per migrant is one constant across the hosts poorer
  than the origin and rises linearly with the host's income above it (KNOMAD 2016 and 2021, against their own
  migration matrices: ``s`` about 0.075-0.08); :mod:`migdev.models.remittance_validation` picks ``s``.
* **Missing incomes.** A corridor whose host or origin has no income of the year takes the stock-only weight
  (factor 1 for ``gain``, the receiver's median income factor for ``host`` and ``min``), so no inflow is lost for
  want of an income.
* A receiver with an inflow but no emigrant stock in the revision has nothing to allocate to: its inflow is left
  out and counted in the build log; a corridor with a zero stock gets zero (no row).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["INCOME", "INFLOW", "METHOD", "VARIANTS", "Inputs", "Method", "allocate", "estimate", "inputs", "run",
           "stock_matrix", "stocks_at", "weights"]

INFLOW = "BX.TRF.PWKR.CD.DT"
INCOME = "NY.GNP.PCAP.PP.CD"

#: The weighting rules, each a function of (stock, host income, origin income, s) -> weight.
VARIANTS: dict[str, str] = {
    "stock": "migrant stock only (Ratha & Shaw rule 1)",
    "host": "stock x host GNI per capita PPP (rule 2)",
    "min": "stock x min(host, origin GNI per capita PPP)",
    "gain": "stock x (origin income + s x max(host - origin income, 0)), GNI per capita PPP (rule 3)",
}


@dataclass(frozen=True)
class Method:
    """One allocation rule with its parameter; ``version`` is the tag stored with every estimate."""

    variant: str
    share: float = 0.0
    revision: int = 1

    @property
    def version(self) -> str:
        tail = f"-s{self.share:g}" if self.variant == "gain" else ""
        return f"rs2007-{self.variant}{tail}-v{self.revision}"


#: The method version the build stores (chosen by the validation against KNOMAD 2016-2018: see the README).
METHOD = Method("gain", 0.075)


def _fill(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``values`` with NaN replaced by the median of its group (1.0 where the whole group is NaN)."""
    s = pd.Series(values)
    med = s.groupby(groups).transform("median")
    return s.fillna(med).fillna(1.0).to_numpy()


def weights(stock: np.ndarray, host_income: np.ndarray, origin_income: np.ndarray, variant: str,
            share: float = 0.0, receiver: np.ndarray | None = None) -> np.ndarray:
    """Allocation weight of each corridor under a variant of :data:`VARIANTS`.

    Parameters
    ----------
    stock : array of float
        Migrants of the receiving country living in the sending country.
    host_income, origin_income : array of float
        Per capita income of the sending (host) and receiving (origin) country; NaN where unknown.
    variant : str
        A key of :data:`VARIANTS`.
    share : float
        ``s`` of the ``gain`` variant, in [0, 1].
    receiver : array, optional
        Receiver of each corridor, for filling a missing income with the receiver's median (``host``, ``min``).

    Returns
    -------
    numpy.ndarray
        Non-negative weights, 0 where the stock is 0.

    Examples
    --------
    >>> w = weights(np.array([10.0, 10.0, 0.0]), np.array([5.0, 30.0, 30.0]), np.array([10.0, 10.0, 10.0]),
    ...             "gain", 0.5)
    >>> w.tolist()
    [10.0, 20.0, 0.0]
    """
    stock = np.asarray(stock, dtype=float)
    host = np.asarray(host_income, dtype=float)
    origin = np.asarray(origin_income, dtype=float)
    groups = np.zeros(len(stock)) if receiver is None else np.asarray(receiver)
    if variant == "stock":
        factor = np.ones_like(stock)
    elif variant == "host":
        factor = _fill(host, groups)
    elif variant == "min":
        factor = _fill(np.fmin(host, origin), groups)
    elif variant == "gain":
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share must be within [0, 1], got {share}")
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = 1.0 + share * (np.maximum(host / origin, 1.0) - 1.0)
        factor = np.where(np.isfinite(factor), factor, 1.0)
    else:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return stock * factor


def allocate(corridors: pd.DataFrame, inflow: pd.Series, income: pd.Series, method: Method = METHOD
             ) -> pd.DataFrame:
    """Split each receiver's inflow across its corridors in proportion to the method's weights.

    Parameters
    ----------
    corridors : DataFrame
        Columns ``sender``, ``receiver``, ``stock`` (migrants born in the receiver living in the sender).
    inflow : Series
        Remittances received (US$), indexed by receiver.
    income : Series
        Per capita income, indexed by country (missing countries: see the module's decisions).
    method : Method
        The rule and its parameter.

    Returns
    -------
    DataFrame
        ``sender``, ``receiver``, ``stock``, ``usd`` for every corridor with a positive weight whose receiver has an
        inflow; the ``usd`` of a receiver sum to its inflow.

    Examples
    --------
    >>> c = pd.DataFrame({"sender": ["USA", "GTM"], "receiver": ["MEX", "MEX"], "stock": [90.0, 10.0]})
    >>> allocate(c, pd.Series({"MEX": 100.0}), pd.Series({"USA": 60.0, "GTM": 10.0, "MEX": 20.0}),
    ...          Method("stock"))["usd"].tolist()
    [90.0, 10.0]
    """
    frame = corridors[corridors["receiver"].isin(inflow.index) & (corridors["stock"] > 0)
                      & (corridors["sender"] != corridors["receiver"])]
    receiver = frame["receiver"].to_numpy()
    # reindex, not Series.map: map runs element by element on Arrow strings (pandas 3), reindex is one indexer
    w = weights(frame["stock"].to_numpy(), income.reindex(frame["sender"]).to_numpy(dtype=float),
                income.reindex(receiver).to_numpy(dtype=float), method.variant, method.share, receiver)
    total = pd.Series(w).groupby(receiver).transform("sum").to_numpy()
    amount = inflow.reindex(receiver).to_numpy(dtype=float)
    usd = np.divide(w, total, out=np.zeros_like(w), where=total > 0) * amount
    out = frame[["sender", "receiver", "stock"]].assign(usd=usd)
    return out[out["usd"] > 0].reset_index(drop=True)


def stock_matrix(stock: pd.DataFrame) -> pd.DataFrame:
    """One revision's long stocks (``year``, ``sender``, ``receiver``, ``stock``) as corridors x IMS years, 0 where
    the UN publishes no row; :func:`stocks_at` reads it (build it once when interpolating many years)."""
    return stock.pivot_table(index=["sender", "receiver"], columns="year", values="stock", aggfunc="sum",
                             fill_value=0.0)


def stocks_at(stock: pd.DataFrame, year: int) -> pd.DataFrame:
    """Corridor stocks of one revision at ``year``: the IMS year itself, or linear between the two around it.

    Parameters
    ----------
    stock : DataFrame
        One revision's ``year``, ``sender``, ``receiver``, ``stock`` rows (IMS years only), or their
        :func:`stock_matrix`.
    year : int
        Within the revision's first and last IMS year.

    Returns
    -------
    DataFrame
        ``sender``, ``receiver``, ``stock`` (a corridor absent in one of the two years counts 0 there).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2015, 2020, 2020], "sender": ["USA", "USA", "CAN"],
    ...                   "receiver": ["MEX", "MEX", "MEX"], "stock": [100.0, 200.0, 50.0]})
    >>> stocks_at(s, 2017).sort_values("sender")["stock"].tolist()
    [20.0, 140.0]
    """
    wide = stock if "year" not in stock.columns else stock_matrix(stock)
    years = np.sort(np.asarray(wide.columns, dtype=int))
    if not years.size or year < years[0] or year > years[-1]:
        span = f"{years[0]}..{years[-1]}" if years.size else "none"
        raise ValueError(f"year {year} outside the stock years {span}")
    lo, hi = years[years <= year].max(), years[years >= year].min()
    t = 0.0 if hi == lo else (year - lo) / (hi - lo)
    values = wide[lo] * (1.0 - t) + wide[hi] * t
    return values.rename("stock").reset_index()


@dataclass
class Inputs:
    """What the allocation reads from the store: stocks by revision, inflows and incomes by year."""

    stock: dict[str, pd.DataFrame]
    inflow: pd.DataFrame  # iso3, year, value
    income: pd.DataFrame  # iso3, year, value
    wdi_vintage: str

    def inflow_of(self, year: int) -> pd.Series:
        f = self.inflow[self.inflow["year"] == year]
        return pd.Series(f["value"].to_numpy(), index=f["iso3"].to_numpy())

    def income_of(self, year: int) -> pd.Series:
        f = self.income[self.income["year"] == year]
        return pd.Series(f["value"].to_numpy(), index=f["iso3"].to_numpy())


def inputs(con) -> Inputs:
    """Read the stocks (both sexes, every revision), inflows and incomes from the database.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A database with ``migrant_stock`` and ``wdi``.

    Returns
    -------
    Inputs
        Stocks per revision (``year``, ``sender`` = destination, ``receiver`` = origin, ``stock``), the inflows
        and incomes (``iso3``, ``year``, ``value``) and the WDI vintage(s).

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE migrant_stock AS SELECT '2024' AS revision, 2024 AS year, 'total' AS sex, "
    ...                 "'NPL' AS origin, 'QAT' AS destination, 10 AS persons")
    >>> _ = con.execute("CREATE TABLE wdi AS SELECT 'NPL' AS iso3, 2024 AS year, "
    ...                 "'BX.TRF.PWKR.CD.DT' AS indicator, 5.0 AS value, 'v1' AS vintage")
    >>> data = inputs(con)
    >>> data.stock["2024"][["sender", "receiver", "stock"]].values.tolist(), data.inflow_of(2024).to_dict()
    ([['QAT', 'NPL', 10.0]], {'NPL': 5.0})
    """
    stock = con.execute("SELECT revision, year, destination AS sender, origin AS receiver, "
                        "persons::DOUBLE AS stock FROM migrant_stock WHERE sex = 'total' AND origin <> destination"
                        ).df()
    wdi = con.execute("SELECT iso3, year, indicator, value, vintage FROM wdi WHERE indicator IN (?, ?)",
                      [INFLOW, INCOME]).df()
    vintage = ",".join(sorted(wdi["vintage"].astype(str).unique())) or "none"
    return Inputs({str(r): f.drop(columns="revision") for r, f in stock.groupby("revision")},
                  wdi[wdi["indicator"] == INFLOW][["iso3", "year", "value"]],
                  wdi[wdi["indicator"] == INCOME][["iso3", "year", "value"]], vintage)


def estimate(data: Inputs, method: Method = METHOD, years: Callable[[str], list[int]] | None = None,
             say: Callable[[str, str], None] | None = None) -> pd.DataFrame:
    """The ``remittance_bilateral_estimate`` rows: every stock revision x every year it spans with WDI inflows.

    Parameters
    ----------
    data : Inputs
        From :func:`inputs`.
    method : Method
        The rule (default: :data:`METHOD`).
    years : callable, optional
        Revision -> the years to estimate (default: every year from the revision's first to its last IMS year
        that has inflows).
    say : callable, optional
        ``say(level, message)``: told which receivers' inflows had no emigrant stock to go to.

    Returns
    -------
    DataFrame
        ``method_version``, ``stock_revision``, ``wdi_vintage``, ``year``, ``sender``, ``receiver``, ``stock``,
        ``usd``.

    Examples
    --------
    >>> stock = pd.DataFrame({"year": [2015, 2020], "sender": "QAT", "receiver": "NPL", "stock": [10.0, 20.0]})
    >>> flows = pd.DataFrame({"iso3": "NPL", "year": [2016, 2021], "value": [7.0, 9.0]})
    >>> data = Inputs({"2020": stock}, flows, flows.iloc[:0], "v1")
    >>> estimate(data)[["year", "stock", "usd"]].values.tolist()
    [[2016.0, 12.0, 7.0]]
    """
    parts = []
    held = set(data.inflow["year"].astype(int))
    for revision, stock in data.stock.items():
        span = range(int(stock["year"].min()), int(stock["year"].max()) + 1)
        chosen = years(revision) if years else [y for y in span if y in held]
        wide = stock_matrix(stock)
        lost: dict[str, float] = {}
        for year in chosen:
            inflow = data.inflow_of(year)
            alloc = allocate(stocks_at(wide, year), inflow, data.income_of(year), method)
            # unique() first: Index.isin over a long string column is 20x slower (pandas 3, Arrow strings)
            for code, usd in inflow[~inflow.index.isin(alloc["receiver"].unique())].items():
                lost[code] = lost.get(code, 0.0) + usd
            parts.append(alloc.assign(year=year, stock_revision=revision))
        if say is not None and lost:
            say("info", f"remittance estimate IMS {revision}: inflows of {', '.join(sorted(lost))} (US$ "
                        f"{sum(lost.values()) / 1e9:.1f} bn over {chosen[0]}-{chosen[-1]}) have no emigrant stock "
                        "in the revision to allocate to")
    if not parts:
        return pd.DataFrame(columns=["method_version", "stock_revision", "wdi_vintage", "year", "sender",
                                     "receiver", "stock", "usd"])
    out = pd.concat(parts, ignore_index=True)
    return out.assign(method_version=method.version, wdi_vintage=data.wdi_vintage)[
        ["method_version", "stock_revision", "wdi_vintage", "year", "sender", "receiver", "stock", "usd"]]


def run(ctx) -> dict[str, int]:
    """The build step: estimates for every revision and year, and the validation against KNOMAD's editions."""
    from migdev import store
    from migdev.models import remittance_validation

    ctx.reporter.step("remittance estimates", 2)
    start = time.perf_counter()
    data = inputs(ctx.con)
    table = estimate(data, METHOD, say=ctx.say)
    rows = store.insert(ctx.con, "remittance_bilateral_estimate", table)
    ctx.reporter.advance("remittance_bilateral_estimate")
    checked = remittance_validation.validate(ctx.con, data)
    vrows = store.insert(ctx.con, "remittance_estimate_validation", checked)
    ctx.reporter.advance("remittance_estimate_validation")
    ctx.say("info", f"remittance estimates ({METHOD.version}): {rows:,} corridor-years, {vrows} validation rows "
                    f"in {time.perf_counter() - start:.1f} s")
    return {"remittance_bilateral_estimate": rows, "remittance_estimate_validation": vrows}
