"""The counsellors' page in the browser (issue 28): the guided intake beside the synthesis,
served by `fundrules serve` at `/`. A thin layer over fundrules.intake and fundrules.report."""

from .routes import FORM_PATHS, PAGE_PATHS, web_router

__all__ = ["FORM_PATHS", "PAGE_PATHS", "web_router"]
