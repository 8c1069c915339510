"""The releases migdev knows: where each file officially comes from, its checksum, licence and citation.

``fetch(id)`` resolves a local, verified path: the mirror (``$MIGDEV_DATA_MIRROR/<path>``) first, then the user
cache, then a download with pooch. Every path it returns has the registered sha256; nothing else is read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from migdev.errors import FetchError, HashMismatchError

UN_DESA_IMS_LICENCE = "CC BY 3.0 IGO"
WPP_LICENCE = "CC BY 3.0 IGO"
WDI_LICENCE = "CC BY 4.0"

IMS_PAGE = "https://www.un.org/development/desa/pd/content/international-migrant-stock"
IMS_FILES = "https://www.un.org/development/desa/pd/sites/www.un.org.development.desa.pd/files"
WPP_PAGE = "https://population.un.org/wpp/downloads"
WDI_PAGE = "https://databank.worldbank.org/source/world-development-indicators"

IMS_2024_CITATION = (
    "United Nations Department of Economic and Social Affairs, Population Division (2024). "
    "International Migrant Stock 2024 (POP/DB/MIG/Stock/Rev.2024)."
)
IMS_2020_CITATION = (
    "United Nations Department of Economic and Social Affairs, Population Division (2020). "
    "International Migrant Stock 2020 (POP/DB/MIG/Stock/Rev.2020)."
)
IMS_2019_CITATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2019). "
    "International Migrant Stock 2019 (United Nations database, POP/DB/MIG/Stock/Rev.2019)."
)
WPP_CITATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2024). "
    "World Population Prospects 2024."
)
WDI_CITATION = "World Bank (2026). World Development Indicators. Washington, DC: The World Bank."


@dataclass(frozen=True)
class Source:
    """One file of one official release.

    ``url`` is the official page or file a user with internet would go to; ``download_url`` is the address the
    exact bytes can be downloaded from (``None`` when the file is a documented tidy rendering of the release
    that only a mirror carries, see the mirror folder's PROVENANCE.md).
    """

    id: str
    publisher: str
    title: str
    revision: str
    licence: str
    citation: str
    url: str
    path: str
    sha256: str
    download_url: str | None = None

    @property
    def file_name(self) -> str:
        return Path(self.path).name


def _ims(id: str, title: str, revision: str, path: str, sha256: str, download: str | None = None) -> Source:
    citation = {"2024": IMS_2024_CITATION, "2020": IMS_2020_CITATION, "2019": IMS_2019_CITATION}[revision]
    return Source(id, "UN DESA Population Division", title, revision, UN_DESA_IMS_LICENCE, citation,
                  download or IMS_PAGE, path, sha256, download)


def _wpp(id: str, title: str, path: str, sha256: str) -> Source:
    return Source(id, "UN DESA Population Division", title, "2024", WPP_LICENCE, WPP_CITATION, WPP_PAGE, path, sha256)


def _wdi(id: str, title: str, revision: str, path: str, sha256: str, url: str = WDI_PAGE) -> Source:
    return Source(id, "World Bank", title, revision, WDI_LICENCE, WDI_CITATION, url, path, sha256)


REGISTRY: dict[str, Source] = {
    s.id: s
    for s in (
        _ims("ims2024_bilateral", "International Migrant Stock 2024: destination and origin, by sex", "2024",
             "undesa_ims/ims2024_bilateral_stock.csv",
             "6ae27b5425a2138dda1f02330eb6422396e562c256a7d258c00ffde9edc84df8"),
        _ims("ims2020_bilateral", "International Migrant Stock 2020: destination and origin, by sex", "2020",
             "undesa_ims/ims2020_bilateral_stock.csv",
             "39fefe06acd119085b02dd1c147c5db1721144fb4910b5e305464f6f84bbbc44"),
        _ims("ims2024_destination", "International Migrant Stock 2024: destination totals, by sex", "2024",
             "undesa_ims/ims2024_destination_totals.csv",
             "6361ac9472be125c0c58e4b55fe9ba223ea05078b84fd3f0e27e47cf37090da0"),
        _ims("ims2020_destination", "International Migrant Stock 2020: destination (Tables 1-4, 6), tidy", "2020",
             "undesa_ims/ims2020_destination_official.csv",
             "8a722b0fe5a0b76ac16e93c6535cbf23bdfa37ea6bd211af505970ba7ad7f3d7"),
        _ims("ims_origin_totals", "International Migrant Stock 2020 and 2024: origin totals, by sex", "2024",
             "undesa_ims/ims_origin_totals.csv",
             "22fa86c564af01e1e460618e48abc4a339e04877cfea6ae0ca81532d5c90eb52"),
        _ims("ims2020_age", "International Migrant Stock 2020: destination by age and sex", "2020",
             "undesa_ims/ims2020_stock_by_age_sex_destination.csv",
             "b0aec153041e2c62b14a82a139acac8fc9319026ca85b0abbe55e3fd78426de1"),
        _ims("ims_locations", "International Migrant Stock 2020: annex of locations (M49, ISO3, groupings)", "2020",
             "undesa_ims/ims_locations.csv",
             "e9e36844f47491c0b974334b6e3e0982868fb1b22e1c1a48521f554a2cef0946"),
        _ims("ims2020_workbook", "International Migrant Stock 2020: by sex and destination (official xlsx)", "2020",
             "undesa_ims/original/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx",
             "c2bae98812a1f68b1d7f57a8d3d11903b85522d664f319dfe87daa30f653fd5b",
             f"{IMS_FILES}/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"),
        _ims("ims2019_workbook", "International Migrant Stock 2019: total migrant stock (official xlsx)", "2019",
             "undesa_ims/original/undesa_pd_2019_migrant_stock_total_dataset.xlsx",
             "6e44a1f4c750248b7721a6f32afa75477c2c22420bed26053e1bfe58f4a63062",
             f"{IMS_FILES}/undesa_pd_2019_migrant_stock_total_dataset.xlsx"),
        _wpp("wpp2024_locations", "World Population Prospects 2024: locations (M49, ISO3, hierarchy)",
             "wpp/wpp2024_locations.csv", "2ff72df3a90a8eb4212694dad28d7b1fe5b3afd720f1598ac380ad50c65d0b7b"),
        _wpp("wpp2024_annual", "World Population Prospects 2024: annual population and components, 1950-2030",
             "wpp/wpp2024_annual.csv", "a10887af4bd150be071c63a8217e0217820079d34715a6a5bbae16ef4478840b"),
        _wpp("wpp2024_periods", "World Population Prospects 2024: mid-year 5-year periods (births, deaths, migration)",
             "wpp/wpp2024_periods_midyear.csv", "c4c8941a4b2b74fb2fa6cd9a2fa6aa01060b001350e7e3165fb57499556b43ca"),
        _wpp("wpp2024_population_by_sex", "World Population Prospects 2024: 1 July population by sex, 5-yearly",
             "wpp/wpp2024_pop_jul1_5yr_by_sex.csv",
             "1558a389257c37e936b3e9fb0aef91e280e66e2432194962bca554021caabe8c"),
        _wdi("wdi_long", "World Development Indicators: remittances and macro series (2026-07 release)", "2026-07",
             "wdi/wdi_long.csv", "e8365c1a19079dbee4bc8d5a869697396e63e42cd2456ab0147fabbceff39105"),
        _wdi("wdi_countries", "World Development Indicators: economies, regions and income groups", "2026-04",
             "wdi/wdi_country_metadata.csv", "2446816b64f1c5ab822cd414ce7c6a1528e74d87fd0752d39ba11f6f2aa4803d"),
        _wdi("wdi_indicators", "World Development Indicators: indicator titles", "2026-07",
             "wdi/wdi_indicators.csv", "d093dec6edad76e430f74a645567482e4e8dbec0e09a6d4a11deae450e5fc8a9"),
        _wdi("wdi_sample_bm_remittances_paid", "WDI official download: personal remittances paid (2021-09 file)",
             "2021-09", "wdi/official_format_samples/API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2_3012027.csv",
             "472a6817d18d92877d3cf50b3b1d5e9ce4702fdfca04f94ea4910b71138cec92",
             "https://api.worldbank.org/v2/en/indicator/BM.TRF.PWKR.CD.DT?downloadformat=csv"),
    )
}


def get(source_id: str) -> Source:
    """The registered source, or a KeyError that lists what is known."""
    try:
        return REGISTRY[source_id]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {source_id!r}; known sources: {known}") from None


def mirror_root() -> Path | None:
    """The local mirror of official files, from ``$MIGDEV_DATA_MIRROR`` (CI and the README set it)."""
    root = os.environ.get("MIGDEV_DATA_MIRROR")
    return Path(root).expanduser() if root else None


def cache_root() -> Path:
    """Where downloaded files are kept: ``$MIGDEV_CACHE`` or the platform's user cache."""
    root = os.environ.get("MIGDEV_CACHE")
    if root:
        return Path(root).expanduser()
    import pooch

    return Path(pooch.os_cache("migdev"))


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(source: Source, path: Path) -> Path:
    """Return ``path`` if its sha256 is the registered one, else raise :class:`HashMismatchError`."""
    actual = sha256(path)
    if actual != source.sha256:
        raise HashMismatchError(path, source.sha256, actual)
    return path


def locate(source: Source) -> Path | None:
    """The mirror or cache copy of a source if one exists (unverified), without downloading."""
    root = mirror_root()
    if root is not None and (root / source.path).is_file():
        return root / source.path
    cached = cache_root() / source.path
    return cached if cached.is_file() else None


def fetch(source_id: str | Source, *, timeout: float = 60.0) -> Path:
    """A verified local path for a source: mirror, else cache, else download (pooch), hash checked every time."""
    source = source_id if isinstance(source_id, Source) else get(source_id)
    local = locate(source)
    if local is not None:
        return verify(source, local)
    if source.download_url is None:
        where = mirror_root()
        raise FetchError(
            f"{source.file_name} ({source.id}) is not in the mirror "
            f"({where / source.path if where else 'MIGDEV_DATA_MIRROR is not set'}) nor in the cache, and it has no "
            f"direct download address: it is a tidy rendering of {source.title} ({source.url}); "
            "point MIGDEV_DATA_MIRROR at a mirror that holds it"
        )
    return _download(source, timeout=timeout)


def _download(source: Source, *, timeout: float) -> Path:
    """Download with pooch into the cache; pooch checks the hash and keeps nothing that fails it."""
    import pooch
    import requests

    target = cache_root() / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fname = pooch.retrieve(
            source.download_url,
            known_hash=f"sha256:{source.sha256}",
            fname=target.name,
            path=target.parent,
            downloader=pooch.HTTPDownloader(timeout=timeout, progressbar=False),
        )
    except ValueError as exc:
        # pooch: "SHA256 hash of downloaded file (...) does not match the known hash: expected X but got Y. ..."
        text = str(exc)
        if "does not match" not in text:
            raise
        actual = text.split(" but got ", 1)[1].split(".", 1)[0] if " but got " in text else "unknown"
        raise HashMismatchError(source.download_url or source.path, source.sha256, actual) from exc
    except requests.exceptions.Timeout as exc:
        raise FetchError(
            f"{source.file_name}: download from {source.download_url} timed out after {timeout} s"
        ) from exc
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise FetchError(f"{source.file_name}: download from {source.download_url} failed with HTTP {status}") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{source.file_name}: download from {source.download_url} failed: {exc}") from exc
    return Path(fname)
