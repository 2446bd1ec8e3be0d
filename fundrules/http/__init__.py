"""The HTTP service: the library's evaluate, plan and rules over JSON, for applications not in Python.

A thin layer (FastAPI under uvicorn, the `http` extra): every answer comes from `Engine` and the
library's models; this package only reads requests, bounds them and shapes errors.

    uvicorn --factory fundrules.http:create_app      # or: fundrules serve
"""

from .app import create_app, create_app_from_env

__all__ = ["create_app", "create_app_from_env"]
