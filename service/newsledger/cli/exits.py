"""Exit codes by class of failure, and the one line every command prints when it fails.

Every command runs through `run_command`: whatever it raises becomes one line on stderr,
`newsledger: <what went wrong>`, and an exit code from `ExitCode`, never a traceback
(NEWSLEDGER_DEBUG=1 adds the traceback for a bug report). A command that knows what went
wrong raises `CommandError(message, ExitCode.X)`; errors of the client, the store, story
files, keys and the verifier are classified here, in one table.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsledger.client.ledger_client import ApiError


class ExitCode(IntEnum):
    """What a command's exit status means; `newsledger --help` lists them."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_FOUND = 3
    INVALID_INPUT = 4
    UNAVAILABLE = 5
    VERIFICATION_FAILED = 6
    DENIED = 7
    INTERRUPTED = 130


EXIT_CODES_HELP = """exit status:
  0    success
  1    failed: the answer is no, or an unexpected error (NEWSLEDGER_DEBUG=1 shows where)
  2    usage: a wrong command line or option
  3    not found: no such negotiation, stream, field or file
  4    invalid input: a story file, date, path, event or configuration file refused
  5    unavailable: no server at the address, the database down or not migrated, the port
       taken, or the server libraries not installed (pip install 'newsledger[server]')
  6    verification failed: the audit log or a checkpoint does not verify
  7    denied: a token is missing or its role is too low
  130  interrupted (Ctrl-C)
Errors are one line on stderr: `newsledger: ...`."""


class CommandError(Exception):
    """A failure a command explains itself: a one-line message and its exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = code


SERVER_LIBRARIES = frozenset(
    {"sqlalchemy", "alembic", "psycopg", "yaml", "prometheus_client", "grpc_health"}
    | {"grpc_reflection"}
)

# Error classes of other layers, by module and name: a class whose module is not loaded
# cannot have been raised, so nothing here imports the server's libraries.
LOCAL_ERRORS: dict[str, ExitCode] = {
    "newsledger.store.errors:SchemaNotReady": ExitCode.UNAVAILABLE,
    "newsledger.store.errors:UnsupportedDatabase": ExitCode.USAGE,
    "newsledger.stories.plan:NegotiationNotRecorded": ExitCode.NOT_FOUND,
    "newsledger.stories.story_file:StoryFileError": ExitCode.INVALID_INPUT,
    "newsledger.audit.storage.signing_key:KeyFileError": ExitCode.INVALID_INPUT,
    "newsledger.audit.storage.identity:LogIdentityError": ExitCode.INVALID_INPUT,
    "newsledger.config:SigningKeyRequired": ExitCode.USAGE,
    "newsledger.audit.cosignature:CosignatureError": ExitCode.INVALID_INPUT,
    "newsledger.audit.note:NoteError": ExitCode.INVALID_INPUT,
    "newsledger.cli.witness:WitnessSetupError": ExitCode.USAGE,
    "newsledger.witness.state:WitnessStateError": ExitCode.INVALID_INPUT,
    "newsledger.api.tokens:TokenFileError": ExitCode.INVALID_INPUT,
    "newsledger.config:TlsConfigError": ExitCode.INVALID_INPUT,
    "newsledger.api.security:ExposureRefused": ExitCode.USAGE,
    "newsledger.api.interceptors.stream_slots:InvalidStreamLimit": ExitCode.USAGE,
    "newsledger.audit.verify.trusted_state:AuditError": ExitCode.VERIFICATION_FAILED,
    "newsledger.cli.database_wait:DatabaseUnreachable": ExitCode.UNAVAILABLE,
    "sqlalchemy.exc:OperationalError": ExitCode.UNAVAILABLE,
    "sqlalchemy.exc:ArgumentError": ExitCode.USAGE,
}

API_CODES: dict[str, ExitCode] = {
    "NOT_FOUND": ExitCode.NOT_FOUND,
    "INVALID_ARGUMENT": ExitCode.INVALID_INPUT,
    "OUT_OF_RANGE": ExitCode.INVALID_INPUT,
    "FAILED_PRECONDITION": ExitCode.INVALID_INPUT,
    "UNAVAILABLE": ExitCode.UNAVAILABLE,
    "DEADLINE_EXCEEDED": ExitCode.UNAVAILABLE,
    "RESOURCE_EXHAUSTED": ExitCode.UNAVAILABLE,
    "UNAUTHENTICATED": ExitCode.DENIED,
    "PERMISSION_DENIED": ExitCode.DENIED,
}


def one_line(text: str) -> str:
    """Return text on one line: its lines joined with `; `, blank ones dropped."""
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _local_error_code(error: BaseException) -> ExitCode | None:
    for qualified, code in LOCAL_ERRORS.items():
        module_name, _, class_name = qualified.partition(":")
        module = sys.modules.get(module_name)
        kind = getattr(module, class_name, None) if module else None
        if isinstance(kind, type) and isinstance(error, kind):
            return code
    return None


def classify(error: BaseException, command: str, server: str | None) -> tuple[ExitCode, str]:
    """Return the exit code and the one-line message that answer error."""
    if isinstance(error, CommandError):
        return error.code, str(error)
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "interrupted"
    api_error = _api_error(error)
    if api_error is not None:
        code_name = api_error.code.name
        if code_name == "UNAVAILABLE" and not api_error.reason and server:
            return ExitCode.UNAVAILABLE, (
                f"cannot reach a newsledger server at {server}; "
                "is `newsledger serve` running there?"
            )
        return API_CODES.get(code_name, ExitCode.FAILED), str(api_error)
    if isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] in (
        SERVER_LIBRARIES
    ):
        return ExitCode.UNAVAILABLE, (
            f"`newsledger {command}` needs the server libraries ({error}): "
            "pip install 'newsledger[server]'"
        )
    local = _local_error_code(error)
    if local is not None:
        if local is ExitCode.UNAVAILABLE and type(error).__name__ == "OperationalError":
            return local, f"the database does not answer: {_first_line(error)}"
        return local, str(error)
    if isinstance(error, FileNotFoundError):
        return ExitCode.NOT_FOUND, _os_message(error)
    if isinstance(error, IsADirectoryError):
        return ExitCode.INVALID_INPUT, f"{_os_message(error)}: give the path of a file"
    if isinstance(error, NotADirectoryError | PermissionError):
        return ExitCode.INVALID_INPUT, _os_message(error)
    if isinstance(error, OSError):
        if error.errno == errno.EADDRINUSE:
            return ExitCode.UNAVAILABLE, f"{_os_message(error)} (is another server running?)"
        return ExitCode.FAILED, _os_message(error)
    return ExitCode.FAILED, f"unexpected error ({type(error).__name__}): {error}"


def _first_line(error: BaseException) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def _os_message(error: OSError) -> str:
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def _api_error(error: BaseException) -> ApiError | None:
    """Return error as the client's ApiError when it is one, or a gRPC error it decodes."""
    client = sys.modules.get("newsledger.client.ledger_client")
    if client is None:
        return None
    if isinstance(error, client.ApiError):
        known: ApiError = error
        return known
    grpc = sys.modules.get("grpc")
    if grpc is not None and isinstance(error, grpc.RpcError) and hasattr(error, "code"):
        decoded: ApiError = client.ApiError.from_rpc_error(error)
        return decoded
    return None


def run_command(run: Callable[[], int], command: str, server: str | None = None) -> int:
    """Run a command; turn whatever it raises into one line on stderr and its exit code."""
    try:
        return run()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other tools do, and keep the
        # interpreter from complaining when it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except (Exception, KeyboardInterrupt) as error:
        code, message = classify(error, command, server)
        if os.environ.get("NEWSLEDGER_DEBUG"):
            traceback.print_exc()
        print(f"newsledger: {one_line(message)}", file=sys.stderr, flush=True)
        return int(code)
