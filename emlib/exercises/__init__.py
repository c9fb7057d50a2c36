"""Self-checks for the exercises: a student calls one on their answer.

Each check says "Correct" or what is off, without revealing the answer.
The per-notebook modules (``emlib.exercises.nb01`` ...) hold the checks.
"""

from .core import Feedback, check_close

__all__ = ["Feedback", "check_close"]
