"""Device identity: derived keys in the OS keyring, SAS tokens, signed frames."""

from twinbench.identity.keys import KeyStore, derive_device_key
from twinbench.identity.sas import generate_sas_token, parse_sas_token
from twinbench.identity.signing import FrameSigner, FrameVerifier

__all__ = [
    "FrameSigner",
    "FrameVerifier",
    "KeyStore",
    "derive_device_key",
    "generate_sas_token",
    "parse_sas_token",
]
