"""Marks a student-style attempt at an exercise as wrong (with the label of its mistake) or
right. tools/evaluate_checks.py collects the marked functions of every file in tuning/ and
heldout/ and runs the exercise's check on each, in a process of its own."""

ATTEMPTS = []


def wrong(label):
    """A wrong attempt; label names its mistake (a key of labels.LABELS[exercise])."""
    def mark(fn):
        fn.attempt = ("wrong", label)
        ATTEMPTS.append(fn)
        return fn
    return mark


def right(fn):
    """A correct attempt, written in another style than the reference: it must pass."""
    fn.attempt = ("right", None)
    ATTEMPTS.append(fn)
    return fn
