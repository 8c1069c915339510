"""The distance profile of a migration system, as migest 2.0.5's ``index_distance``.

Mean and median distance moved and the distance decay of a gravity model. It shares the matrix input,
the output shape and R's treatment-coded GLM design with the other indices (:mod:`migdev.flows.indices`);
it has its own module, as migest gives it its own file (``R/index_distance.R``), because it alone also takes a
distance table and needs the weighted median (:mod:`migdev.flows.median`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from migdev.errors import EstimationError
from migdev.flows._inputs import is_long as _is_long
from migdev.flows._inputs import od_matrix as _od_matrix
from migdev.flows.indices import FlowLike, _poisson_design, _shape_output
from migdev.flows.median import weighted_median

__all__ = ["index_distance"]


def _distance_long(d: Any, labels: pd.Index, orig: str, dest: str, dist: str) -> pd.DataFrame:
    """Distances as a long frame (orig, dest, dist), from a long frame or a square matrix."""
    if isinstance(d, pd.DataFrame) and {orig, dest, dist}.issubset(d.columns):
        out = d[[orig, dest, dist]].rename(columns={orig: "orig", dest: "dest", dist: "dist"})
        if out.duplicated(["orig", "dest"]).any():
            raise EstimationError("d has more than one distance for an origin-destination pair")
        return out
    if isinstance(d, pd.DataFrame):
        if d.shape[0] != d.shape[1]:
            raise EstimationError(
                f"d must be a long data frame with columns {orig!r}, {dest!r} and {dist!r}, "
                f"or a square distance matrix; got columns {list(d.columns)}"
            )
        mat = d
    else:
        arr = np.asarray(d, dtype=float)
        if arr.shape != (labels.size, labels.size):
            raise EstimationError(f"a distance matrix d must be {labels.size} x {labels.size}, got {arr.shape}")
        mat = pd.DataFrame(arr, index=labels, columns=labels)
    stacked = mat.rename_axis(index="orig", columns="dest").stack(future_stack=True)
    return stacked.rename("dist").reset_index()


def index_distance(
    m: FlowLike,
    d: Any,
    dist: str = "dist",
    orig: str = "orig",
    dest: str = "dest",
    flow: str = "flow",
    long: bool = True,
) -> pd.DataFrame:
    """Distance profile of migration: flow-weighted mean and median distance, and the distance decay.

    Over the flows between distinct regions: ``mean`` = flow-weighted mean distance; ``median`` =
    flow-weighted median (matrixStats' interpolated rule, see :func:`~migdev.flows.median.weighted_median`);
    ``decay`` = coefficient of ``log(dist)`` in the gravity model ``round(flow) ~ orig + dest + log(dist)``,
    fitted as a Poisson GLM with statsmodels. A matrix ``m`` contributes all off-diagonal pairs (zero flows
    included), a long ``m`` the pairs it lists.

    Parameters
    ----------
    m : DataFrame or array_like
        Flows: a square origin x destination table or a long frame with ``orig``, ``dest``, ``flow`` columns.
    d : DataFrame or array_like
        Distances: a long frame with origin, destination and ``dist`` columns, or a square matrix (a DataFrame
        labelled like ``m``, or an array in ``m``'s region order). Distances between regions must be positive.
    dist : str
        Column name of the distances in a long ``d``.
    orig, dest, flow : str
        Column names of a long ``m`` (and of the pairs in a long ``d``).
    long : bool
        Measures as rows (``measure``, ``value``) or as the columns of one row.

    Returns
    -------
    pandas.DataFrame
        ``mean``, ``median`` and ``decay``.

    Raises
    ------
    EstimationError
        A pair without a distance, a distance that is not positive, or no positive flow.

    Notes
    -----
    Deviations from migest 2.0.5: a matrix ``d`` is accepted (migest documents it but fails in
    ``dplyr::rename``), and ``d`` needs no ``flow`` column (migest requires one and ignores its values).

    References
    ----------
    migest 2.0.5 ``index_distance``; Bell et al. (2002), Journal of the Royal Statistical Society A 165:435.

    Examples
    --------
    >>> r = ["A", "B", "C", "D"]
    >>> m = pd.DataFrame([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]], index=r, columns=r)
    >>> d = pd.DataFrame([[0, 100, 300, 500], [100, 0, 250, 400], [300, 250, 0, 200], [500, 400, 200, 0]],
    ...                  index=r, columns=r)
    >>> index_distance(m, d)
      measure       value
    0    mean  256.944444
    1  median  242.857143
    2   decay   -0.705819
    """
    mat, labels = _od_matrix(m, orig, dest, flow)
    if _is_long(m, orig, dest, flow):
        flows = m[[orig, dest, flow]].rename(columns={orig: "orig", dest: "dest", flow: "flow"})
        flows = flows.astype({"flow": float})
    else:
        # column by column (origin fastest), the order R gives a matrix turned into a table; it fixes the
        # order of tied distances in the weighted median
        flows = (
            pd.DataFrame(mat.T, index=labels, columns=labels)
            .rename_axis(index="dest", columns="orig")
            .stack(future_stack=True)
            .rename("flow")
            .reset_index()[["orig", "dest", "flow"]]
        )
    flows = flows[flows["orig"] != flows["dest"]]
    dl = _distance_long(d, labels, orig, dest, dist)
    joined = flows.merge(dl, on=["orig", "dest"], how="left", validate="one_to_one")
    if joined["dist"].isna().any():
        miss = joined.loc[joined["dist"].isna(), ["orig", "dest"]].head(3).to_numpy().tolist()
        raise EstimationError(f"d has no distance for origin-destination pairs such as {miss}")
    distance = joined["dist"].to_numpy(dtype=float)
    weight = joined["flow"].to_numpy(dtype=float)
    if (distance <= 0).any():
        raise EstimationError("distances between distinct regions must be positive (the model uses log(dist))")
    if weight.sum() <= 0:
        raise EstimationError("index_distance needs some positive flow between regions")

    design = _poisson_design(joined["orig"], joined["dest"], np.log(distance))
    fit = sm.GLM(np.round(weight), design, family=sm.families.Poisson()).fit()

    out = {
        "mean": float(np.average(distance, weights=weight)),
        "median": weighted_median(distance, weight),
        "decay": float(np.asarray(fit.params)[-1]),
    }
    return _shape_output(out, long)
