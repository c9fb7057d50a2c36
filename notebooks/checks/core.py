"""The machinery shared by every exercise check."""

from dataclasses import dataclass

import numpy as np


@dataclass
class Feedback:
    """The outcome of a check; shows as one line in a notebook."""

    correct: bool
    message: str

    def __repr__(self):
        return ("Correct! " if self.correct else "Not yet: ") + self.message

    def __bool__(self):
        return self.correct


def check_close(answer, expected, *, name="your answer", rtol=1e-6, atol=1e-9, hint=""):
    """Compare ``answer`` with ``expected`` without printing ``expected``.

    Says whether the shape is wrong, whether the answer is too large or too
    small, and adds ``hint`` when it is off.
    """
    if answer is None:
        return Feedback(False, f"replace None with {name}.")
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"{name} should be a number or an array of numbers.")
    expected = np.asarray(expected, dtype=float)
    if answer.shape != expected.shape:
        return Feedback(False, f"{name} should have shape {expected.shape}, not {answer.shape}.")
    if not np.all(np.isfinite(answer)):
        return Feedback(False, f"{name} contains NaN or infinity.")
    if np.allclose(answer, expected, rtol=rtol, atol=atol):
        return Feedback(True, f"{name} matches.")
    off = answer - expected
    worst = int(np.argmax(np.abs(off)))
    direction = "too large" if off.flat[worst] > 0 else "too small"
    where = "" if answer.ndim == 0 else f" (entry {np.unravel_index(worst, answer.shape)})"
    return Feedback(False, f"{name} is {direction}{where}. {hint}".strip())


def check_answer(answer, expected, **options):
    """:func:`check_close`, with a plain word for an untouched ``None`` placeholder."""
    if answer is None:
        return Feedback(False, f"{options.get('name', 'your answer')}: replace None with your "
                               "answer, then run the cell again.")
    return check_close(answer, expected, **options)
