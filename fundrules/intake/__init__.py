"""The guided intake: which facts to ask next so that every funder's answer is settled, in French."""

from .model import Choice, Question, Questions
from .rank import TRIAGE, next_questions

__all__ = ["Choice", "Question", "Questions", "TRIAGE", "next_questions"]
