"""Where the public data in ../shared/data lives: beside the checkout (CI clones main with shared/ beside it),
or at /work/shared on the development machines."""

from __future__ import annotations

import os
from pathlib import Path

_CANDIDATES = [
    Path(os.environ["CASEREVIEWS_SHARED_DIR"]) if os.environ.get("CASEREVIEWS_SHARED_DIR") else None,
    Path(__file__).resolve().parents[2] / "shared",
    Path("/work/shared"),
]


def shared_data(relative: str) -> Path:
    for root in _CANDIDATES:
        if root is not None and (root / "data" / relative).exists():
            return root / "data" / relative
    raise FileNotFoundError(f"shared/data/{relative} is not beside the checkout nor at /work/shared")
