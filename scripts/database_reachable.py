"""Exit 0 when the PostgreSQL server named by the URL answers within a few seconds, 1 otherwise.

Only the server matters: the test run creates its own `test_<name>` databases, so the database the URL names
need not exist (a freshly started server has only `postgres`), and the check connects to `postgres` instead.
"""

import sys

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def main(url: str) -> int:
    server = make_conninfo(**{**conninfo_to_dict(url.replace("postgres://", "postgresql://", 1)), "dbname": "postgres"})
    try:
        with psycopg.connect(server, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
