"""Shared test settings. Property tests draw their examples from a fixed seed, so a run on a clean
clone tries the same cases every time; ``HYPOTHESIS_PROFILE=explore`` draws fresh ones (and more of
them) when looking for new failures."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
