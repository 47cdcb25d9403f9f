"""Write the software bill of materials (ASVS 14.2.5): CycloneDX JSON for the Python and the npm packages.

    .venv/bin/python scripts/sbom.py sbom      # what `make sbom` runs: sbom/python.cdx.json, sbom/npm.cdx.json

Python: `cyclonedx-py environment` reads the virtualenv this script runs in, so the bill records what is installed
(`make install` installs exactly requirements.txt, every file hash-checked) with each package's version, licence and
dependencies. npm: `npm sbom` reads package-lock.json only (no node_modules and no network needed), so it records
what `npm ci` installs, with each package's integrity hash. Both files are then checked against the CycloneDX JSON
schema that cyclonedx-python-lib ships, with jsonschema-rs (milliseconds; cyclonedx-py's own check takes ~15 s).
See docs/operations.md, "Security checks", for what to do with the files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
from cyclonedx.schema import SchemaVersion
from cyclonedx.schema._res import BOM_JSON_STRICT, CRYPTOGRAPHY_DEFS, JSF, SPDX_JSON

ROOT = Path(__file__).resolve().parents[1]
PYTHON_BOM = "python.cdx.json"
NPM_BOM = "npm.cdx.json"


def generate(out_dir: Path) -> list[Path]:
    """Write both bills into out_dir; returns their paths. Raises CalledProcessError when a generator fails."""
    out_dir.mkdir(parents=True, exist_ok=True)
    python_bom, npm_bom = out_dir / PYTHON_BOM, out_dir / NPM_BOM
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            # The project's own dependencies are named in requirements.in, not in pyproject.toml, so the root
            # component lists none and cyclonedx-python-lib warns that the graph under it is incomplete: the
            # packages and their own dependencies are all there.
            "-W",
            "ignore::UserWarning",
            "-m",
            "cyclonedx_py",
            "environment",
            "--pyproject",
            str(ROOT / "pyproject.toml"),
            "--output-reproducible",  # the same environment gives the same file, so two bills can be diffed
            "--no-validate",  # checked below, much faster
            "--output-file",
            str(python_bom),
            sys.executable,
        ],
        check=True,
        cwd=ROOT,
    )
    with npm_bom.open("w") as out:
        subprocess.run(
            ["npm", "sbom", "--sbom-format", "cyclonedx", "--package-lock-only", "--offline"],  # noqa: S607
            check=True,
            cwd=ROOT,
            stdout=out,
        )
    return [python_bom, npm_bom]


def schema_errors(path: Path) -> list[str]:
    """Why the file is not a valid CycloneDX JSON document of the version it declares; empty when it is."""
    document = json.loads(path.read_text())
    if document.get("bomFormat") != "CycloneDX":
        return [f"bomFormat is {document.get('bomFormat')!r}, not 'CycloneDX'"]
    try:
        version = SchemaVersion.from_version(document["specVersion"])
    except (KeyError, ValueError):
        return [f"specVersion {document.get('specVersion')!r} is not a CycloneDX version"]
    schema_file = BOM_JSON_STRICT.get(version)
    if schema_file is None:
        return [f"no JSON schema for CycloneDX {version.to_version()}"]
    prefix = "http://cyclonedx.org/schema/"  # where the bom schema looks for the schemas it refers to
    registry = jsonschema_rs.Registry(
        [
            (prefix + "spdx.SNAPSHOT.schema.json", json.loads(Path(SPDX_JSON).read_text())),
            (prefix + "jsf-0.82.SNAPSHOT.schema.json", json.loads(Path(JSF).read_text())),
            (prefix + "cryptography-defs.SNAPSHOT.schema.json", json.loads(Path(CRYPTOGRAPHY_DEFS).read_text())),
        ]
    )
    validator = jsonschema_rs.Draft7Validator(
        json.loads(Path(schema_file).read_text()), registry=registry, validate_formats=True
    )
    return [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(document)]


def main(out_dir: Path) -> int:
    failed = False
    for path in generate(out_dir):
        document = json.loads(path.read_text())
        errors = schema_errors(path)
        for error in errors[:20]:
            print(f"sbom: {path}: {error}")
        failed = failed or bool(errors)
        state = "NOT valid" if errors else "valid"
        packages = len(document.get("components", []))
        print(f"sbom: {path}: {state} CycloneDX {document.get('specVersion')}, {packages} packages")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sbom"))
