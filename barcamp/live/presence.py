"""Who has a note open now, per note, in this process (from Socket.IO connections;
nothing stored). With several processes each knows its own connections only."""

import threading

_lock = threading.Lock()
_notes = {}  # note id -> {sid: display name}
_carets = {}  # (note id, sid) -> the Yjs client id of that connection's caret


def enter(note_id, sid, name):
    with _lock:
        _notes.setdefault(note_id, {})[sid] = name


def leave(note_id, sid):
    """Forget a connection on a note; True if it was there."""
    with _lock:
        present = _notes.get(note_id, {})
        found = present.pop(sid, None) is not None
        if not present:
            _notes.pop(note_id, None)
        return found


def here(note_id, sid):
    """Whether this connection has the note open."""
    with _lock:
        return sid in _notes.get(note_id, {})


def show_caret(note_id, sid, client):
    """Remember which Yjs client draws this connection's caret on the note."""
    with _lock:
        _carets[(note_id, sid)] = client


def drop_caret(note_id, sid):
    """The Yjs client of this connection's caret on the note, forgotten; or None."""
    with _lock:
        return _carets.pop((note_id, sid), None)


def leave_all(sid):
    """Forget a closed connection everywhere; the notes it had open."""
    with _lock:
        left = [note_id for note_id, present in _notes.items() if sid in present]
    return [note_id for note_id in left if leave(note_id, sid)]


def names(note_id):
    """Display names on a note, each once, in the order they came."""
    with _lock:
        return list(dict.fromkeys(_notes.get(note_id, {}).values()))
