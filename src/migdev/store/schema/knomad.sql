-- KNOMAD/World Bank Bilateral Remittance Matrix (sources/knomad.py): current US$, not millions.
-- A corridor without an estimate (an empty or N/A cell) has no row; a published 0 is a row with usd = 0.
CREATE TABLE remittance_bilateral (
    edition INTEGER NOT NULL,
    sender VARCHAR NOT NULL REFERENCES country (iso3), receiver VARCHAR NOT NULL REFERENCES country (iso3),
    usd DOUBLE NOT NULL CHECK (usd >= 0 AND isfinite(usd)),
    PRIMARY KEY (edition, sender, receiver)
);

-- The published WORLD row (role 'receiver': a country's receipts) and column (role 'sender': its outflows).
CREATE TABLE remittance_bilateral_total (
    edition INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    role VARCHAR NOT NULL CHECK (role IN ('receiver', 'sender')),
    usd DOUBLE NOT NULL CHECK (usd >= 0 AND isfinite(usd)),
    PRIMARY KEY (edition, iso3, role)
);
