"""Loading, validating and selecting versioned funder rulesets."""

from .catalog import Catalog, Criterion, Funder, Parameter, Route, Version
from .loader import default_rulesets_dir, load_catalog

__all__ = ["Catalog", "Criterion", "Funder", "Parameter", "Route", "Version", "default_rulesets_dir", "load_catalog"]
