"""The deployment files (deploy/) start commands that exist, with options they accept, so they cannot rot
silently when a command or an option is renamed; and every setting read from the environment is documented."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALL_DIR = "/opt/casereviews"
HARDENING = {
    "User": "casereviews",
    "Group": "casereviews",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
}


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values]}}: like configparser, but a key may repeat (ExecStartPre)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: not a key=value line in a section"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "casereviews.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def assert_manage_command_accepts(argv: list[str]) -> None:
    """`manage.py NAME ARGS...`: NAME is a command of this project and its parser accepts ARGS."""
    name, *args = argv
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(args)  # exits (SystemExit) on an option the command does not have


def check_command_line(line: str) -> str:
    """Check one ExecStart-style command line of ours; returns which program it runs."""
    argv = shlex.split(line)
    program = argv[0].removeprefix(INSTALL_DIR + "/")
    if program == ".venv/bin/python":
        assert argv[1] == "manage.py", line
        assert_manage_command_accepts(argv[2:])
        return "manage.py"
    if program == ".venv/bin/gunicorn":
        assert argv[-1] == "casereviews.wsgi", line
        config = argv[argv.index("--config") + 1]
        assert (ROOT / config).is_file(), f"{config} does not exist"
        return "gunicorn"
    raise AssertionError(f"unexpected program in {line!r}")


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_each_unit_is_hardened_and_runs_as_the_dedicated_user(unit):
    service = read_unit(unit)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{unit.name}: {key} should be {value!r}"
    var_dir = env_example()["CASEREVIEWS_VAR_DIR"]
    assert var_dir in " ".join(service["ReadWritePaths"]).split(), f"{unit.name}: the var dir must be writable"
    assert service["WorkingDirectory"] == [INSTALL_DIR]
    assert service["EnvironmentFile"] == ["/etc/casereviews/casereviews.env"]
    assert read_unit(unit)["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_each_unit_starts_commands_that_exist_with_options_they_accept(unit):
    service = read_unit(unit)["Service"]
    lines = service.get("ExecStartPre", []) + service["ExecStart"]
    assert lines
    for line in lines:
        check_command_line(line)


def test_there_is_a_unit_for_the_web_server_the_worker_and_the_search_follower():
    programs = {
        unit.name: [check_command_line(line) for line in read_unit(unit)["Service"]["ExecStart"]] for unit in UNITS
    }
    assert programs == {
        "casereviews-search-follower.service": ["manage.py"],
        "casereviews-web.service": ["gunicorn"],
        "casereviews-worker.service": ["manage.py"],
    }
    worker = read_unit(DEPLOY / "systemd" / "casereviews-worker.service")["Service"]
    assert "db_worker" in worker["ExecStart"][0] and "--no-reload" in worker["ExecStart"][0]
    assert any("run_schedules --enqueue" in line for line in worker["ExecStartPre"]), "the schedules must start"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_itself_accepts_every_directive_of_the_units(tmp_path):
    # Installed here, the units would run this checkout; systemd warns about any key it does not know.
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_DIR, str(ROOT)))
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("the virtualenv has no gunicorn")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [
        line for line in result.stderr.splitlines() if "Unknown" in line or "Invalid" in line or "Failed" in line
    ]
    assert result.returncode == 0 and not complaints, result.stderr


def test_gunicorn_loads_its_configuration_and_the_wsgi_application(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casereviews.test_settings",
        "CASEREVIEWS_VAR_DIR": str(tmp_path),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-secret-for-this-test-only",
        "PASSWORD_PEPPER": "a-password-pepper-for-this-test-only",
        "LOG_FORMAT": "json",  # the configuration's JSON logging dictionary is loaded too
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--check-config",
            "--config",
            "deploy/gunicorn.conf.py",
            "casereviews.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_container_runs_the_same_commands_through_its_entrypoint():
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in containerfile
    assert 'CMD ["web"]' in containerfile
    # Every package checked against its hash, the pinned pip first (scripts/install-requirements.sh).
    assert "scripts/install-requirements.sh .venv" in containerfile
    installer = (ROOT / "scripts" / "install-requirements.sh").read_text()
    assert "--require-hashes --no-deps -r \"$pinned_pip\"" in installer
    assert "--require-hashes -r requirements.txt" in installer
    assert "USER casereviews" in containerfile
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", containerfile, flags=re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), f"the Containerfile copies {path}, which does not exist"
    entrypoint = DEPLOY / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    script = entrypoint.read_text()
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    commands = re.findall(r'manage\.py ([a-z_]+)([^"\n]*)', code)
    assert {name for name, _ in commands} >= {"db_worker", "run_schedules", "search_follow", "migrate"}
    for name, rest in commands:
        assert_manage_command_accepts([name, *shlex.split(rest.replace('"$@"', ""))])
    assert "gunicorn --config deploy/gunicorn.conf.py" in script and script.rstrip().endswith("esac")


def settings_environment_variables() -> set[str]:
    source = (ROOT / "casereviews" / "settings.py").read_text()
    return set(re.findall(r'(?:env_(?:bool|int|list)|os\.environ\.get)\(\s*"([A-Z_]+)"', source))


def gunicorn_environment_variables() -> set[str]:
    source = (DEPLOY / "gunicorn.conf.py").read_text()
    return set(re.findall(r'(?:_int|os\.environ\.get)\(\s*"([A-Z_]+)"', source)) | {"FORWARDED_ALLOW_IPS"}


def test_every_environment_variable_the_settings_read_is_documented():
    assert len(settings_environment_variables()) > 20  # the pattern still finds them
    operations = (ROOT / "docs" / "operations.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", operations, flags=re.MULTILINE))
    missing = (settings_environment_variables() | gunicorn_environment_variables()) - documented
    assert not missing, f"docs/operations.md does not describe {sorted(missing)}"


NOT_INHERITED_BY_PRODUCTION_CHECK = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_the_example_environment_names_only_variables_that_are_read_and_loads_in_production_mode(tmp_path):
    example = env_example()
    unknown = set(example) - settings_environment_variables() - gunicorn_environment_variables()
    assert not unknown, f"deploy/casereviews.env.example sets {sorted(unknown)}, which nothing reads"
    result = check_deploy(example, tmp_path, fail_level="ERROR")
    assert result.returncode == 0, result.stdout + result.stderr


def check_deploy(environment: dict[str, str], var_dir: Path, fail_level: str) -> subprocess.CompletedProcess[str]:
    """Django's deployment checks, which read the settings without connecting to the database, in a process with
    production settings from `environment`."""
    env = {
        # Not the test process's own settings, nor the async-safety switch the browser tests set for themselves.
        **{key: value for key, value in os.environ.items() if key not in NOT_INHERITED_BY_PRODUCTION_CHECK},
        **environment,
        "CASEREVIEWS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "casereviews.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_shared_cache_keeps_enough_entries_that_live_counts_and_used_codes_are_not_culled():
    from django.conf import settings as django_settings

    # Throttle counts (sign-in, API) and used one-time codes live in the database cache; Django's default of 300
    # entries would cull them under ordinary load.
    assert django_settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] >= 100_000
