"""Scanning uploads with ClamAV before anything is stored (ASVS 12.4.2).

Every file a person uploads (referral attachments, agency contributions, drafts, the board's written response,
action evidence, library reports) and every report the `ingest` command reads is sent to clamd, the ClamAV
daemon, before it is parsed or stored. `upload_scan` is called by each upload service before its transaction:
a file with a known signature is refused with a message for the person, the refusal is audited (in its own
transaction, so it stays although nothing else is saved) and logged, and nothing of the upload is stored.

When scanning is configured (CLAMD_SOCKET, or CLAMD_HOST and CLAMD_PORT) and clamd cannot give a verdict (down,
too slow, or the file is over its StreamMaxLength), ANTIVIRUS_REQUIRED decides: required (the production
default) refuses the upload with "try again later" and stores nothing; not required accepts it unscanned and
logs that it did. With no scanner configured and scanning not required (the development default, `make run`)
nothing is scanned and each upload logs that; required with no scanner refuses every upload, and /readyz says so.

The client speaks clamd's INSTREAM protocol itself (docs/adr/0017-antivirus-scanning.md says why not a PyPI
client): the bytes go in chunks, each prefixed with its length, then a zero length; clamd answers one line,
`stream: OK`, `stream: NAME FOUND` or an error. Commands are sent with the `z` prefix, so replies end in NUL.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from casereviews.core.audit import audit_record
from casereviews.core.errors import InvalidInput, TemporarilyUnavailable

if TYPE_CHECKING:
    from casereviews.core.models import UploadKind

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("casereviews.security")

# Each chunk well under clamd's StreamMaxLength (25 MB by default) and large enough that a 50 MB report is a few
# hundred writes, not fifty thousand.
CHUNK_BYTES = 256 * 1024
_REPLY_LIMIT = 4096  # a verdict is one short line; anything longer is not clamd


class ScannerError(Exception):
    """clamd gave no verdict: it is not there, it did not answer in time, or it refused the stream. The message
    is for the log (it may name the socket), never for the person uploading."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


class ClamdClient:
    """One connection per command, as clamd expects for INSTREAM. Either a unix socket or a TCP host and port."""

    def __init__(
        self, *, socket_path: str = "", host: str = "", port: int = 3310, timeout: float = 60.0,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        if not socket_path and not host:
            raise ValueError("clamd needs a unix socket path or a host")
        self.socket_path, self.host, self.port = socket_path, host, port
        self.timeout, self.chunk_bytes = timeout, chunk_bytes

    @property
    def where(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"{self.host}:{self.port}"

    def _connect(self) -> socket.socket:
        try:
            if self.socket_path:
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                # The timeout is set before connecting, so a clamd whose queue is full cannot hang the request.
                connection.settimeout(self.timeout)
                connection.connect(self.socket_path)
            else:
                connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
                connection.settimeout(self.timeout)
        except OSError as error:
            raise ScannerError(f"cannot connect to clamd at {self.where}: {error}") from error
        return connection

    @staticmethod
    def _reply(connection: socket.socket) -> str:
        received = b""
        while not received.endswith(b"\0") and len(received) < _REPLY_LIMIT:
            block = connection.recv(_REPLY_LIMIT)
            if not block:
                break
            received += block
        return received.rstrip(b"\0").decode("utf-8", "replace").strip()

    def _command(self, command: str) -> str:
        connection = self._connect()
        try:
            connection.sendall(f"z{command}\0".encode())
            return self._reply(connection)
        except OSError as error:  # socket.timeout included
            raise ScannerError(f"clamd at {self.where} did not answer {command}: {error}") from error
        finally:
            connection.close()

    def ping(self) -> bool:
        return self._command("PING") == "PONG"

    def version(self) -> str:
        """`ClamAV 1.4.6/27470/Tue Dec  1 09:31:02 2026`: the engine, the signatures' version and their date."""
        return self._command("VERSION")

    def scan(self, data: bytes) -> Verdict:
        connection = self._connect()
        reply = ""
        try:
            try:
                connection.sendall(b"zINSTREAM\0")
                view = memoryview(data)
                for start in range(0, len(view), self.chunk_bytes):
                    chunk = view[start:start + self.chunk_bytes]
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd stops reading and closes when the stream passes its StreamMaxLength; its reply saying
                # so may still be waiting to be read.
                pass
            reply = self._reply(connection)
        except OSError as error:
            raise ScannerError(f"clamd at {self.where} did not finish scanning: {error}") from error
        finally:
            connection.close()
        if reply == "stream: OK":
            return Verdict(infected=False)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return Verdict(infected=True, signature=reply.removeprefix("stream: ").removesuffix(" FOUND"))
        if "size limit exceeded" in reply:
            raise ScannerError(
                f"clamd at {self.where} refused a {len(data)}-byte file as over its StreamMaxLength: raise "
                "StreamMaxLength in clamd.conf to at least the largest upload allowed"
            )
        raise ScannerError(f"clamd at {self.where} gave no verdict: {reply!r}" if reply else
                           f"clamd at {self.where} closed the connection without a verdict")


def scanner(*, timeout: float | None = None) -> ClamdClient | None:
    """The configured scanner (with CLAMD_TIMEOUT unless `timeout` is given), or None when none is configured."""
    if not settings.CLAMD_SOCKET and not settings.CLAMD_HOST:
        return None
    return ClamdClient(
        socket_path=settings.CLAMD_SOCKET, host=settings.CLAMD_HOST, port=settings.CLAMD_PORT,
        timeout=settings.CLAMD_TIMEOUT if timeout is None else timeout,
    )


def _unavailable(name: str, field: str) -> TemporarilyUnavailable:
    message = (
        f"{name} could not be checked for viruses just now, so nothing has been uploaded; "
        "try again in a few minutes"
    )
    return TemporarilyUnavailable(message, field_errors={field: [message]})


def upload_scan(
    *,
    actor: Any,
    files: Sequence[tuple[str, bytes]],
    kind: UploadKind,
    field: str = "file",
    partnership: Any = None,
) -> None:
    """Scan each (name, bytes) before anything of the upload is stored or parsed. Call it outside the upload's
    transaction: the refusal's audit entry must stay when nothing else does.

    Raises InvalidInput on `field` for a file with a known signature (audited, logged), and TemporarilyUnavailable
    when no verdict could be had and scanning is required."""
    if not files:
        return
    client = scanner()
    required = settings.ANTIVIRUS_REQUIRED
    for name, data in files:
        if client is None:
            if required:
                logger.error("antivirus scanning is required but no scanner is configured (set CLAMD_SOCKET or "
                             "CLAMD_HOST): refused an upload of %s", kind.label)
                raise _unavailable(name, field)
            logger.info("upload of a %s (%d bytes) not scanned: antivirus scanning is off", kind.label, len(data))
            continue
        try:
            verdict = client.scan(data)
        except ScannerError as error:
            if required:
                logger.error("upload of a %s refused: no antivirus verdict: %s", kind.label, error)
                raise _unavailable(name, field) from error
            logger.warning("upload of a %s accepted UNSCANNED (ANTIVIRUS_REQUIRED is off): no antivirus verdict: %s",
                           kind.label, error)
            continue
        if verdict.infected:
            _refuse_infected(actor=actor, name=name, data=data, signature=verdict.signature, kind=kind,
                             field=field, partnership=partnership)


def _refuse_infected(
    *, actor: Any, name: str, data: bytes, signature: str, kind: UploadKind, field: str, partnership: Any
) -> None:
    digest = hashlib.sha256(data).hexdigest()
    audit_record(
        actor=actor,
        action="upload.infected",
        summary=f"Refused {name} ({kind.label}): the antivirus scanner found {signature}",
        partnership=partnership,
        changes={"filename": name, "signature": signature, "sha256": digest, "size": len(data), "kind": kind.value},
    )
    # The file's hash, not its name (a name can carry a child's); the request's line gives the person's id.
    security_logger.warning("upload of a %s refused: antivirus found %s in the file with SHA-256 %s",
                            kind.label, signature, digest)
    message = (
        f"{name} contains a virus, so nothing has been uploaded; "
        "ask your IT team to check the file and the computer it came from"
    )
    raise InvalidInput(message, field_errors={field: [message]})
