"""Co-writing a note against the real server (gevent, SQLite file), with Python
writers speaking the editor's protocol: concurrent typing, writing offline, and the
server killed with SIGKILL while people type. An acknowledged line is never lost, and
no line is ever stored twice."""

import re
import secrets
import threading
import time
from collections import Counter

import pytest

from tests.live_server import LiveServer
from tests.notes_client import NoteWriter
from tests.test_server import CODE, Browser

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def grid_database(tmp_path_factory):
    """The demo event with its grid published (`flask demo --grid`), made once."""
    template = LiveServer(tmp_path_factory.mktemp("notes-demo"))
    template.prepare(grid=True)
    return template


@pytest.fixture
def server(tmp_path, grid_database):
    server = LiveServer(tmp_path / "server")
    server.copy_database(grid_database)
    server.start()
    yield server
    server.stop()


def open_note(server, name):
    """Join the event in a browser, open the first session's note; return the browser
    and the note's id."""
    browser = Browser(server)
    browser.join(name)
    grid = browser.get(f"/e/{CODE}/schedule").text
    topic_id = re.search(rf"/e/{CODE}/sessions/(\d+)", grid).group(1)
    editor = browser.get(f"/e/{CODE}/sessions/{topic_id}/note").text
    note_id = int(re.search(r'data-note="(\d+)"', editor).group(1))
    return browser, topic_id, note_id


@pytest.fixture
def writers(server):
    """Two people writing the same note; closed at the end."""
    opened = []

    def open_writer(name, seed):
        browser, topic_id, note_id = open_note(server, name)
        writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=seed)
        writer.browser, writer.topic_id = browser, topic_id
        opened.append(writer)
        return writer.connect()

    yield open_writer
    for writer in opened:
        writer.close()
        writer.browser.close()


def stored(server, writer):
    """The note as exported from the database (its stored updates)."""
    return writer.browser.get(f"/e/{CODE}/sessions/{writer.topic_id}/note.md").text


def check_every_line_once(text, tokens):
    wanted = set(tokens)
    counts = Counter(line for line in text.split("\n") if line in wanted)
    missing = [t for t in tokens if counts[t] == 0]
    twice = [t for t, n in counts.items() if n > 1]
    assert not missing, f"{len(missing)} lines lost, e.g. {missing[:5]}"
    assert not twice, f"lines stored twice: {twice[:5]}"


def test_two_people_typing_at_once_converge(server, writers):
    amelie, baptiste = writers("Amélie T.", 1), writers("Baptiste T.", 2)
    amelie.sync()
    baptiste.sync()

    def type_lines(writer, prefix):
        for n in range(150):
            token = f"{prefix}-{n:03d}"
            writer.type_line(token)
            writer.flush()

    threads = [
        threading.Thread(target=type_lines, args=(amelie, "amelie")),
        threading.Thread(target=type_lines, args=(baptiste, "baptiste")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tokens = amelie.typed + baptiste.typed
    amelie.sync()
    baptiste.sync()
    amelie.handshake()  # whatever a broadcast may not have brought yet
    baptiste.handshake()
    assert amelie.text() == baptiste.text() == stored(server, amelie)
    check_every_line_once(stored(server, amelie), tokens)
    assert "## Décisions" in stored(server, amelie)


def test_writing_offline_through_a_crash_loses_nothing(server, writers):
    amelie, baptiste = writers("Amélie T.", 3), writers("Baptiste T.", 4)
    amelie.sync()
    baptiste.sync()
    amelie.go_offline()  # the train goes into a tunnel
    for n in range(20):
        amelie.type_line(f"offline-{n:02d}")
    server.kill()
    server.start()
    baptiste.wait_connected()
    for n in range(20):
        baptiste.type_line(f"online-{n:02d}")
    baptiste.sync()
    amelie.connect()
    amelie.sync()
    baptiste.handshake()
    tokens = amelie.typed + baptiste.typed
    assert amelie.text() == baptiste.text() == stored(server, amelie)
    check_every_line_once(stored(server, amelie), tokens)


def test_a_hard_kill_while_two_people_type_loses_no_acknowledged_line(server, writers):
    amelie, baptiste = writers("Amélie T.", 5), writers("Baptiste T.", 6)
    amelie.sync()
    baptiste.sync()
    stop = threading.Event()

    def keep_typing(writer, prefix):
        n = 0
        while not stop.is_set():
            writer.type_line(f"{prefix}-{n:04d}")
            writer.flush()
            n += 1

    threads = [
        threading.Thread(target=keep_typing, args=(amelie, "amelie")),
        threading.Thread(target=keep_typing, args=(baptiste, "baptiste")),
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # people typing for a while before the crash
    server.kill()
    acknowledged = set(amelie.saved | baptiste.saved)
    time.sleep(0.5)  # and they go on typing while the server is down
    server.start()
    time.sleep(1.0)  # and after it is back
    stop.set()
    for thread in threads:
        thread.join()
    amelie.sync()
    baptiste.sync()
    amelie.handshake()
    baptiste.handshake()
    server.stop()  # one more clean restart: everything comes from the database
    server.start()
    text = stored(server, amelie)
    tokens = amelie.typed + baptiste.typed
    assert len(acknowledged) > 50, "too little was typed to mean anything"
    assert len(tokens) > len(acknowledged)
    check_every_line_once(text, tokens)
    amelie.wait_connected()
    amelie.handshake()
    assert amelie.text() == text


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_on_postgresql_share_a_note(postgres_database, redis_url, tmp_path):
    """Two server processes on one PostgreSQL database, Redis between them: one person
    writes through each, at the same time. Both see every line, and the note stored
    (and rebuilt by either process) has each line once."""
    shared = {
        "database_url": postgres_database,
        "secret_key": secrets.token_hex(32),
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    first = LiveServer(tmp_path / "a", **shared)
    second = LiveServer(tmp_path / "b", **shared)
    second.prepare(grid=True)
    writers = []
    try:
        first.start()
        second.start()
        for server, name, seed in ((first, "Amélie T.", 7), (second, "Baptiste T.", 8)):
            browser, topic_id, note_id = open_note(server, name)
            writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=seed)
            writer.browser, writer.topic_id = browser, topic_id
            writers.append(writer.connect())
        for writer in writers:
            writer.sync()

        def type_lines(writer, prefix):
            for n in range(60):
                writer.type_line(f"{prefix}-{n:03d}")
                writer.flush()

        threads = [
            threading.Thread(target=type_lines, args=(writer, prefix))
            for writer, prefix in zip(writers, ("first", "second"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        tokens = writers[0].typed + writers[1].typed
        deadline = time.monotonic() + 10
        while writers[0].text() != writers[1].text():  # broadcasts still on their way
            assert time.monotonic() < deadline, "the two writers never converged"
            time.sleep(0.1)
        for writer, server in zip(writers, (first, second), strict=True):
            assert writer.text() == stored(server, writer)
        check_every_line_once(writers[0].text(), tokens)
        # Someone opening the note now through either process gets all of it from
        # that process's document (caught up with what the other one stored).
        for server in (first, second):
            browser, _topic_id, note_id = open_note(server, "Chloé T.")
            late = NoteWriter(server.base_url, browser.cookie, CODE, note_id)
            late.browser = browser
            writers.append(late.connect())
            late.handshake()
            assert late.text() == writers[0].text()
    finally:
        for writer in writers:
            writer.close()
            writer.browser.close()
        first.stop()
        second.stop()
