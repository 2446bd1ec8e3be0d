"""French regions by INSEE code (code officiel géographique, regions since 2016-01-01), so a case may
name its region ("Centre-Val de Loire") or give its code (24, "24") and the output says which
code applies. Other values (the study's anonymised regions) pass through unchanged."""

from __future__ import annotations

import unicodedata
from typing import Any

REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}


def _key(text: str) -> str:
    """Compare names without case, accents, hyphens or apostrophes: "centre val de loire" matches."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum())


_BY_NAME = {_key(name): code for code, name in REGIONS.items()}
_BY_NAME.update({_key("Réunion"): "04", _key("PACA"): "93", _key("Centre"): "24"})


def region_code(value: Any) -> Any:
    """The INSEE code for a region name or code; an unquoted YAML number (24) is read as the code."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100:
        return f"{value:02d}"
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) == 1:
            text = "0" + text
        if text in REGIONS:
            return text
        return _BY_NAME.get(_key(text), value)
    return value


def region_label(code: str) -> str:
    """ "24" → "Centre-Val de Loire (code 24)"; an unknown value is shown as given."""
    name = REGIONS.get(code)
    return f"{name} (code {code})" if name else code


# The study's regions are anonymised (Céreq Études n° 22, 2019): named as the study names them.
STUDY_REGIONS = {"etude-territorialisee": "région « territorialisée » de l'étude Céreq"}


def region_name(value: str) -> str:
    """A region as people say it, for titles: "24" → "Centre-Val de Loire", the study's by its label."""
    code = region_code(value)
    if isinstance(code, str) and code in REGIONS:
        return REGIONS[code]
    return STUDY_REGIONS.get(value, value)
