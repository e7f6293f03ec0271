"""The proceedings as PDF, made by WeasyPrint in a process of its own: rendering takes
seconds of CPU in C, which would hold every page and socket of a gevent server.

Run as `python -m barcamp.services.exports.pdf`: the page's HTML on standard input,
the PDF on standard output. Nothing is fetched while rendering (no file://, no
internal address, no web): the page carries its styles and has no images.
"""

import re
import sys
import tempfile

import gevent

from barcamp.processes import Child, give_way

# The child's exit code when WeasyPrint cannot run here (a system library missing).
UNAVAILABLE = 3
TIMEOUT = 120  # seconds


class PdfUnavailable(Exception):
    """WeasyPrint cannot run on this server; `library` names what is missing, if known."""

    def __init__(self, library, detail):
        super().__init__(detail)
        self.library = library


def make_pdf(html):
    """The PDF's bytes for a self-contained HTML page (runs the child process)."""
    with tempfile.TemporaryFile() as errors:
        with Child("barcamp.services.exports.pdf", errors=errors) as child:
            try:
                with gevent.Timeout(TIMEOUT):
                    output = child.communicate(html.encode("utf-8"))
                    code = child.wait()
            except gevent.Timeout:
                raise RuntimeError(f"the PDF took more than {TIMEOUT} s") from None
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if code == UNAVAILABLE:
        detail = stderr.strip()
        library = detail.split("\n", 1)[0] if detail else ""
        raise PdfUnavailable(library or None, detail)
    if code != 0:
        raise RuntimeError("the PDF could not be made: " + stderr[-2000:])
    return output


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"not fetched: {url[:80]}")


def main():
    give_way()
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: "cannot load library 'libpango…'"
        found = re.search(r"library '([^']+)'", str(error))
        print(found.group(1) if found else "weasyprint", file=sys.stderr)
        print(str(error), file=sys.stderr)
        return UNAVAILABLE
    html = sys.stdin.buffer.read().decode("utf-8")
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    sys.stdout.buffer.write(document.write_pdf())
    return 0


if __name__ == "__main__":
    sys.exit(main())
