-- Indicators (src/migdev/indicators/): every entry of indicators.CATALOGUE for every country and every group,
-- computed by the build's "indicators" step. `iso3` is a country's code or a group's id (area_group.group_id, or
-- WLD for every area of the country table), so it references no table. `rank` and `partner` key the rows of
-- top-N lists (partner: the other country, or "origin>destination" for a corridor) and are NULL elsewhere, so the
-- key (indicator, iso3, year, sex, rank, partner) is checked by the step, not by a PRIMARY KEY. `value` is NULL
-- where an input is missing (never 0). `members` is, for a group row, how many members contributed. `basis` says
-- "published" (a publisher's series, copied) or "derived: ..." (computed by migdev, with the rule); `source` lists
-- the source ids of the tables read (comma-separated) and `revision` their releases.
CREATE TABLE indicator (
    iso3 VARCHAR NOT NULL, year INTEGER NOT NULL,
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    indicator VARCHAR NOT NULL, rank INTEGER CHECK (rank >= 1), partner VARCHAR,
    value DOUBLE CHECK (isfinite(value)), unit VARCHAR NOT NULL, members INTEGER CHECK (members >= 0),
    basis VARCHAR NOT NULL, source VARCHAR NOT NULL, revision VARCHAR NOT NULL
);
