"""TLS for the MQTT driver: verification on by default, custom CA, mutual TLS, clear failures."""

from __future__ import annotations

import os
import ssl

from twinbench.errors import TwinBenchError


class ConnectError(TwinBenchError):
    """The broker could not be reached or refused us; the message says what failed."""


def make_context(
    ca_file: str = "", cert_file: str = "", key_file: str = "", insecure: bool = False
) -> ssl.SSLContext:
    """An SSL context that verifies the server unless `insecure`; errors name the bad file."""
    for label, path in (("ca_file", ca_file), ("cert_file", cert_file), ("key_file", key_file)):
        if path and not os.path.isfile(path):
            raise ConnectError(f"TLS setting {label}: file not found: {path}")
    if key_file and not cert_file:
        raise ConnectError("TLS setting key_file given without cert_file")
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_file:
        try:
            ctx.load_verify_locations(cafile=ca_file)
        except ssl.SSLError as exc:
            raise ConnectError(f"TLS setting ca_file: not a CA file: {ca_file} ({exc})") from None
    if cert_file:
        try:
            ctx.load_cert_chain(cert_file, key_file or None)
        except ssl.SSLError as exc:
            raise ConnectError(
                f"TLS client certificate/key do not load: {cert_file}, {key_file} ({exc.reason})"
            ) from None
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def explain(exc: BaseException, host: str, port: int) -> str:
    """One line saying what failed while connecting (TLS verify, client cert, refused...)."""
    where = f"{host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS: the server certificate of {where} failed verification "
            f"({exc.verify_message or exc.reason}); set ca_file to the broker's CA, "
            f"or insecure=true to skip checks"
        )
    if isinstance(exc, ssl.SSLError):
        reason = (exc.reason or str(exc)).lower()
        if "certificate" in reason and ("required" in reason or "unknown" in reason):
            return f"TLS: {where} rejected the client certificate ({exc.reason})"
        if "wrong version" in reason or "record layer" in reason:
            return f"TLS: {where} does not speak TLS on this port ({exc.reason})"
        return f"TLS handshake with {where} failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection to {where} refused (is the broker running?)"
    if isinstance(exc, TimeoutError):
        return f"connection to {where} timed out"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or exc}"
    return f"cannot connect to {where}: {exc}"


def explain_connack(reason: object, username: str) -> str:
    """One line for a refused CONNACK (bad password, not authorised, bad client id...)."""
    text = str(reason)
    low = text.lower()
    if "user name or password" in low or "bad username" in low:
        return f"broker refused the login: bad user name or password (user {username!r})"
    if "not authori" in low:
        return f"broker refused the login: not authorised (user {username!r})"
    return f"broker refused the connection: {text}"
