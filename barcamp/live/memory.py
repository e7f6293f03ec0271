"""Python's collector, kept from stopping a busy live server.

A full collection scans every object the process holds: with 500 people connected it
stopped every page and socket for 100-180 ms, every few seconds of voting, which was
most of the tail of the vote-to-visible latency (docs/benchmarks.md). So:

- what startup leaves in memory (modules, the ORM's mappers, templates: most of the
  heap) is frozen at once, out of every collection (`gc.freeze()`);
- after each full collection, what survived it is frozen too: the next one scans only
  what came since (sockets, sessions, caches of the people who arrived meanwhile);
- every `SWEEP_EVERY` seconds everything is thawed and collected once, so that cycles
  among frozen objects (a page gone, its socket and greenlets) are reclaimed after all:
  one pause every ten minutes instead of one every few seconds.

Reference counting frees everything else as usual, frozen or not.
"""

import gc

SWEEP_EVERY = 600.0


def settle():
    """At startup (wsgi.py): collect once, then freeze what is left."""
    gc.collect()
    gc.freeze()


def keep_full_passes_short(start_background_task, sleep, run_soon):
    """Freeze the survivors of each full collection, and sweep everything now and
    then. `run_soon(f)` runs f once the collector has returned (the freeze must not run
    inside its callback); the sweep runs as a background task."""

    def after_collection(phase, info):
        if phase == "stop" and info.get("generation") == 2:
            run_soon(gc.freeze)

    def sweep():
        while True:
            sleep(SWEEP_EVERY)
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    gc.callbacks.append(after_collection)
    start_background_task(sweep)
