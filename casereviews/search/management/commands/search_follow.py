"""Keep this node's search index following the change table: for nodes that serve search but run no worker.

The worker's `apply_index_changes` task writes the index of whichever node's worker takes it, and the task
queue is shared, so a web node without a worker (or whose worker did not take the task) would fall behind.
Each generation keeps its own cursor (ADR 0008), so this loop brings the local index up to date however far
behind it is, and builds it from the database first when the node has none.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from casereviews.search.services import index_changes_apply

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Apply the search index's pending changes to this node's index, every --interval seconds (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between looks (default 2)")
        parser.add_argument("--once", action="store_true", help="apply what is pending once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                outcome = index_changes_apply()
            except Exception:
                if options["once"]:
                    raise
                # Logged and tried again at the next look: a database briefly away must not stop the follower.
                logger.exception("search follower: applying changes failed")
            else:
                if outcome.changes or outcome.rebuilt:
                    logger.info(
                        "search follower: applied %s changes to %s reports%s",
                        outcome.changes,
                        outcome.reports,
                        " after building the index" if outcome.rebuilt else "",
                    )
            if options["once"]:
                return
            time.sleep(options["interval"])
            # As a request's end would: a connection the database dropped meanwhile is replaced, not reused.
            close_old_connections()
