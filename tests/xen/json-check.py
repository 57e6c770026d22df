#!/usr/bin/env python3
"""Check JSON that check-xen's dom0 sent back (mem-list -j, mem-watch -j).

usage: json-check.py FILE EXPECT

FILE holds one JSON document, or JSON lines (one object per line, as
mem-watch -j prints them); each must parse.  EXPECT lists the objects
that must be present, separated by ",": each is conditions joined by "+",
all met by one JSON object (its own members or those of objects nested
in it, so {"policy": {"actor": ...}} counts for "actor"):
  KEY=VALUE   a member KEY whose value, as text, is VALUE
  KEY~TEXT    a member KEY whose value contains TEXT (any case)
KEY "*" means any member.  Booleans are true/false, as in JSON.
Exits 0 with a short summary, or 1 naming what is missing.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return [json.loads(text)], "document"
    except ValueError:
        pass
    docs = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                docs.append(json.loads(line))
            except ValueError as e:
                raise SystemExit(f"line {i} is not JSON: {e}: {line[:80]}")
    if not docs:
        raise SystemExit("no JSON at all")
    return docs, f"{len(docs)} JSON lines"


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v)


def members(obj):
    """(key, scalar) pairs of an object and every object inside it."""
    out = []
    for k, v in obj.items():
        if isinstance(v, dict):
            out += members(v)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    out += members(x)
        else:
            out.append((k, text(v)))
    return out


def objects(v):
    if isinstance(v, dict):
        yield v
        for x in v.values():
            yield from objects(x)
    elif isinstance(v, list):
        for x in v:
            yield from objects(x)


def holds(pairs, cond):
    for op in ("=", "~"):
        if op in cond:
            key, want = cond.split(op, 1)
            break
    else:
        raise SystemExit(f"bad condition {cond!r}")
    for k, v in pairs:
        if key not in ("*", k):
            continue
        if (op == "=" and v == want) or (op == "~" and
                                         want.lower() in v.lower()):
            return True
    return False


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    docs, what = load(sys.argv[1])
    objs = [members(o) for d in docs for o in objects(d)]
    missing = []
    for want in sys.argv[2].split(","):
        conds = want.split("+")
        if not any(all(holds(p, c) for c in conds) for p in objs):
            missing.append(want)
    if missing:
        raise SystemExit(f"{what}, no object with {' / '.join(missing)}")
    print(what)


main()
