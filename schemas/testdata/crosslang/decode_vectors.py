#!/usr/bin/env python3
"""Decode hirestream's Go-written Avro vectors with Python, and write events back for Go.

Every vector in <vectors>/manifest.json is a Confluent-framed event (0x00, 4-byte big-endian
schema id, Avro binary). For each one this script:

  1. picks the writer schema registry/<file> by the schema id in the frame (registry.json);
  2. decodes the body with the Apache Avro library (avro.io.DatumReader + BinaryDecoder) and
     with fastavro (schemaless_reader), and compares both with the manifest's expected value,
     exactly (types included: True is not 1, 1 is not 1.0);
  3. decodes it again with the writer schema given as the reader schema (schema resolution), and
     with the previous registered version as the reader schema when there is one;
  4. decodes it with each evolved reader schema the manifest lists, which must succeed or fail
     as the manifest says (CheckBackward's verdict, checked on the Go side).

It prints one PASS or FAIL line per vector and exits 1 on any failure, 2 on bad input, and 3
when the avro or fastavro module is missing.

With --emit DIR it also writes one event with each library, framed with schema id 1, to
DIR/avro.bin and DIR/fastavro.bin; the Go test decodes them (TestVectors_DecodeInPython).

Usage: decode_vectors.py [--vectors DIR] [--registry DIR] [--emit DIR]
"""

import argparse
import base64
import datetime
import io
import json
import os
import struct
import sys

EXIT_FAIL, EXIT_USAGE, EXIT_MISSING_MODULES = 1, 2, 3

try:
    import avro.errors
    import avro.io
    import avro.schema
    import fastavro
    import fastavro.read
except ImportError as exc:
    print(
        f"MISSING MODULES: {exc}. {sys.executable} needs the Apache Avro and fastavro packages: "
        f"{sys.executable} -m pip install avro fastavro",
        file=sys.stderr,
    )
    sys.exit(EXIT_MISSING_MODULES)

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = datetime.timezone.utc
RESOLUTION_ERRORS = {
    "avro": avro.errors.SchemaResolutionException,
    "fastavro": fastavro.read.SchemaResolutionError,
}


def to_json(value):
    """The JSON form the manifest uses for a decoded Avro value."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
            raise ValueError(f"timestamp {value!r} is not an aware UTC datetime")
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"unexpected decoded type {type(value).__name__}: {value!r}")


def diff(got, want, path="$"):
    """First difference between two JSON values, types compared strictly; None when equal."""
    if type(got) is not type(want):
        return f"{path}: got {type(got).__name__} {got!r}, want {type(want).__name__} {want!r}"
    if isinstance(want, dict):
        for k in sorted(set(got) | set(want)):
            if k not in got:
                return f"{path}.{k}: missing, want {want[k]!r}"
            if k not in want:
                return f"{path}.{k}: unexpected field with value {got[k]!r}"
            d = diff(got[k], want[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list):
        if len(got) != len(want):
            return f"{path}: got {len(got)} items, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            d = diff(g, w, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if got == want else f"{path}: got {got!r}, want {want!r}"


def diff_common(got, want, path="$"):
    """Like diff, but only over the record fields both values have (schemas of two versions)."""
    if isinstance(want, dict) and isinstance(got, dict) and "$bytes" not in want:
        for k in sorted(set(got) & set(want)):
            d = diff_common(got[k], want[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            d = diff_common(g, w, f"{path}[{i}]")
            if d:
                return d
        return None
    return diff(got, want, path)


def brief(exc):
    """An exception in one line: the libraries put whole schemas into their messages."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first[:240]}"


class Registry:
    def __init__(self, directory):
        with open(os.path.join(directory, "registry.json"), encoding="utf-8") as f:
            reg = json.load(f)
        self.versions = sorted(reg["versions"], key=lambda v: v["version"])
        self.text = {}
        for v in self.versions:
            with open(os.path.join(directory, v["file"]), encoding="utf-8") as f:
                self.text[v["id"]] = f.read()

    def by_id(self, schema_id):
        for i, v in enumerate(self.versions):
            if v["id"] == schema_id:
                return v, (self.versions[i - 1] if i > 0 else None)
        raise KeyError(f"schema id {schema_id} is not in registry.json")


def unframe(data):
    if len(data) < 5 or data[0] != 0:
        raise ValueError("not Confluent wire format (want magic byte 0 and a 4-byte schema id)")
    return struct.unpack(">I", data[1:5])[0], data[5:]


def read_avro(body, writer_text, reader_text=None):
    """Decode with the Apache Avro library; the whole body must be consumed."""
    writer = avro.schema.parse(writer_text)
    reader = avro.schema.parse(reader_text) if reader_text else None
    buf = io.BytesIO(body)
    datum = avro.io.DatumReader(writer, reader).read(avro.io.BinaryDecoder(buf))
    if buf.tell() != len(body):
        raise ValueError(f"avro read {buf.tell()} of {len(body)} bytes")
    return datum


def read_fastavro(body, writer_text, reader_text=None, record_name=False):
    """Decode with fastavro; with record_name, a union of several records yields (name, value)."""
    writer = fastavro.parse_schema(json.loads(writer_text))
    reader = fastavro.parse_schema(json.loads(reader_text)) if reader_text else None
    buf = io.BytesIO(body)
    datum = fastavro.schemaless_reader(
        buf, writer, reader, return_record_name=record_name, return_record_name_override=record_name
    )
    if buf.tell() != len(body):
        raise ValueError(f"fastavro read {buf.tell()} of {len(body)} bytes")
    return datum


def check_vector(vec, vectors_dir, registry, readers):
    """Returns a list of problems with one vector; empty means PASS."""
    problems = []
    with open(os.path.join(vectors_dir, vec["file"]), "rb") as f:
        schema_id, body = unframe(f.read())
    if schema_id != vec["schema_id"]:
        problems.append(f"frame says schema id {schema_id}, manifest {vec['schema_id']}")
    version, previous = registry.by_id(schema_id)
    writer = registry.text[schema_id]
    want = vec["expected"]

    def expect(label, fn, expected):
        try:
            got = to_json(fn())
        except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
            problems.append(f"{label}: {brief(exc)}")
            return None
        d = diff(got, expected)
        if d:
            problems.append(f"{label}: {d}")
        return got

    expect("avro", lambda: read_avro(body, writer), want)
    expect("fastavro", lambda: read_fastavro(body, writer), want)

    # fastavro can name the payload branch: it must be the record the manifest names.
    try:
        payload = read_fastavro(body, writer, record_name=True)["payload"]
        name = payload[0] if isinstance(payload, tuple) else None
        if name != vec["payload_record"]:
            problems.append(f"fastavro payload branch {name!r}, want {vec['payload_record']!r}")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"fastavro (record names): {brief(exc)}")

    expect("avro, writer schema as reader", lambda: read_avro(body, writer, writer), want)
    expect("fastavro, writer schema as reader", lambda: read_fastavro(body, writer, writer), want)

    notes = []
    if previous is None:
        notes.append(f"no version before {version['version']}")
    else:
        # An older reader (forward resolution). The registry promises backward compatibility
        # only, so an older reader may fail, but both libraries must then fail alike; when they
        # read it, they must agree, and every field both the reader and the manifest know must
        # hold the expected value.
        prev = registry.text[previous["id"]]
        label = f"version {previous['version']} (previous) as reader"
        outcome = {}
        for lib, read in (("avro", read_avro), ("fastavro", read_fastavro)):
            try:
                outcome[lib] = ("read", to_json(read(body, writer, prev)))
            except RESOLUTION_ERRORS[lib] as exc:
                outcome[lib] = ("unresolvable", brief(exc))
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{lib}, {label}: {brief(exc)}")
        if len(outcome) == 2:
            (a_kind, a_val), (f_kind, f_val) = outcome["avro"], outcome["fastavro"]
            if a_kind != f_kind:
                problems.append(f"{label}: avro {a_kind} ({a_val!r}), fastavro {f_kind} ({f_val!r})")
            elif a_kind == "read":
                for d in (diff(a_val, f_val, "$(avro vs fastavro)"), diff_common(a_val, want)):
                    if d:
                        problems.append(f"{label}: {d}")
                notes.append(f"version {previous['version']} reads it")
            else:
                notes.append(f"version {previous['version']} cannot read it ({a_val})")

    for r in readers:
        fails_for = r.get("fails_for") or []
        fails = "*" in fails_for or vec["event_type"] in fails_for
        want_r = None if fails else {**want, **(r.get("extra_fields") or {})}
        for lib, read in (("avro", read_avro), ("fastavro", read_fastavro)):
            label = f"{lib}, reader {r['file']}"
            if fails:
                try:
                    got = read(body, writer, r["text"])
                    problems.append(f"{label}: decoded {to_json(got)!r}, want a schema-resolution error")
                except RESOLUTION_ERRORS[lib]:
                    pass  # the expected outcome
                except Exception as exc:  # noqa: BLE001
                    problems.append(f"{label}: want a schema-resolution error, got {brief(exc)}")
            else:
                expect(label, lambda read=read: read(body, writer, r["text"]), want_r)
    return problems, notes


def library_notes():
    """What each library does where CheckBackward is stricter than the spec (see compat.go)."""
    def rec(name, fields, **extra):
        return json.dumps({"type": "record", "name": name, "fields": fields, **extra})

    w = rec("R", [{"name": "a", "type": "string"}])
    cases = [
        ("record renamed with an alias", rec("S", [{"name": "a", "type": "string"}], aliases=["R"])),
        ("field renamed with an alias + default", rec("R", [{"name": "b", "aliases": ["a"], "type": "string", "default": "?"}])),
        ("string promoted to bytes", rec("R", [{"name": "a", "type": "bytes"}])),
    ]
    body = io.BytesIO()
    fastavro.schemaless_writer(body, fastavro.parse_schema(json.loads(w)), {"a": "x"})
    body = body.getvalue()
    for label, reader in cases:
        seen = []
        for lib, read in (("avro", read_avro), ("fastavro", read_fastavro)):
            try:
                seen.append(f"{lib} reads {read(body, w, reader)!r}")
            except Exception as exc:  # noqa: BLE001
                seen.append(f"{lib} fails ({brief(exc)})")
        print(f"NOTE {label}: {'; '.join(seen)}")


def emit(directory, registry):
    """Write the event of pythonWrittenEvent() (vectors_test.go) with both libraries, schema id 1."""
    schema_id = 1
    text = registry.text[schema_id]
    ts = lambda *a: datetime.datetime(*a, tzinfo=UTC)  # noqa: E731
    payload = {
        "stage_from": "Offer", "stage_from_id": "", "stage_from_derived": False,
        "stage_to": "Hired", "stage_to_id": "st-9", "status": "hired", "prospect": False,
        "source_channel": "", "source_name": "", "source_id": "",
        "rejection_reason": "", "rejection_type": "", "applied_at": None, "job": None,
        "candidate": {"first_name": "Zoë", "last_name": "Ngata-Øvergaard", "emails": [
            {"address": "zoe.n@mail.example", "kind": "personal"},
            {"address": "zoë@例え.jp", "kind": "work"},
        ]},
        "offer": {
            "offer_id": "o-3", "version": 3, "status": "Accepted", "sent_on": "2026-03-01",
            "resolved_at": ts(2026, 3, 9, 23, 59, 59, 999000),
            "start_date": "2026-05-04", "start_date_raw": "2026-05-04",
            "salary": {"amount_minor": 12345678901, "currency": "EUR", "pay_period": "annual"},
            "title": "", "department": "", "location": "", "manager": "", "employment_type": "",
            "custom_fields": {"a": "1", "b": '"two"', "ünï": '"☃"'},
        },
    }
    event = {
        "event_id": "py-offer-1", "event_type": "offer.accepted",
        "occurred_at": ts(2026, 3, 10, 8, 30, 0, 123000), "recorded_at": ts(2026, 3, 10, 8, 30, 1, 456000),
        "source_system": "lever", "source_event_id": "lv-77", "candidate_id": "cand-Zoë",
        "application_id": "app-1", "job_id": "job-1", "causation_id": "",
        "payload": payload,
    }
    frame = b"\x00" + struct.pack(">I", schema_id)

    # Apache Avro picks the first union branch the datum validates against.
    buf = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(text)).write(event, avro.io.BinaryEncoder(buf))
    write_file(os.path.join(directory, "avro.bin"), frame + buf.getvalue())

    # fastavro: name the payload branch explicitly (tuple notation) instead of letting it guess.
    named = dict(event, payload=("hirestream.payload.ApplicationEvent", payload))
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, fastavro.parse_schema(json.loads(text)), named)
    write_file(os.path.join(directory, "fastavro.bin"), frame + buf.getvalue())


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(f"WROTE {path} ({len(data)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vectors", default=os.path.join(HERE, "..", "vectors"))
    ap.add_argument("--registry", default=os.path.join(HERE, "..", "..", "registry"))
    ap.add_argument("--emit", metavar="DIR", help="also write avro.bin and fastavro.bin here")
    args = ap.parse_args()

    try:
        with open(os.path.join(args.vectors, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        registry = Registry(args.registry)
        readers = manifest.get("readers") or []
        for r in readers:
            with open(os.path.join(args.vectors, r["file"]), encoding="utf-8") as f:
                r["text"] = f.read()
    except (OSError, ValueError, KeyError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not manifest.get("vectors"):
        print("ERROR: the manifest lists no vectors", file=sys.stderr)
        return EXIT_USAGE

    print(f"python {sys.version.split()[0]}, avro {avro.__version__}, fastavro {fastavro.__version__}")
    failed = 0
    for vec in manifest["vectors"]:
        try:
            problems, notes = check_vector(vec, args.vectors, registry, readers)
        except Exception as exc:  # noqa: BLE001
            problems, notes = [brief(exc)], []
        if problems:
            failed += 1
            print(f"FAIL {vec['file']} ({vec['event_type']})")
            for p in problems:
                print(f"     {p}")
        else:
            extra = f"; {', '.join(notes)}" if notes else ""
            print(f"PASS {vec['file']} ({vec['event_type']}): avro + fastavro, "
                  f"{len(readers)} evolved reader(s){extra}")

    total = len(manifest["vectors"])
    print(f"{total - failed} of {total} vectors passed")
    library_notes()

    if args.emit:
        try:
            os.makedirs(args.emit, exist_ok=True)
            emit(args.emit, registry)
        except Exception as exc:  # noqa: BLE001
            failed += 1
            print(f"FAIL emit: {brief(exc)}")
    return EXIT_FAIL if failed else 0


if __name__ == "__main__":
    sys.exit(main())
