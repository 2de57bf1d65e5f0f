#!/usr/bin/env python3
"""The conformance adapter of pyotp: it translates the stdio adapter protocol
(spec/adapter-protocol.md) into calls of pyotp's public API, and nothing more. Codes, base32
decoding and Key URIs are pyotp's; the adapter only converts the protocol's hex secrets to
the base32 text pyotp takes (with the standard library's encoder), names hash functions, and
turns pyotp's exceptions into error answers. What pyotp cannot express (a T0 other than 0)
is answered `unsupported`.
"""

import base64
import binascii
import hashlib
import json
import sys
import time

import pyotp
import pyotp.exceptions

HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
NAMES = {"sha1": "SHA1", "sha256": "SHA256", "sha512": "SHA512"}


class Refused(Exception):
    """An error answer with a code of spec/errors.md."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Unsupported(Exception):
    """pyotp has no way to do what the request asks."""


def digest(name):
    """The hash function a protocol algorithm name stands for (pyotp takes functions)."""
    if not isinstance(name, str) or name.upper() not in HASHES:
        raise Refused("invalid_parameter")
    return HASHES[name.upper()]


def b32(hex_secret):
    """The protocol's hex secret as the base32 text pyotp's constructors take."""
    return base64.b32encode(bytes.fromhex(hex_secret)).decode().rstrip("=")


def otp(kind, inp, **params):
    """A pyotp HOTP or TOTP object; pyotp's refusals become error answers."""
    try:
        return kind(b32(inp["secret"]), digits=inp["digits"], digest=digest(inp["algorithm"]), **params)
    except (ValueError, binascii.Error) as e:
        raise Refused("invalid_secret" if "ecret" in str(e) or isinstance(e, binascii.Error) else "invalid_parameter")


def totp(inp):
    if inp["t0"] != 0:
        raise Unsupported()  # pyotp counts steps from the Unix epoch only
    if inp["period"] < 1:
        raise Refused("invalid_parameter")  # pyotp divides by the interval
    return otp(pyotp.TOTP, inp, interval=inp["period"])


def generate(totp_object, time_):
    try:
        return totp_object.at(time_)
    except (ValueError, OverflowError, OSError):
        raise Refused("invalid_parameter")


def verify(inp):
    try:
        step = totp(inp).verify_and_get_timecode(inp["candidate"], for_time=inp["time"], valid_window=inp["window"])
    except pyotp.exceptions.OTPVerificationError:
        step = None
    except (ValueError, OverflowError, OSError):
        raise Refused("invalid_parameter")
    return {"step": step}


def verify_timing(inp):
    t = totp(inp)
    ns = []
    for c in inp["order"]:
        candidate = inp["candidates"][int(c)]
        start = time.perf_counter_ns()
        try:
            t.verify(candidate, for_time=inp["time"], valid_window=inp["window"])
        except ValueError:
            raise Refused("invalid_parameter")
        ns.append(time.perf_counter_ns() - start)
    return {"ns": ns}


def parse_uri(uri):
    try:
        o = pyotp.parse_uri(uri)
        secret = o.byte_secret().hex()
    except (ValueError, binascii.Error, TypeError, KeyError):
        raise Refused("malformed")
    hotp = isinstance(o, pyotp.HOTP)
    return {
        "type": "hotp" if hotp else "totp",
        "issuer": o.issuer,
        "name": o.name,
        "secret": secret,
        "algorithm": NAMES.get(o.digest().name, o.digest().name),
        "digits": o.digits,
        ("counter" if hotp else "period"): o.initial_count if hotp else o.interval,
    }


def emit_uri(a):
    params = {"name": a["name"], "issuer": a["issuer"]}
    if a["type"] == "hotp":
        o = otp(pyotp.HOTP, a, **params)
        return {"uri": o.provisioning_uri(initial_count=a["counter"])}
    o = otp(pyotp.TOTP, a, interval=a["period"], **params)
    return {"uri": o.provisioning_uri()}


def decode(text):
    try:
        return {"secret": pyotp.TOTP(text).byte_secret().hex()}
    except (ValueError, binascii.Error, TypeError):
        raise Refused("invalid_secret")


def handle(op, inp):
    if op == "hotp.generate":
        return {"code": generate(otp(pyotp.HOTP, inp), inp["counter"])}
    if op == "totp.generate":
        return {"code": generate(totp(inp), inp["time"])}
    if op == "totp.batch":
        objects = [otp(pyotp.TOTP, dict(inp, secret=s), interval=inp["period"]) for s in inp["secrets"]]
        return {"codes": [generate(o, inp["time"]) for o in objects]}
    if op == "totp.verify":
        return verify(inp)
    if op == "totp.verify_timing":
        return verify_timing(inp)
    if op == "secret.decode":
        return decode(inp["text"])
    if op == "uri.parse":
        return parse_uri(inp["uri"])
    if op == "uri.emit":
        return emit_uri(inp["account"])
    raise Unsupported()


def main():
    for line in sys.stdin:
        request = json.loads(line)
        rid = request["id"]
        try:
            response = {"id": rid, "ok": handle(request["op"], request["input"])}
        except Refused as refused:
            response = {"id": rid, "error": refused.code}
        except Unsupported:
            response = {"id": rid, "unsupported": True}
        print(json.dumps(response, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
