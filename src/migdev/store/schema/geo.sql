-- geo: Natural Earth 1:110m polygons and a marker point for every area (migdev.sources.geo).

-- One row per area: Natural Earth's features merged by their de-jure country (N. Cyprus into CYP, Somaliland
-- into SOM). geojson is a GeoJSON geometry object, coordinates rounded to 3 decimals (WGS84 degrees).
CREATE TABLE area_geometry (
    iso3          VARCHAR NOT NULL REFERENCES country (iso3),
    source_id     VARCHAR NOT NULL,
    geometry_type VARCHAR NOT NULL CHECK (geometry_type IN ('Polygon', 'MultiPolygon')),
    n_parts       INTEGER NOT NULL CHECK (n_parts >= 1),
    n_vertices    INTEGER NOT NULL CHECK (n_vertices >= 4),
    min_lon       DOUBLE NOT NULL CHECK (min_lon BETWEEN -180 AND 180),
    min_lat       DOUBLE NOT NULL CHECK (min_lat BETWEEN -90 AND 90),
    max_lon       DOUBLE NOT NULL CHECK (max_lon BETWEEN -180 AND 180),
    max_lat       DOUBLE NOT NULL CHECK (max_lat BETWEEN -90 AND 90),
    geojson       VARCHAR NOT NULL,
    PRIMARY KEY (iso3, source_id),
    CHECK (min_lon <= max_lon AND min_lat <= max_lat),
    CHECK ((geometry_type = 'Polygon') = (n_parts = 1))
);

-- Marker points, filled by two products: geo (basis 'polygon', rank 1; 'capital, approximate (migdev table)',
-- rank 3) and gravity ('capital (CEPII)', rank 2). Use the lowest rank of an area: view area_point_best.
CREATE TABLE area_point (
    iso3      VARCHAR NOT NULL REFERENCES country (iso3),
    basis     VARCHAR NOT NULL CHECK (basis IN ('polygon', 'capital (CEPII)', 'capital, approximate (migdev table)')),
    rank      INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 3),
    lat       DOUBLE NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon       DOUBLE NOT NULL CHECK (lon BETWEEN -180 AND 180),
    place     VARCHAR,
    source_id VARCHAR NOT NULL,
    PRIMARY KEY (iso3, basis)
);

-- One point per area: polygon centroid, else the CEPII capital, else the migdev table.
CREATE VIEW area_point_best AS
SELECT iso3, lat, lon, basis, place, source_id
FROM area_point
QUALIFY row_number() OVER (PARTITION BY iso3 ORDER BY rank) = 1;
