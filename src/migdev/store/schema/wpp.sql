-- UN World Population Prospects (sources/wpp.py): persons, not thousands.
CREATE TABLE population (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), persons BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, year, sex, iso3)
);

CREATE TABLE vital (
    revision VARCHAR NOT NULL, period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    births BIGINT, deaths BIGINT, net_migration BIGINT, pop_start BIGINT, pop_end BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, period_start, period_end, iso3)
);

CREATE TABLE vital_annual (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    pop_jan1 BIGINT, births BIGINT, deaths BIGINT, net_migration BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, year, iso3)
);
