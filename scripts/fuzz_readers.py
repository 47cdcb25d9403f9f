"""Fuzz the PDF, Word and HTML readers for a while: `python scripts/fuzz_readers.py --seconds 600`.

Mutates small valid seed files (byte flips, truncation, inserted junk, damaged zip members, deep nesting, huge
attributes) and reads each result in a worker process with a time limit. Every input must either read or be
refused with an `UnreadableDocument`; anything else (another exception, a crash of the process, a timeout) is
reported, and the input is saved under --save-dir so it can be turned into a regression test. Exits 1 when
anything was found. The bounded version that runs in the test suite is tests/extraction/test_reader_fuzz.py.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.fuzzing import ReaderWorker, mutate, seeds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--time-limit", type=float, default=20, help="seconds one input may take (default 20)")
    parser.add_argument("--max-rounds", type=int, default=4, help="mutations per input, at most (default 4)")
    parser.add_argument("--only", default="", help="only seeds whose name contains this (pdf, docx, html)")
    parser.add_argument("--save-dir", type=Path, default=ROOT / "var" / "fuzz", help="where failing inputs are written")
    args = parser.parse_args()

    run_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"random seed {run_seed}; fuzzing for {args.seconds:.0f} s", flush=True)
    rnd = random.Random(run_seed)  # noqa: S311 - reproducible mutations, not secrets
    chosen = [seed for seed in seeds() if args.only in seed.name]
    if not chosen:
        parser.error(f"no seed matches {args.only!r}")
    outcomes: collections.Counter[str] = collections.Counter()
    failures: dict[str, str] = {}
    slowest = (0.0, "")
    deadline = time.monotonic() + args.seconds
    with ReaderWorker(args.time_limit) as worker:
        while time.monotonic() < deadline:
            seed = rnd.choice(chosen)
            data = mutate(seed, rnd, rnd.randint(1, args.max_rounds))
            started = time.monotonic()
            outcome = worker.read(data, seed.filename)
            took = time.monotonic() - started
            slowest = max(slowest, (took, seed.name))
            outcomes[f"{seed.name} {outcome.kind}"] += 1
            if outcome.acceptable:
                continue
            signature = outcome.signature
            if signature in failures:
                continue
            digest = hashlib.sha256(data).hexdigest()[:16]
            args.save_dir.mkdir(parents=True, exist_ok=True)
            saved = args.save_dir / f"{digest}{Path(seed.filename).suffix}"
            saved.write_bytes(data)
            failures[signature] = str(saved)
            print(f"FOUND {signature}\n  input saved as {saved}\n{outcome.detail}", flush=True)

    total = sum(outcomes.values())
    print(f"\n{total} inputs in {args.seconds:.0f} s; slowest {slowest[0]:.2f} s ({slowest[1]})")
    for key, count in sorted(outcomes.items()):
        print(f"  {key:30} {count}")
    print(f"{len(failures)} distinct failure(s)" if failures else "no failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
