#!/usr/bin/env python3
"""An example ABF conformance adapter in plain Python 3.

It speaks the stdio adapter protocol of spec/adapter-protocol.md: one JSON request per line
on stdin, one JSON response per line on stdout. It implements the hotp, totp, secret, uri,
payload, restore and lifecycle profiles with the standard library alone, and the container
profile in abf_container.py with the `cryptography` package (requirements.txt: AES-GCM, AES
key wrap and P-256 are not in the standard library; without the package the container
operations answer "unsupported"). The store profile reports file operations; it answers
"unsupported" there, so the runner skips it. The payload profile shows what Python's json
module needs to read a payload as spec/payload.md asks: NaN refused, repeated members seen,
integers as written, no bool taken for an integer, and strings checked for lone surrogates.
Run it with:

    authbackup-conformance run --impl-cmd 'python3 conformance/adapters/python/adapter.py'
"""

import base64
import copy
import hashlib
import hmac
import json
import re
import struct
import sys
import time
from urllib.parse import quote, unquote_to_bytes

HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
DECIMAL = re.compile(r"[0-9]+\Z")
U64 = 2**64


class Refused(Exception):
    """An answer with a stable error code (spec/errors.md)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def algorithm(name):
    """REQ-HOTP-002: any ASCII letter case (str.upper alone would take "ſha1" for SHA1)."""
    for known in HASHES:
        if isinstance(name, str) and name.isascii() and name.upper() == known:
            return known
    raise Refused("invalid_parameter")


def digits(n):
    if n not in (6, 7, 8):
        raise Refused("invalid_parameter")
    return n


def key_from_hex(text):
    key = bytes.fromhex(text)
    if not 10 <= len(key) <= 128:
        raise Refused("invalid_secret")
    return key


def hotp(key, alg, d, counter):
    mac = hmac.new(key, struct.pack(">Q", counter), HASHES[alg]).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**d).zfill(d)


def totp_step(inp):
    if inp["period"] < 1:
        raise Refused("invalid_parameter")
    if inp["time"] < inp["t0"]:
        raise Refused("invalid_parameter")
    return (inp["time"] - inp["t0"]) // inp["period"]


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PADDING = {0: 0, 2: 6, 4: 4, 5: 3, 7: 1}


def base32_secret(text):
    """REQ-SECRET-001 to REQ-SECRET-005."""
    kept = []
    for ch in text:
        if ch == " ":
            continue
        if ch.upper() in ALPHABET and ch.isascii() or ch == "=":
            kept.append(ch.upper())
        else:
            raise Refused("invalid_secret")
    s = "".join(kept)
    if not s:
        raise Refused("invalid_secret")
    body = s.rstrip("=")
    pads = len(s) - len(body)
    if "=" in body or len(body) % 8 not in PADDING:
        raise Refused("invalid_secret")
    if pads and (len(s) % 8 != 0 or pads != PADDING[len(body) % 8] or pads == 0):
        raise Refused("invalid_secret")
    if pads == 0 and "=" in s:
        raise Refused("invalid_secret")
    bits, value, out = 0, 0, bytearray()
    for ch in body:
        value = (value << 5) | ALPHABET.index(ch)
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((value >> bits) & 0xFF)
    if value & ((1 << bits) - 1):
        raise Refused("invalid_secret")
    if not 10 <= len(out) <= 128:
        raise Refused("invalid_secret")
    return bytes(out)


def decode(text, plus_is_space):
    """REQ-URI-012: strict percent-decoding to UTF-8."""
    for i, ch in enumerate(text):
        if ch == "%" and not re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            raise Refused("malformed")
    if plus_is_space:
        text = text.replace("+", " ")
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("malformed")


def is_control(ch):
    return ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F


def number(text, low, high):
    if text is None or not DECIMAL.match(text) or not low <= int(text) <= high:
        raise Refused("invalid_parameter")
    return int(text)


KNOWN = ("secret", "issuer", "algorithm", "digits", "period", "counter")


def parse_uri(uri):
    """spec/uri.md section 1, check by check."""
    if len(uri.encode("utf-8")) > 4096:
        raise Refused("too_large")
    if uri[:10].lower() != "otpauth://":
        raise Refused("malformed")
    rest = uri[10:].split("#", 1)[0]
    if "/" not in rest:
        raise Refused("malformed")
    kind, rest = rest.split("/", 1)
    if kind.lower() not in ("totp", "hotp"):
        raise Refused("unsupported_account_type")
    label_text, _, query = rest.partition("?")
    params = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if name not in KNOWN:
            continue
        if name in params:
            raise Refused("malformed")
        params[name] = decode(value, True)
    label = decode(label_text, False)
    issuer_param = params.get("issuer")
    if issuer_param is not None:
        issuer_param = issuer_param.strip(" ") or None
    if issuer_param is not None and ":" in issuer_param:
        raise Refused("invalid_parameter")
    if ":" in label:
        prefix, rest_name = label.split(":", 1)
        prefix = prefix.strip(" ")
        if not prefix:
            issuer, name = issuer_param, rest_name.strip(" ")
        elif issuer_param is None:
            issuer, name = prefix, rest_name.strip(" ")
        elif issuer_param == prefix:
            issuer, name = issuer_param, rest_name.strip(" ")
        else:
            issuer, name = issuer_param, label.strip(" ")
    else:
        issuer, name = issuer_param, label.strip(" ")
    if not name:
        raise Refused("malformed")
    named = [t for t in (issuer, name) if t is not None]
    for text in named:
        if len(text.encode("utf-8")) > 256:
            raise Refused("too_large")
    for text in named:
        if any(is_control(c) for c in text):
            raise Refused("invalid_parameter")
    if "secret" not in params:
        raise Refused("invalid_secret")
    key = base32_secret(params["secret"])
    alg = algorithm(params.get("algorithm", "SHA1"))
    d = number(params.get("digits", "6"), 6, 8)
    account = {"type": kind.lower(), "issuer": issuer, "name": name, "secret": key.hex(),
               "algorithm": alg, "digits": d}
    if kind.lower() == "totp":
        account["period"] = number(params.get("period", "30"), 1, U64 - 1)
    else:
        account["counter"] = number(params.get("counter"), 0, U64 - 1)
    return account


def check_name(text, colon_allowed):
    """REQ-URI-033: what a writer refuses."""
    if not text or text.strip(" ") != text or (not colon_allowed and ":" in text):
        raise Refused("invalid_parameter")
    if len(text.encode("utf-8")) > 256:
        raise Refused("too_large")
    if any(is_control(c) for c in text):
        raise Refused("invalid_parameter")


def emit_uri(a):
    """spec/uri.md section 2."""
    enc = lambda s: quote(s, safe="-._~")
    issuer, name = a.get("issuer"), a["name"]
    if issuer is not None:
        check_name(issuer, False)
    check_name(name, True)
    if issuer is not None:
        label = enc(issuer) + ":" + enc(name)
    elif ":" in name:
        label = ":" + enc(name)
    else:
        label = enc(name)
    secret = base64.b32encode(key_from_hex(a["secret"])).decode().rstrip("=")
    out = "otpauth://%s/%s?secret=%s" % (a["type"], label, secret)
    if issuer is not None:
        out += "&issuer=" + enc(issuer)
    out += "&algorithm=%s&digits=%d" % (algorithm(a["algorithm"]), digits(a["digits"]))
    out += "&period=%d" % a["period"] if a["type"] == "totp" else "&counter=%d" % a["counter"]
    return out


def verify(inp):
    """spec/otp.md section 4."""
    key, alg, d = key_from_hex(inp["secret"]), algorithm(inp["algorithm"]), digits(inp["digits"])
    if inp["window"] > 10:
        raise Refused("invalid_parameter")
    current = totp_step(inp)
    candidate = inp["candidate"]
    wanted = candidate if re.fullmatch("[0-9]{%d}" % d, candidate) else None
    order = [current]
    for k in range(1, inp["window"] + 1):
        order += [current - k, current + k]
    found = None
    for step in order:
        if 0 <= step < U64:
            code = hotp(key, alg, d, step)
            hit = wanted is not None and hmac.compare_digest(code, wanted)
            if hit and found is None:
                found = step
    return {"step": found}


def verify_timing(inp):
    """Times one verification per entry of inp["order"], of the candidate of that class
    (REQ-VERIFY-003); the runner judges the times."""
    requests = [dict(inp, candidate=c) for c in inp["candidates"]]
    ns = []
    for c in inp["order"]:
        request = requests[int(c)]
        start = time.perf_counter_ns()
        verify(request)
        ns.append(time.perf_counter_ns() - start)
    return {"ns": ns}


def batch(inp, timed=False):
    """totp.batch; with timed, also the nanoseconds spent generating the codes (the keys are
    decoded beforehand, as an app holds them)."""
    alg, d = algorithm(inp["algorithm"]), digits(inp["digits"])
    step = totp_step(dict(inp, t0=0))
    keys = [key_from_hex(s) for s in inp["secrets"]]
    start = time.perf_counter_ns()
    codes = [hotp(key, alg, d, step) for key in keys]
    ns = time.perf_counter_ns() - start
    return {"codes": codes, "ns": ns} if timed else {"codes": codes}


# The payload profile: spec/payload.md and spec/data-model.md, check by check.

DOC_MEMBERS = {"version", "platform", "backup_id", "generation", "created", "accounts"}
ACCOUNT_MEMBERS = {"id", "type", "issuer", "name", "secret", "token", "algorithm", "digits", "period"}
DEVICE_MEMBERS = ACCOUNT_MEMBERS | {"excluded_by_policy", "state"}
CODE_TYPES = ("totp", "msa_totp")
PLACEHOLDER_TYPES = ("msa_passwordless", "work_school")


class JsonObject(dict):
    """A JSON object that remembers which member names it repeats (json keeps the last)."""

    repeated = frozenset()


def json_object(pairs):
    obj, seen = JsonObject(), set()
    repeated = set()
    for name, value in pairs:
        if name in seen:
            repeated.add(name)
        seen.add(name)
        obj[name] = value
    obj.repeated = frozenset(repeated)
    return obj


class OtherNumber:
    """A JSON number that is not an integer of REQ-PAYLOAD-001 (a sign, fraction or exponent)."""


def refuse(_):
    """NaN and Infinity are not JSON (REQ-PAYLOAD-007); Python's json reads them by default."""
    raise Refused("malformed")


def load_json(text):
    try:
        return json.loads(text, object_pairs_hook=json_object, parse_constant=refuse,
                          parse_int=lambda t: int(t) if DECIMAL.match(t) else OtherNumber(),
                          parse_float=lambda t: OtherNumber())
    except (ValueError, RecursionError):
        raise Refused("malformed")


def is_u64(v):
    return type(v) is int and 0 <= v < U64  # bool is an int in Python: not here


def is_text(v):
    """A string whose escapes decoded to Unicode characters (no lone surrogate)."""
    if not isinstance(v, str):
        return False
    try:
        v.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def require(ok):
    if not ok:
        raise Refused("malformed")


def check_payload_structure(doc):
    """REQ-PAYLOAD-001 and -007 over the whole document."""
    require(isinstance(doc, dict) and not doc.repeated and set(doc) == DOC_MEMBERS)
    require(is_u64(doc["version"]) and is_text(doc["platform"]) and is_text(doc["backup_id"]))
    require(is_u64(doc["generation"]) and is_u64(doc["created"]))
    require(isinstance(doc["accounts"], list))
    for a in doc["accounts"]:
        require(isinstance(a, dict) and not a.repeated and set(a) <= ACCOUNT_MEMBERS)
        require(all(is_text(a.get(k)) for k in ("id", "type", "name")))
        require(all(a.get(k) is None or is_text(a[k]) for k in ("issuer", "algorithm")))
        require(all(a.get(k) is None or is_u64(a[k]) for k in ("digits", "period")))
        require(not isinstance(a.get("secret"), str) or is_text(a["secret"]))


def check_length(text, limit):
    """REQ-ACCOUNT-002's order: empty, then length, then control characters."""
    if not text:
        raise Refused("invalid_parameter")
    if len(text.encode("utf-8")) > limit:
        raise Refused("too_large")
    if any(is_control(c) for c in text):
        raise Refused("invalid_parameter")


def check_account_name(text, issuer):
    """REQ-ACCOUNT-003, and REQ-ACCOUNT-004's colon after it for an issuer."""
    if not text or text.strip(" ") != text:
        raise Refused("invalid_parameter")
    check_length(text, 256)
    if issuer and ":" in text:
        raise Refused("invalid_parameter")


def account_type(t):
    if t not in CODE_TYPES + PLACEHOLDER_TYPES:
        raise Refused("unsupported_account_type")
    return t


def normal_account(a, key=None):
    """The normalised form of the adapter protocol; placeholders with nulls."""
    code = a["type"] in CODE_TYPES
    return {"id": a["id"], "type": a["type"], "issuer": a.get("issuer") if code else None,
            "name": a["name"], "secret": key.hex() if code else None,
            "algorithm": algorithm(a.get("algorithm", "SHA1")) if code else None,
            "digits": a.get("digits", 6) if code else None,
            "period": a.get("period", 30) if code else None}


def code_parameters(a):
    """REQ-PAYLOAD-016 from the secret on: secret, algorithm, digits, period."""
    key = base32_secret(a["secret"])
    algorithm(a.get("algorithm", "SHA1"))
    digits(a.get("digits", 6))
    if a.get("period", 30) < 1:
        raise Refused("invalid_parameter")
    return key


def payload_account(a):
    """REQ-PAYLOAD-011 to -016 for one account."""
    check_length(a["id"], 64)
    code = account_type(a["type"]) in CODE_TYPES
    others = ("issuer", "algorithm", "digits", "period")
    if not code and ("secret" in a or "token" in a):
        raise Refused("secret_in_placeholder")
    if not code and any(a.get(k) is not None for k in others):
        raise Refused("malformed")
    if code and ("token" in a or any(a.get(k) is None for k in others[1:])):
        raise Refused("malformed")
    if code and "secret" not in a:
        raise Refused("invalid_secret")
    if code and not isinstance(a["secret"], str):
        raise Refused("malformed")
    if a.get("issuer") is not None:
        check_account_name(a["issuer"], True)
    check_account_name(a["name"], False)
    return normal_account(a, code_parameters(a) if code else None)


def parse_payload(text):
    doc = load_json(text)
    version = doc.get("version") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and "version" not in doc.repeated and is_u64(version) and version != 1:
        raise Refused("unsupported_version")
    check_payload_structure(doc)
    if doc["platform"] not in ("ios", "android"):
        raise Refused("invalid_parameter")
    check_length(doc["backup_id"], 64)
    if doc["generation"] < 1:
        raise Refused("invalid_parameter")
    if len(doc["accounts"]) > 100_000:
        raise Refused("too_large")
    accounts, ids = [], set()
    for a in doc["accounts"]:
        accounts.append(payload_account(a))
        if a["id"] in ids:
            raise Refused("duplicate_account")
        ids.add(a["id"])
    return {"platform": doc["platform"], "backup_id": doc["backup_id"],
            "generation": doc["generation"], "created": doc["created"], "accounts": accounts}


def check_device_structure(device):
    """REQ-DEVICE-001: a null member is absent."""
    require(isinstance(device, list))
    for a in device:
        require(isinstance(a, dict) and set(a) <= DEVICE_MEMBERS)
        for k in list(a):
            if a[k] is None:
                del a[k]
        require(all(is_text(a.get(k)) for k in ("id", "type", "name")))
        require(all(k not in a or is_text(a[k]) for k in ("issuer", "secret", "algorithm", "token", "state")))
        require(all(k not in a or is_u64(a[k]) for k in ("digits", "period")))
        require("excluded_by_policy" not in a or type(a["excluded_by_policy"]) is bool)
        if a.get("state", "ready") not in ("ready", "action_required"):
            raise Refused("invalid_parameter")


def read_device(device):
    """REQ-DEVICE-001 to -004: the device's accounts, checked, with their secrets decoded."""
    check_device_structure(device)
    ids = set()
    for a in device:
        check_length(a["id"], 64)
        account_type(a["type"])
        if "issuer" in a:
            check_account_name(a["issuer"], True)
        check_account_name(a["name"], False)
        a["key"] = base32_secret(a["secret"]) if "secret" in a else None
        algorithm(a.get("algorithm", "SHA1"))
        digits(a.get("digits", 6))
        if a.get("period", 30) < 1:
            raise Refused("invalid_parameter")
        if a["id"] in ids:
            raise Refused("duplicate_account")
        ids.add(a["id"])
    return device


def build_backup(device):
    """spec/data-model.md section 3."""
    kept, left_out = [], []
    for a in read_device(device):
        if a.get("excluded_by_policy", False):
            left_out.append(a["id"])
        elif a["type"] in CODE_TYPES:
            if a["key"] is None:
                raise Refused("invalid_secret")
            kept.append(normal_account(a, a["key"]))
        else:
            kept.append(normal_account(a))
    return {"accounts": kept, "left_out": left_out}


# The restore profile: spec/restore.md.

POLICIES = ("keep-both", "prefer-backup", "prefer-device")


def code_of(a):
    """What makes two code-bearing accounts identical (REQ-RESTORE-010), or None."""
    if a["type"] not in CODE_TYPES or a.get("key") is None:
        return None
    return (a["type"], a["key"], algorithm(a.get("algorithm", "SHA1")), a.get("digits", 6),
            a.get("period", 30))


def folded(text):
    """REQ-RESTORE-012: Unicode lower case, white space trimmed and runs made one space."""
    return None if text is None else " ".join(text.lower().split())


def backup_accounts(backup):
    """A payload object, read as payload.parse reads its text, with secrets as bytes."""
    doc = parse_payload(json.dumps(backup))
    for a in doc["accounts"]:
        a["key"] = bytes.fromhex(a["secret"]) if a["secret"] else None
    return doc


def matches(accounts, device):
    """REQ-RESTORE-011: for each backup account, the index of its device account and whether
    the two are identical (or None)."""
    found = [None] * len(accounts)
    taken = [False] * len(device)
    by_id = {d["id"]: i for i, d in enumerate(device)}

    def take(k, i, identical):
        found[k] = (i, identical)
        taken[i] = True

    for k, b in enumerate(accounts):  # pass 1
        i = by_id.get(b["id"])
        if i is not None and code_of(b) is not None and code_of(b) == code_of(device[i]):
            take(k, i, True)
    for k, b in enumerate(accounts):  # pass 2
        same = [i for i, d in enumerate(device) if code_of(b) is not None and code_of(d) == code_of(b)]
        if found[k] is None and same:
            take(k, next((i for i in same if not taken[i]), same[0]), True)
    for k, b in enumerate(accounts):  # pass 3
        i = by_id.get(b["id"])
        if found[k] is None and i is not None and not taken[i]:
            take(k, i, False)
    for k, b in enumerate(accounts):  # pass 4
        if found[k] is not None:
            continue
        for i, d in enumerate(device):
            if not taken[i] and d["type"] == b["type"] and folded(d.get("issuer")) == folded(b["issuer"]) \
                    and folded(d["name"]) == folded(b["name"]):
                take(k, i, False)
                break
    return found, taken


def derived_id(backup_id, account_id, in_use):
    """REQ-RESTORE-025: restored-<16 hex digits>, then -2, -3, ... while taken."""
    digest = hashlib.sha256(backup_id.encode() + b"\0" + account_id.encode()).hexdigest()[:16]
    base, n = "restored-" + digest, 1
    candidate = base
    while candidate in in_use:
        n += 1
        candidate = "%s-%d" % (base, n)
    return candidate


def device_entry(a, state, key, token):
    return {"id": a["id"], "type": a["type"], "state": state,
            "secret": key.hex() if key is not None else None, "token": token}


def plan_restore(inp):
    policy = inp["policy"]
    if policy not in POLICIES:
        raise Refused("invalid_parameter")
    doc = backup_accounts(inp["backup"])
    device = read_device(inp["device"])
    if doc["platform"] != inp["platform"]:
        raise Refused("platform_mismatch")
    accounts = doc["accounts"]
    found, taken = matches(accounts, device)
    in_use = {d["id"] for d in device}
    outcomes, places, added = [], {}, []
    for b, match in zip(accounts, found):
        code = b["type"] in CODE_TYPES
        restored_state = "ready" if code else "action_required"
        d = device[match[0]] if match else None
        if d is not None and (match[1] or not code):
            kind = "already_present"
        elif d is not None:
            kind = {"keep-both": "kept_both", "prefer-backup": "replaced", "prefer-device": "device_kept"}[policy]
        else:
            kind = "added"
        new_id = None
        if kind in ("added", "kept_both", "replaced"):
            if kind == "replaced":
                in_use.discard(d["id"])
            new_id = b["id"] if b["id"] not in in_use else derived_id(doc["backup_id"], b["id"], in_use)
            in_use.add(new_id)
            entry = device_entry(dict(b, id=new_id), restored_state, b["key"], False)
            if kind == "replaced":
                places[match[0]] = entry
            else:
                added.append(entry)
        state = restored_state if kind in ("added", "kept_both", "replaced") else d.get("state", "ready")
        outcomes.append({"id": b["id"], "outcome": kind, "state": state,
                         "device_id": d["id"] if d is not None else None,
                         "added_id": new_id if kind == "kept_both" else None})
    after = [places.get(i) or device_entry(d, d.get("state", "ready"), d["key"], "token" in d)
             for i, d in enumerate(device)] + added
    untouched = [d["id"] for i, d in enumerate(device) if not taken[i]]
    return {"outcomes": outcomes, "untouched": untouched, "device": after}


def apply_restore(inp):
    """REQ-RESTORE-040: a plan made for one device state is not applied to another."""
    if inp["device_now"] != inp["device"]:
        raise Refused("precondition_failed")
    return {"device": [a["id"] for a in plan_restore(inp)["device"]]}


def verify_backup(inp):
    """REQ-COVERAGE-001 to -004."""
    doc = backup_accounts(inp["backup"])
    by_id = {b["id"]: b for b in doc["accounts"]}
    report = []
    for d in read_device(inp["device"]):
        b = by_id.get(d["id"])
        if d.get("excluded_by_policy", False):
            coverage = "excluded_by_policy"
        elif b is None:
            coverage = "missing"
        elif b["type"] != d["type"]:
            coverage = "different"
        elif b["type"] not in CODE_TYPES:
            coverage = "placeholder"
        elif code_of(b) == code_of(d):
            coverage = "in_backup"
        else:
            coverage = "different"
        report.append({"id": d["id"], "coverage": coverage})
    safe = all(r["coverage"] not in ("missing", "different") for r in report)
    return {"safe_to_wipe": safe, "accounts": report}


# The lifecycle profile: spec/lifecycle.md, a state machine that returns effects.

RECOVERY, KEYCHAIN = "recovery_account_key", "platform_keychain"


class Failed(Exception):
    """A refused event: its code and the precondition it names (or None)."""

    def __init__(self, code, precondition=None):
        super().__init__(code)
        self.code, self.precondition = code, precondition


def storage_account(env):
    """REQ-LIFECYCLE-010 to -016: the preconditions in order, then the storage account."""
    account = env.get("recovery_account")
    if account is None:
        raise Failed("not_signed_in")
    if env["platform"] == "ios":
        apple_id = env.get("managed_apple_id") or env.get("personal_apple_id")
        if env.get("os_version", 0) < 16:
            raise Failed("precondition_failed", "os_version")
        if not env.get("icloud") or apple_id is None:
            raise Failed("precondition_failed", "icloud")
        if not env.get("icloud_keychain"):
            raise Failed("precondition_failed", "icloud_keychain")
        return apple_id
    if not account.get("personal"):
        raise Failed("precondition_failed", "personal_microsoft_account")
    return account["id"]


class Lifecycle:
    def __init__(self, auto_done):
        self.auto_done, self.on, self.outbox = auto_done, False, []

    def emit(self, effect, out):
        self.outbox.append(effect)
        out.append(effect)
        if self.auto_done:
            self.done(effect, out)

    def write(self, out):
        self.emit({"effect": "write_backup", "platform": self.platform, "storage_account": self.storage,
                   "backup_id": self.backup_id, "generation": self.generation,
                   "recipients": list(self.providers)}, out)

    def enable(self, event, out):
        self.storage = storage_account(event["env"])
        self.on, self.platform, self.backup_id = True, event["env"]["platform"], event["backup_id"]
        self.generation, self.providers, self.migration = 1, [RECOVERY], None
        self.write(out)

    def turn_off(self, out):
        self.on = False
        self.outbox = [e for e in self.outbox if e["effect"] == "delete_backup"]
        self.emit({"effect": "delete_backup", "storage_account": self.storage}, out)

    def recipient(self, kind, provider, out):
        self.emit({"effect": kind, "storage_account": self.storage, "provider": provider}, out)

    def done(self, effect, out):
        if effect not in self.outbox:
            return
        self.outbox.remove(effect)
        if not self.on or effect.get("storage_account") != self.storage:
            return
        if effect == {"effect": "add_recipient", "storage_account": self.storage, "provider": KEYCHAIN} \
                and self.migration == "adding":
            self.providers, self.migration = [RECOVERY, KEYCHAIN], "removing"
            self.recipient("remove_recipient", RECOVERY, out)
        elif effect == {"effect": "remove_recipient", "storage_account": self.storage, "provider": RECOVERY} \
                and self.migration == "removing":
            self.providers, self.migration = [KEYCHAIN], "done"

    def event(self, event):
        out, kind = [], event["event"]
        if kind == "enable" and not self.on:
            self.enable(event, out)
        elif kind == "disable" and self.on:
            self.turn_off(out)
        elif kind == "change_recovery_account":
            storage_account(event["env"])
            if self.on and event["backup_id"] == self.backup_id:
                raise Failed("invalid_parameter")
            if self.on:
                self.turn_off(out)
            self.enable(event, out)
        elif kind in ("account_added", "account_edited", "account_deleted") and self.on:
            self.generation += 1
            self.write(out)
        elif kind == "start_key_migration" and self.on:
            if self.platform != "ios":
                raise Failed("invalid_parameter")
            if self.providers == [RECOVERY] and self.migration is None:
                self.migration = "adding"
                self.recipient("add_recipient", KEYCHAIN, out)
        elif kind == "done":
            self.done(event["effect"], out)
        elif kind == "resume":
            for effect in list(self.outbox):
                out.append(effect)
                if self.auto_done:
                    self.done(effect, out)
        return out

    def state(self):
        if not self.on:
            return {"on": False, "pending": len(self.outbox)}
        return {"on": True, "storage_account": self.storage, "backup_id": self.backup_id,
                "generation": self.generation, "recipients": list(self.providers),
                "pending": len(self.outbox)}


def run_lifecycle(inp):
    machine, results = Lifecycle(inp.get("auto_done", True)), []
    for event in inp["events"]:
        saved = copy.deepcopy(machine.__dict__)
        try:
            results.append({"effects": machine.event(event)})
        except Failed as failed:
            machine.__dict__ = saved  # REQ-LIFECYCLE-001: a refused event changes nothing
            results.append({"error": failed.code, "precondition": failed.precondition})
    return {"results": results, "state": machine.state()}


def handle(op, inp):
    if op == "hotp.generate":
        return {"code": hotp(key_from_hex(inp["secret"]), algorithm(inp["algorithm"]), digits(inp["digits"]), inp["counter"])}
    if op == "totp.generate":
        key, alg, d = key_from_hex(inp["secret"]), algorithm(inp["algorithm"]), digits(inp["digits"])
        return {"code": hotp(key, alg, d, totp_step(inp))}
    if op == "totp.batch":
        return batch(inp)
    if op == "totp.batch_timed":
        return batch(inp, timed=True)
    if op == "totp.verify_timing":
        return verify_timing(inp)
    if op == "totp.verify":
        return verify(inp)
    if op == "secret.decode":
        return {"secret": base32_secret(inp["text"]).hex()}
    if op == "uri.parse":
        return parse_uri(inp["uri"])
    if op == "uri.emit":
        return {"uri": emit_uri(inp["account"])}
    if op == "payload.parse":
        return parse_payload(inp["payload"])
    if op == "backup.build":
        return build_backup(inp["device"])
    if op == "restore.plan":
        return plan_restore(inp)
    if op == "restore.apply":
        return apply_restore(inp)
    if op == "backup.verify":
        return verify_backup(inp)
    if op == "lifecycle.run":
        return run_lifecycle(inp)
    if op.startswith("container."):
        return container_operation(op, inp)
    return None


def container_operation(op, inp):
    """The container profile lives in abf_container.py: it needs the `cryptography` package."""
    try:
        import abf_container
    except ImportError:
        return None
    operation = abf_container.OPERATIONS.get(op)
    return operation(inp) if operation else None


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            print(json.dumps({"id": None, "error": "malformed"}), flush=True)
            continue
        rid = request.get("id")
        try:
            result = handle(request.get("op"), request.get("input") or {})
            response = {"id": rid, "unsupported": True} if result is None else {"id": rid, "ok": result}
        except Refused as refused:
            response = {"id": rid, "error": refused.code}
        print(json.dumps(response, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    # Run as the module `adapter`, the one abf_container.py imports, so that both raise and
    # catch the same Refused.
    import adapter

    adapter.main()
