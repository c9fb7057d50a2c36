"""Self-checks for the course's exercises: a student calls one on their answer.

Each check says "Correct!" or what is off, without revealing the answer.
This is course material, not part of emlib: the notebooks import it as
``from checks import nb04`` (their folder is the kernel's working
directory), and it uses emlib's public API only. The per-notebook modules
(``checks.nb01`` ...) hold the checks; :mod:`checks.core` what they share.
"""

from .core import Feedback, check_answer, check_close

__all__ = ["Feedback", "check_answer", "check_close"]
