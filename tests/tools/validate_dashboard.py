#!/usr/bin/env python3
"""Validate a classic Grafana dashboard JSON (schemaVersion ~39) with grafana-foundation-sdk.

Needs Python >= 3.11 and: pip install 'grafana-foundation-sdk==1769699379!11.6.0'
Usage: validate_dashboard.py DASHBOARD.json [--allow KEY|SdkClass.KEY ...] [--require-all]
Exit 0 = valid; 1 = invalid (first stderr line is a one-line reason, details follow).
"""
import argparse, enum, inspect, json, re, sys, types, typing

from grafana_foundation_sdk.builders import dashboard as gb
from grafana_foundation_sdk.cog import plugins, runtime
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as gd, units

_KEYS: dict = {}
_MISSING = object()
UNITS = {v for k, v in vars(units).items() if not k.startswith("_") and isinstance(v, str)}  # the SDK's generated Grafana unit ids
CUSTOM_UNIT = re.compile(r"(suffix|prefix|time|si|count|currency):")

def json_keys(cls) -> dict:
    """JSON key -> attribute, read from the SDK's generated from_json (the keys it consumes), plus to_json
    for constant discriminators such as a row's "type" that from_json never reads (marked "=attr")."""
    if cls not in _KEYS:
        keys = {k: a or re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), k) for k, a in
                re.findall(r'if "([^"]+)" in data:\s*(?:args\["(\w+)"\])?', inspect.getsource(cls.from_json))}
        for k, a in re.findall(r'"([^"]+)"\]? *[:=] *self\.(\w+)', inspect.getsource(cls.to_json)):
            keys.setdefault(k, "=" + a)
        _KEYS[cls] = keys
    return _KEYS[cls]

def union(h) -> tuple:
    return typing.get_args(h) if typing.get_origin(h) in (typing.Union, types.UnionType) else (h,)

def is_model_cls(h) -> bool:
    return isinstance(h, type) and hasattr(h, "from_json") and hasattr(h, "to_json")

def matches(v, h) -> bool:
    """Does JSON value v fit SDK type hint h? Hints this does not understand pass."""
    o = typing.get_origin(h)
    if o in (typing.Union, types.UnionType):
        return any(matches(v, a) for a in typing.get_args(h))
    if o is typing.Literal:
        return any(v == a and type(v) is type(a) for a in typing.get_args(h))
    if o is list:
        return isinstance(v, list) and all(matches(x, typing.get_args(h)[0]) for x in v)
    if o is dict or h is dict or is_model_cls(h):
        return isinstance(v, dict)
    if isinstance(h, type) and issubclass(h, enum.Enum):  # the SDK stores the raw value, not the enum
        return any(v == m.value and type(v) is type(m.value) for m in h)
    if h in (bool, int, str, type(None)):
        return type(v) is h
    return type(v) in (int, float) if h is float else True

class Checker:
    def __init__(self, allow, require_all):
        self.allow, self.require_all = set(allow), require_all
        self.errors, self.skipped, self.unknown = [], [], []

    def value(self, raw, obj, hint, path):
        if isinstance(obj, runtime.UnknownDataquery):
            return self.errors.append(f"{path}: target not typed by the SDK (datasource.type missing or unknown)")
        if isinstance(raw, dict) and is_model_cls(type(obj)):  # the SDK's own dispatch picked the model
            return self.obj(raw, obj, path)
        models = [a for a in union(hint) if is_model_cls(a)]
        if isinstance(raw, dict) and len(models) == 1:  # SDK kept a raw dict: type it with the hinted model
            return self.obj(raw, models[0].from_json(raw), path)
        lists = [a for a in union(hint) if typing.get_origin(a) is list]
        if isinstance(raw, list) and len(lists) == 1:
            objs = obj if isinstance(obj, list) and len(obj) == len(raw) else [None] * len(raw)
            for i, (r, o) in enumerate(zip(raw, objs)):
                self.value(r, o, typing.get_args(lists[0])[0], f"{path}[{i}]")
        elif not matches(raw, hint):
            h = re.sub(r"typing\.|grafana_foundation_sdk\.models\.|<(?:class|enum) '([^']+)'>", r"\1", str(hint))
            self.errors.append(f"{path}: expected {h}, got {type(raw).__name__} {json.dumps(raw)[:40]}")

    def obj(self, raw, obj, path):
        cls, keys = type(obj), json_keys(type(obj))
        hints, model = typing.get_type_hints(cls), f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}"
        for k, v in raw.items():
            if k not in keys:
                if k in self.allow or f"{cls.__name__}.{k}" in self.allow:
                    self.skipped.append(f"{path}.{k}")
                else:
                    self.unknown.append(f"{path}.{k}")
                    self.errors.append(f"{path}.{k}: unknown key for SDK model {model}")
                continue
            attr = keys[k].lstrip("=")
            if keys[k][0] == "=" and v != getattr(obj, attr):
                self.errors.append(f"{path}.{k}: must be {getattr(obj, attr)!r} for SDK model {model}")
            self.value(v, getattr(obj, attr, None), hints.get(attr, typing.Any), f"{path}.{k}")
        unit = raw.get("unit") if cls is gd.FieldConfig else raw.get("value") if raw.get("id") == "unit" else None
        if isinstance(unit, str) and unit not in UNITS and not CUSTOM_UNIT.match(unit):
            self.errors.append(f"{path}: unit {unit!r} is not in grafana_foundation_sdk.models.units")
        if self.require_all:  # cog keeps schema-required fields non-Optional (it fills defaults if absent)
            self.errors += [f"{path}.{k}: required by SDK model {model} but absent" for k, a in keys.items()
                            if a[0] != "=" and k not in raw and type(None) not in union(hints.get(a))]

    def panels(self, panels, path):
        for i, p in enumerate(panels if isinstance(panels, list) else []):
            if not isinstance(p, dict):
                continue
            ptype, gp = p.get("type"), p.get("gridPos") if isinstance(p.get("gridPos"), dict) else {}
            if ptype != "row" and runtime.panelcfg_config(ptype) is None:
                self.errors.append(f"{path}[{i}].type: panel type {ptype!r} not in the SDK panel registry")
            h, w = gp.get("h", 1), gp.get("w", 1)
            try:  # schema limits the SDK enforces only in its builders: h > 0, 0 < w <= 24
                if type(h) is int and type(w) is int:
                    gb.Panel().height(h).span(w)
            except ValueError as e:
                self.errors.append(f"{path}[{i}].gridPos: {e}")
            if ptype == "row":
                self.panels(p.get("panels"), f"{path}[{i}].panels")

def leaves(v, path="$"):
    if isinstance(v, dict) or (isinstance(v, list) and v):
        for k, x in (v.items() if isinstance(v, dict) else enumerate(v)):
            yield from leaves(x, f"{path}.{k}" if isinstance(v, dict) else f"{path}[{k}]")
    else:
        yield path, v

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--allow", action="append", default=[], help="extra key to tolerate: KEY or SdkClass.KEY")
    ap.add_argument("--require-all", action="store_true", help="also fail on absent non-Optional SDK fields")
    a = ap.parse_args()
    fail = lambda msg: print(f"FAIL: {a.path}: {msg}", file=sys.stderr) or 1
    try:
        with open(a.path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        return fail(f"cannot load JSON: {e}")
    if not isinstance(raw, dict):
        return fail(f"top level is {type(raw).__name__}, not an object")
    plugins.register_default_plugins()  # fills the cog runtime's panel-type and datasource-type registries
    try:
        dash = gd.Dashboard.from_json(raw)
        rt = json.loads(json.dumps(dash, cls=JSONEncoder))
    except Exception as e:  # from_json has no validator: only malformed shapes make it raise
        return fail(f"SDK rejected it: {type(e).__name__}: {e}")
    c = Checker(a.allow, a.require_all)
    c.obj(raw, dash, "$")
    c.panels(raw.get("panels"), "$.panels")
    out, src = dict(leaves(rt)), list(leaves(raw))
    lost = [p for p, v in src if out.get(p, None if v is None else _MISSING) != v]  # null == absent
    under = lambda p, roots: any(p == r or p.startswith((r + ".", r + "[")) for r in roots)
    dropped = [p for p in lost if under(p, c.skipped)]
    c.errors += [f"{p}: not preserved by SDK round-trip (to_json)" for p in lost
                 if not under(p, c.skipped + c.unknown)]
    if c.errors:
        fail(f"{len(c.errors)} problem(s); first: {c.errors[0]}")
        print("\n".join(f"  - {e}" for e in c.errors), file=sys.stderr)
        return 1
    added = len(set(out) - {p for p, _ in src})
    print(f"OK: {a.path}: {raw.get('title')!r} valid per grafana-foundation-sdk; to_json round-trip kept "
          f"{len(src) - len(dropped)}/{len(src)} leaf values ({len(dropped)} under --allow keys dropped, "
          f"{added} SDK defaults added)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
