from __future__ import annotations

import compileall
import os
import subprocess
import sys
from itertools import islice
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.postgres import database, postgres  # noqa: F401  (fixtures: a store on each engine)
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.utf8_reports import pytest_runtest_makereport  # noqa: F401  (a failure always reaches the report)
from tests.webserver import WebServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

# The longest tests (each waits on real `watcher` processes for tens of seconds), longest first. Under xdist they
# start first, spread over the workers, instead of ending the run one by one. Only an order: a name that no longer
# exists is ignored, a test missing here runs in file order.
SLOW_FIRST = """
test_kill.py::test_killed_at_any_point_nothing_lost_nothing_sent_twice
test_workers.py::test_three_workers_alert_each_story_once_and_a_killed_sender_loses_nothing
test_hardening_poll.py::test_health_answers_within_a_second_through_a_huge_page_and_a_held_database_lock
test_delivery_hardening.py::test_the_daemon_sends_each_alert_once_to_a_slow_channel
test_hardening_poll.py::test_write_errors_are_one_log_line_a_failing_health_check_and_heal_themselves
test_feed_corpus.py::test_every_corpus_file_is_polled_without_an_unhandled_exception
test_web_browser.py::test_pages_rule_test_retry_poll_now_and_csrf_in_a_browser
test_schedule.py::test_daemon_follows_each_polls_own_next_time
test_web_browser.py::test_login_wall_on_a_non_loopback_bind
test_faults.py::test_one_notice_when_a_source_fails_too_long_and_one_when_it_recovers
test_delivery_hardening.py::test_a_slow_channel_gets_each_alert_once
test_faults.py::test_a_500_streak_backs_off_then_recovers
test_health.py::test_sigterm_during_a_poll_exits_0_quickly_and_loses_nothing
test_delivery_hardening.py::test_a_timed_out_send_waits_for_its_backoff
test_faults.py::test_410_gone_disables_the_source_until_its_url_changes
test_delivery.py::test_failing_and_recovered_notices_once_across_restarts
test_faults.py::test_a_lasting_301_moves_the_source_but_a_302_never_does
test_schedule.py::test_restart_keeps_backoff_and_the_next_poll
test_faults.py::test_the_same_body_without_validators_is_not_parsed_again
test_lock.py::test_a_second_poller_or_sender_is_refused_while_the_daemon_runs
test_faults.py::test_second_poll_is_a_304_without_body_or_parse
test_retention.py::test_the_daemon_prunes_and_vacuums_on_schedule
test_config_fuzz.py::test_hundreds_of_broken_files_each_get_file_line_errors_and_never_a_traceback
test_faults.py::test_hostile_sources_fail_alone_with_bounded_memory_and_time
test_health.py::test_sigterm_exits_within_10s_of_the_stop_request
test_baseline_and_daemon.py::test_daemon_polls_on_schedule_and_stops_cleanly_on_sigterm
test_rules_cli.py::test_daemon_reloads_rules_and_keeps_the_last_good_ones
test_faults.py::test_a_disabled_source_is_enabled_again_by_command
test_delivery.py::test_channel_down_then_recovered_after_restart
test_baseline_and_daemon.py::test_restart_does_not_repoll_early
test_docker.py::test_the_images_command_starts_answers_healthz_and_stops_on_its_signal
""".split()


# The test run keeps its compiled files (the package's, and pytest's rewritten test modules in tests/__pycache__)
# even where PYTHONDONTWRITEBYTECODE is set, as some machines and images do: without them each test worker
# rewrites all the test modules again, and each `watcher` process the tests start compiles the whole package.
sys.dont_write_bytecode = False


def pytest_configure(config: pytest.Config) -> None:
    """Before the workers start: the package compiled (each of the ~130 `watcher` processes the tests start would
    otherwise compile it, about a third of its start), and the test modules rewritten for pytest's asserts once
    (instead of once by each worker). Files the user cannot write are left as they are."""
    if hasattr(config, "workerinput"):  # a worker: the controller did it
        return
    compileall.compile_dir(ROOT / "watcher", quiet=2)
    _rewrite_tests_once(config)


def _rewrite_tests_once(config: pytest.Config) -> None:
    """pytest's own cached rewrite of each test module (what its import hook writes and reads), made here, so the
    workers only read it. Through pytest's internals: where they differ (another pytest), each worker rewrites
    as before."""
    try:
        from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, _rewrite_test, _write_pyc, assertstate_key
        from _pytest.assertion.rewrite import get_cache_dir, try_makedirs

        state = config.stash[assertstate_key]
        for fn in sorted(Path(__file__).parent.glob("test_*.py")) + [Path(__file__)]:
            cache_dir = get_cache_dir(fn)
            pyc = cache_dir / (fn.name[:-3] + PYC_TAIL)
            if try_makedirs(cache_dir) and _read_pyc(fn, pyc, state.trace) is None:
                source_hash, code = _rewrite_test(fn, config)
                _write_pyc(state, code, source_hash, pyc)
    except Exception:  # noqa: BLE001 - a speed-up only
        pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the tests of SLOW_FIRST head the blocks `--dist worksteal` first hands the workers (worker k gets
    the k-th of n consecutive blocks, idle workers steal from the ends), dealt longest first, snaking so each
    worker's share is about even. Every worker collects, and must order, alike; the rest keep their order."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers < 2:
        return
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    name = lambda item: f"{item.path.name}::{item.originalname}"  # noqa: E731
    slow = sorted((item for item in items if name(item) in rank), key=lambda item: rank[name(item)])
    rest = iter([item for item in items if name(item) not in rank])
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for i, item in enumerate(slow):
        turn, k = divmod(i, workers)
        heads[k if turn % 2 == 0 else workers - 1 - k].append(item)
    ordered, left = [], len(items)
    for k in range(workers):
        size = left // (workers - k)  # as worksteal splits the collection
        left -= size
        ordered += heads[k] + list(islice(rest, max(0, size - len(heads[k]))))
    items[:] = ordered + list(rest)


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Iterator[int]:
    """`-n auto` starts three workers per core (at most eight more than the cores): most tests spend most of their
    time waiting on `watcher` processes, slow local services and timeouts, so fewer workers leave the cores idle
    (2 cores: 4 workers 5 min 57 s, 6 workers 5 min 31 s). PYTEST_XDIST_AUTO_NUM_WORKERS still sets the number."""
    cores = yield
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return cores
    return min(3 * cores, cores + 8)


@pytest.fixture(autouse=True)
def _fresh_secret_registry() -> Iterator[None]:
    """Channel secrets learned by one in-process test must not mask another test's text (xdist mixes test order)."""
    import watcher.logs as logs

    saved = set(logs._secrets), logs._secrets_pattern
    yield
    with logs._secrets_lock:
        logs._secrets.clear()
        logs._secrets.update(saved[0])
        logs._secrets_pattern = saved[1]


@pytest.fixture
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    r = SmtpReceiver().start()
    yield r
    r.stop()


def write_config(folder: Path, sources: list[dict], **extra: object) -> Path:
    """A watcher.yaml in `folder` polling `sources`, private addresses allowed (the test server)."""
    config = {
        "database": "data/watcher.db",
        "rules": None,
        "defaults": {"interval": "15m", "timeout": "5s"},
        "http": {"allow_private": True},
        "extract": {"workers": 2, "timeout": "20s"},
        "sources": sources,
    }
    config.update(extra)
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_watcher(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real `watcher` command in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "watcher", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
    )


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The `watcher` command run in this process, its exit code and output as `run_watcher` gives them, for tests
    of what a command says (a new process costs about a second of CPU): keep `run_watcher` where the test is
    about the process itself (signals, the daemon, a kill, what it imports). `env` replaces os.environ meanwhile."""
    import contextlib
    import logging
    import traceback

    from click.testing import CliRunner

    import watcher.logs as logs
    from watcher.cli import main

    root = logging.getLogger()
    saved_secrets = set(logs._secrets), logs._secrets_pattern
    with logs._secrets_lock:  # as a new process: only what this command reads is known to be secret
        logs._secrets.clear()
        logs._secrets_pattern = None
    saved_logging = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in logging.root.manager.loggerDict}
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    runner = CliRunner()
    code = 0
    with runner.isolation(env=None if env is None else {**{k: None for k in os.environ}, **env}) as (out, err, _):
        try:
            if cwd is not None:
                os.chdir(cwd)
            main(list(args))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:  # what a process would print as a traceback
            sys.stderr.write(traceback.format_exc())
            code = 1
        finally:
            os.chdir(saved_cwd)
            with logs._secrets_lock:
                logs._secrets.clear()
                logs._secrets.update(saved_secrets[0])
                logs._secrets_pattern = saved_secrets[1]
            root.handlers[:], level, levels = saved_logging
            root.setLevel(level)
            for name in list(logging.root.manager.loggerDict):  # a logger the command made (its noisy libraries) too
                with contextlib.suppress(AttributeError):
                    logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    os.environ.clear()
    os.environ.update(saved_env)
    return subprocess.CompletedProcess(["watcher", *args], code, stdout, stderr)
