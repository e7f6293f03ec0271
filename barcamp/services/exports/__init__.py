"""What leaves Barcamp after the day: the JSON dump (dump.py), the proceedings read
once (proceedings.py), the ZIP (bundle.py) and the PDF (pdf.py). docs/exports.md."""

import gevent
from gevent import monkey


def pause():
    """Let the live server's other greenlets run between two parts of an export, their
    sockets polled too (gevent's idle(): sleep(0) alone may skip the polling), so that
    an export of a big event does not hold the loop. Nothing outside gevent."""
    if monkey.is_module_patched("time"):
        gevent.idle()
