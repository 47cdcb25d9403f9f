"""A real clamd for the antivirus tests: started once per test session on a unix socket in a temporary folder,
with a database of one signature, the EICAR test file's, written here (no signatures are downloaded).

The tests that use it are skipped only when clamd is not installed (`apt-get install clamav-daemon clamav`), unless
REQUIRE_CLAMAV is set (as .ci/run does), when a missing clamd fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The EICAR anti-virus test file (eicar.org): harmless, and recognised by every scanner as a test virus. Kept in
# two halves so that this source file is not itself reported by a scanner run over the repository.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-" + b"STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Casereviews.Test.EICAR"
# clamd refuses a stream longer than this (StreamMaxLength), which one test passes on purpose.
STREAM_MAX_BYTES = 2 * 1024 * 1024
# Debian puts clamd in /usr/sbin, which a non-root PATH may leave out.
CLAMD = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class Clamd:
    socket_path: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def clean_verdicts(self, at_least: int = 0) -> int:
        """How many streams clamd has logged as clean (LogClean), waiting up to 5 s for `at_least`: clamd may
        write its log line just after it has answered."""
        deadline = time.monotonic() + 5
        while True:
            count = self.log().count("instream(local): OK")
            if count >= at_least or time.monotonic() > deadline:
                return count
            time.sleep(0.02)


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(path)
            connection.sendall(b"zPING\0")
            return connection.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_daemon() -> Iterator[Clamd]:
    if CLAMD is None:
        if os.environ.get("REQUIRE_CLAMAV"):
            pytest.fail("REQUIRE_CLAMAV is set but clamd is not installed (apt-get install clamav-daemon clamav)")
        pytest.skip("ClamAV's clamd is not installed (apt-get install clamav-daemon clamav)")
    # A short path of its own: a unix socket's path may not be longer than 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    database = folder / "db"
    database.mkdir()
    # An extended signature (.ndb: name, any file type, anywhere in the file, the bytes in hex), so the test file
    # is found inside any upload, not only as a whole file.
    (database / "casereviews-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
    socket_path, log_path = str(folder / "clamd.sock"), folder / "clamd.log"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join([
            f"DatabaseDirectory {database}",
            f"LocalSocket {socket_path}",
            "Foreground yes",
            f"LogFile {log_path}",
            "LogClean yes",  # every verdict is logged, so a test can see that a clean file was scanned
            f"StreamMaxLength {STREAM_MAX_BYTES // 1024}K",
            "MaxThreads 2",
            "SelfCheck 0",
            "",
        ])
    )
    output = folder / "clamd.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [CLAMD, f"--config-file={config}"], stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30  # about 0.1 s with one signature; generous for a loaded machine
        while not _answers(socket_path):
            if process.poll() is not None:
                log = log_path.read_text() if log_path.exists() else ""
                pytest.fail(f"clamd did not start: {output.read_text()}{log}")
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer within 30 s")
            time.sleep(0.05)
        yield Clamd(socket_path=socket_path, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def antivirus(settings, clamd_daemon: Clamd) -> Clamd:
    """Scanning on and required (as in production), through the session's clamd."""
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = clamd_daemon.socket_path, ""
    settings.ANTIVIRUS_REQUIRED = True
    return clamd_daemon
