-- gravity: CEPII GeoDist covariates of ordered country pairs (migdev.sources.gravity).
-- proxy names the GeoDist pair whose values a row carries where an area has no rows of its own (YUG for SRB, MNE,
-- XKX; ANT for CUW, SXM, BES; SDN for SSD); NULL where the pair is GeoDist's own. Pairs within one old country
-- (e.g. SRB-MNE) have no distances and only contiguous and same_country set. origin = destination rows hold
-- CEPII's internal distances.
CREATE TABLE gravity_pair (
    origin                   VARCHAR NOT NULL REFERENCES country (iso3),
    destination              VARCHAR NOT NULL REFERENCES country (iso3),
    distance_km              DOUBLE CHECK (distance_km > 0),               -- most populated cities
    distance_capital_km      DOUBLE CHECK (distance_capital_km > 0),       -- capitals
    distance_weighted_km     DOUBLE CHECK (distance_weighted_km >= 0),     -- population-weighted (cities)
    distance_weighted_ces_km DOUBLE CHECK (distance_weighted_ces_km >= 0), -- the same, CES with theta = -1
    contiguous               SMALLINT CHECK (contiguous IN (0, 1)),
    common_language          SMALLINT CHECK (common_language IN (0, 1)),   -- common official language
    common_ethnic_language   SMALLINT CHECK (common_ethnic_language IN (0, 1)),  -- spoken by >= 9 % in both
    colony                   SMALLINT CHECK (colony IN (0, 1)),            -- ever in a colonial relationship
    common_colonizer         SMALLINT CHECK (common_colonizer IN (0, 1)),  -- common colonizer post 1945
    current_colony           SMALLINT CHECK (current_colony IN (0, 1)),
    colony_1945              SMALLINT CHECK (colony_1945 IN (0, 1)),       -- colonial relationship post 1945
    same_country             SMALLINT NOT NULL CHECK (same_country IN (0, 1)),
    proxy                    VARCHAR,
    source_id                VARCHAR NOT NULL,
    PRIMARY KEY (origin, destination, source_id),
    CHECK (distance_km IS NOT NULL OR proxy IS NOT NULL)
);
