-- policy: migration governance ratings and indices, migrant deaths and incidents (src/migdev/sources/policy.py).
-- Every row names the registered file it comes from (source_id -> source.source_id).

-- SDG 10.7.2: 1 Requires further progress, 2 Partially meets, 3 Meets, 4 Fully meets; rating NULL exactly where the
-- UN writes 'N' (not applicable: non-self-governing territories, 2019). domain 'overall' is the UN's overall rating.
CREATE TABLE policy_rating (
    source_id VARCHAR NOT NULL, year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    domain VARCHAR NOT NULL CHECK (domain IN ('overall', 'migrant_rights', 'whole_of_government',
        'cooperation_partnerships', 'socioeconomic_wellbeing', 'mobility_dimensions_of_crises',
        'safe_orderly_regular_migration')),
    rating TINYINT CHECK (rating BETWEEN 1 AND 4), applicable BOOLEAN NOT NULL,
    CHECK (applicable = (rating IS NOT NULL)),
    PRIMARY KEY (source_id, year, iso3, domain)
);

-- MIPEX (0..100, higher = more favourable to integration; 'mipex' 2007-2019 and 'mipex_eu_update' 2020-2024 are
-- separate series, never spliced) and IMPIC (0..1, higher = more restrictive). dimension 'overall' = headline score.
CREATE TABLE policy_index_scale (
    "index" VARCHAR PRIMARY KEY, source_id VARCHAR NOT NULL, low DOUBLE NOT NULL, high DOUBLE NOT NULL,
    higher_means VARCHAR NOT NULL, CHECK (low < high)
);
CREATE TABLE policy_index (
    source_id VARCHAR NOT NULL, "index" VARCHAR NOT NULL REFERENCES policy_index_scale ("index"),
    year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3), dimension VARCHAR NOT NULL,
    value DOUBLE NOT NULL CHECK (value >= 0 AND value <= 100),
    PRIMARY KEY ("index", year, iso3, dimension)
);

-- Deaths and disappearances by country of incident: two series, keyed by source_id (SDG 10.7.3 of the SDG database,
-- and IOM's later, revised Missing Migrants export). incidents, dead, missing_min: IOM only (NULL for SDG 10.7.3).
CREATE TABLE migrant_deaths (
    source_id VARCHAR NOT NULL, year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    dead_and_missing BIGINT NOT NULL CHECK (dead_and_missing >= 0),
    incidents BIGINT CHECK (incidents >= 1), dead BIGINT CHECK (dead >= 0), missing_min BIGINT,
    PRIMARY KEY (source_id, year, iso3)
);

-- One row per IOM Missing Migrants record. year/incident_date NULL for the 13 undated records (year_from_id is the
-- year in the record ID). missing_min and survivors may be negative: IOM's corrections, kept as published.
-- origin_iso3: the raw ';'-separated list of origin countries (NULL where Unknown / Mixed).
CREATE TABLE migrant_incident (
    source_id VARCHAR NOT NULL, record_id VARCHAR NOT NULL, incident_type VARCHAR NOT NULL,
    incident_date DATE, year INTEGER, year_from_id INTEGER NOT NULL,
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), country_of_incident VARCHAR NOT NULL,
    migration_route VARCHAR, location VARCHAR, lat DOUBLE CHECK (lat BETWEEN -90 AND 90),
    lon DOUBLE CHECK (lon BETWEEN -180 AND 180),
    dead BIGINT CHECK (dead >= 0), missing_min BIGINT, dead_and_missing BIGINT NOT NULL CHECK (dead_and_missing >= 0),
    survivors BIGINT, females BIGINT CHECK (females >= 0), males BIGINT CHECK (males >= 0),
    children BIGINT CHECK (children >= 0), cause_of_death VARCHAR,
    country_of_origin VARCHAR, origin_iso3 VARCHAR, region_of_origin VARCHAR,
    information_source VARCHAR, url VARCHAR, source_quality VARCHAR,
    PRIMARY KEY (source_id, record_id)
);

-- SDG 10.7.1: recruitment cost borne by employees, in months of earnings in the country of destination.
CREATE TABLE recruitment_cost (
    source_id VARCHAR NOT NULL, year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')), migratory_status VARCHAR NOT NULL,
    months_of_earnings DOUBLE NOT NULL CHECK (months_of_earnings >= 0),
    PRIMARY KEY (source_id, year, iso3, sex, migratory_status)
);
