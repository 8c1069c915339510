-- Bilateral flows estimated from the stock tables (estimates/flows_step.py).
-- millions of rows: keys and references are checked once after loading (pipeline._check), not per insert
CREATE TABLE flow_estimate (
    stock_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    origin VARCHAR NOT NULL, destination VARCHAR NOT NULL, flow DOUBLE NOT NULL CHECK (flow >= 0)
);

CREATE TABLE flow_estimate_run (
    stock_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL, regions INTEGER NOT NULL,
    total_flow DOUBLE NOT NULL, iterations INTEGER, seconds DOUBLE NOT NULL, notes VARCHAR,
    PRIMARY KEY (stock_revision, method, sex, period_start, period_end)
);
