"""Summary indices of internal/international migration systems, as in migest 2.0.5.

Intensity (Courgeau 1973; Bell et al. 2002), impact (Bell et al. 2002: migration effectiveness, aggregate net
migration rate, preference and velocity), connectivity (Bell et al. 2002; Rogers & Raymer 1998: share of
non-zero flows, inequality against uniform and independence flows, Gini indices, coefficients of
variation) and distance (mean, median and the gravity-model distance decay, in :mod:`migdev.flows.distance`,
which shares this module's helpers).

Flows ``m`` may be a square origin x destination DataFrame (index = origins, columns = destinations), a
square array, or a long DataFrame with origin, destination and flow columns. Flows within a region (the
diagonal) are set to 0: the indices describe moves between regions.

Each function returns a DataFrame like migest: ``long=True`` gives columns ``measure`` and ``value``
(one row per index), ``long=False`` gives one row with a column per index.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from migdev.errors import EstimationError
from migdev.flows._inputs import od_matrix as _od_matrix

__all__ = ["index_connectivity", "index_impact", "index_intensity"]

FlowLike = Any  # square DataFrame/array or long DataFrame (orig, dest, flow)


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def _shape_output(values: dict[str, float], long: bool) -> pd.DataFrame:
    if long:
        return pd.DataFrame({"measure": list(values), "value": [float(v) for v in values.values()]})
    return pd.DataFrame({k: [float(v)] for k, v in values.items()})


def _offdiag(mat: np.ndarray) -> np.ndarray:
    """Off-diagonal cells, one row per origin: shape (n, n - 1)."""
    n = mat.shape[0]
    return mat[~np.eye(n, dtype=bool)].reshape(n, n - 1)


def _pair_abs_sum(x: np.ndarray) -> np.ndarray:
    """Sum over ordered pairs of |x_a - x_b| along the last axis, in O(L log L) via sorted ranks."""
    xs = np.sort(x, axis=-1)
    length = xs.shape[-1]
    coef = 2.0 * np.arange(1, length + 1) - length - 1.0
    return 2.0 * (xs * coef).sum(axis=-1)


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0 where den is 0: a region without flows contributes no inequality."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den != 0, num / np.where(den != 0, den, 1.0), 0.0)
    return out


def _poisson_design(orig_labels: Any, dest_labels: Any, extra: np.ndarray | None) -> np.ndarray:
    """Treatment-coded design of ``~ orig + dest (+ extra)`` as R's glm builds it (one base level each)."""
    orig_code, orig_levels = pd.factorize(np.asarray(orig_labels), sort=True)
    dest_code, dest_levels = pd.factorize(np.asarray(dest_labels), sort=True)
    cols = [np.ones(orig_code.size)]
    cols.extend(np.eye(orig_levels.size)[orig_code, 1:].T)
    cols.extend(np.eye(dest_levels.size)[dest_code, 1:].T)
    if extra is not None:
        cols.append(extra)
    return np.column_stack(cols)


# --------------------------------------------------------------------------------------------------
# indices
# --------------------------------------------------------------------------------------------------


def index_intensity(mig_total: float, pop_total: float, n: int, long: bool = True) -> pd.DataFrame:
    """Migration intensity: crude migration probability and Courgeau's k.

    ``cmp = 100 * mig_total / pop_total`` (percent of the population that moved); ``courgeau_k = cmp /
    log(n^2)`` removes the effect of the number of regions ``n`` on the measured intensity.

    Parameters
    ----------
    mig_total : float
        Migrants between the regions in the period.
    pop_total : float
        The population at risk (positive).
    n : int
        Number of regions (at least 2).
    long : bool
        Measures as rows (``measure``, ``value``) or as the columns of one row.

    Returns
    -------
    pandas.DataFrame
        ``cmp`` and ``courgeau_k``.

    Raises
    ------
    EstimationError
        A population that is not positive or fewer than 2 regions.

    References
    ----------
    migest 2.0.5 ``index_intensity``; Courgeau (1973), Population 28:511; Bell et al. (2002), Journal of the
    Royal Statistical Society A 165:435.

    Examples
    --------
    >>> index_intensity(mig_total=180, pop_total=5000, n=4)
          measure     value
    0         cmp  3.600000
    1  courgeau_k  1.298426
    """
    if pop_total <= 0:
        raise EstimationError(f"pop_total must be positive, got {pop_total}")
    if n < 2:
        raise EstimationError(f"n (number of regions) must be at least 2, got {n}")
    cmp = 100.0 * mig_total / pop_total
    return _shape_output({"cmp": cmp, "courgeau_k": cmp / np.log(n**2)}, long)


def index_impact(
    m: FlowLike,
    p: Any,
    pop: str = "pop",
    reg: str = "region",
    orig: str = "orig",
    dest: str = "dest",
    flow: str = "flow",
    long: bool = True,
) -> pd.DataFrame:
    """Impact of migration on the population distribution (Bell et al. 2002).

    ``effectivness`` (migest's spelling) = 100 * sum|net| / sum(turnover); ``anmr`` = aggregate net migration
    rate, 100 * sum|net| / 2 / total population; ``preference`` = sum of flows relative to those expected
    from population shares; ``velocity`` = sum of flows per product of populations, times total population.

    Parameters
    ----------
    m : DataFrame or array_like
        Flows: a square origin x destination table or a long frame with ``orig``, ``dest``, ``flow`` columns.
    p : DataFrame, Series or array_like
        Populations: a DataFrame with columns ``reg`` and ``pop``, a Series indexed by region, or an array in
        the order of ``m``'s regions. Regions of ``p`` not in ``m`` are ignored.
    pop, reg : str
        Column names of a DataFrame ``p``.
    orig, dest, flow : str
        Column names of a long ``m``.
    long : bool
        Measures as rows (``measure``, ``value``) or as the columns of one row.

    Returns
    -------
    pandas.DataFrame
        ``effectivness``, ``anmr``, ``preference`` and ``velocity``.

    Raises
    ------
    EstimationError
        A region of ``m`` without a population, duplicated regions or missing columns in ``p``.

    Notes
    -----
    Deviation from migest: the diagonal of a matrix ``m`` is also set to 0 (migest does so only for a
    long data frame), so preference and velocity always describe moves between regions.

    References
    ----------
    migest 2.0.5 ``index_impact``; Bell et al. (2002), Journal of the Royal Statistical Society A 165:435.

    Examples
    --------
    >>> r = ["A", "B", "C", "D"]
    >>> m = pd.DataFrame([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]], index=r, columns=r)
    >>> index_impact(m, pd.Series([1000, 500, 1500, 2000], index=r))
            measure      value
    0  effectivness  33.333333
    1          anmr   1.200000
    2    preference  25.578704
    3      velocity   0.920833
    """
    mat, labels = _od_matrix(m, orig, dest, flow)
    if isinstance(p, pd.DataFrame):
        if reg not in p.columns or pop not in p.columns:
            raise EstimationError(f"p must have columns {reg!r} and {pop!r}; it has {list(p.columns)}")
        if p[reg].duplicated().any():
            raise EstimationError(f"p has duplicated regions in column {reg!r}")
        pops = p.set_index(reg)[pop].reindex(labels)
    elif isinstance(p, pd.Series):
        pops = p.reindex(labels)
    else:
        arr = np.asarray(p, dtype=float)
        if arr.shape != (labels.size,):
            raise EstimationError(f"p has shape {arr.shape}; expected one population per region ({labels.size})")
        pops = pd.Series(arr, index=labels)
    if pops.isna().any():
        raise EstimationError(f"no population for regions {list(pops.index[pops.isna()])}")
    pv = pops.to_numpy(dtype=float)
    p_tot = pv.sum()

    inflow = mat.sum(axis=0)
    outflow = mat.sum(axis=1)
    net = inflow - outflow
    turnover = inflow + outflow
    pp = np.outer(pv, pv)
    out = {
        "effectivness": 100.0 * np.abs(net).sum() / turnover.sum(),
        "anmr": 100.0 * 0.5 * np.abs(net).sum() / p_tot,
        "preference": (mat / (mat.sum() * pp / p_tot**2)).sum(),
        "velocity": (mat / pp).sum() * p_tot,
    }
    return _shape_output(out, long)


def index_connectivity(
    m: FlowLike,
    gini_corrected: bool = True,
    orig: str = "orig",
    dest: str = "dest",
    flow: str = "flow",
    long: bool = True,
) -> pd.DataFrame:
    """Connectivity and spatial focusing of a migration system (Bell et al. 2002; Rogers & Raymer 1998).

    Over the n(n-1) flows between regions, with total T:

    * ``connectivity``: share of non-zero flows.
    * ``inequality_equal`` / ``inequality_sim``: half the L1 distance between observed flow shares and
      uniform shares / the shares fitted by a Poisson GLM ``round(flow) ~ orig + dest`` (independence).
    * ``gini_total``: sum over ordered pairs |m_a - m_b| / (D T), D = 2(N - 1) if ``gini_corrected``
      else 2N, N = n(n - 1).
    * ``gini_orig_standardized`` / ``gini_dest_standardized``: the pairwise differences within origins /
      destinations divided by all pairwise differences (i.e. by the uncorrected total Gini).
    * ``mwg_orig`` = (1/n) sum_i G_out_i * inflow_i / T with G_out_i = sum_{j,l} |m_ij - m_il| /
      (2 (n - 2) outflow_i); ``mwg_dest`` mirrors it; ``mwg_mean`` is their average. As coded in migest
      (after migration.indices) each origin's Gini is weighted by its *in*-flow share; we keep that.
    * ``cv`` = sqrt(sum (m - mean)^2 / (N2 (N2 - 1)) / mean) over all N2 = n^2 cells (diagonal as 0),
      as migest computes it.
    * ``acv``: in- and out-flow-share weighted sum of the coefficients of variation (population sd / mean)
      of each destination's and each origin's flows.

    Parameters
    ----------
    m : DataFrame or array_like
        Flows between at least 3 regions: a square origin x destination table or a long frame.
    gini_corrected : bool
        Divide the total Gini by 2(N - 1) rather than 2N.
    orig, dest, flow : str
        Column names of a long ``m``.
    long : bool
        Measures as rows (``measure``, ``value``) or as the columns of one row.

    Returns
    -------
    pandas.DataFrame
        The eleven measures above, in that order.

    Raises
    ------
    EstimationError
        Fewer than 3 regions, or no positive flow between regions.

    Notes
    -----
    A region with no flows at all has Gini and CV 0 here (migest would give NaN).

    References
    ----------
    migest 2.0.5 ``index_connectivity``; Bell et al. (2002), Journal of the Royal Statistical Society A
    165:435; Rogers & Raymer (1998), International Journal of Population Geography 4:63.

    Examples
    --------
    >>> r = ["A", "B", "C", "D"]
    >>> m = pd.DataFrame([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]], index=r, columns=r)
    >>> index_connectivity(m)
                       measure     value
    0             connectivity  1.000000
    1         inequality_equal  0.222222
    2           inequality_sim  0.152476
    3               gini_total  0.323232
    4   gini_orig_standardized  0.187500
    5   gini_dest_standardized  0.187500
    6                 mwg_orig  0.083333
    7                 mwg_dest  0.083333
    8                 mwg_mean  0.083333
    9                       cv  0.739119
    10                     acv  0.816497
    """
    mat, _ = _od_matrix(m, orig, dest, flow)
    n = mat.shape[0]
    if n < 3:
        raise EstimationError(f"index_connectivity needs at least 3 regions, got {n}")
    rows = _offdiag(mat)  # flows out of each origin
    cols = _offdiag(mat.T)  # flows into each destination
    x = rows.ravel()
    total = x.sum()
    if total <= 0:
        raise EstimationError("index_connectivity needs some positive flow between regions")
    n_pairs = n * (n - 1)
    outflow = mat.sum(axis=1)
    inflow = mat.sum(axis=0)

    # independence fit: Poisson GLM on the off-diagonal cells
    orig_code, dest_code = np.nonzero(~np.eye(n, dtype=bool))
    design = _poisson_design(orig_code, dest_code, None)
    fitted = sm.GLM(np.round(x), design, family=sm.families.Poisson()).fit().fittedvalues
    fitted = np.asarray(fitted, dtype=float)

    pair_all = _pair_abs_sum(x)
    pair_rows = _pair_abs_sum(rows)
    pair_cols = _pair_abs_sum(cols)
    denom = 2.0 * (n_pairs - 1) if gini_corrected else 2.0 * n_pairs

    g_out = _safe_ratio(pair_rows, 2.0 * (n - 2) * outflow)
    g_in = _safe_ratio(pair_cols, 2.0 * (n - 2) * inflow)
    mwg_orig = (g_out * inflow / total).sum() / n
    mwg_dest = (g_in * outflow / total).sum() / n

    cells = mat.ravel()
    n_cells = cells.size
    mean_cell = cells.mean()
    cv = np.sqrt(((cells - mean_cell) ** 2).sum() / (n_cells * (n_cells - 1)) / mean_cell)
    cv_out = _safe_ratio(rows.std(axis=1), rows.mean(axis=1))
    cv_in = _safe_ratio(cols.std(axis=1), cols.mean(axis=1))
    acv = (inflow / total * cv_in).sum() + (outflow / total * cv_out).sum()

    out = {
        "connectivity": np.count_nonzero(x) / n_pairs,
        "inequality_equal": 0.5 * np.abs(x / total - x.mean() / total).sum(),
        "inequality_sim": 0.5 * np.abs(x / total - fitted / fitted.sum()).sum(),
        "gini_total": pair_all / (denom * total),
        "gini_orig_standardized": pair_rows.sum() / pair_all,
        "gini_dest_standardized": pair_cols.sum() / pair_all,
        "mwg_orig": mwg_orig,
        "mwg_dest": mwg_dest,
        "mwg_mean": (mwg_orig + mwg_dest) / 2.0,
        "cv": cv,
        "acv": acv,
    }
    return _shape_output(out, long)
