#!/usr/bin/env python3
"""Generate test/vectors/secret-storage.json: `m.secret_storage.v1.aes-hmac-sha2` fixtures from an
independent implementation (Python `cryptography`), following docs/matrix-api.md#secret-encryption, docs/matrix-api.md#secret-storage-key-check, docs/matrix-api.md#passphrase-pbkdf2, docs/matrix-api.md#recovery-key.

Run from the repository root in a throwaway virtualenv:

    python3 -m venv /tmp/xsd-venv
    /tmp/xsd-venv/bin/pip install cryptography
    /tmp/xsd-venv/bin/python test/gen/generate_secret_storage.py

Everything is fixed (keys, IVs, salts), so re-running it must not change the committed file.
"""

import base64
import json
import pathlib

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

OUT = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "secret-storage.json"

# A fixed 32-byte secret-storage key.
KEY = bytes.fromhex("4f1a7c0e9b3d5a2860f7e1c4d8b9a3f25c6e0d1b7a48f9e3c2d5b6a1e0f7c8d9")
# A second key, to check that a wrong key is rejected.
WRONG_KEY = bytes.fromhex("00" * 31 + "01")

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64(data, padded=False):
    text = base64.b64encode(data).decode("ascii")
    return text if padded else text.rstrip("=")


def derive_keys(key, name):
    # docs/matrix-api.md#secret-encryption step 1: HKDF-SHA-256, salt = 32 zero bytes, info = UTF-8 name, L = 64.
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"\x00" * 32, info=name.encode("utf-8")).derive(key)
    return okm[:32], okm[32:]


def encrypt(key, name, plaintext, iv, padded=False):
    aes_key, mac_key = derive_keys(key, name)
    # docs/matrix-api.md#secret-encryption step 3: AES-256-CTR with the IV as the initial counter block. (Python increments the
    # whole 128-bit block, WebCrypto with length 64 only the low half; they agree unless the low
    # 64 bits overflow, which the fixtures here never do.)
    encryptor = Cipher(algorithms.AES(aes_key), modes.CTR(iv)).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    # docs/matrix-api.md#secret-encryption step 4: HMAC-SHA-256 over the ciphertext.
    h = hmac.HMAC(mac_key, hashes.SHA256())
    h.update(ciphertext)
    return {"iv": b64(iv, padded), "ciphertext": b64(ciphertext, padded), "mac": b64(h.finalize(), padded)}


def recovery_key(key):
    # docs/matrix-api.md#recovery-key: base58(0x8B 0x01 || key || parity), groups of four.
    data = bytes([0x8B, 0x01]) + key
    parity = 0
    for byte in data:
        parity ^= byte
    data += bytes([parity])
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = BASE58[r] + out
    return " ".join(out[i : i + 4] for i in range(0, len(out), 4))


def pbkdf2(passphrase, salt, iterations, bits):
    # docs/matrix-api.md#passphrase-pbkdf2: PBKDF2-HMAC-SHA-512 over UTF-8 passphrase and the UTF-8 bytes of the salt string.
    kdf = PBKDF2HMAC(algorithm=hashes.SHA512(), length=bits // 8, salt=salt.encode("utf-8"), iterations=iterations)
    return kdf.derive(passphrase.encode("utf-8"))


def secret_case(name, description, plaintext, iv, padded=False):
    return {
        "description": description,
        "name": name,
        "plaintext": plaintext,
        "encrypted": encrypt(KEY, name, plaintext.encode("utf-8"), iv, padded),
    }


def main():
    iv_a = bytes.fromhex("a3f1c2d4e5b60718" + "29" + "3a4b5c6d7e8f90")  # bit 63 clear
    iv_b = bytes.fromhex("0102030405060708" + "0f" + "00000000000000")  # bit 63 clear
    iv_c = bytes.fromhex("fedcba9876543210" + "80" + "00000000000001")  # bit 63 SET (another client)
    iv_d = bytes.fromhex("00" * 16)
    key_check_iv = bytes.fromhex("5e1d2c3b4a59687f" + "06" + "152433425160ff")

    secrets = [
        secret_case(
            "m.cross_signing.master",
            "Synapse test master seed, unpadded base64 (js-sdk test data style)",
            "2lonYOM6xYKdEsO+6KrC766xBcHnYnim1x/4LFGF8B0",
            iv_a,
        ),
        secret_case(
            "m.cross_signing.self_signing",
            "Synapse test self-signing seed, padded plaintext and padded fields (dart / js-sdk style)",
            "HvQBbU+hc2Zr+JP1sE0XwBe1pfZZEYtJNPJLZJtS+F8=",
            iv_b,
            padded=True,
        ),
        secret_case(
            "m.cross_signing.user_signing",
            "Synapse test user-signing seed, IV with bit 63 set as another client may write",
            "4TL4AjRYwDVwD3pqQzcor+ez/euOB1/q78aTJ+czDNs",
            iv_c,
        ),
        secret_case(
            "m.megolm_backup.v1",
            "RFC 7748 6.1 Alice's Curve25519 private key as a backup secret, all-zero IV",
            b64(bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")),
            iv_d,
        ),
        secret_case(
            "org.example.\u00fcnicode.secret",
            "Non-ASCII name and a multi-block non-ASCII plaintext",
            "\u65e5\u672c\u8a9e \U0001F511 " * 8,
            iv_a,
        ),
        secret_case("org.example.empty", "Empty plaintext", "", iv_b),
    ]

    key_check = encrypt(KEY, "", b"\x00" * 32, key_check_iv)
    passphrases = [
        {"passphrase": "correct horse battery staple", "salt": "MmMsAlty", "iterations": 1000, "bits": 256},
        {"passphrase": "correct horse battery staple", "salt": "MmMsAlty", "iterations": 10000, "bits": 256},
        {"passphrase": "p\u00e4ssphr\u00e4se \U0001F40E", "salt": "s\u00e4lt/+=", "iterations": 1000, "bits": 512},
        {"passphrase": "", "salt": "", "iterations": 1, "bits": 128},
    ]
    for p in passphrases:
        p["keyHex"] = pbkdf2(p["passphrase"], p["salt"], p["iterations"], p["bits"]).hex()

    # A key derived from a passphrase, with its key description and one secret, end to end.
    pass_key = pbkdf2("correct horse battery staple", "MmMsAlty", 1000, 256)
    pass_check = encrypt(pass_key, "", b"\x00" * 32, iv_b)

    out = {
        "_comment": "Generated by test/gen/generate_secret_storage.py. Do not edit by hand!",
        "keyHex": KEY.hex(),
        "recoveryKey": recovery_key(KEY),
        "wrongKeyHex": WRONG_KEY.hex(),
        "keyDescription": {
            "algorithm": "m.secret_storage.v1.aes-hmac-sha2",
            "name": "m.default",
            "iv": key_check["iv"],
            "mac": key_check["mac"],
        },
        "keyDescriptionPadded": {
            "algorithm": "m.secret_storage.v1.aes-hmac-sha2",
            "iv": b64(key_check_iv, padded=True),
            "mac": b64(base64.b64decode(key_check["mac"] + "="), padded=True),
        },
        "secrets": secrets,
        "passphrases": passphrases,
        "passphraseKey": {
            "passphrase": "correct horse battery staple",
            "keyHex": pass_key.hex(),
            "keyDescription": {
                "algorithm": "m.secret_storage.v1.aes-hmac-sha2",
                "passphrase": {"algorithm": "m.pbkdf2", "salt": "MmMsAlty", "iterations": 1000, "bits": 256},
                "iv": pass_check["iv"],
                "mac": pass_check["mac"],
            },
            "secret": {
                "name": "m.cross_signing.master",
                "plaintext": "2lonYOM6xYKdEsO+6KrC766xBcHnYnim1x/4LFGF8B0",
                "encrypted": encrypt(pass_key, "m.cross_signing.master", b"2lonYOM6xYKdEsO+6KrC766xBcHnYnim1x/4LFGF8B0", iv_c),
            },
        },
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(secrets)} secrets and {len(passphrases)} passphrase derivations to {OUT}")


if __name__ == "__main__":
    main()
