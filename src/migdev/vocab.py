"""The shared vocabulary: the words and codes every layer uses, defined once.

Stored values are these exact strings; outputs translate them (names, labels) but never store anything else.
"""

from __future__ import annotations

from typing import Literal

#: Sex codes of every table: ``total`` is both sexes combined (never the sum of a missing split).
SEXES: tuple[str, ...] = ("total", "male", "female")
Sex = Literal["total", "male", "female"]

#: The six official languages of the United Nations, in the order the country table stores their names.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ru", "zh", "ar")

#: The UN's unspecified origin "Other" (M49 2003): origins not specified or not itemised by the destination.
#: ICAO Doc 9303 uses XXX for an unspecified nationality; the stock tables keep it (7% of the 2024 world total).
UNSPECIFIED_ORIGIN = "XXX"
UNSPECIFIED_ORIGIN_M49 = 2003

#: Units of stored values: persons are whole persons (WPP's thousands are converted), money is current US$,
#: shares are fractions 0..1 (formatted as percentages only at output).
UNITS = {
    "persons": "persons",
    "usd": "current US$",
    "fraction": "fraction (0..1)",
    "percent": "percent (0..100)",
    "km": "kilometres",
    "index": "index score",
}
