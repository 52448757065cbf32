"""Private keys in binary files: PKCS#12 bundles and Java key stores that hold a key, and DER-encoded keys.

Text rules never see these (a `.p12`, `.jks` or `.der` file is binary), yet they are the same leak as a PEM
`BEGIN PRIVATE KEY` block. Only a file whose whole structure parses as one of these formats counts, and a key
store counts only with a private or secret key entry in it: certificate-only stores (a JDK's `cacerts`, a
truststore) are public material.
"""

from __future__ import annotations

import hashlib
import struct

MAX_BYTES = 1 << 20  # key stores and keys are a few KiB; anything larger is not read

_JKS = b"\xfe\xed\xfe\xed"
_JCEKS = b"\xce\xce\xce\xce"
# OIDs (DER contents bytes)
_PKCS7_DATA = bytes.fromhex("2a864886f70d010701")
_KEY_BAGS = (bytes.fromhex("2a864886f70d010c0a0101"), bytes.fromhex("2a864886f70d010c0a0102"))  # key, shrouded key
_KEY_ALGORITHMS = tuple(bytes.fromhex(h) for h in (
    "2a864886f70d010101",  # rsaEncryption
    "2a864886f70d01010a",  # RSASSA-PSS
    "2a8648ce3d0201",  # id-ecPublicKey
    "2a8648ce380401",  # DSA
    "2b6570", "2b6571", "2b656e", "2b656f",  # Ed25519, Ed448, X25519, X448
))
_ENCRYPTION_SCHEMES = (bytes.fromhex("2a864886f70d01050d"), bytes.fromhex("2a864886f70d010c01"))  # PBES2, PKCS#12 PBE

# rule id -> description (the ids `imgforge scan` reports, next to the text rules' ids)
KINDS = {
    "pkcs12-private-key": "PKCS#12 bundle (.p12/.pfx) holding a private key",
    "java-keystore-private-key": "Java key store (JKS/JCEKS) holding a private or secret key",
    "der-private-key": "DER-encoded private key",
}


def may_hold_key(head: bytes, size: int) -> bool:
    """Whether a binary file's first bytes can start one of these formats (cheap: the scan asks for every binary)."""
    return size <= MAX_BYTES and (head[:1] == b"\x30" or head[:4] in (_JKS, _JCEKS))


def find_key(data: bytes) -> tuple[str, str] | None:
    """(rule id, fingerprint material) when `data` is a key store with a key in it or a DER private key."""
    if len(data) > MAX_BYTES:
        return None
    if data[:4] in (_JKS, _JCEKS):
        return ("java-keystore-private-key", _digest(data)) if _java_store_has_key(data) else None
    outer = _tlv(data, 0)
    if outer is None or outer[0] != 0x30 or outer[2] != len(data):
        return None  # not one whole DER SEQUENCE
    body = outer[1]
    if _is_pkcs12_with_key(data, body):
        return "pkcs12-private-key", _digest(data)
    if _is_der_key(data, body):
        return "der-private-key", _digest(data)
    return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tlv(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, start of contents, end of contents) of the DER element at `pos`, or None when it does not fit."""
    if pos + 2 > len(data):
        return None
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or pos + count > len(data):
            return None  # indefinite (BER) or absurd lengths
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    return (tag, pos, end) if end <= len(data) else None


def _children(data: bytes, start: int, end: int, most: int = 4) -> list[tuple[int, int, int]]:
    """The first `most` elements inside [start, end)."""
    out: list[tuple[int, int, int]] = []
    pos = start
    while pos < end and len(out) < most:
        el = _tlv(data, pos)
        if el is None or el[2] > end:
            break
        out.append(el)
        pos = el[2]
    return out


def _is_pkcs12_with_key(data: bytes, body: int) -> bool:
    # PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
    kids = _children(data, body, len(data), 2)
    if len(kids) < 2 or data[kids[0][1] - 2:kids[0][2]] != b"\x02\x01\x03" or kids[1][0] != 0x30:
        return False
    info = _children(data, kids[1][1], kids[1][2], 1)
    if not info or info[0][0] != 0x06 or data[info[0][1]:info[0][2]] != _PKCS7_DATA:
        return False
    # A key bag in a plain (unencrypted) safe shows its OID; the key itself is shrouded or not, a leak either way.
    return any(b"\x06" + bytes([len(oid)]) + oid in data for oid in _KEY_BAGS)


def _is_der_key(data: bytes, body: int) -> bool:
    kids = _children(data, body, len(data), 3)
    if len(kids) < 2:
        return False
    first = data[kids[0][1] - 2:kids[0][2]]
    if first == b"\x02\x01\x00" and kids[1][0] == 0x02 and kids[1][2] - kids[1][1] >= 64:
        return True  # PKCS#1 RSAPrivateKey: version 0, then the modulus (at least 512 bits)
    if first in (b"\x02\x01\x00", b"\x02\x01\x01") and kids[1][0] == 0x30 and len(kids) == 3 and kids[2][0] == 0x04:
        algorithm = _children(data, kids[1][1], kids[1][2], 1)  # PKCS#8 PrivateKeyInfo / OneAsymmetricKey
        return bool(algorithm) and data[algorithm[0][1]:algorithm[0][2]] in _KEY_ALGORITHMS
    if first == b"\x02\x01\x01" and kids[1][0] == 0x04 and 16 <= kids[1][2] - kids[1][1] <= 72:
        return len(kids) == 3 and kids[2][0] in (0xA0, 0xA1)  # SEC1 ECPrivateKey: version 1, key, [0]/[1]
    if kids[0][0] == 0x30 and kids[1][0] == 0x04 and len(kids) == 2:  # EncryptedPrivateKeyInfo
        scheme = _children(data, kids[0][1], kids[0][2], 1)
        return bool(scheme) and scheme[0][0] == 0x06 and any(
            data[scheme[0][1]:scheme[0][2]].startswith(oid) for oid in _ENCRYPTION_SCHEMES)
    return False


def _java_store_has_key(data: bytes) -> bool:
    """Walk a JKS/JCEKS store's entries: 1 is a private key, 3 (JCEKS) a secret key, 2 a trusted certificate."""
    try:
        version, count = struct.unpack_from(">II", data, 4)
        if version not in (1, 2) or count > 10_000:
            return False
        pos = 12
        for _ in range(count):
            (tag,) = struct.unpack_from(">I", data, pos)
            if tag in (1, 3):
                return True
            if tag != 2:
                return False
            pos = _skip_utf(data, pos + 4) + 8  # alias, then the creation date
            if version == 2:
                pos = _skip_utf(data, pos)  # certificate type ("X.509")
            (length,) = struct.unpack_from(">I", data, pos)
            pos += 4 + length
            if pos > len(data):
                return False
    except struct.error:
        return False
    return False


def _skip_utf(data: bytes, pos: int) -> int:
    length: int = struct.unpack_from(">H", data, pos)[0]
    return pos + 2 + length
