"""Settings read from the environment, with the embedded SQLite file as the default store."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_DATA_DIR = Path("var")
# The largest gRPC message either side sends: room for a full batch of capped events.
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
DEFAULT_LOG_ORIGIN = "newsledger.local/log"
"""The origin of an application built without one (tests); a served log records its own."""
LEGACY_SIGNING_KEY_NAME = "signing.key"
# Threads serving RPCs; each open stream holds one (see newsledger.api.interceptors.stream_slots).
DEFAULT_MAX_WORKERS = 128


class TlsConfigError(OSError):
    """TLS is configured incompletely, or a certificate or key file cannot be read."""


def read_tls_file(path: Path, what: str) -> bytes:
    """Return the bytes of a certificate or key file, or raise TlsConfigError naming it."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise TlsConfigError(f"cannot read the {what} {path}: {error.strerror or error}") from None


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Return the URL of the embedded SQLite file under data_dir."""
    return f"sqlite:///{data_dir / 'newsledger.db'}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to start, resolved once at start-up."""

    database_url: str
    address: str = DEFAULT_ADDRESS
    lock_timeout_seconds: float = 5.0
    # The audit log's name (in every leaf and checkpoint) and its checkpoint signing key;
    # None: the origin the log recorded (or a generated one), the key beside the database.
    log_origin: str | None = None
    signing_key_path: Path | None = None
    # Access control (see newsledger.api.tokens for the format) and TLS; None means off.
    tokens_file: Path | None = None
    tokens: str = ""
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    # Where Prometheus metrics are served over HTTP; None means not at all.
    metrics_address: str | None = None
    # Most long-lived calls open at once; None derives it from the worker threads.
    max_streams: int | None = None
    # Most one token holder or certificate, and all calls without credentials, may hold
    # open; None derives each from max_streams (see api.interceptors.stream_slots).
    max_streams_per_caller: int | None = None
    max_anonymous_streams: int | None = None
    # How long the server waits for a database connection, and for one statement.
    connect_timeout_seconds: float = 5.0
    statement_timeout_seconds: float = 30.0
    # How long `serve` retries a database that does not answer at start-up.
    database_wait_seconds: float = 60.0
    # Witnesses asked to cosign checkpoints (`URL=VKEY`, separated by spaces or ';') and how
    # many must cosign for a checkpoint to count as witnessed (None: all of them).
    witnesses: str = ""
    witness_quorum: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read NEWSLEDGER_* variables, falling back to the embedded defaults."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("NEWSLEDGER_DATABASE_URL") or default_database_url(),
            address=env.get("NEWSLEDGER_ADDRESS") or DEFAULT_ADDRESS,
            lock_timeout_seconds=float(env.get("NEWSLEDGER_LOCK_TIMEOUT_SECONDS") or 5.0),
            log_origin=env.get("NEWSLEDGER_LOG_ORIGIN") or None,
            signing_key_path=_path(env.get("NEWSLEDGER_SIGNING_KEY")),
            tokens_file=_path(env.get("NEWSLEDGER_TOKENS_FILE")),
            tokens=env.get("NEWSLEDGER_TOKENS") or "",
            tls_cert_file=_path(env.get("NEWSLEDGER_TLS_CERT_FILE")),
            tls_key_file=_path(env.get("NEWSLEDGER_TLS_KEY_FILE")),
            tls_client_ca_file=_path(env.get("NEWSLEDGER_TLS_CLIENT_CA_FILE")),
            metrics_address=env.get("NEWSLEDGER_METRICS_ADDRESS") or None,
            max_streams=_count(env.get("NEWSLEDGER_MAX_STREAMS")),
            max_streams_per_caller=_count(env.get("NEWSLEDGER_MAX_STREAMS_PER_CALLER")),
            max_anonymous_streams=_count(env.get("NEWSLEDGER_MAX_ANONYMOUS_STREAMS")),
            connect_timeout_seconds=float(env.get("NEWSLEDGER_CONNECT_TIMEOUT_SECONDS") or 5.0),
            statement_timeout_seconds=float(
                env.get("NEWSLEDGER_STATEMENT_TIMEOUT_SECONDS") or 30.0
            ),
            database_wait_seconds=float(env.get("NEWSLEDGER_DATABASE_WAIT_SECONDS") or 60.0),
            witnesses=env.get("NEWSLEDGER_WITNESSES") or "",
            witness_quorum=_count(env.get("NEWSLEDGER_WITNESS_QUORUM")),
        )


class SigningKeyRequired(ValueError):
    """The database is a server, so the signing key's location must be given explicitly."""


def signing_key_location(settings: Settings) -> Path | None:
    """Return where the log's signing key file is: configured, or beside an SQLite file.

    The default follows the database, not the working directory, so every start of one log
    finds one key: `<db>.signing.key` beside the file (or a `signing.key` already beside it,
    where earlier versions kept it). An in-memory database gets None (a throwaway key).
    PostgreSQL has no file to follow: the location is required, and every replica shares it.
    """
    if settings.signing_key_path is not None:
        return settings.signing_key_path
    url = settings.database_url
    if not url.startswith("sqlite"):
        raise SigningKeyRequired(
            "NEWSLEDGER_SIGNING_KEY is required with a database server: every replica of a "
            "log must sign with the same key; create one with `newsledger keys create --key "
            "FILE` and give every replica that FILE"
        )
    database = url.split("///", 1)[1] if "///" in url else ""
    database = database.split("?", 1)[0]
    if database in ("", ":memory:"):
        return None
    path = Path(database)
    legacy = path.parent / LEGACY_SIGNING_KEY_NAME
    beside = path.with_name(f"{path.stem}.signing.key")
    return legacy if legacy.exists() and not beside.exists() else beside


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _count(value: str | None) -> int | None:
    return int(value) if value else None
