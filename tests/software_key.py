"""A security key in software, for tests that talk to the server without a browser.

It answers WebAuthn's two ceremonies as a real key does (a "none" attestation, an ES256 key pair, a signature over
the authenticator data and the hash of the client data), so the server's checks all run for real: the challenge,
the origin, the relying party, the signature and the counter. The browser test uses Chromium's own virtual
authenticator instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any
from urllib.parse import urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

# The Django test client's address for these tests: browsers allow WebAuthn on http://localhost (a secure
# context), and so does the server's origin check; any other plain-http address is refused.
ORIGIN = "http://localhost"


def _public_key_options(options: Any) -> Any:
    """The `publicKey` member of the options the page hands the browser (a fido2 object or its JSON)."""
    return options["publicKey"]


def _challenge(public_key: Any) -> bytes:
    challenge = public_key["challenge"]
    return challenge if isinstance(challenge, bytes) else websafe_decode(challenge)


class SoftwareSecurityKey:
    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    @property
    def rp_id_hash(self) -> bytes:
        return hashlib.sha256((urlparse(self.origin).hostname or "").encode()).digest()

    def register(self, creation_options: Any) -> str:
        """The browser's answer to `navigator.credentials.create`, as the page posts it (JSON)."""
        public_key = _public_key_options(creation_options)
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=_challenge(public_key), origin=self.origin
        )
        credential_data = AttestedCredentialData.create(
            Aaguid.NONE, self.credential_id, ES256.from_cryptography_key(self.private_key.public_key())
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
        auth_data = AuthenticatorData.create(self.rp_id_hash, flags, self.counter, credential_data)
        response = RegistrationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data, attestation_object=AttestationObject.create("none", auth_data, {})
            ),
        )
        return json.dumps(dict(response))

    def sign(self, request_options: Any) -> str:
        """The browser's answer to `navigator.credentials.get`, as the page posts it (JSON)."""
        public_key = _public_key_options(request_options)
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=_challenge(public_key), origin=self.origin
        )
        self.counter += 1
        auth_data = AuthenticatorData.create(self.rp_id_hash, AuthenticatorData.FLAG.UP, self.counter)
        signature = self.private_key.sign(
            bytes(auth_data) + hashlib.sha256(bytes(client_data)).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = AuthenticationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAssertionResponse(
                client_data=client_data, authenticator_data=auth_data, signature=signature
            ),
        )
        return json.dumps(dict(response))

    def registered_credential(self) -> dict[str, Any]:
        """The key's registration as allauth stores it, for a test that needs a key already added (the server
        checked the challenge when it was added, so any challenge does here)."""
        return dict(json.loads(self.register({"publicKey": {"challenge": bytes(32)}})))
