"""The periodic jobs on the cluster: two schedulers started side by side (two machines'
worth) enqueue each job once a period, and the worker runs each once."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.cluster.conftest import ROOT, cluster, read_env, sql, wait_until

pytestmark = pytest.mark.cluster

JOBS = {"flush_counts", "refresh_counts", "publish_due", "send_newsletter", "oai_refresh"}
PERIOD = 2  # seconds: every job every two seconds, for the test


def scheduler(env):
    command = [sys.executable, "-u", str(ROOT / "manage.py"), "run_schedule"]
    command += ["--every", str(PERIOD)]
    command += ["--interval", "0.2"]
    return subprocess.Popen(
        command, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def test_two_schedulers_enqueue_each_job_once_a_period(env):
    cluster("stop", "scheduler")
    try:
        (started,) = sql(env, "primary", "SELECT now()")[0]
        schedulers = [scheduler(read_env()), scheduler(read_env())]

        def periods_gone_by():
            (count,) = sql(
                env,
                "primary",
                "SELECT count(DISTINCT period_start) FROM schedule_scheduledrun"
                " WHERE enqueued_at >= %s",
                started,
            )[0]
            return count >= 4

        # Both started (Django's start takes seconds on a busy machine), then four periods.
        wait_until(periods_gone_by, 120, "four periods of the test's schedulers")
        time.sleep(PERIOD)
        outputs = []
        for process in schedulers:
            process.send_signal(signal.SIGTERM)
            outputs.append(process.communicate(timeout=30)[0])
        (ended,) = sql(env, "primary", "SELECT now()")[0]
    finally:
        cluster("start", "scheduler")
    # Each scheduler said what it enqueued; together, each (job, period) once.
    said = [
        name
        for output in outputs
        for line in re.findall(r"enqueued: (.*)", output)
        for name in line.split(", ")
    ]
    runs = sql(
        env,
        "primary",
        "SELECT job, period_start, task_id FROM schedule_scheduledrun"
        " WHERE enqueued_at BETWEEN %s AND %s AND job = ANY(%s)",
        started,
        ended,
        list(JOBS),
    )
    periods = {(job, start) for job, start, _task in runs}
    assert len(periods) == len(runs)  # one row a period (the constraint holds)
    assert len(said) == len(runs)  # and nothing else was enqueued by either
    assert {job for job, _start, _task in runs} == JOBS
    assert len(runs) >= 3 * len(JOBS)  # at least three periods went by

    # The worker runs each once, successfully.
    tasks = [task for _job, _start, task in runs]

    def all_done():
        rows = sql(
            env,
            "primary",
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE id::text = ANY(%s) GROUP BY status",
            tasks,
        )
        return dict(rows) == {"SUCCESSFUL": len(tasks)}

    wait_until(all_done, 60, "every scheduled run done")
