-- IAB brain-drain data (migdev.sources.skilled): emigration rates by education, stocks by sex in 20 destinations.
-- Rates are fractions 0..1 (emigrants / (emigrants + residents) of that education, aged 25+); a rate of exactly 1.0
-- is kept but flagged 'rate_is_one' (implausible). World rates are in area_group_value (group wb:WLD).
CREATE TABLE skilled_emigration (
    source_id VARCHAR NOT NULL, revision VARCHAR NOT NULL, year INTEGER NOT NULL,
    origin VARCHAR NOT NULL REFERENCES country (iso3),
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    education VARCHAR NOT NULL CHECK (education IN ('total', 'low', 'medium', 'high')),
    rate DOUBLE NOT NULL CHECK (rate >= 0 AND rate <= 1),
    flag VARCHAR CHECK (flag IN ('rate_is_one')),
    PRIMARY KEY (revision, year, origin, sex, education)
);
-- Migrant stocks (all ages, not by education) in the 20 OECD destinations; origin XXX is the IAB's 'Unknown'.
-- origin_basis says what the destination counts: country of birth, or citizenship (Germany).
CREATE TABLE skilled_stock (
    source_id VARCHAR NOT NULL, revision VARCHAR NOT NULL, year INTEGER NOT NULL,
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    origin_basis VARCHAR NOT NULL CHECK (origin_basis IN ('birth', 'citizenship')),
    PRIMARY KEY (revision, year, sex, origin, destination)
);
