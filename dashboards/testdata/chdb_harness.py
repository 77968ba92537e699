"""Run hirestream's DDL and metric queries on chDB (ClickHouse 26.x in-process).

Reads a JSON job on stdin: {"setup": [statement, ...], "queries": [{"id", "sql"}, ...]}.
Runs every setup statement (one per call) in a fresh session, then every query, and prints
{"chdb_version", "engine_version", "results": {id: {"columns": [...], "rows": [[...], ...]}}}.
Any failing statement is a non-zero exit with the statement and the engine's error.
Used by internal/e2e (TestAnalytics_Golden) and by the benchmark's portability check.
"""
import json
import sys
import tempfile

import chdb
from chdb.session import Session


def main():
    job = json.load(sys.stdin)
    out = {"chdb_version": chdb.__version__, "engine_version": "", "results": {}}
    with tempfile.TemporaryDirectory(prefix="hirestream-chdb-") as path:
        s = Session(path)
        try:
            out["engine_version"] = s.query("SELECT version()", "TabSeparated").data().strip()
            s.query("CREATE DATABASE IF NOT EXISTS hs")
            for st in job["setup"]:
                try:
                    s.query(st)
                except Exception as e:  # noqa: BLE001 - report which statement failed
                    sys.exit("chdb: setup statement failed: %s\n%s" % (e, st[:2000]))
            for q in job["queries"]:
                try:
                    res = s.query(q["sql"], "JSONCompact")
                except Exception as e:  # noqa: BLE001
                    sys.exit("chdb: query %s failed: %s\n%s" % (q["id"], e, q["sql"]))
                data = json.loads(res.data() or '{"meta": [], "data": []}')
                out["results"][q["id"]] = {
                    "columns": [m["name"] for m in data["meta"]],
                    "rows": data["data"],
                }
        finally:
            s.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
