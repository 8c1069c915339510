-- World Bank Remittance Prices Worldwide (migdev.sources.rpw): the average total cost of sending remittances,
-- one row per corridor (sender -> receiver) and quarter.
-- Units: PERCENT of the amount sent (0..100), as the column names say and as SDG 10.c.1 is stated; this is the
-- one exception to "shares are fractions". Negative costs and costs above 30 % occur in RPW's quote data: they
-- are kept unaltered and flagged in `anomaly` ('negative', 'above 30%', 'fewer than 3 providers', '; '-joined).
-- `source` is 'official' (DataBank export, series ATCR.CORR; US$500 cost, fx margin and providers are NULL) or
-- 'derived' (third-party means of provider quotes); official rows are preferred where both exist.
-- `source_id` names the registered file each row comes from (rows of table `source`).
CREATE TABLE remittance_cost (
    period VARCHAR NOT NULL CHECK (regexp_full_match(period, '[0-9]{4}Q[1-4]')),
    sender VARCHAR NOT NULL REFERENCES country (iso3),
    receiver VARCHAR NOT NULL REFERENCES country (iso3),
    cost_pct_200 DOUBLE NOT NULL CHECK (cost_pct_200 BETWEEN -100 AND 1000),
    cost_pct_500 DOUBLE CHECK (cost_pct_500 BETWEEN -100 AND 1000),
    fx_margin_pct_200 DOUBLE CHECK (fx_margin_pct_200 BETWEEN -100 AND 1000),
    providers INTEGER CHECK (providers >= 1),
    source VARCHAR NOT NULL CHECK (source IN ('official', 'derived')),
    source_id VARCHAR NOT NULL,
    anomaly VARCHAR,
    CHECK (sender <> receiver),
    CHECK (source = 'derived' OR (cost_pct_500 IS NULL AND fx_margin_pct_200 IS NULL AND providers IS NULL)),
    PRIMARY KEY (period, sender, receiver)
);
