-- The tables every build has: provenance, places and groups, the build log and unmatched codes.
CREATE TABLE source (
    source_id VARCHAR PRIMARY KEY, revision VARCHAR NOT NULL, publisher VARCHAR NOT NULL, title VARCHAR NOT NULL,
    file VARCHAR NOT NULL, url VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, licence VARCHAR NOT NULL,
    citation VARCHAR NOT NULL, product VARCHAR NOT NULL, download_url VARCHAR, derived_from VARCHAR,
    loaded_at TIMESTAMP NOT NULL, rows_read BIGINT NOT NULL
);

CREATE TABLE country (
    iso3 VARCHAR PRIMARY KEY, m49 INTEGER,
    name_en VARCHAR NOT NULL, name_fr VARCHAR NOT NULL, name_es VARCHAR NOT NULL,
    name_ru VARCHAR NOT NULL, name_zh VARCHAR NOT NULL, name_ar VARCHAR NOT NULL,
    sdg_region VARCHAR, sdg_subregion VARCHAR, subregion VARCHAR, geographic_region VARCHAR,
    wb_region VARCHAR, wb_income_group VARCHAR, wb_lending_type VARCHAR, un_income_group_2020 VARCHAR,
    in_ims BOOLEAN NOT NULL, in_wpp BOOLEAN NOT NULL, in_wdi BOOLEAN NOT NULL, code_note VARCHAR
);

-- `name` is the publisher's name as published (the key of the country table's wb_region, wb_income_group and
-- un_income_group_2020); name_<lang> are the names shown (src/migdev/group_names.toml).
CREATE TABLE area_group (
    group_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL, name_fr VARCHAR NOT NULL, name_es VARCHAR NOT NULL,
    name_ru VARCHAR NOT NULL, name_zh VARCHAR NOT NULL, name_ar VARCHAR NOT NULL
);

CREATE TABLE area_group_member (
    group_id VARCHAR NOT NULL REFERENCES area_group (group_id), iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    PRIMARY KEY (group_id, iso3)
);

CREATE TABLE area_group_value (
    source_id VARCHAR NOT NULL, revision VARCHAR NOT NULL, group_id VARCHAR NOT NULL,
    year INTEGER NOT NULL, sex VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    PRIMARY KEY (source_id, revision, group_id, year, sex, measure)
);

CREATE TABLE build_log (
    seq INTEGER PRIMARY KEY, step VARCHAR NOT NULL, level VARCHAR NOT NULL, message VARCHAR NOT NULL
);

CREATE TABLE unmatched_code (
    source_id VARCHAR NOT NULL, field VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR, rows BIGINT NOT NULL,
    PRIMARY KEY (source_id, field, code)
);
