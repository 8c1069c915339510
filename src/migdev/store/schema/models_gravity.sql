-- Gravity models (src/migdev/models/gravity.py), fitted by the build's "gravity" step on the latest IMS revision.
-- model_spec: what each specification is (formula, fixed effects, clustering, separation checks, what it
-- identifies) and the inputs it read (source ids with their revisions).
CREATE TABLE model_spec (
    specification VARCHAR NOT NULL, revision VARCHAR NOT NULL,
    family VARCHAR NOT NULL CHECK (family IN ('cross_section', 'panel', 'flows')),
    outcome VARCHAR NOT NULL, formula VARCHAR NOT NULL, fixed_effects VARCHAR NOT NULL,
    clustered_by VARCHAR NOT NULL, separation_check VARCHAR NOT NULL, identification VARCHAR NOT NULL,
    scenario BOOLEAN NOT NULL,   -- carries the income-gap term the scenarios move
    sources VARCHAR NOT NULL, data_revisions VARCHAR NOT NULL,
    PRIMARY KEY (specification, revision)
);

-- One row per estimated term of one fit. year_start = year_end for a cross-section; the flow period; or the
-- panel's first and last year. n_input = n_obs + n_dropped; n_dropped = n_missing (a covariate missing, dropped
-- before the fit) + n_separated (pyfixest's separation checks) + n_singleton (singletons of a fixed effect).
-- std_error, p_value and the 95 % interval are clustered by clustered_by; pseudo_r2 = 1 - loglik / loglik_null.
-- absorbed: regressors of the specification collinear with the fixed effects (not estimated).
CREATE TABLE model_fit (
    specification VARCHAR NOT NULL, revision VARCHAR NOT NULL,
    year_start INTEGER NOT NULL, year_end INTEGER NOT NULL CHECK (year_end >= year_start),
    term VARCHAR NOT NULL, estimate DOUBLE NOT NULL CHECK (isfinite(estimate)),
    std_error DOUBLE CHECK (std_error >= 0), p_value DOUBLE CHECK (p_value BETWEEN 0 AND 1),
    ci_low DOUBLE, ci_high DOUBLE,
    n_obs INTEGER NOT NULL CHECK (n_obs > 0), n_input INTEGER NOT NULL, n_dropped INTEGER NOT NULL,
    n_missing INTEGER NOT NULL, n_separated INTEGER NOT NULL, n_singleton INTEGER NOT NULL,
    n_clusters INTEGER NOT NULL, pseudo_r2 DOUBLE, deviance DOUBLE,
    fixed_effects VARCHAR NOT NULL, clustered_by VARCHAR NOT NULL, absorbed VARCHAR, seconds DOUBLE NOT NULL,
    sources VARCHAR NOT NULL, data_revisions VARCHAR NOT NULL,
    PRIMARY KEY (specification, revision, year_start, term),
    CHECK (n_input = n_obs + n_dropped AND n_dropped = n_missing + n_separated + n_singleton)
);

-- The clustered covariance of each fit's terms (what the scenarios' bands need).
CREATE TABLE model_vcov (
    specification VARCHAR NOT NULL, revision VARCHAR NOT NULL, year_start INTEGER NOT NULL, year_end INTEGER NOT NULL,
    term_a VARCHAR NOT NULL, term_b VARCHAR NOT NULL, value DOUBLE NOT NULL,
    PRIMARY KEY (specification, revision, year_start, term_a, term_b)
);

-- The support of a scenario specification: over every window of `years` years of the fit's income data, the
-- smallest and largest growth of an origin's GNI per capita (PPP) relative to the mean of the fit's origins
-- (exp(change of log GNI - mean change) - 1). A scenario outside [growth_min, growth_max] is refused.
CREATE TABLE model_support (
    specification VARCHAR NOT NULL, revision VARCHAR NOT NULL, years INTEGER NOT NULL CHECK (years >= 1),
    growth_min DOUBLE NOT NULL, growth_max DOUBLE NOT NULL, windows INTEGER NOT NULL, origins INTEGER NOT NULL,
    income_from INTEGER NOT NULL, income_to INTEGER NOT NULL,
    PRIMARY KEY (specification, revision, years),
    CHECK (growth_min <= growth_max)
);

-- The corridors of a scenario specification's estimation sample in its last year: the baseline a scenario moves.
CREATE TABLE model_corridor (
    specification VARCHAR NOT NULL, revision VARCHAR NOT NULL, year INTEGER NOT NULL,
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    stock DOUBLE NOT NULL CHECK (stock >= 0), fitted DOUBLE NOT NULL CHECK (fitted >= 0),
    income_gap DOUBLE NOT NULL,
    PRIMARY KEY (specification, revision, origin, destination)
);
