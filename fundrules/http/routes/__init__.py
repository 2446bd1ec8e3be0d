"""The service's routes, one router per group; `create_app` includes ROUTERS in this order."""

from .evaluation import router as evaluation
from .operations import router as operations
from .questions import router as questions
from .rules import router as rules
from .schemas import router as schemas

ROUTERS = (evaluation, questions, rules, schemas, operations)

__all__ = ["ROUTERS"]
