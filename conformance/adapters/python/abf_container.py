"""The container profile of the example adapter: spec/container.md on the `cryptography` package.

Written from spec/container.md and RFC 7516/7518 alone, with `cryptography` for AES-GCM, AES
key wrap, P-256 and the two key derivations (the standard library has none of them), and
Python's json for the text, read as REQ-CONTAINER-003 asks. adapter.py imports it on the
first container operation; without `cryptography` those operations answer "unsupported".
"""

import base64
import hashlib
import json
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from adapter import (
    DECIMAL, OtherNumber, Refused, check_length, is_control, is_text, is_u64, json_object,
    parse_payload, refuse, require,
)

MAX_CONTAINER = 64 * 1024 * 1024
MAX_HEADER = 4096
MAX_RECIPIENTS = 16
P2C_MIN, P2C_MAX = 210_000, 1_000_000
A256KW, ECDH, PBES2 = "A256KW", "ECDH-ES+A256KW", "PBES2-HS512+A256KW"
CONTAINER_MEMBERS = {"protected", "recipients", "iv", "ciphertext", "tag"}
HEADER_MEMBERS = ("typ", "cty", "enc", "abf_version", "platform", "backup_id", "generation", "created")
RECIPIENT_MEMBERS = {A256KW: {"alg", "kid"}, ECDH: {"alg", "kid", "epk"}, PBES2: {"alg", "kid", "p2s", "p2c"}}
P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
B64URL = re.compile(r"[A-Za-z0-9_-]*\Z")


class SignedInteger:
    """A JSON integer with a sign (`-1`, `-0`): an integer for p2c, not for the header."""

    def __init__(self, text):
        self.value = int(text)


def load(text):
    """RFC 8259 JSON with repeated members seen and integers kept as written; a lone
    surrogate escape in any name or string is malformed at once (REQ-CONTAINER-003), before
    any check of what the members hold."""
    try:
        doc = json.loads(text, object_pairs_hook=json_object, parse_constant=refuse,
                         parse_int=lambda t: int(t) if DECIMAL.match(t) else SignedInteger(t),
                         parse_float=lambda t: OtherNumber())
    except (ValueError, RecursionError):
        raise Refused("malformed")
    require(all_text(doc))
    return doc


def all_text(v):
    """No lone surrogate in any member name or string of `v`."""
    if isinstance(v, str):
        return is_text(v)
    if isinstance(v, dict):
        return all(is_text(k) and all_text(x) for k, x in v.items())
    if isinstance(v, list):
        return all(all_text(x) for x in v)
    return True


def b64url(text):
    """Unpadded base64url with zero unused bits (RFC 4648 section 5), or None."""
    if not isinstance(text, str) or not B64URL.match(text) or len(text) % 4 == 1:
        return None
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return data if b64(data) == text else None


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def is_object(v):
    return isinstance(v, dict) and not v.repeated


# Section 5: keys.

class Key:
    """A checked JWK (REQ-CONTAINER-060): its algorithm, key id and key material."""

    def __init__(self, jwk):
        if not isinstance(jwk, dict) or jwk.get("use", "enc") != "enc":
            raise Refused("invalid_parameter")
        kty = jwk.get("kty")
        self.alg = {"oct": A256KW, "EC": ECDH}.get(kty) if isinstance(kty, str) else None
        if self.alg is None or jwk.get("alg", self.alg) != self.alg:
            raise Refused("invalid_parameter")
        if self.alg == A256KW:
            self.k = b64url(jwk.get("k"))
            if self.k is None or len(self.k) != 32:
                raise Refused("invalid_parameter")
            members = {"k": jwk["k"], "kty": "oct"}
        else:
            if jwk.get("crv") != "P-256":
                raise Refused("invalid_parameter")
            self.public = p256_point(jwk.get("x"), jwk.get("y"), "invalid_parameter")
            self.d = None
            if "d" in jwk:
                d = b64url(jwk["d"])
                if d is None or len(d) != 32:
                    raise Refused("invalid_parameter")
                self.d = private_key_of(int.from_bytes(d, "big"), self.public)
            members = {"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
        kid = jwk.get("kid")
        if "kid" not in jwk:
            # RFC 7638: the required members in lexicographic order, no white space.
            canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
            kid = b64(hashlib.sha256(canonical.encode()).digest())
        if not valid_kid(kid):
            raise Refused("invalid_parameter")
        self.kid = kid

    def wrap(self, cek):
        if self.alg == A256KW:
            return {"alg": A256KW, "kid": self.kid}, aes_key_wrap(self.k, cek)
        ephemeral = ec.generate_private_key(ec.SECP256R1())
        numbers = ephemeral.public_key().public_numbers()
        epk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x.to_bytes(32, "big")),
               "y": b64(numbers.y.to_bytes(32, "big"))}
        kek = ecdh_kek(ephemeral, self.public)
        return {"alg": ECDH, "kid": self.kid, "epk": epk}, aes_key_wrap(kek, cek)

    def unwrap(self, header, wrapped):
        if self.alg == A256KW:
            return unwrap(self.k, wrapped)
        if self.d is None:
            raise Refused("invalid_parameter")
        return unwrap(ecdh_kek(self.d, header["epk_point"]), wrapped)


class Passphrase:
    """An offline passphrase: PBES2-HS512+A256KW under the kid `passphrase`."""

    alg, kid = PBES2, "passphrase"

    def __init__(self, text):
        # REQ-CONTAINER-062: the text's UTF-8 bytes as given, never trimmed or normalised.
        if not isinstance(text, str) or not text:
            raise Refused("invalid_parameter")
        self.secret = text.encode("utf-8", "surrogatepass")
        self.p2c = None

    def kek(self, p2s, p2c):
        salt = PBES2.encode() + b"\0" + p2s
        return hashlib.pbkdf2_hmac("sha512", self.secret, salt, p2c, 32)

    def wrap(self, cek):
        p2s = os.urandom(16)
        header = {"alg": PBES2, "kid": self.kid, "p2s": b64(p2s), "p2c": self.p2c}
        return header, aes_key_wrap(self.kek(p2s, self.p2c), cek)

    def unwrap(self, header, wrapped):
        return unwrap(self.kek(header["p2s_bytes"], header["p2c"]), wrapped)


def valid_kid(kid):
    """REQ-CONTAINER-023: 1 to 128 bytes without control characters."""
    return is_text(kid) and 1 <= len(kid.encode()) <= 128 and not any(is_control(c) for c in kid)


def private_key_of(d, public):
    """REQ-CONTAINER-060: d from 1 to n - 1, and the private key of the key's x and y."""
    try:
        private = ec.derive_private_key(d, ec.SECP256R1())
    except ValueError:
        raise Refused("invalid_parameter")
    if private.public_key().public_numbers() != public.public_numbers():
        raise Refused("invalid_parameter")
    return private


def unwrap(kek, wrapped):
    try:
        cek = aes_key_unwrap(kek, wrapped)
    except (InvalidUnwrap, ValueError):
        raise Refused("decryption_failed")
    if len(cek) != 32:
        raise Refused("decryption_failed")
    return cek


def ecdh_kek(private, public):
    """RFC 7518 section 4.6.2: Concat KDF over Z, AlgorithmID the alg, no apu or apv."""
    z = private.exchange(ec.ECDH(), public)
    alg = ECDH.encode()
    other = len(alg).to_bytes(4, "big") + alg + bytes(8) + (256).to_bytes(4, "big")
    return ConcatKDFHash(hashes.SHA256(), 32, other).derive(z)


def p256_point(x_text, y_text, code):
    """REQ-CONTAINER-026: 32-byte coordinates below p, on the curve, never reduced."""
    x, y = b64url(x_text), b64url(y_text)
    if x is None or y is None or len(x) != 32 or len(y) != 32:
        raise Refused(code)
    x, y = int.from_bytes(x, "big"), int.from_bytes(y, "big")
    if x >= P256_P or y >= P256_P:
        raise Refused(code)
    try:
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise Refused(code)


def credential(inp):
    """REQ-CONTAINER-061: the key is checked before the container."""
    if "passphrase" in inp:
        return Passphrase(inp["passphrase"])
    key = Key(inp.get("key"))
    if key.alg == ECDH and key.d is None:
        raise Refused("invalid_parameter")
    return key


# Section 2: reading a container, every check before any key is used.

def read(text):
    """REQ-CONTAINER-001 to -028 in their order; the container's parts, decoded."""
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_CONTAINER:
        raise Refused("too_large")
    doc = load(text)
    require(is_object(doc) and set(doc) == CONTAINER_MEMBERS)
    require(all(is_text(doc[k]) for k in ("protected", "iv", "ciphertext", "tag")))
    require(isinstance(doc["recipients"], list))
    for r in doc["recipients"]:
        require(is_object(r) and set(r) == {"header", "encrypted_key"})
        require(is_object(r["header"]) and is_text(r["encrypted_key"]))
    if not doc["recipients"]:
        raise Refused("malformed")
    if len(doc["recipients"]) > MAX_RECIPIENTS:
        raise Refused("too_large")
    header = protected_header(doc["protected"])
    recipients, kids = [], set()
    for r in doc["recipients"]:
        recipients.append(recipient(r, kids))
    require(sum(r["alg"] == PBES2 for r in recipients) <= 1)
    iv, ciphertext, tag = b64url(doc["iv"]), b64url(doc["ciphertext"]), b64url(doc["tag"])
    require(iv is not None and len(iv) == 12 and ciphertext is not None)
    require(tag is not None and len(tag) == 16)
    return {"doc": doc, "header": header, "recipients": recipients,
            "iv": iv, "ciphertext": ciphertext, "tag": tag}


def protected_header(text):
    """REQ-CONTAINER-010 to -016."""
    data = b64url(text)
    require(data is not None)
    if len(data) > MAX_HEADER:
        raise Refused("too_large")
    try:
        h = load(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused("malformed")
    require(is_object(h))
    version = h.get("abf_version")
    require(is_u64(version))
    if version != 1:
        raise Refused("unsupported_version")
    if "zip" in h:
        raise Refused("algorithm_not_allowed")
    require("enc" in h)
    if h["enc"] != "A256GCM":
        raise Refused("algorithm_not_allowed")
    require(set(h) <= set(HEADER_MEMBERS))
    require(h.get("typ") == "abf+jwe" and h.get("cty") == "abf-payload+json")
    require(is_text(h.get("platform")) and is_text(h.get("backup_id")))
    require(is_u64(h.get("generation")) and is_u64(h.get("created")))
    if h["platform"] not in ("ios", "android"):
        raise Refused("invalid_parameter")
    check_length(h["backup_id"], 64)
    if h["generation"] < 1:
        raise Refused("invalid_parameter")
    return h


def recipient(r, kids):
    """REQ-CONTAINER-020, -021, -023, -025 to -027 for one recipient."""
    h = r["header"]
    if "zip" in h:
        raise Refused("algorithm_not_allowed")
    alg = h.get("alg")
    require(is_text(alg))
    if alg not in RECIPIENT_MEMBERS:
        raise Refused("algorithm_not_allowed")
    require(set(h) <= RECIPIENT_MEMBERS[alg])
    kid = h.get("kid")
    require(valid_kid(kid) and kid not in kids)
    kids.add(kid)
    checked = {"alg": alg, "kid": kid, "p2c": None, "header": h}
    if alg == PBES2:
        p2c = h.get("p2c")
        require(isinstance(p2c, (int, SignedInteger)) and not isinstance(p2c, bool))
        p2c = p2c.value if isinstance(p2c, SignedInteger) else p2c
        if not P2C_MIN <= p2c <= P2C_MAX:
            raise Refused("kdf_params_out_of_range")
        p2s = b64url(h.get("p2s")) if is_text(h.get("p2s")) else None
        require(p2s is not None)
        if not 16 <= len(p2s) <= 64:
            raise Refused("kdf_params_out_of_range")
        checked.update(p2c=p2c, p2s_bytes=p2s)
    if alg == ECDH:
        epk = h.get("epk")
        require(is_object(epk) and set(epk) == {"kty", "crv", "x", "y"})
        require(epk["kty"] == "EC" and epk["crv"] == "P-256")
        checked["epk_point"] = p256_point(epk["x"], epk["y"], "malformed")
    wrapped = b64url(r["encrypted_key"])
    require(wrapped is not None and len(wrapped) == 40)
    checked["wrapped"] = wrapped
    return checked


# Section 3: opening.

def content_key(parts, cred):
    """REQ-CONTAINER-030, -031: the one recipient of this credential's kid and algorithm."""
    for r in parts["recipients"]:
        if r["kid"] == cred.kid and r["alg"] == cred.alg:
            return cred.unwrap(r, r["wrapped"])
    raise Refused("decryption_failed")


def decrypt(parts, cek):
    """REQ-CONTAINER-032: AES-256-GCM, the protected member's ASCII bytes as AAD."""
    aad = parts["doc"]["protected"].encode("ascii")
    try:
        return AESGCM(cek).decrypt(parts["iv"], parts["ciphertext"] + parts["tag"], aad)
    except InvalidTag:
        raise Refused("decryption_failed")


def payload_of(parts, plaintext):
    """REQ-CONTAINER-040: a valid payload agreeing with the protected header."""
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("malformed")
    payload = parse_payload(text)
    require(all(payload[k] == parts["header"][k] for k in ("platform", "backup_id", "generation", "created")))
    return payload


def open_container(inp):
    cred = credential(inp)
    parts = read(inp["container"])
    return payload_of(parts, decrypt(parts, content_key(parts, cred)))


def inspect(inp):
    parts = read(inp["container"])
    h = parts["header"]
    return {"platform": h["platform"], "backup_id": h["backup_id"], "generation": h["generation"],
            "created": h["created"],
            "recipients": [{"alg": r["alg"], "kid": r["kid"], "p2c": r["p2c"]} for r in parts["recipients"]]}


# Section 4: writing.

def canonical_payload(payload):
    """REQ-PAYLOAD-030 from a payload the reader accepts (REQ-CONTAINER-054 first)."""
    checked = parse_payload(json.dumps(payload))
    accounts = []
    for a in checked["accounts"]:
        if a["secret"] is None:
            accounts.append({"id": a["id"], "type": a["type"], "name": a["name"]})
            continue
        account = {"id": a["id"], "type": a["type"]}
        if a["issuer"] is not None:
            account["issuer"] = a["issuer"]
        secret = base64.b32encode(bytes.fromhex(a["secret"])).decode().rstrip("=")
        account.update(name=a["name"], secret=secret, algorithm=a["algorithm"],
                       digits=a["digits"], period=a["period"])
        accounts.append(account)
    return {"version": 1, "platform": checked["platform"], "backup_id": checked["backup_id"],
            "generation": checked["generation"], "created": checked["created"], "accounts": accounts}


def writer(spec):
    """One recipient of container.seal: a key, or a passphrase with its p2c."""
    if isinstance(spec, dict) and "passphrase" in spec:
        passphrase, p2c = Passphrase(spec["passphrase"]), spec.get("p2c")
        if not is_u64(p2c) or not P2C_MIN <= p2c <= P2C_MAX:
            raise Refused("kdf_params_out_of_range")
        passphrase.p2c = p2c
        return passphrase
    return Key(spec.get("key") if isinstance(spec, dict) else None)


def seal(inp):
    """REQ-CONTAINER-050 to -054, refusing in the order of REQ-CONTAINER-054."""
    payload = canonical_payload(inp["payload"])
    specs = inp["recipients"]
    if not specs:
        raise Refused("invalid_parameter")
    if len(specs) > MAX_RECIPIENTS:
        raise Refused("too_large")
    writers = [writer(s) for s in specs]
    if len({w.kid for w in writers}) != len(writers):
        raise Refused("invalid_parameter")
    header = {"typ": "abf+jwe", "cty": "abf-payload+json", "enc": "A256GCM", "abf_version": 1}
    header.update((k, payload[k]) for k in ("platform", "backup_id", "generation", "created"))
    protected = b64(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode())
    cek, iv = os.urandom(32), os.urandom(12)
    plaintext = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    sealed = AESGCM(cek).encrypt(iv, plaintext, protected.encode("ascii"))
    doc = {"protected": protected, "recipients": [recipient_entry(w, cek) for w in writers],
           "iv": b64(iv), "ciphertext": b64(sealed[:-16]), "tag": b64(sealed[-16:])}
    return {"container": json.dumps(doc, ensure_ascii=False)}


def recipient_entry(w, cek):
    header, wrapped = w.wrap(cek)
    return {"header": header, "encrypted_key": b64(wrapped)}


def add_recipient(inp):
    """REQ-CONTAINER-053: every check first, then open with an existing key and wrap the same
    content key once more."""
    cred = credential(inp)
    new = Key(inp.get("new_key"))
    parts = read(inp["container"])
    if any(r["kid"] == new.kid for r in parts["recipients"]):
        raise Refused("invalid_parameter")
    if len(parts["recipients"]) >= MAX_RECIPIENTS:
        raise Refused("too_large")
    cek = content_key(parts, cred)
    decrypt(parts, cek)  # authenticated; the payload itself is not read
    doc = parts["doc"]
    doc["recipients"].append(recipient_entry(new, cek))
    return {"container": json.dumps(doc, ensure_ascii=False)}


def remove_recipient(inp):
    """REQ-CONTAINER-053: drop one recipient, never the last, by its exact kid."""
    parts = read(inp["container"])
    doc, kid = parts["doc"], inp.get("kid")
    kept = [r for r in doc["recipients"] if r["header"]["kid"] != kid]
    if len(kept) == len(doc["recipients"]) or not kept:
        raise Refused("invalid_parameter")
    doc["recipients"] = kept
    return {"container": json.dumps(doc, ensure_ascii=False)}


OPERATIONS = {
    "container.open": open_container,
    "container.inspect": inspect,
    "container.seal": seal,
    "container.add_recipient": add_recipient,
    "container.remove_recipient": remove_recipient,
}
