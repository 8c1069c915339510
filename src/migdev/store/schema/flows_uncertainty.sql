-- Uncertainty of the flow estimates (estimates/bands.py, estimates/ensemble.py).
-- flow_band: the spread of flow_estimate across its methods and stock bases, per corridor, period and sex; filled by
-- the build's "bands" step. Which estimates a row spans is named in `methods` and `stock_revisions` (comma lists;
-- a basis is "<stock revision>" or "<stock revision>+WPP<vital revision>"); an estimate that covers both areas but
-- stores no row for the corridor counts as a zero flow. About a million rows, so no key or reference is checked per
-- insert: the key (sex, period_start, period_end, origin, destination) is unique by construction (one row per cell of
-- a dense array, bands.py) and the codes are flow_estimate's, which the build's checks cover.
CREATE TABLE flow_band (
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    origin VARCHAR NOT NULL, destination VARCHAR NOT NULL,
    flow_min DOUBLE NOT NULL CHECK (flow_min >= 0), flow_median DOUBLE NOT NULL, flow_max DOUBLE NOT NULL,
    estimates INTEGER NOT NULL CHECK (estimates >= 1),
    methods VARCHAR NOT NULL, stock_revisions VARCHAR NOT NULL,
    CHECK (flow_min <= flow_median AND flow_median <= flow_max)
);

-- flow_ensemble: Monte-Carlo quantiles of one method's flows when the stock tables are perturbed by their data
-- quality; written by `migdev flows-ensemble` (an atomic rewrite of the database, as a build), never by the build,
-- which leaves both tables empty. `flow` is the unperturbed estimate; whole persons, corridors whose q95 and flow
-- are under 0.5 are not stored.
CREATE TABLE flow_ensemble (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, method VARCHAR NOT NULL,
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    draws INTEGER NOT NULL CHECK (draws >= 1), seed BIGINT NOT NULL,
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    flow DOUBLE NOT NULL CHECK (flow >= 0),
    q05 DOUBLE NOT NULL CHECK (q05 >= 0), q50 DOUBLE NOT NULL, q95 DOUBLE NOT NULL,
    CHECK (q05 <= q50 AND q50 <= q95),
    PRIMARY KEY (stock_revision, vital_revision, method, sex, period_start, period_end, draws, seed, origin, destination)
);

-- One row per ensemble: the perturbation rule it used (coefficients of variation by IMS type of data), where it ran
-- and how long it took.
CREATE TABLE flow_ensemble_run (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, method VARCHAR NOT NULL,
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    draws INTEGER NOT NULL CHECK (draws >= 1), seed BIGINT NOT NULL,
    regions INTEGER NOT NULL, rule VARCHAR NOT NULL, total_flow DOUBLE NOT NULL,
    total_q05 DOUBLE NOT NULL, total_q50 DOUBLE NOT NULL, total_q95 DOUBLE NOT NULL,
    scheduler VARCHAR NOT NULL, workers INTEGER NOT NULL, seconds DOUBLE NOT NULL, created_at TIMESTAMP NOT NULL,
    notes VARCHAR,
    PRIMARY KEY (stock_revision, vital_revision, method, sex, period_start, period_end, draws, seed)
);
