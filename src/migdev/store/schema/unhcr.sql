-- UNHCR Refugee Data Finder (the `refugees` R package): owner migdev.sources.unhcr.
-- Persons are whole persons, a row is a reported value (an empty cell of the release is no row, never 0).
-- XXX is an unknown origin or asylum, XXA stateless, TIB Tibetans, AB9 the Abyei Area, Kosovo is within SRB.
-- revision is the R package version (e.g. '2025.12.1').

-- End-year stocks by origin and asylum, unrwa_refugees are Palestine refugees under UNRWA's mandate (not in
-- UNHCR's refugees). Zero cells of the release are not stored: a type without a row is 0 for a pair that has rows.
CREATE TABLE refugee (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    asylum VARCHAR NOT NULL REFERENCES country (iso3),
    population_type VARCHAR NOT NULL CHECK (population_type IN ('refugees', 'asylum_seekers', 'returned_refugees',
        'idps', 'returned_idps', 'stateless', 'others_of_concern', 'oip', 'host_community', 'unrwa_refugees')),
    persons BIGINT NOT NULL CHECK (persons > 0),
    PRIMARY KEY (revision, year, origin, asylum, population_type)
);

-- Flows in the year: new arrivals (refugees, asylum_seekers = new asylum applications, refugee_like, oip) and
-- solutions (returned_refugees, resettlement, naturalisation, returned_idps).
CREATE TABLE refugee_flow (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    asylum VARCHAR NOT NULL REFERENCES country (iso3),
    flow_type VARCHAR NOT NULL CHECK (flow_type IN ('refugees', 'asylum_seekers', 'refugee_like', 'oip',
        'returned_refugees', 'resettlement', 'naturalisation', 'returned_idps')),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    PRIMARY KEY (revision, year, origin, asylum, flow_type)
);

-- Asylum claims lodged. procedure_type: G government, J joint, U UNHCR, app_type and dec_level are UNHCR's codes
-- (N new, R repeat, A appeal... and 'NA' is the code "new applications", not a missing value), unit: persons or cases.
CREATE TABLE asylum_application (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    asylum VARCHAR NOT NULL REFERENCES country (iso3),
    procedure_type VARCHAR NOT NULL CHECK (procedure_type IN ('G', 'J', 'U')),
    app_type VARCHAR NOT NULL,
    dec_level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL CHECK (unit IN ('persons', 'cases')),
    applied BIGINT NOT NULL CHECK (applied >= 0),
    PRIMARY KEY (revision, year, origin, asylum, procedure_type, app_type, dec_level, unit)
);

-- Decisions on asylum claims: recognized (refugee status), other (complementary protection), rejected, closed
-- (otherwise closed), total. Counts 1-4 are published as 5, so the parts need not add up to total.
CREATE TABLE asylum_decision (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    asylum VARCHAR NOT NULL REFERENCES country (iso3),
    procedure_type VARCHAR NOT NULL CHECK (procedure_type IN ('G', 'J', 'U')),
    dec_level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL CHECK (unit IN ('persons', 'cases')),
    recognized BIGINT NOT NULL CHECK (recognized >= 0),
    other BIGINT NOT NULL CHECK (other >= 0),
    rejected BIGINT NOT NULL CHECK (rejected >= 0),
    closed BIGINT NOT NULL CHECK (closed >= 0),
    total BIGINT NOT NULL CHECK (total >= 0),
    PRIMARY KEY (revision, year, origin, asylum, procedure_type, dec_level, unit)
);

-- Internally displaced persons by country (source 'idmc': IDMC's conflict and violence IDPs, as republished by
-- UNHCR). Before 2009 IDMC gives a world figure only, stored as XXX.
CREATE TABLE displacement (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    source VARCHAR NOT NULL CHECK (source IN ('idmc')),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    PRIMARY KEY (revision, year, iso3, source)
);

-- Populations by sex and age (2025 only), summed over locations. sex 'total' (age 'total') is everyone, female and
-- male cover only the persons whose sex is reported, so female + male <= total. age_group 'unknown': sex known,
-- age not.
CREATE TABLE refugee_demographic (
    revision VARCHAR NOT NULL,
    year INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    asylum VARCHAR NOT NULL REFERENCES country (iso3),
    population_type VARCHAR NOT NULL CHECK (population_type IN ('refugees', 'asylum_seekers', 'returned_refugees',
        'idps', 'returned_idps', 'stateless', 'others_of_concern', 'oip', 'host_community')),
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    age_group VARCHAR NOT NULL CHECK (age_group IN ('0-4', '5-11', '12-17', '18-59', '60+', 'unknown', 'total')),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    CHECK (sex <> 'total' OR age_group = 'total'),
    PRIMARY KEY (revision, year, origin, asylum, population_type, sex, age_group)
);
