"""Loading, validating and selecting versioned funder rulesets.

Names are imported on first use: `from fundrules.rulesets.catalog import Catalog` does not import
the loader and its pydantic file models (a catalog read from the cache never needs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

_EXPORTS = {
    "Catalog": ".catalog",
    "Criterion": ".catalog",
    "Funder": ".catalog",
    "Parameter": ".catalog",
    "Route": ".catalog",
    "Version": ".catalog",
    "default_rulesets_dir": ".loader",
    "load_catalog": ".loader",
}

__all__ = ["Catalog", "Criterion", "Funder", "Parameter", "Route", "Version", "default_rulesets_dir", "load_catalog"]

if TYPE_CHECKING:
    from .catalog import Catalog, Criterion, Funder, Parameter, Route, Version
    from .loader import default_rulesets_dir, load_catalog


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)
