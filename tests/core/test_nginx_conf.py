"""The reverse proxy's configuration (deploy/nginx/casereviews.conf): TLS 1.2 and 1.3 with strong suites only, OCSP
stapling, no version in headers, plain HTTP only redirecting (ASVS 9.1.2, 9.1.3, 9.2.4, 14.3.3). Read as text here;
where nginx is installed, nginx itself validates the file and then serves it to a real TLS client."""

from __future__ import annotations

import datetime
import http.client
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "casereviews.conf"
HOST = "casereviews.example.org"
WEAK = ("RC4", "DES", "NULL", "EXP", "MD5", "PSK", "SRP", "ANON", "CAMELLIA", "ARIA", "SEED", "IDEA")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
OPENSSL = shutil.which("openssl")
# RFC 7919's group, as deploy/nginx/casereviews.conf tells the operator to make it.
DHPARAM = ["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048"]
needs_nginx = pytest.mark.skipif(NGINX is None or OPENSSL is None, reason="nginx (or openssl) is not installed")


def directives(text: str) -> list[tuple[tuple[str, ...], str, list[str]]]:
    """nginx's directives as (enclosing blocks, name, arguments), e.g. (("server",), "listen", ["443", "ssl"])."""
    found: list[tuple[tuple[str, ...], str, list[str]]] = []
    blocks: list[str] = []
    words: list[str] = []
    word = ""
    quote = ""
    comment = False
    opened = 0
    for char in text + "\n":
        if comment:
            comment = char != "\n"
        elif quote:
            if char == quote:
                words.append(word)
                word, quote = "", ""
            else:
                word += char
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char.isspace() or char in ";{}":
            if word:
                words.append(word)
                word = ""
            if char == ";":
                found.append((tuple(blocks), words[0], words[1:]))
                words = []
            elif char == "{":
                opened += 1
                # Top-level servers are told apart by number: "server 1", "server 2".
                blocks.append(f"server {opened}" if words[0] == "server" and not blocks else words[0])
                words = []
            elif char == "}":
                assert not words, f"unterminated directive {words}"
                blocks.pop()
        else:
            word += char
    assert not blocks and not words, "unbalanced braces or a missing semicolon"
    return found


def servers(text: str) -> list[list[tuple[tuple[str, ...], str, list[str]]]]:
    """The directives of each top-level server block, in order, with the blocks inside the server."""
    groups: dict[str, list[tuple[tuple[str, ...], str, list[str]]]] = {}
    for blocks, name, args in directives(text):
        if blocks and blocks[0].startswith("server "):
            groups.setdefault(blocks[0], []).append((blocks[1:], name, args))
    return list(groups.values())


def values(server: list[tuple[tuple[str, ...], str, list[str]]], name: str) -> list[list[str]]:
    return [args for _, directive, args in server if directive == name]


@pytest.fixture(scope="module")
def plain_and_tls() -> tuple[list, list]:
    plain, tls = servers(CONF.read_text())
    assert ["80"] in values(plain, "listen") and not any("ssl" in args for args in values(plain, "listen"))
    assert any(args[:2] == ["443", "ssl"] for args in values(tls, "listen"))
    return plain, tls


def test_the_proxy_accepts_tls_1_2_and_1_3_only(plain_and_tls):
    _, tls = plain_and_tls
    assert values(tls, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]


def test_the_proxy_offers_no_weak_cipher_suite_only_forward_secret_aead_ones(plain_and_tls):
    _, tls = plain_and_tls
    [[ciphers]] = values(tls, "ssl_ciphers")
    suites = ciphers.split(":")
    assert len(suites) >= 6
    for suite in suites:
        assert not any(weak in suite.upper() for weak in WEAK), suite
        assert suite.startswith(("ECDHE-", "DHE-")), f"{suite}: no forward secrecy"
        assert "-GCM-" in suite or suite.endswith("-CHACHA20-POLY1305"), f"{suite}: not AEAD (CBC with SHA-1 or SHA-2)"
    assert values(tls, "ssl_prefer_server_ciphers") == [["off"]]
    assert values(tls, "ssl_session_tickets") == [["off"]]


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_openssl_expands_the_cipher_list_to_aead_suites_only(plain_and_tls):
    # The names could hide an alias (e.g. "HIGH"); OpenSSL's own expansion shows what is really offered.
    [[ciphers]] = values(plain_and_tls[1], "ssl_ciphers")
    listing = subprocess.run(
        [OPENSSL, "ciphers", "-v", "-tls1_2", ciphers], capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    tls12 = [line.split() for line in listing if " TLSv1.2 " in f" {line} "]
    assert tls12
    for name, _version, kx, _au, enc, mac in (line[:6] for line in tls12):
        assert kx in {"Kx=ECDH", "Kx=DH"}, name
        assert enc.startswith(("Enc=AESGCM", "Enc=CHACHA20")) and mac == "Mac=AEAD", name


def test_the_proxy_staples_ocsp_answers_and_checks_them(plain_and_tls):
    _, tls = plain_and_tls
    assert values(tls, "ssl_stapling") == [["on"]]
    assert values(tls, "ssl_stapling_verify") == [["on"]]
    assert values(tls, "ssl_trusted_certificate") and values(tls, "resolver")


def test_neither_server_names_the_nginx_version(plain_and_tls):
    for server in plain_and_tls:
        assert values(server, "server_tokens") == [["off"]]


def test_plain_http_only_redirects_to_https(plain_and_tls):
    plain, _ = plain_and_tls
    assert values(plain, "return") == [["301", f"https://{HOST}$request_uri"]]
    assert not values(plain, "proxy_pass")


def test_the_proxy_forwards_what_gunicorn_and_django_read_and_adds_no_header_django_already_sends(plain_and_tls):
    _, tls = plain_and_tls
    headers = {args[0].lower(): args[1] if len(args) > 1 else "" for args in values(tls, "proxy_set_header")}
    assert headers["host"] == "$host"  # ALLOWED_HOSTS, CSRF origins and WebAuthn check the public name
    assert headers["x-forwarded-proto"] == "https"  # believed by gunicorn from FORWARDED_ALLOW_IPS
    assert headers["x-forwarded-for"] == "$remote_addr"  # replaced, so client_ip's last entry is the client
    assert headers["x-forwarded-ssl"] == headers["x-forwarded-protocol"] == ""  # no contradicting scheme header
    assert not values(tls, "add_header"), "Django sends the security headers; a second copy would conflict"
    upstream = [args for blocks, name, args in directives(CONF.read_text()) if blocks == ("upstream",)]
    assert upstream == [["server", "127.0.0.1:8000"]] or upstream == [["127.0.0.1:8000"]]
    gunicorn_conf = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert '"GUNICORN_BIND", "127.0.0.1:8000"' in gunicorn_conf


def test_the_proxy_accepts_the_largest_upload_the_application_accepts(plain_and_tls):
    _, tls = plain_and_tls
    [[size]] = values(tls, "client_max_body_size")
    assert size.endswith("m")
    limit = int(size[:-1]) * 1024 * 1024
    assert limit > settings.LIBRARY_MAX_BYTES and limit > settings.MAX_ATTACHMENT_BYTES


# -- nginx itself ---------------------------------------------------------------------------------------------------


def self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    (folder / "fullchain.pem").write_bytes(pem)
    (folder / "chain.pem").write_bytes(pem)
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    subprocess.run(
        [OPENSSL, *DHPARAM, "-out", folder / "ffdhe2048.pem"],
        check=True,
        capture_output=True,
        timeout=30,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nginx_setup(folder: Path, http_port: int = 80, https_port: int = 443) -> Path:
    """The file as installed, in a minimal nginx.conf of its own: certificates, logs and ports in `folder`."""
    self_signed(folder)
    conf = CONF.read_text().replace("/etc/casereviews/tls/", f"{folder}/").replace("/var/log/nginx/", f"{folder}/")
    conf = conf.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    (folder / "casereviews.conf").write_text(conf)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    wrapper = folder / "nginx.conf"
    wrapper.write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n{temp}\n    include {folder}/casereviews.conf;\n}}\n"
    )
    return wrapper


@needs_nginx
def test_nginx_accepts_the_file_as_valid_configuration(tmp_path):
    wrapper = nginx_setup(tmp_path)
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(wrapper), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # A self-signed certificate has no OCSP responder: nginx says so and staples nothing, which is no error.
    assert "[emerg]" not in result.stderr, result.stderr


@pytest.fixture
def running_nginx(tmp_path) -> Iterator[tuple[int, int]]:
    http_port, https_port = free_port(), free_port()
    wrapper = nginx_setup(tmp_path, http_port, https_port)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(wrapper), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx did not start: {process.stderr.read().decode() if process.stderr else ''}")
                time.sleep(0.05)
        yield http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=30)


def handshake(port: int, version: ssl.TLSVersion, ciphers: str | None = None) -> ssl.SSLSocket:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = context.maximum_version = version
    if ciphers:
        context.set_ciphers(ciphers)
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return context.wrap_socket(raw, server_hostname=HOST)


@needs_nginx
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")  # offering them is the point
def test_nginx_serving_the_file_refuses_old_protocols_and_weak_suites_and_hides_its_version(running_nginx):
    http_port, https_port = running_nginx
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with handshake(https_port, version) as connection:
            assert connection.version() == version.name.replace("_", ".").replace("TLSv1.", "TLSv1.")
            cipher = connection.cipher()
            assert cipher and ("GCM" in cipher[0] or "CHACHA20" in cipher[0]), cipher
    for version, ciphers in [
        # The old protocols, whatever suite (Debian's OpenSSL policy refuses them as well: ssl_protocols is what
        # test_the_proxy_accepts_tls_1_2_and_1_3_only checks). A CBC suite over TLS 1.2 is refused by the file alone.
        (ssl.TLSVersion.TLSv1_1, "DEFAULT:@SECLEVEL=0"),
        (ssl.TLSVersion.TLSv1, "DEFAULT:@SECLEVEL=0"),
        (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:AES128-SHA:DES-CBC3-SHA:@SECLEVEL=0"),
    ]:
        with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
            try:
                handshake(https_port, version, ciphers).close()
            except ValueError:  # this Python's OpenSSL cannot even offer the protocol: refused all the same
                raise ssl.SSLError("not offered") from None

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    secure = http.client.HTTPSConnection("127.0.0.1", https_port, context=context, timeout=10)
    secure.request("GET", "/healthz", headers={"Host": HOST})
    answer = secure.getresponse()  # 502: no gunicorn behind this nginx, but nginx's own headers are what we check
    assert answer.getheader("Server") == "nginx", answer.getheader("Server")
    assert "nginx/" not in answer.read().decode()
    secure.close()

    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    plain.request("GET", "/library/?q=x", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert redirect.status == 301 and redirect.getheader("Location") == f"https://{HOST}/library/?q=x"
    assert redirect.getheader("Server") == "nginx"
    plain.close()
