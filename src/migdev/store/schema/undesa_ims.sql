-- UN DESA International Migrant Stock (sources/undesa_ims.py).
CREATE TABLE migrant_stock (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    PRIMARY KEY (revision, year, sex, origin, destination)
);

CREATE TABLE migrant_stock_total (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    immigrants BIGINT, emigrants BIGINT, population BIGINT, refugees BIGINT, type_of_data VARCHAR,
    population_source VARCHAR,
    PRIMARY KEY (revision, year, sex, iso3)
);

CREATE TABLE migrant_stock_age (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), age_group VARCHAR NOT NULL, persons BIGINT,
    PRIMARY KEY (revision, year, sex, iso3, age_group)
);
