"""What leaves Barcamp after the day: the JSON dump (dump.py), the proceedings read
once (proceedings.py), the ZIP (bundle.py) and the PDF (pdf.py). docs/exports.md."""

import time

import gevent
from gevent import monkey

SLICE = 0.005  # seconds of work an export does before it lets the live server run
_due = 0.0


def pause():
    """Called often by long work (an export, a calendar): once SLICE has gone by since
    the last time, let the live server's other greenlets run, their sockets polled too
    (gevent's idle(): sleep(0) alone may skip the polling), so that a big event's
    export holds no page for long. Cheap when not due; nothing outside gevent."""
    global _due
    if time.perf_counter() >= _due and monkey.is_module_patched("time"):
        gevent.idle()
        _due = time.perf_counter() + SLICE


def paced(pieces):
    """The pieces of a long text as they come (a JSON encoder's, a template's), with a
    pause() after each."""
    for piece in pieces:
        yield piece
        pause()


def joined(pieces):
    """paced() pieces as one string."""
    return "".join(paced(pieces))
