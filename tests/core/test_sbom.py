"""The software bill of materials (ASVS 14.2.5): `make sbom` writes CycloneDX JSON that lists every Python package
requirements.txt pins and every npm package package-lock.json pins, each at its pinned version, and nothing else;
`make security` (so `make test`, so CI) makes it every run, and the generated files are never committed.

The bills are generated here, into a temporary folder, by the same code `make sbom` runs (scripts/sbom.py), once for
the module: about two seconds."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def load_sbom_script() -> ModuleType:
    """scripts/ is not a package: load scripts/sbom.py by its path, as `make sbom` runs it."""
    spec = importlib.util.spec_from_file_location("sbom_script", ROOT / "scripts" / "sbom.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sbom_script = load_sbom_script()


@pytest.fixture(scope="module")
def bills(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out_dir = tmp_path_factory.mktemp("sbom")
    python_bom, npm_bom = sbom_script.generate(out_dir)
    return {"python": python_bom, "npm": npm_bom}


def python_pins() -> dict[str, str]:
    """{normalised name: version} for every `name==version` line of requirements.txt (pip-compile's format)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def npm_pins() -> set[tuple[str, str]]:
    """(name, version) for every package package-lock.json pins, at any depth (the root project excluded)."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return {
        (path.rpartition("node_modules/")[2], entry["version"])
        for path, entry in lock["packages"].items()
        if path  # "" is the project itself
    }


def components(path: Path) -> list[dict]:
    return json.loads(path.read_text())["components"]


@pytest.mark.parametrize("ecosystem", ["python", "npm"])
def test_each_bill_is_valid_cyclonedx_json(bills, ecosystem):
    document = json.loads(bills[ecosystem].read_text())
    assert document["bomFormat"] == "CycloneDX"
    assert document["specVersion"] in {"1.5", "1.6", "1.7"}
    assert sbom_script.schema_errors(bills[ecosystem]) == []


def test_the_schema_check_rejects_a_bill_that_breaks_the_cyclonedx_schema(bills, tmp_path):
    broken = json.loads(bills["python"].read_text())
    broken["components"][0]["licenses"] = [{"license": {"id": "NOT-A-LICENCE"}}]
    broken["components"][1]["purl"] = 5
    path = tmp_path / "broken.cdx.json"
    path.write_text(json.dumps(broken))
    assert len(sbom_script.schema_errors(path)) == 2


def test_the_python_bill_lists_every_pinned_package_at_its_pinned_version_and_nothing_else(bills):
    listed = {canonicalize_name(c["name"]): c["version"] for c in components(bills["python"])}
    pins = python_pins()
    assert len(pins) > 100  # the parser read requirements.txt, not nothing
    missing = {name: version for name, version in pins.items() if listed.get(name) != version}
    assert missing == {}, f"pinned in requirements.txt but not in the bill at that version: {missing}"
    # A package installed in .venv without a pin would be listed here: run `make install` on a fresh virtualenv.
    unpinned = sorted(set(listed) - set(pins))
    assert unpinned == [], f"installed but not pinned in requirements.txt: {unpinned}"


def test_the_python_bill_names_the_project_and_each_package_licence_where_the_package_declares_one(bills):
    document = json.loads(bills["python"].read_text())
    assert document["metadata"]["component"]["name"] == "casereviews"
    django = next(c for c in document["components"] if c["name"] == "Django")
    assert django["purl"] == f"pkg:pypi/django@{python_pins()['django']}"
    assert django["licenses"] == [{"license": {"acknowledgement": "declared", "id": "BSD-3-Clause"}}]


def test_the_npm_bill_lists_every_locked_package_at_its_locked_version_with_its_integrity_hash(bills):
    listed = {(c["name"], c["version"]) for c in components(bills["npm"])}
    pins = npm_pins()
    assert {"govuk-frontend", "sass"} <= {name for name, _ in pins}
    assert pins - listed == set(), "locked in package-lock.json but not in the bill"
    assert listed - pins == set(), "in the bill but not locked in package-lock.json"
    assert all(c.get("hashes") for c in components(bills["npm"])), "a package without its integrity hash"


def test_make_security_makes_the_bill_into_a_git_ignored_folder():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^SBOM_DIR \?= sbom$", makefile, re.MULTILINE)
    assert re.search(r"^sbom: .*\n\t\$\(PY\) scripts/sbom\.py \$\(SBOM_DIR\)$", makefile, re.MULTILINE)
    security = re.search(r"^security:(.*)$", makefile, re.MULTILINE)
    assert security and "sbom" in security[1].split()
    test = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert test and "security" in test[1].split()
    assert "/sbom/" in (ROOT / ".gitignore").read_text().splitlines()
