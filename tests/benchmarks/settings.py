"""The servers `make bench` measures: the production settings, plus the floor page the
figures are taken against (tests/benchmarks/urls.py), which production never routes."""

import copy

from dialogue_portal.settings import *  # noqa: F403
from dialogue_portal.settings import BASE_DIR
from dialogue_portal.settings import TEMPLATES as SITE_TEMPLATES

ROOT_URLCONF = "tests.benchmarks.urls"
TEMPLATES = copy.deepcopy(SITE_TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "benchmarks" / "templates"]
