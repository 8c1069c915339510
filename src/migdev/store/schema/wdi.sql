-- World Bank World Development Indicators (sources/wdi.py).
-- basis: 'published' (the World Bank's series as released) or how the values were derived from published series
CREATE TABLE wdi_indicator (indicator VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, basis VARCHAR);

CREATE TABLE wdi (
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE NOT NULL, vintage VARCHAR NOT NULL,
    PRIMARY KEY (iso3, year, indicator)
);
