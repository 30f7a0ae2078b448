"""Import the painter before anything loads torch: it sets how OpenMP's threads wait (painter/__init__.py),
which OpenMP reads once, when torch loads."""

import painter  # noqa: F401
