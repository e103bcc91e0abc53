"""The benchmark's floor page exists only in the benchmark's servers (tests/benchmarks/),
never in the production URLconf."""

import pytest
from django.urls import Resolver404, resolve

from tests.benchmarks import settings as bench_settings

pytestmark = pytest.mark.django_db


def test_production_does_not_route_the_floor(client):
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")
    assert client.get("/bench/floor/").status_code == 404


def test_the_benchmark_servers_serve_the_floor_without_queries(
    client, settings, django_assert_num_queries
):
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES
    with django_assert_num_queries(0):
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert b"Benchmark floor" in response.content
    # The site's own addresses are all there beside it.
    assert client.get("/healthz").status_code in (200, 301)
