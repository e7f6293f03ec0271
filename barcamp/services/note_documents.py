"""The live Yjs documents of the notes, one per note, held by this process.

The update log in the database is the truth; a document here is a cache of it, rebuilt
from the log (never from text) and caught up with rows stored since, which other
processes may have written. Callers hold the note's lock while they read the log,
change the document and store the update, so that the document always equals the log.

Updates are applied merged whenever possible: pycrdt 0.14 (Yrs 0.28) can drop one of
two updates that both wait for a missing predecessor when they are applied one by one,
while the same updates merged first integrate correctly. So when an update leaves
something waiting, the document is rebuilt from the whole log merged into one update.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from pycrdt import Doc, Text, get_state, merge_updates
from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.models import NoteUpdate

BODY = "body"
_EXTENSION = "barcamp_note_documents"


@dataclass
class LiveNote:
    doc: Doc
    body: Text
    last_row_id: int = 0
    rows: int = 0


def new_document():
    doc = Doc()
    return doc, doc.get(BODY, type=Text)


class NoteDocuments:
    """At most `keep` documents in memory, the least recently used dropped first (a
    dropped one is rebuilt from the log when next needed)."""

    def __init__(self, keep=256):
        self._keep = keep
        self._notes = OrderedDict()
        self._locks = {}
        self._guard = threading.Lock()

    def lock(self, note_id):
        """The lock to hold around any read-change-store of this note."""
        with self._guard:
            return self._locks.setdefault(note_id, threading.RLock())

    def current(self, note):
        """The note's document, caught up with every stored update. Call with the
        note's lock held, inside the transaction that will store the next update.

        Documents are known by note id *and* epoch: a note deleted and made again
        (a demo reset, a database restored) may get the same id, never the same epoch.
        """
        note_id, key = note.id, (note.id, note.epoch)
        with self._guard:
            live = self._notes.get(key)
            if live is not None:
                self._notes.move_to_end(key)
        if live is None:
            live = LiveNote(*new_document())
        rows = db.session.execute(
            select(NoteUpdate.id, NoteUpdate.data)
            .where(NoteUpdate.note_id == note_id, NoteUpdate.id > live.last_row_id)
            .order_by(NoteUpdate.id)
        ).all()
        if rows:
            new = [data for _, data in rows]
            self.apply(live, note_id, merge_updates(*new) if len(new) > 1 else new[0])
            live.last_row_id = rows[-1][0]
            live.rows = db.session.scalar(select(func.count()).where(NoteUpdate.note_id == note_id))
        with self._guard:
            self._notes[key] = live
            while len(self._notes) > self._keep:
                self._notes.popitem(last=False)
        return live

    def apply(self, live, note_id, update, *, stored=True):
        """Apply an update (raises ValueError if unreadable). If it leaves part of
        itself waiting, rebuild from the log merged in one (with `update` when it is
        not stored yet), which integrates whatever can be."""
        live.doc.apply_update(update)
        if covers(live.doc.get_state(), get_state(update)):
            return
        log = list(
            db.session.scalars(
                select(NoteUpdate.data).where(NoteUpdate.note_id == note_id).order_by(NoteUpdate.id)
            )
        )
        if not stored:
            log.append(update)
        live.doc, live.body = new_document()
        live.doc.apply_update(merge_updates(*log) if len(log) > 1 else log[0])

    def forget(self, note_id):
        """Drop the cached document (after a refused or failed write): the next use
        rebuilds it from what the database holds."""
        with self._guard:
            for key in [key for key in self._notes if key[0] == note_id]:
                del self._notes[key]


def _varuints(data):
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            yield value
            value = shift = 0


def decode_state(state):
    """A Yjs state vector ({client id: next clock}) from its binary form."""
    numbers = list(_varuints(state))
    count, pairs = numbers[0] if numbers else 0, numbers[1:]
    return dict(zip(pairs[0 : 2 * count : 2], pairs[1 : 2 * count : 2], strict=True))


def covers(state, wanted):
    """Whether a document's state vector includes everything of another."""
    have = decode_state(state)
    return all(have.get(client, 0) >= clock for client, clock in decode_state(wanted).items())


def documents():
    app = current_app._get_current_object()
    if _EXTENSION not in app.extensions:
        app.extensions[_EXTENSION] = NoteDocuments()
    return app.extensions[_EXTENSION]
