"""One signing identity per log: the database records its origin and key, and refuses others."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.audit.checkpoint import open_checkpoint
from newsledger.audit.handover import HandoverError, make_handover, open_handover
from newsledger.audit.note import generate_signer, sign_note
from newsledger.audit.storage.checkpoints import CheckpointRefused, CheckpointSigner
from newsledger.audit.storage.identity import (
    GENERATED_ORIGIN_PREFIX,
    LogIdentityError,
    recorded_keys,
    rotate_key,
)
from newsledger.audit.storage.signing_key import load_signer, write_new_key_file
from newsledger.audit.verify.trusted_state import (
    CheckpointRejected,
    TrustedState,
    follow_key_handovers,
    update_trusted_state,
)
from newsledger.bootstrap import build_application, open_signer
from newsledger.config import Settings
from newsledger.store.event_store import EventStore
from tests.support.factories import events


def settings_for(database_url: str, key: Path, origin: str | None = None) -> Settings:
    """Return settings naming the database and the key file."""
    return Settings(database_url=database_url, signing_key_path=key, log_origin=origin)


def test_a_new_log_gets_a_unique_origin_and_keeps_its_first_key(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path / "log.key")
    first = open_signer(settings, engine)
    again = open_signer(settings, engine)

    assert first.name.startswith(GENERATED_ORIGIN_PREFIX)
    assert again.vkey == first.vkey
    with engine.connect() as connection:
        assert [key.vkey for key in recorded_keys(connection)] == [first.vkey]


def test_a_server_with_another_key_refuses_to_start_and_says_which_key_the_log_expects(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    log_key = open_signer(settings_for(database_url, tmp_path / "log.key"), engine)
    stranger = tmp_path / "elsewhere" / "signing.key"
    write_new_key_file(stranger, generate_signer(log_key.name))

    with pytest.raises(LogIdentityError, match="is not this log's signing key") as refused:
        open_signer(settings_for(database_url, stranger), engine)
    assert log_key.vkey in str(refused.value)
    assert "NEWSLEDGER_SIGNING_KEY" in str(refused.value)
    with pytest.raises(LogIdentityError, match="no key file at"):
        open_signer(settings_for(database_url, tmp_path / "missing.key"), engine)
    assert not (tmp_path / "missing.key").exists()
    with pytest.raises(LogIdentityError, match="origin is"):
        open_signer(settings_for(database_url, tmp_path / "log.key", "other.example/log"), engine)


def test_a_log_from_before_keys_were_recorded_adopts_only_the_key_that_signed_it(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    old_key = generate_signer("legacy.example/log")
    app = build_application(EventStore(engine), log_origin=old_key.name, signer=old_key)
    app.store.append("s", events(3))
    app.audit.checkpoint()
    write_new_key_file(tmp_path / "old.key", old_key)
    write_new_key_file(tmp_path / "new.key", generate_signer(old_key.name))

    with pytest.raises(LogIdentityError, match="did not sign this log's latest checkpoint"):
        open_signer(settings_for(database_url, tmp_path / "new.key"), engine)
    adopted = open_signer(settings_for(database_url, tmp_path / "old.key"), engine)
    assert adopted.vkey == old_key.vkey


def test_concurrent_first_starts_agree_on_one_origin_and_one_key(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.key"
    results: list[str] = []
    errors: list[LogIdentityError] = []

    def start(key: Path) -> None:
        try:
            results.append(open_signer(settings_for(database_url, key), engine).vkey)
        except LogIdentityError as error:
            errors.append(error)

    keys = [shared] * 6 + [tmp_path / f"own-{i}.key" for i in range(3)]
    threads = [threading.Thread(target=start, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) + len(errors) == len(keys)
    assert len(set(results)) == 1  # whoever won, everyone who started signs with one key
    # A late start with its own key is refused and told which key the log expects.
    assert all(results[0].split("+")[1] in str(error) for error in errors)
    with engine.connect() as connection:
        assert [key.vkey for key in recorded_keys(connection)] == results[:1]


def test_a_rotation_is_a_handover_both_keys_sign_and_verifiers_follow(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path / "old.key")
    old = open_signer(settings, engine)
    app = build_application(EventStore(engine), log_origin=old.name, signer=old)
    app.store.append("s", events(2))
    trusted = TrustedState.pin(old.name, old.vkey, app.audit.checkpoint().note)
    new = generate_signer(old.name)
    write_new_key_file(tmp_path / "new.key", new)

    handover = rotate_key(engine, old, new)

    assert (handover.old_vkey, handover.new_vkey, handover.size) == (old.vkey, new.vkey, 2)
    with pytest.raises(LogIdentityError, match="retired"):
        open_signer(settings, engine)
    assert open_signer(settings_for(database_url, tmp_path / "new.key"), engine).vkey == new.vkey
    app.store.append("s", events(1))
    with pytest.raises(CheckpointRefused, match="was handed over"):
        CheckpointSigner(engine, old).latest()
    renewed = build_application(EventStore(engine), log_origin=new.name, signer=new)
    note = renewed.audit.checkpoint().note
    with pytest.raises(CheckpointRejected):
        update_trusted_state(trusted, note, [])  # the old pin alone refuses the new key
    followed = follow_key_handovers(trusted, renewed.audit.key_handovers())
    assert followed.vkey == new.vkey
    open_checkpoint(note, load_signer(tmp_path / "new.key", new.name).verifier, new.name)
    with pytest.raises(LogIdentityError, match="not the log's signing key now"):
        rotate_key(engine, old, generate_signer(old.name))


def test_a_handover_not_signed_by_the_pinned_key_is_rejected() -> None:
    old, new, thief = (generate_signer("log.example/x") for _ in range(3))
    genuine = make_handover(old, new, 5)
    text = genuine[: genuine.rfind("\n\n") + 1]
    only_new = sign_note(text, new)
    with pytest.raises(HandoverError):
        open_handover(only_new)
    stolen = make_handover(thief, new, 5).replace(thief.vkey, old.vkey)
    with pytest.raises(HandoverError):
        open_handover(stolen)
    with pytest.raises(CheckpointRejected):
        follow_key_handovers(TrustedState.pin(old.name, old.vkey), [stolen])
    assert open_handover(genuine).new_vkey == new.vkey
