"""Helpers for tests that kill real processes (the task worker, `run_schedules`, the web server) and check that
nothing was lost or duplicated.

The processes run against the test's own database (`database_url()`), with the test's file store (they inherit
`CASEREVIEWS_VAR_DIR`), and are killed with SIGKILL: no cleanup code runs, as when a machine loses power or the
kernel's out-of-memory killer strikes.

To kill a process at a known point rather than at a moment that depends on the machine's speed, the test starts it
through this module (`python -m tests.process_kill --pause-at module:name [--when key=value] [--nth N] [--after]
-- <manage.py arguments>`): the real command runs, unchanged, except that the named function, when called with a
matching argument for the Nth time, first writes a marker file and then waits forever (with `--after`, it runs and
then waits). The test waits for the marker and kills the process there. Nothing in the application knows about
this: the pause is installed in the child process only.

E-mail sent by a child process is appended, one JSON line a message and flushed to disk before `send` returns, to
the file named by `PROCESS_KILL_MAIL_JOURNAL` (`JournalEmailBackend`), so a test can count what really went out,
even from a process that was killed the next instant.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
MARKER_ENV = "PROCESS_KILL_MARKER"
JOURNAL_ENV = "PROCESS_KILL_MAIL_JOURNAL"


def database_url() -> str:
    """The test database as a DATABASE_URL, for a child process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def wait_for(condition: Callable[[], Any], seconds: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class JournalEmailBackend(BaseEmailBackend):
    """Appends each message to the journal file and forces it to disk before reporting it sent."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        path = os.environ[JOURNAL_ENV]
        with open(path, "a", encoding="utf-8") as journal:
            for message in email_messages:
                entry = {
                    "to": list(message.to),
                    "subject": message.subject,
                    "message_id": message.extra_headers.get("Message-ID", ""),
                }
                journal.write(json.dumps(entry) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
        return len(email_messages)


def journal_entries(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Processes:
    """Child processes of one test: started against the test database, and all killed when the test ends (a stray
    worker would go on taking tasks from later tests' databases)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen[bytes]] = []
        self.journal = folder / "mail.jsonl"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "casereviews.settings",
            "EMAIL_BACKEND": "tests.process_kill.JournalEmailBackend",
            JOURNAL_ENV: str(self.journal),
            **extra,
        }

    def marker(self, name: str) -> Path:
        return self.folder / f"{name}.paused"

    def log(self, process: subprocess.Popen[bytes]) -> str:
        index = self.started.index(process)
        return (self.folder / f"process-{index}.log").read_text(errors="replace")[-4000:]

    def start(
        self,
        *manage_args: str,
        pause_at: str | None = None,
        when: str | None = None,
        nth: int = 1,
        after: bool = False,
        marker: str = "pause",
    ) -> subprocess.Popen[bytes]:
        """`manage.py <manage_args>` in its own process group; with `pause_at`, through this module's pause."""
        if pause_at is None:
            command = [sys.executable, "manage.py", *manage_args]
        else:
            command = [sys.executable, "-m", "tests.process_kill", "--pause-at", pause_at, "--nth", str(nth)]
            if when:
                command += ["--when", when]
            if after:
                command.append("--after")
            command += ["--", *manage_args]
        log = (self.folder / f"process-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env(**{MARKER_ENV: str(self.marker(marker))}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def run(self, *manage_args: str, timeout: float = 120) -> str:
        """Run a command to its end; its output (the test fails if it does not succeed)."""
        process = self.start(*manage_args)
        process.wait(timeout)
        output = self.log(process)
        assert process.returncode == 0, output
        return output

    def wait_paused(self, process: subprocess.Popen[bytes], marker: str = "pause", seconds: float = 120) -> None:
        reached = wait_for(lambda: self.marker(marker).exists() or process.poll() is not None, seconds)
        assert reached and self.marker(marker).exists(), f"the process did not reach the pause:\n{self.log(process)}"

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the process and everything it started, and reap it."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        assert process.returncode == -signal.SIGKILL or process.returncode != 0

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def running_processes(folder: Path) -> Iterator[Processes]:
    """For a test module's `processes` fixture: `yield from running_processes(tmp_path)`."""
    children = Processes(folder)
    try:
        yield children
    finally:
        children.stop_all()


# -- the child's side: run a manage.py command with a pause installed -----------------------------------------


def _matches(when: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if not when:
        return True
    key, _, value = when.partition("=")
    return str(kwargs.get(key)) == value or any(str(arg) == value for arg in args)


def _install_pause(target: str, when: str | None, nth: int, after: bool) -> None:
    module_name, _, attribute_path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = attribute_path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    calls = 0

    def pause() -> None:
        Path(os.environ[MARKER_ENV]).write_text(str(os.getpid()))
        while True:  # until the test kills this process
            time.sleep(60)

    @functools.wraps(original)
    def paused(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if _matches(when, args, kwargs):
            calls += 1
            if calls == nth:
                if not after:
                    pause()
                result = original(*args, **kwargs)
                pause()
                return result
        return original(*args, **kwargs)

    setattr(owner, name, paused)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Run a manage.py command that pauses at a known point.")
    parser.add_argument("--pause-at", required=True, help="module:name or module:Class.method")
    parser.add_argument("--when", help="key=value: only calls with this argument count")
    parser.add_argument("--nth", type=int, default=1, help="pause at the Nth matching call")
    parser.add_argument("--after", action="store_true", help="pause after the call returns, not before it")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    command = [part for part in options.command if part != "--"]
    import django

    django.setup()
    _install_pause(options.pause_at, options.when, options.nth, options.after)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
