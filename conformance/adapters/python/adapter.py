#!/usr/bin/env python3
"""An example ABF conformance adapter in plain Python 3 (standard library only).

It speaks the stdio adapter protocol of spec/adapter-protocol.md: one JSON request per line
on stdin, one JSON response per line on stdout. It implements the hotp, totp, secret and uri
profiles and answers "unsupported" for every other operation, so the runner skips those
profiles. Run it with:

    authbackup-conformance run --impl-cmd 'python3 conformance/adapters/python/adapter.py'
"""

import base64
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
    for known in HASHES:
        if isinstance(name, str) and name.upper() == known:
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
    return None


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
    main()
