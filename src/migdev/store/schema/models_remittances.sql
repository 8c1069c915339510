-- Bilateral remittances re-estimated by migdev (models/remittances.py), KNOMAD's allocation (Ratha & Shaw 2007)
-- applied to WDI inflows and UN DESA IMS stocks for every year a stock revision spans. Direction as in
-- remittance_bilateral: `sender` is where the migrants live (migrant_stock.destination), `receiver` their country of
-- birth (migrant_stock.origin). `stock` is the corridor's migrants in `year` (linear between two IMS years of the
-- revision). `usd`, current US$, sums over senders to the receiver's WDI inflow of the year. A corridor with no
-- migrant has no row. `method_version` names the rule and its parameter; `stock_revision` and `wdi_vintage` the inputs.
CREATE TABLE remittance_bilateral_estimate (
    method_version VARCHAR NOT NULL, stock_revision VARCHAR NOT NULL, wdi_vintage VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    sender VARCHAR NOT NULL REFERENCES country (iso3), receiver VARCHAR NOT NULL REFERENCES country (iso3),
    stock DOUBLE NOT NULL CHECK (stock > 0 AND isfinite(stock)),
    usd DOUBLE NOT NULL CHECK (usd > 0 AND isfinite(usd)),
    PRIMARY KEY (method_version, stock_revision, year, sender, receiver)
);

-- Each variant against each KNOMAD edition's published corridors (models/remittance_validation.py): `inflows` 'wdi'
-- (the product's inputs) or 'published' (the edition's own receipts per receiver); `basis` 'edition' (the stock
-- year the edition used) or 'latest' (the latest IMS revision at the edition's year). share_within_25: share of
-- the edition's volume in corridors reproduced within 25 %; corr_log: correlation of log corridor values;
-- `chosen` marks the method version remittance_bilateral_estimate holds.
CREATE TABLE remittance_estimate_validation (
    edition INTEGER NOT NULL, method_version VARCHAR NOT NULL, variant VARCHAR NOT NULL, share DOUBLE NOT NULL,
    inflows VARCHAR NOT NULL CHECK (inflows IN ('wdi', 'published')),
    basis VARCHAR NOT NULL CHECK (basis IN ('edition', 'latest')),
    stock_revision VARCHAR NOT NULL, stock_year INTEGER NOT NULL, income_year INTEGER NOT NULL,
    corridors INTEGER NOT NULL, matched INTEGER NOT NULL, volume_published DOUBLE NOT NULL,
    volume_estimated DOUBLE NOT NULL, share_within_25 DOUBLE CHECK (share_within_25 BETWEEN 0 AND 1),
    corr_log DOUBLE, chosen BOOLEAN NOT NULL,
    PRIMARY KEY (edition, method_version, inflows, basis)
);
