"""The data basis of the flow accounts: which stock and WPP revisions, which areas, which conventions.

Abel & Cohen (2019, *Sci. Data* 6:82; re-issued as "version 6": IMS 2020 stocks + WPP 2022 vital data) build
every account from one basis: the bilateral stocks of one IMS revision, and the population, births, deaths and
net migration of **one** WPP revision. A :class:`Basis` names that pair; :data:`BASES` lists what the build
estimates. :class:`BasisOptions` holds the conventions; the default is the published one, the alternatives stay
available (and are what the first build did):

========================  ==================================  =========================================
option                    default (published convention)      alternative
========================  ==================================  =========================================
``unplaced``              ``"native"``: people born in XXX     ``"unspecified"``: XXX is a place of birth
                          or outside the period's areas count  with no residents, births or deaths, and
                          as native-born of their residence    people born outside the areas go to it
``merge_splits``          ``True``: SRB+MNE, SDN+SSD merged    ``False``: the parts kept apart
                          for periods starting before 2010
``population``            ``"wpp"``: WPP 1 July population     ``"ims"``: the population published with
                          of the vital revision                the stock revision (IMS 2020: WPP 2019)
``vital_years``           ``"mid_year"``: half of the first    ``"calendar"``: the full calendar years
                          and last years + the years between   start .. end - 1
========================  ==================================  =========================================

What the experiments on IMS 2020 + WPP 2022 (both sexes) showed, global totals in millions for 1990-1995 /
2015-2020 (published sd_drop_neg 22.46 / 35.36, da_min_closed 42.73 / 46.84) are recorded in
:mod:`migdev.estimates.accounts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: WPP locations folded into the IMS area that contains them (the IMS counts Kosovo within Serbia and gives the
#: Channel Islands as one area; WPP has Guernsey and Jersey).
WPP_PARTS = {"GGY": "CHI", "JEY": "CHI", "XKX": "SRB"}
#: Country splits merged for periods starting before :data:`MERGE_BEFORE`: the part is counted with the whole,
#: so stocks between the parts become internal (native-born). Montenegro left Serbia and Montenegro in 2006,
#: South Sudan left Sudan in 2011; IMS 2020 has no South Sudan as a destination before 2010.
SPLITS = {"MNE": "SRB", "SSD": "SDN"}
MERGE_BEFORE = 2010
#: Areas WPP has no figures for. Holy See: its population is taken from the IMS tables (a few hundred people),
#: births and deaths as 0 (a documented choice, logged per account).
NO_WPP = ("VAT",)
FEMALE_SHARE_OF_BIRTHS = 100.0 / 205.0  # sex ratio at birth of 105 males per 100 females


@dataclass(frozen=True)
class Basis:
    """One IMS stock revision with one WPP revision for population, births, deaths and net migration."""

    stock_revision: str
    vital_revision: str

    @property
    def label(self) -> str:
        return f"IMS {self.stock_revision} + WPP {self.vital_revision}"


#: What the build estimates: the project's own bases on WPP 2024, and IMS 2020 + WPP 2022, the basis of Abel &
#: Cohen's published estimates (to compare with them). A basis whose WPP revision is not loaded is skipped.
BASES = (Basis("2024", "2024"), Basis("2020", "2024"), Basis("2020", "2022"))


@dataclass(frozen=True)
class BasisOptions:
    """The conventions of the accounts (see the module docstring); the defaults are Abel & Cohen's."""

    unplaced: Literal["native", "unspecified"] = "native"
    merge_splits: bool = True
    population: Literal["wpp", "ims"] = "wpp"
    vital_years: Literal["mid_year", "calendar"] = "mid_year"

    def __post_init__(self) -> None:
        for name, allowed in (("unplaced", ("native", "unspecified")), ("population", ("wpp", "ims")),
                              ("vital_years", ("mid_year", "calendar"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"BasisOptions.{name} must be one of {allowed}, not {getattr(self, name)!r}")

    def merges(self, period_start: int) -> dict[str, str]:
        """The split countries merged for a period starting in ``period_start``."""
        return dict(SPLITS) if self.merge_splits and period_start < MERGE_BEFORE else {}


def year_weights(start: int, end: int, vital_years: str) -> dict[int, float]:
    """Weights of calendar years in a mid-year to mid-year period total (or the calendar years start..end-1)."""
    if vital_years == "calendar":
        return {year: 1.0 for year in range(start, end)}
    return {year: 0.5 if year in (start, end) else 1.0 for year in range(start, end + 1)}
