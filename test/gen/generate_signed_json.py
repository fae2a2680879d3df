#!/usr/bin/env python3
"""Generate test/vectors/signed-json.json: Matrix signed-JSON fixtures from an independent
implementation (Python `canonicaljson`, the library Synapse uses, and PyNaCl / libsodium).

Run from the repository root in a throwaway virtualenv:

    python3 -m venv /tmp/xsd-venv
    /tmp/xsd-venv/bin/pip install canonicaljson pynacl
    /tmp/xsd-venv/bin/python test/gen/generate_signed_json.py

The output is deterministic (Ed25519 signatures are deterministic), so re-running it must not
change the committed file. Signing follows matrix-spec appendices §Signing JSON: drop `signatures`
and `unsigned`, canonicalise, sign, store unpadded base64 under signatures[entity][key id], keep the
other signatures and re-attach `unsigned`.
"""

import base64
import copy
import json
import pathlib

from canonicaljson import encode_canonical_json
from nacl.public import PrivateKey
from nacl.signing import SigningKey

OUT = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "signed-json.json"

# Seeds from element-hq/synapse:tests/handlers/test_e2e_keys.py:test_upload_signatures, plus the
# spec signing key (appendices §Cryptographic Test Vectors), whose seed has non-zero trailing bits.
SEEDS = {
    "device": "OMkooTr76ega06xNvXIGPbgvvxAOzmQncN8VObS7aBA",
    "master": "2lonYOM6xYKdEsO+6KrC766xBcHnYnim1x/4LFGF8B0",
    "user_signing": "4TL4AjRYwDVwD3pqQzcor+ez/euOB1/q78aTJ+czDNs",
    "self_signing": "HvQBbU+hc2Zr+JP1sE0XwBe1pfZZEYtJNPJLZJtS+F8",
    "other_master": "oyw2ZUx0O4GifbfFYM0nQvj9CL0b8B7cyN4FprtK8OI",
    "spec": "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1",
}

ALICE = "@alice:example.org"
BOB = "@bob:example.org"
DEVICE_ID = "xyz"


def b64decode(text):
    # Lenient like the spec expects: accept unpadded input and ignore non-zero trailing bits.
    return base64.b64decode(text + "=" * (-len(text) % 4))


def b64encode(data):
    return base64.b64encode(data).decode("ascii").rstrip("=")


def signing_key(role):
    return SigningKey(b64decode(SEEDS[role]))


def public_key(role):
    return b64encode(signing_key(role).verify_key.encode())


def signing_bytes(obj):
    stripped = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    return encode_canonical_json(stripped)


def sign(obj, role, entity, key_id):
    """Return (signed copy, canonical text, signature) without touching `obj`."""
    message = signing_bytes(obj)
    signature = b64encode(signing_key(role).sign(message).signature)
    signed = copy.deepcopy(obj)
    signed.setdefault("signatures", {}).setdefault(entity, {})[key_id] = signature
    return signed, message.decode("utf-8"), signature


def case(name, obj, role, entity, key_id):
    signed, canonical, signature = sign(obj, role, entity, key_id)
    return {
        "name": name,
        "signer": {
            "entity": entity,
            "keyId": key_id,
            "role": role,
            "seed": SEEDS[role],
            "publicKey": public_key(role),
        },
        "input": obj,
        "canonical": canonical,
        "signature": signature,
        "signed": signed,
    }


def main():
    master_pub = public_key("master")
    self_signing_pub = public_key("self_signing")

    device_keys = {
        "user_id": ALICE,
        "device_id": DEVICE_ID,
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {
            "curve25519:" + DEVICE_ID: "3C5BFWi2Y8MaVvjM8M22DBmh24PmgR0nPvJOIArzgyI",
            "ed25519:" + DEVICE_ID: public_key("device"),
        },
        "unsigned": {"device_display_name": "Alice\u2019s \U0001F4F1 ph\u00f6ne \u2014 \u65e5\u672c\u8a9e"},
    }
    device_self_signed, _, _ = sign(device_keys, "device", ALICE, "ed25519:" + DEVICE_ID)

    # A master key that already carries two signatures (Alice's device, and a self-signature), now
    # signed by Bob's master key: both existing signatures must survive.
    master_key = {
        "user_id": ALICE,
        "usage": ["master"],
        "keys": {"ed25519:" + master_pub: master_pub},
    }
    master_key, _, _ = sign(master_key, "device", ALICE, "ed25519:" + DEVICE_ID)
    master_key, _, _ = sign(master_key, "master", ALICE, "ed25519:" + master_pub)

    self_signing_key = {
        "user_id": ALICE,
        "usage": ["self_signing"],
        "keys": {"ed25519:" + self_signing_pub: self_signing_pub},
    }

    nested = {
        "\U0001F600": {"\uff5e": 1, "\U00010000": [2, {"\U0010FFFF": None, "\ue000": True}], "z": False},
        "\uffff": "astral sorts after U+FFFF by code point",
        "a": {"b": {"c": {"d": ["deep", -9007199254740991, 9007199254740991, 0]}}},
        "escapes": "\u0000\u0001\u001f\u007f\u2028\u2029/\\\"\b\t\n\f\r",
        "unsigned": {"age": 1234, "note": "\U0001F512 excluded from the signature"},
    }

    backup_auth_data = {
        # Curve25519 public key of RFC 7748 §6.1 Alice's private key.
        "public_key": b64encode(
            PrivateKey(bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")).public_key.encode()
        ),
        "signatures": {ALICE: {"ed25519:" + DEVICE_ID: "this is not checked here, it is just kept"}},
    }

    cases = [
        case("spec example: empty object", {}, "spec", "domain", "ed25519:1"),
        case("spec example: one/two", {"one": 1, "two": "Two"}, "spec", "domain", "ed25519:1"),
        case("device keys with a unicode display name in unsigned", device_keys, "device", ALICE, "ed25519:" + DEVICE_ID),
        case(
            "device keys signed by the self-signing key, keeping the device self-signature",
            device_self_signed,
            "self_signing",
            ALICE,
            "ed25519:" + self_signing_pub,
        ),
        case("master key with two existing signatures, signed by another user", master_key, "other_master", BOB, "ed25519:" + public_key("other_master")),
        case("self-signing key signed by the master key", self_signing_key, "master", ALICE, "ed25519:" + master_pub),
        case("nested objects with astral-plane keys", nested, "user_signing", ALICE, "ed25519:" + public_key("user_signing")),
        case("key backup auth_data with an existing device signature", backup_auth_data, "master", ALICE, "ed25519:" + master_pub),
    ]

    out = {
        "_comment": "Generated by test/gen/generate_signed_json.py. Do not edit by hand!",
        "cases": cases,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
