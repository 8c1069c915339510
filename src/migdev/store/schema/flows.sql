-- Bilateral flows estimated from the stock tables (estimates/flows_step.py), one basis = IMS stock revision +
-- WPP revision (vital_revision) of population, births, deaths and net migration.
-- millions of rows: keys and references are checked once after loading (pipeline._check), not per insert
-- flows are whole persons over the period: cells under 0.5 are zero and not stored
CREATE TABLE flow_estimate (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    origin VARCHAR NOT NULL, destination VARCHAR NOT NULL, flow BIGINT NOT NULL CHECK (flow > 0)
);

CREATE TABLE flow_estimate_run (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL, regions INTEGER NOT NULL,
    total_flow BIGINT NOT NULL, iterations INTEGER, seconds DOUBLE NOT NULL, notes VARCHAR,
    PRIMARY KEY (stock_revision, vital_revision, method, sex, period_start, period_end)
);

-- What the accounts did to each place of birth (diagnostics, estimates/diagnostics.py): the foreign-born
-- stocks before and after matching the place-of-birth totals, and WPP's net migration against the stocks.
CREATE TABLE flow_adjustment (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    abroad_start BIGINT NOT NULL, abroad_end BIGINT NOT NULL,  -- born in iso3, living in another included area
    matched_abroad_start BIGINT NOT NULL, matched_abroad_end BIGINT NOT NULL,  -- after deaths/births and matching
    native_start BIGINT NOT NULL, native_end BIGINT NOT NULL,  -- born and living in iso3 (WPP population - foreign)
    births BIGINT NOT NULL, deaths BIGINT NOT NULL, net_migration BIGINT NOT NULL,  -- WPP, over the period
    match_shift BIGINT NOT NULL,  -- persons the closed-system matching added to the start table (- to the end)
    home_leavers BIGINT NOT NULL,  -- born in iso3 and leaving it, in the minimum-migration fit
    contradiction VARCHAR,  -- set where WPP's net migration and the stocks disagree (text says how)
    PRIMARY KEY (stock_revision, vital_revision, sex, period_start, period_end, iso3)
);

-- The corridor check of the recommended estimate: every corridor whose bilateral stock rose by >= 100,000 but
-- whose flow is < 10 % of that rise, with the cause the accounts show.
CREATE TABLE flow_diagnostic (
    stock_revision VARCHAR NOT NULL, vital_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    stock_rise BIGINT NOT NULL, flow BIGINT NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('un_products_disagree', 'accounting')), cause VARCHAR NOT NULL,
    PRIMARY KEY (stock_revision, vital_revision, method, sex, period_start, period_end, origin, destination)
);
