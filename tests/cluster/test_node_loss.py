"""A gunicorn node killed under load: no reader request sent once Varnish's probe has noticed
fails. Before that, a GET that finds the node gone is tried once more on a node (the VCL's
retry), so few fail: at most about one per reader, those in flight when the node died."""

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.cluster.conftest import cluster, health, wait_until

pytestmark = pytest.mark.cluster

READERS = 4


def backends(env):
    secret = env["CLUSTER_DIR"] + "/varnish/secret"
    command = ["varnishadm", "-T", env["CLUSTER_VARNISH_ADMIN"], "-S", secret, "backend.list"]
    listed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {line.split()[0].split(".")[-1]: line for line in listed.splitlines()[1:] if line}


def kill_node(env, number):
    """SIGKILL the node's master and its workers: no graceful shutdown, as a crash."""
    master = int(Path(env["CLUSTER_DIR"], "run", f"node{number}.pid").read_text().split()[0])
    workers = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in [master, *map(int, workers)]:
        os.kill(pid, signal.SIGKILL)


def test_a_node_killed_under_load(env, front):
    results = []  # (monotonic time it was sent, status) of every reader request
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            # A query no cache holds: every request goes through to a node.
            url = f"{front}/publications/?q=load{uuid.uuid4().hex[:8]}"
            sent = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            results.append((sent, status))

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        kill_node(env, 1)
        wait_until(lambda: "sick" in backends(env)["node1"], 10, "the probe noticing node 1")
        noticed = time.monotonic()
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        cluster("start", "node1")
        wait_until(lambda: "healthy" in backends(env)["node1"], 20, "node 1 back in")

    after = [status for at, status in results if at > noticed]
    assert after, "no request after the probe noticed"
    assert set(after) == {200}, after
    failed = [status for _, status in results if status != 200]
    assert len(failed) <= READERS, failed
    assert len(results) > 3 * READERS  # the readers kept reading throughout
    assert health(front)["status"] == "ok"
