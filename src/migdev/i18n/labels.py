"""Labels of coded values the store holds and pages show as words, marked for the catalogues.

Why here: a group's ``kind`` ("SDG region") is a value of ``area_group`` (the order among kinds is
:data:`migdev.places.KIND_RANK`), not text of a template, so the extractor would never see it; marking each kind
once here puts it in every catalogue, and templates translate the stored value with ``_(kind)``. A test checks
that every kind ``places`` knows has its label.
"""

from __future__ import annotations

from migdev.i18n import N_

#: area_group.kind (and the World Bank kinds :mod:`migdev.places` derives) -> message id.
GROUP_KINDS: dict[str, str] = {
    "World": N_("World"),
    "Geographic region": N_("Geographic region"),
    "Subregion": N_("Subregion"),
    "SDG region": N_("SDG region"),
    "SDG subregion": N_("SDG subregion"),
    "World Bank region": N_("World Bank region"),
    "World Bank income group": N_("World Bank income group"),
    "Income group": N_("Income group"),
    "Development group": N_("Development group"),
    "World Bank aggregate": N_("World Bank aggregate"),
    "WPP aggregate": N_("WPP aggregate"),
}
