"""Live load: N attendees on the WebSocket transport against the real server.

    python bench/live_load.py --smoke                      # a tiny run, as CI does
    python bench/live_load.py                              # 500 clients, 50 votes/s, 30 s
    python bench/live_load.py --target both                # then the Node reference, ratios
    python bench/live_load.py --clients 500 --votes-per-second 100 --out run.json
    python bench/live_load.py --clients 1000 --duration 0 --hold 600   # connect and hold

The project's server is started as production would start it (`flask db upgrade`,
`flask demo`, then `python wsgi.py` with BARCAMP_ENV=production, on SQLite in a
temporary folder), pinned to core 0 (`taskset`); this client process runs on core 1.
The reference (`--target reference`) is `bench/reference/server.js`, a bare Node
Socket.IO v4 server answering the same vote events and broadcasting tallies once per
vote, pinned the same way.

Phases:

1. **Ramp.** Attendees arrive at a fixed rate (open loop: scheduled times, whatever
   the server's speed). Each joins through the real flow (GET /e/BERCY, POST its
   join form with the CSRF token, follow the redirect: the *join time*), then opens
   its socket with the session cookie and the page's Origin (the *connect time*: from
   the start of the TCP connection to the `snapshot` event). The reference has no
   join: the socket only.
2. **Votes.** R votes a second for D seconds, at scheduled times (not waiting for the
   acks), each from a random attendee (one with no vote in flight when there is one),
   alternating `vote_cast` and `vote_withdraw` on its topic, each with a fresh
   `op_id`. The ack's `me.votes_version` is the vote's version; every client records
   when it first saw `tallies` with a `votes_version` at or above each version
   (coalesced state: versions jump). *Vote to visible* is, for each (vote, connected
   client) pair, that time minus the vote's send time.
3. **Hold** (`--hold S`): everybody stays connected S seconds, answering the server's
   pings; drops are counted (as in every phase).

Then the durable votes are checked against the server: every op_id acknowledged ok
must be in the `applied_operation` table of the SQLite file, and the tallies' total of
`GET /e/BERCY/state.json` must equal what the acks say.

The client speaks Engine.IO v4 / Socket.IO v4 itself, over websocket-client's
handshake (it sends the session cookie and the Origin) and its own parser of the
server's (unmasked) frames, run in a callback of gevent's event loop whenever a socket
is readable: no greenlet switch per message. That is the cheapest of what was tried
(CPU per message received, on this 2-core machine: this reader about 10 µs, a
greenlet per socket blocked in recv() about 20 µs, websocket-client's recv() about
30 µs, wsproto about 24 µs; see docs/benchmarks.md). `--reader greenlet` and
`--reader websocket-client` keep the others; `--ceiling` measures them all. Every run
first measures the client's own ceiling (CPU per message received, another process
writing tallies frames over 200 socket pairs). A run whose client process used 90 % of
its core or more is client-bound: its latencies are the client's, and it says so.

Figures go to docs/benchmarks.md by hand, with the machine they were measured on.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import html  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
from array import array  # noqa: E402
from collections import Counter  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import numpy as np  # noqa: E402
import websocket  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import (  # noqa: E402
    DEMO_LINK,
    DEMO_LINK_KEYS,
    INHERITED_SETTINGS,
    free_port,
    run_flask,
    stop_process,
)

REFERENCE = ROOT / "bench" / "reference"
CODE = "BERCY"
COOKIE = "barcamp_session"
CLIENT_BOUND = 90.0  # % of one core: the client, not the server, set the pace
CLK_TCK = os.sysconf("SC_CLK_TCK")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
JOIN_FORM = re.compile(r'<form[^>]*action="[^"]*/join"[^>]*>(.*?)</form>', re.S)
TALLIES = '42["tallies"'
VOTES_VERSION = '"votes_version":'


def now():
    return time.monotonic()


# --- measures ------------------------------------------------------------------------


def summary(values, points=(50, 99), scale=1000.0, digits=1):
    """Percentiles and max of a list of seconds, in milliseconds (None when empty)."""
    if len(values) == 0:
        return None
    values = np.asarray(values, dtype=float) * scale
    out = {f"p{p}": round(float(np.percentile(values, p)), digits) for p in points}
    out["max"] = round(float(values.max()), digits)
    out["n"] = len(values)
    return out


class Process:
    """CPU time and memory of a process, from /proc."""

    def __init__(self, pid):
        self.pid = pid

    def cpu(self):
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def rss_kb(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None


def own_cpu():
    times = os.times()
    return times.user + times.system


class Meter:
    """CPU % of one core of the server and of this client over a span of time."""

    def __init__(self, server):
        self.server = server
        self.began = (now(), server.cpu(), own_cpu())

    def read(self):
        wall, server_cpu, client_cpu = self.began
        span = max(now() - wall, 1e-9)
        return {
            "seconds": round(span, 2),
            "server_cpu_s": round(self.server.cpu() - server_cpu, 2),
            "server_cpu_pct": round(100 * (self.server.cpu() - server_cpu) / span, 1),
            "client_cpu_pct": round(100 * (own_cpu() - client_cpu) / span, 1),
        }


# --- the client ----------------------------------------------------------------------


class Vote:
    __slots__ = ("ack", "client", "code", "kind", "ok", "op_id", "scheduled", "sent", "version")

    def __init__(self, client, kind, scheduled):
        self.client = client
        self.kind = kind
        self.scheduled = scheduled
        self.op_id = str(uuid.uuid4())
        self.sent = self.ack = self.ok = self.code = self.version = None


class Stats:
    """What all clients of a run count together."""

    def __init__(self):
        self.other = Counter()  # broadcasts neither tallies nor snapshot, by name
        self.drops = []  # (time, client index, phase, reason)
        self.phase = "ramp"
        self.refusals = Counter()


class Client:
    """One attendee's live page: a socket, what it heard and when."""

    def __init__(self, index, stats, *, reader="watcher"):
        self.index = index
        self.stats = stats
        self.reader_kind = reader
        self._buffer = b""
        self._fragments = []
        self.cookie = None
        self.ws = None
        self.sock = None
        self.auth = None
        self.join_s = self.connect_s = None
        self.snapshot = None
        self.snapshot_at = None
        self.connect_packet_at = None  # Socket.IO's CONNECT ("40")
        self.snapshot_first = False  # the snapshot came before the CONNECT
        self.open_at = None
        self.engineio_open_s = None
        self.ready = gevent.event.Event()
        self.failure = None
        self.connected = False
        self.closing = False
        self.tally_versions = array("q")  # increasing votes_version seen...
        self.tally_times = array("d")  # ...and when, first
        self.top = -1
        self.tallies_heard = 0
        self.snapshots = 0
        self.pings = 0
        self.acks = {}  # ack id -> callback
        self.next_ack = 0
        self.in_flight = 0
        self.topic = None
        self.voted = False
        self.voted_version = -1  # the votes_version of the ack that set `voted`
        self.reader = None

    # Opening: TCP, WebSocket handshake, Engine.IO open, Socket.IO connect, snapshot.
    def open(self, host, port, base_url, auth, source=None, timeout=30.0):
        began = now()
        self.auth = json.dumps(auth)
        try:
            sock = socket.create_connection(
                (host, port), timeout=timeout, source_address=(source, 0) if source else None
            )
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            headers = [f"Cookie: {COOKIE}={self.cookie}"] if self.cookie else []
            self.ws = websocket.create_connection(
                f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket",
                socket=sock,
                header=headers,
                origin=base_url,
                timeout=timeout,
                skip_utf8_validation=True,
            )
            sock.settimeout(None)
            self.sock = sock
        except Exception as error:
            self.failure = f"handshake: {type(error).__name__}: {error}"[:200]
            return False
        self.start_reading()
        if not self.ready.wait(timeout):
            self.failure = self.failure or "no snapshot in time"
        if self.snapshot is None:
            self.failure = self.failure or "closed before the snapshot"
            return False
        self.connect_s = self.snapshot_at - began
        self.engineio_open_s = self.open_at - began if self.open_at else None
        return True

    def emit(self, name, payload, callback):
        ack_id = self.next_ack
        self.next_ack += 1
        self.acks[ack_id] = callback
        self.ws.send(f"42{ack_id}{json.dumps([name, payload], separators=(',', ':'))}")

    def close(self):
        self.closing = True
        self.stop_reading()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.send_close()
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()

    def _dropped(self, reason):
        was_connected = self.connected
        self.connected = False
        if not self.ready.is_set():
            self.failure = self.failure or reason
            self.ready.set()
        if was_connected and not self.closing:
            self.stats.drops.append((now(), self.index, self.stats.phase, reason))

    # Reading. The server's frames are unmasked: header, length, payload. Three readers:
    # "watcher" (the default, the cheapest) parses in a callback of gevent's event loop
    # each time the socket is readable, with no greenlet switch; "greenlet" runs a
    # greenlet per socket blocked in recv(); "websocket-client" calls its recv().
    def start_reading(self):
        if self.reader_kind == "watcher":
            raw = self.sock._sock  # the OS socket under gevent's (non-blocking already)
            self._recv = raw.recv
            self.reader = gevent.get_hub().loop.io(raw.fileno(), 1)
            self.reader.start(self._readable)
        else:
            self.reader = gevent.spawn(self._read)

    def stop_reading(self):
        if self.reader_kind == "watcher" and self.reader is not None:
            self.reader.stop()

    def _readable(self):
        try:
            data = self._recv(65536)
        except BlockingIOError:
            return
        except OSError as error:
            self.stop_reading()
            self._dropped(f"{type(error).__name__}: {error}"[:200])
            return
        try:
            if not data:
                self._dropped("closed by the server")
            elif self._feed(data, now()):
                return
        except Exception as error:
            self._dropped(f"{type(error).__name__}: {error}"[:200])
        self.stop_reading()

    def _read(self):
        try:
            if self.reader_kind == "websocket-client":
                self._read_websocket_client()
                return
            recv = self.sock.recv
            while True:
                data = recv(65536)
                if not data:
                    self._dropped("closed by the server")
                    return
                if not self._feed(data, now()):
                    return
        except Exception as error:
            self._dropped(f"{type(error).__name__}: {error}"[:200])

    def _read_websocket_client(self):
        ws = self.ws
        while True:
            text = ws.recv()
            if not text:
                self._dropped("closed by the server")
                return
            self._message(now(), text if isinstance(text, str) else text.decode())

    def _feed(self, data, arrived):
        """Parse the frames received so far; False once the socket is done."""
        buffer = self._buffer + data if self._buffer else data
        size = len(buffer)
        at = 0
        while size - at >= 2:
            length = buffer[at + 1] & 0x7F
            header = 2
            if length == 126:
                if size - at < 4:
                    break
                length = (buffer[at + 2] << 8) | buffer[at + 3]
                header = 4
            elif length == 127:
                if size - at < 10:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 10], "big")
                header = 10
            end = at + header + length
            if end > size:
                break
            first = buffer[at]
            payload = buffer[at + header : end]
            at = end
            opcode = first & 0x0F
            if opcode in (0, 1, 2):
                if not first & 0x80:  # a fragment: more to come
                    self._fragments.append(payload)
                    continue
                if self._fragments:
                    payload = b"".join([*self._fragments, payload])
                    self._fragments = []
                self._message(arrived, payload.decode())
            elif opcode == 8:
                self._dropped("WebSocket closed by the server")
                return False
            elif opcode == 9:
                self.send(payload, websocket.ABNF.OPCODE_PONG)
        self._buffer = buffer[at:] if at < size else b""
        return True

    def send(self, data, opcode=websocket.ABNF.OPCODE_TEXT):
        """Send a frame; from the event loop's callback (no switching there), in a
        greenlet of its own."""
        if self.reader_kind == "watcher" and gevent.getcurrent() is gevent.get_hub():
            gevent.spawn(self.ws.send, data, opcode)
        else:
            self.ws.send(data, opcode)

    def _message(self, arrived, text):
        if text.startswith(TALLIES):
            self.tallies_heard += 1
            start = text.index(VOTES_VERSION) + len(VOTES_VERSION)
            end = start
            while text[end].isdigit():
                end += 1
            self._saw(int(text[start:end]), arrived)
        elif text == "2":
            self.pings += 1
            self.send("3")
        elif text.startswith("43"):
            bracket = text.index("[")
            callback = self.acks.pop(int(text[2:bracket]), None)
            if callback is not None:
                callback(arrived, json.loads(text[bracket:])[0])
        elif text.startswith('42["snapshot"'):
            snapshot = json.loads(text[2:])[1]
            self.snapshots += 1
            tallies = snapshot.get("tallies") or {}
            if tallies.get("votes_version") is not None:
                self._saw(tallies["votes_version"], arrived)
            if self.snapshot is None:
                self.snapshot = snapshot
                self.snapshot_at = arrived
                self.snapshot_first = self.connect_packet_at is None
                self.connected = True  # python-socketio sends it before its CONNECT
                self.ready.set()
        elif text.startswith("42"):
            self.stats.other[text[4 : text.index('"', 4)]] += 1
        elif text.startswith("0"):
            self.open_at = arrived  # Engine.IO's OPEN: where socket.io-client's timeout ends
            self.send("40" + self.auth)
        elif text.startswith("40"):
            self.connect_packet_at = arrived
            self.connected = True
        elif text.startswith("44"):
            message = json.loads(text[2:]).get("message")
            self.stats.refusals[message] += 1
            self.failure = f"refused: {message}"
            self._dropped(self.failure)
        elif text.startswith("41") or text == "1":
            self._dropped("disconnected by the server")

    def _saw(self, version, arrived):
        if version > self.top:
            self.top = version
            self.tally_versions.append(version)
            self.tally_times.append(arrived)


# --- HTTP: the join flow, with http.client (cheap), cookies by hand ---------------------


class Page:
    """One browser's HTTP side: a keep-alive connection and its session cookie."""

    def __init__(self, host, port, source=None, timeout=30.0):
        self.connection = http.client.HTTPConnection(
            host, port, timeout=timeout, source_address=(source, 0) if source else None
        )
        self.cookie = None

    def request(self, method, path, body=None, headers=None):
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = f"{COOKIE}={self.cookie}"
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == COOKIE:
                self.cookie = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), text

    def get(self, path, follow=3):
        status, location, text = self.request("GET", path)
        while status in (301, 302, 303, 307, 308) and follow:
            status, location, text = self.request("GET", urllib.parse.urlsplit(location).path)
            follow -= 1
        return status, text

    def join(self, name, code=CODE):
        status, page = self.get(f"/e/{code}")
        if status != 200:
            raise RuntimeError(f"GET /e/{code}: {status}")
        form = JOIN_FORM.search(page)
        token = CSRF.search(form.group(1)) if form else None
        if not token:
            raise RuntimeError("no join form with a CSRF token")
        body = urllib.parse.urlencode(
            {"display_name": name, "csrf_token": html.unescape(token.group(1))}
        )
        status, location, _ = self.request(
            "POST",
            f"/e/{code}/join",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 303:
            raise RuntimeError(f"POST /e/{code}/join: HTTP {status}")
        status, _ = self.get(urllib.parse.urlsplit(location).path, follow=0)
        if status != 200 or not self.cookie:
            raise RuntimeError(f"after joining: {status}, cookie {bool(self.cookie)}")

    def close(self):
        self.connection.close()


# --- the servers ---------------------------------------------------------------------


def wait_for_port(process, host, port, timeout, log):
    deadline = now() + timeout
    while now() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited at start:\n{log()}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{log()}")


class Server:
    host = "127.0.0.1"

    def __init__(self, workdir, cpu):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cpu = cpu
        self.port = free_port()
        self.base_url = f"http://{self.host}:{self.port}"
        self.log_path = self.workdir / "server.log"
        self.process = None

    def pinned(self, command):
        return ["taskset", "-c", str(self.cpu), *command] if self.cpu is not None else command

    def launch(self, command, cwd, env):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.pinned(command),
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.process, self.host, self.port, 30, self.log)
        return Process(self.process.pid)  # taskset execs the server: same pid

    def stop(self):
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


class ProjectServer(Server):
    """The project, as production runs it (one gevent process, SQLite)."""

    kind = "project"

    def __init__(self, workdir, cpu, queue=None):
        super().__init__(workdir, cpu)
        env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
        for name in ("BARCAMP_TEST_HOOKS", "WRITE_TURN_STRICT", "FLASK_DEBUG"):
            env.pop(name, None)
        env.update(
            BARCAMP_ENV="production",
            SECRET_KEY=secrets.token_hex(32),
            SESSION_COOKIE_SECURE="0",
            DATABASE_URL=f"sqlite:///{self.workdir / 'barcamp.db'}",
            BARCAMP_INSTANCE_PATH=str(self.workdir),
            HOST=self.host,
            PORT=str(self.port),
            PYTHONUNBUFFERED="1",
        )
        if queue:  # every broadcast through Redis, as with several processes
            env.update(SOCKETIO_MESSAGE_QUEUE=queue, RATELIMIT_STORAGE_URI=queue)
        self.env = env
        self.links = {}

    def flask(self, *args):
        return run_flask(self.env, *args, timeout=120)

    def start(self):
        self.flask("db", "upgrade")
        output = self.flask("demo", "--base-url", self.base_url)
        found = {DEMO_LINK_KEYS[label]: url for label, url in DEMO_LINK.findall(output)}
        self.links = {key: url.removeprefix(self.base_url) for key, url in found.items()}
        return self.launch([sys.executable, "wsgi.py"], ROOT, self.env)

    def versions(self):
        names = ["Flask", "Flask-SocketIO", "python-socketio", "python-engineio"]
        names += ["simple-websocket", "gevent", "greenlet", "SQLAlchemy"]
        init = (ROOT / "barcamp" / "__init__.py").read_text()
        mode = re.search(r'async_mode="(\w+)"', init)
        return {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in names},
            "async_mode": mode.group(1) if mode else None,
        }

    def database(self):
        return self.workdir / "barcamp.db"


class ReferenceServer(Server):
    """bench/reference/server.js: Node, Socket.IO v4, a broadcast per vote."""

    kind = "reference"

    def start(self):
        if not (REFERENCE / "node_modules" / "socket.io").exists():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"],
                cwd=REFERENCE,
                check=True,
                capture_output=True,
                timeout=300,
            )
        env = dict(os.environ, PORT=str(self.port), HOST=self.host)
        return self.launch(["node", "server.js"], REFERENCE, env)

    def versions(self):
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
        package = REFERENCE / "node_modules" / "socket.io" / "package.json"
        return {
            "node": node.stdout.strip(),
            "socket.io": json.loads(package.read_text())["version"],
        }


# --- one run -------------------------------------------------------------------------


class Run:
    """The phases of one run against one server; figures in self.figures."""

    def __init__(self, server, args):
        self.server = server
        self.args = args
        self.stats = Stats()
        self.clients = []
        self.votes = []
        self.figures = {"target": server.kind}
        self.random = random.Random(args.seed)
        self.facilitator = None

    def source(self, index):
        per_ip = self.args.clients_per_ip
        if self.server.kind != "project" or not per_ip:
            return None
        return f"127.0.0.{2 + index // per_ip}"

    def execute(self):
        args, figures = self.args, self.figures
        figures["git"] = git_state()
        process = self.server.start()
        self.process = process
        figures["versions"] = self.server.versions()
        try:
            self.initial = self.state()
            if self.server.kind == "project":
                self.open_voting()
            gevent.sleep(0.5)
            figures["rss_before_mb"] = round(process.rss_kb() / 1024, 1)
            self.ramp()
            gevent.sleep(1.0)
            rss_after = process.rss_kb()
            connected = self.connected()
            figures["rss_after_mb"] = round(rss_after / 1024, 1)
            figures["rss_per_client_kb"] = (
                round((rss_after / 1024 - figures["rss_before_mb"]) * 1024 / len(connected), 1)
                if connected
                else None
            )
            if args.duration > 0 and args.votes_per_second > 0 and connected:
                self.vote_phase()
            if args.hold > 0:
                self.hold()
            if args.optimize and self.server.kind == "project":
                self.optimize()
            if args.reconnect_rate > 0 and connected:
                self.reconnect()
            self.stats.phase = "end"
            figures["drops"] = len(self.stats.drops)
            figures["drops_by_phase"] = dict(Counter(phase for _, _, phase, _ in self.stats.drops))
            figures["drop_reasons"] = dict(Counter(reason for *_, reason in self.stats.drops))
            figures["other_broadcasts"] = dict(self.stats.other)
            self.check_durability()
        finally:
            for client in self.clients:
                client.close()
            if self.facilitator is not None:
                self.facilitator.close()
            gevent.sleep(0.2)
            self.server.stop()
        if self.server.kind == "project":
            self.verify_database()
        self.read_log()
        return figures

    def state(self):
        path = f"/e/{CODE}/state.json" if self.server.kind == "project" else "/state.json"
        page = Page(self.server.host, self.server.port)
        try:
            status, text = page.get(path)
        finally:
            page.close()
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return json.loads(text)

    def open_voting(self):
        """The facilitator opens its link, connects, and opens voting."""
        page = Page(self.server.host, self.server.port)
        status, _ = page.get(self.server.links["facilitator"])
        page.close()
        if status != 200 or not page.cookie:
            raise RuntimeError(f"the facilitator link answered {status}")
        facilitator = Client(-1, Stats())
        facilitator.cookie = page.cookie
        if not facilitator.open(
            self.server.host, self.server.port, self.server.base_url, {"event": CODE}
        ):
            raise RuntimeError(f"the facilitator could not connect: {facilitator.failure}")
        answer = gevent.event.AsyncResult()
        facilitator.emit(
            "marketplace_set",
            {"op_id": str(uuid.uuid4()), "voting_open": True},
            lambda _at, ack: answer.set(ack),
        )
        ack = answer.get(timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"marketplace_set refused: {ack}")
        self.figures["voting_opened"] = ack
        self.facilitator = facilitator

    def connected(self):
        return [client for client in self.clients if client.connected]

    def open_socket(self, client):
        """Open an attendee's socket to the event with its cookie; False on failure."""
        server = self.server
        return client.open(
            server.host,
            server.port,
            server.base_url,
            {"event": CODE},
            source=self.source(client.index),
            timeout=self.args.connect_timeout,
        )

    # Phase 1 -------------------------------------------------------------------------
    def ramp(self):
        args, server = self.args, self.server
        topics = [topic["id"] for topic in self.initial.get("topics", [])] or list(range(1, 9))
        join_failures, connect_failures = Counter(), Counter()
        lateness = []

        def arrive(client, scheduled):
            lateness.append(now() - scheduled)
            if server.kind == "project":
                began = now()
                page = Page(
                    server.host, server.port, self.source(client.index), args.connect_timeout
                )
                try:
                    page.join(f"Attendee {client.index:04d}")
                except Exception as error:
                    join_failures[f"{type(error).__name__}: {error}"[:120]] += 1
                    return
                finally:
                    page.close()
                client.join_s = now() - began
                client.cookie = page.cookie
            if not self.open_socket(client):
                connect_failures[client.failure] += 1

        meter = Meter(self.process)
        began = now() + 0.05
        arrivals = []
        for index in range(args.clients):
            client = Client(index, self.stats, reader=args.reader)
            client.topic = self.random.choice(topics)
            self.clients.append(client)
            scheduled = began + index / args.join_rate
            delay = scheduled - now()
            if delay > 0:
                gevent.sleep(delay)
            arrivals.append(gevent.spawn(arrive, client, scheduled))
        gevent.joinall(arrivals, timeout=4 * args.connect_timeout + 60)
        usage = meter.read()
        joins = [c.join_s for c in self.clients if c.join_s is not None]
        connects = [c.connect_s for c in self.clients if c.connect_s is not None]
        self.figures["ramp"] = {
            "clients": args.clients,
            "join_rate": args.join_rate,
            "connected": len(self.connected()),
            "join_ms": summary(joins),
            "connect_ms": summary(connects),
            "engineio_open_ms": summary(
                [c.engineio_open_s for c in self.clients if c.engineio_open_s is not None]
            ),
            # socket.io-client's `timeout` (20 s) would have given these attempts up
            "engineio_open_over_20s": sum(
                c.engineio_open_s is not None and c.engineio_open_s > 20 for c in self.clients
            ),
            "join_failures": dict(join_failures),
            "connect_failures": dict(connect_failures),
            "refusals": dict(self.stats.refusals),
            # python-socketio sends the connect handler's emits before its CONNECT packet
            "snapshot_before_connect_packet": sum(c.snapshot_first for c in self.clients),
            "arrival_lateness_ms": summary(lateness),
            **usage,
        }

    # Phase 2 -------------------------------------------------------------------------
    def vote_phase(self):
        args = self.args
        self.stats.phase = "votes"
        clients = self.connected()
        initial = max(client.top for client in clients)
        count = int(args.votes_per_second * args.duration)
        answered = gevent.event.Event()
        pending = [count]
        send_failures = Counter()
        reference = self.server.kind == "reference"

        def acknowledged(vote):
            def callback(arrived, ack):
                vote.ack = arrived
                vote.ok = bool(ack.get("ok"))
                client = vote.client
                client.in_flight -= 1
                if vote.ok:
                    me = ack.get("me") or {}
                    vote.version = me.get("votes_version")
                    if vote.version is None or vote.version < client.voted_version:
                        pass  # an older ack overtaken by a newer one: the newer one says
                    elif reference:
                        client.voted = vote.kind == "vote_cast"
                    else:
                        client.voted = any(t == client.topic for t, _ in me.get("votes", []))
                    client.voted_version = max(client.voted_version, vote.version or -1)
                else:
                    vote.code = (ack.get("error") or {}).get("code", "?")
                pending[0] -= 1
                if pending[0] == 0:
                    answered.set()

            return callback

        def pick():
            for _ in range(8):
                client = self.random.choice(clients)
                if client.connected and client.in_flight == 0:
                    return client
            alive = [c for c in clients if c.connected]
            return self.random.choice(alive) if alive else None

        flooders = clients[len(clients) - args.flooders :] if args.flooders else []
        if flooders:  # they only flood: out of the voters and of the figures
            clients = clients[: len(clients) - args.flooders]
        flood = Counter()

        def flood_from(client, until):
            def heard(arrived, ack):
                flood["ok" if ack.get("ok") else (ack.get("error") or {}).get("code", "?")] += 1

            k = 0
            while now() < until and client.connected:
                payload = {"op_id": f"flood-{uuid.uuid4()}", "topic_id": client.topic}
                client.emit("vote_cast", payload, heard)
                flood["sent"] += 1
                k += 1
                delay = flood_began + k / args.flood_rate - now()
                if delay > 0:
                    gevent.sleep(delay)

        meter = Meter(self.process)
        began = now() + 0.05
        flood_began = began
        flooding = [gevent.spawn(flood_from, client, began + args.duration) for client in flooders]
        for k in range(count):
            scheduled = began + k / args.votes_per_second
            delay = scheduled - now()
            if delay > 0:
                gevent.sleep(delay)
            client = pick()
            if client is None:
                send_failures["no client connected"] += 1
                pending[0] -= 1
                continue
            vote = Vote(client, "vote_withdraw" if client.voted else "vote_cast", scheduled)
            self.votes.append(vote)
            client.in_flight += 1
            vote.sent = now()
            try:
                client.emit(vote.kind, {"op_id": vote.op_id, "topic_id": client.topic},
                            acknowledged(vote))  # fmt: skip
            except Exception as error:
                send_failures[type(error).__name__] += 1
                client.in_flight -= 1
                vote.sent = None
                pending[0] -= 1
        phase_end = now()
        in_phase = meter.read()
        gevent.joinall(flooding, timeout=5)
        if pending[0] > 0:
            answered.wait(args.grace)
        answered_at = now()
        after = meter.read()
        # The final version must reach every client: give the coalescer its interval.
        final = max((v.version for v in self.votes if v.ok and v.version), default=initial)
        deadline = now() + min(args.grace, 10)
        while now() < deadline and any(c.top < final for c in clients if c.connected):
            gevent.sleep(0.05)
        self.analyse_votes(clients, initial, final, began, phase_end, answered_at)
        figures = self.figures["votes"]
        figures["send_failures"] = dict(send_failures)
        if flooders:
            figures["flood"] = {
                "clients": len(flooders),
                "rate_each": args.flood_rate,
                "answers": dict(flood),
                "still_connected": sum(c.connected for c in flooders),
            }
        figures["phase"] = in_phase
        figures["until_answered"] = after
        ok = figures["acks_ok"]
        figures["server_cpu_ms_per_answered_vote"] = (
            round(1000 * after["server_cpu_s"] / figures["answered"], 2)
            if figures["answered"]
            else None
        )
        figures["durable_per_s_overall"] = (
            round(ok / (answered_at - began), 1) if answered_at > began else None
        )

    def analyse_votes(self, clients, initial, final, began, phase_end, answered_at):
        args = self.args
        sent = [v for v in self.votes if v.sent is not None]
        answered = [v for v in sent if v.ack is not None]
        ok = [v for v in answered if v.ok and v.version is not None]
        errors = Counter(v.code for v in answered if not v.ok)
        lateness = [v.sent - v.scheduled for v in sent]
        # Vote to visible, over (vote, client) pairs, for the clients still connected.
        versions = np.array([v.version for v in ok], dtype=np.int64)
        sent_at = np.array([v.sent for v in ok], dtype=float)
        latencies, missing = [], 0
        watching = [c for c in clients if c.connected]
        produced = max(final - initial, 0)
        shares, saw_final, resynced, heard = [], 0, 0, []
        for client in watching:
            seen_versions = np.frombuffer(client.tally_versions, dtype=np.int64)
            seen_times = np.frombuffer(client.tally_times, dtype=float)
            if len(versions):
                index = np.searchsorted(seen_versions, versions, side="left")
                found = index < len(seen_versions)
                latencies.append(seen_times[index[found]] - sent_at[found])
                missing += int((~found).sum())
            if produced:
                in_range = (seen_versions > initial) & (seen_versions <= final)
                shares.append(int(in_range.sum()) / produced)
            saw_final += client.top >= final
            resynced += client.snapshots > 1
            heard.append(client.tallies_heard)
        latencies = np.concatenate(latencies) if latencies else np.array([])
        per_second = Counter(int(v.ack - began) for v in ok if v.ack < phase_end)
        series = [per_second.get(s, 0) for s in range(int(args.duration))]
        self.figures["votes"] = {
            "rate": args.votes_per_second,
            "duration_s": args.duration,
            "clients": len(clients),
            "scheduled": len(self.votes),
            "sent": len(sent),
            "answered": len(answered),
            "acks_ok": len(ok),
            "acks_refused": dict(errors),
            "unanswered": len(sent) - len(answered),
            "grace_s": args.grace,
            "send_lateness_ms": summary(lateness),
            "ack_ms": summary([v.ack - v.sent for v in answered]),
            "ack_ok_ms": summary([v.ack - v.sent for v in ok]),
            "visible_ms": summary(latencies, points=(50, 95, 99)),
            "visible_pairs": len(latencies),
            "visible_never": missing,
            "initial_votes_version": initial,
            "final_votes_version": final,
            "versions_produced": produced,
            "share_of_versions_received": (
                {"mean": round(float(np.mean(shares)), 4), "min": round(min(shares), 4)}
                if shares
                else None
            ),
            "tallies_messages_per_client": round(float(np.mean(heard)), 1) if heard else 0,
            "clients_saw_final_share": round(saw_final / len(watching), 4) if watching else None,
            "clients_resynced_by_snapshot": resynced,
            "durable_per_s_in_phase": round(sum(series) / args.duration if args.duration else 0, 1),
            "durable_per_s_series": series,
            "answered_after_s": round(answered_at - began, 2),
        }
        self.ok_votes, self.unanswered = ok, [v for v in sent if v.ack is None]

    # Phase 3 -------------------------------------------------------------------------
    def hold(self):
        self.stats.phase = "hold"
        drops_before = len(self.stats.drops)
        connected = len(self.connected())
        pings_before = sum(c.pings for c in self.clients)
        meter = Meter(self.process)
        gevent.sleep(self.args.hold)
        self.figures["hold"] = {
            "seconds": self.args.hold,
            "connected_at_start": connected,
            "connected_at_end": len(self.connected()),
            "drops": len(self.stats.drops) - drops_before,
            "pings_answered": sum(c.pings for c in self.clients) - pings_before,
            "rss_mb": round(self.process.rss_kb() / 1024, 1),
            **meter.read(),
        }

    def health(self):
        page = Page(self.server.host, self.server.port)
        try:
            status, text = page.get("/healthz")
        finally:
            page.close()
        return json.loads(text) if status == 200 else {"status": status}

    def optimize(self):
        """The facilitator builds the grid (the optimizer in its child process) while
        everybody is connected: how long the server's event loop stood still at worst
        meanwhile, from its own timer (/healthz), beside the same figure just before."""
        self.stats.phase = "optimize"
        gevent.sleep(self.args.quiet)  # a quiet window to compare with
        before = self.health()
        began = now()
        answer = gevent.event.AsyncResult()
        self.facilitator.emit(
            "schedule_optimize", {"op_id": str(uuid.uuid4())}, lambda _at, ack: answer.set(ack)
        )
        ack = answer.get(timeout=120)
        took = now() - began
        after = self.health()
        window = "worst_lag_ms_10s" if took < 9 else "worst_lag_ms_60s"
        self.figures["optimize"] = {
            "ok": bool(ack.get("ok")),
            "error": (ack.get("error") or {}).get("code"),
            "seconds": round(took, 2),
            "worst_lag_ms_quiet_10s_before": before.get("worst_lag_ms_10s"),
            "worst_lag_ms_during": after.get(window),
            "window": window,
        }

    def reconnect(self):
        """Every page reopens its socket, with the cookie it joined with, at
        `--reconnect-rate` a second: what a server restart or a venue's Wi-Fi coming
        back does, without the joins' page loads in the way."""
        self.stats.phase = "reconnect"
        args = self.args
        old = [client for client in self.clients if client.connected]
        for client in old:
            client.close()
        gevent.sleep(1.0)
        fresh = []
        for client in old:
            again = Client(client.index, self.stats, reader=args.reader)
            again.cookie, again.topic, again.voted = client.cookie, client.topic, client.voted
            fresh.append(again)
        self.clients = fresh
        failures = Counter()

        def arrive(client):
            if not self.open_socket(client):
                failures[client.failure] += 1

        meter = Meter(self.process)
        began = now() + 0.05
        arrivals = []
        for index, client in enumerate(fresh):
            delay = began + index / args.reconnect_rate - now()
            if delay > 0:
                gevent.sleep(delay)
            arrivals.append(gevent.spawn(arrive, client))
        gevent.joinall(arrivals, timeout=4 * args.connect_timeout + 60)
        self.figures["reconnect"] = {
            "rate": args.reconnect_rate,
            "connected": len(self.connected()),
            "connect_ms": summary([c.connect_s for c in fresh if c.connect_s is not None]),
            "failures": dict(failures),
            **meter.read(),
        }

    # Checks --------------------------------------------------------------------------
    def check_durability(self):
        if "votes" not in self.figures:
            return
        state = self.state()
        total = state["tallies"]["total"]
        if self.server.kind == "project":
            expected = self.initial["tallies"]["total"] + sum(c.voted for c in self.clients)
            flood = self.figures["votes"].get("flood")
            if flood:  # the flooders' only votes: each once, on a topic of its own choosing
                expected += flood["answers"].get("ok", 0)
        else:
            casts = sum(v.kind == "vote_cast" for v in self.ok_votes)
            expected = casts - (len(self.ok_votes) - casts)
        self.figures["votes"]["state_total"] = total
        self.figures["votes"]["expected_total"] = expected
        self.figures["votes"]["state_votes_version"] = state["tallies"]["votes_version"]

    def verify_database(self):
        if "votes" not in self.figures:
            return
        path = self.server.database()
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            stored = {row[0] for row in db.execute("SELECT op_id FROM applied_operation")}
        refused = [v for v in self.votes if v.ack is not None and not v.ok]
        self.figures["votes"]["database"] = {
            "acked_ok_stored": sum(v.op_id in stored for v in self.ok_votes),
            "acked_ok_missing": sum(v.op_id not in stored for v in self.ok_votes),
            "refused_stored": sum(v.op_id in stored for v in refused),
            "unanswered_stored": sum(v.op_id in stored for v in self.unanswered),
        }

    def read_log(self):
        log = self.server.log()
        lines = log.splitlines()
        flagged = [
            line
            for line in lines
            if re.search(r"Traceback|Error|ERROR|WARNING|Exception|Invalid HTTP", line)
        ]
        self.figures["server_log"] = {
            "lines": len(lines),
            "flagged": len(flagged),
            "tracebacks": log.count("Traceback"),
            "kinds": dict(Counter(re.sub(r"\d+", "#", line)[:100] for line in flagged)),
        }


# --- the client's own ceiling --------------------------------------------------------


def client_ceiling(reader, writer_cpu=None, sockets=200, rounds=100):
    """CPU µs this client spends per message received, when a `tallies` message
    arrives on each of many sockets in turn (another process writes them, on the
    server's core), through the same reader and parser as a run."""

    def frame(version):
        message = (
            f'42["tallies",{{"votes_version":{version},"total":140,'
            '"counts":[[1,30],[2,20],[3,18],[4,15],[5,12],[6,15],[7,20],[8,10]]}]'
        ).encode()
        if len(message) < 126:
            return bytes([0x81, len(message)]) + message
        return bytes([0x81, 126]) + len(message).to_bytes(2, "big") + message

    pairs = [socket.socketpair() for _ in range(sockets)]
    child = os.fork()
    if child == 0:  # the writer
        try:
            if writer_cpu is not None:
                os.sched_setaffinity(0, {writer_cpu})
            writers = [b._sock for _, b in pairs]
            for b in writers:
                b.setblocking(True)
            for version in range(rounds):
                data = frame(version)
                for b in writers:
                    b.send(data)
                time.sleep(0.005)
        finally:
            os._exit(0)
    for _, b in pairs:
        b.close()
    stats = Stats()
    clients = []
    for a, _ in pairs:
        client = Client(0, stats, reader=reader)
        client.sock = a
        client.ws = websocket.WebSocket(skip_utf8_validation=True)
        client.ws.sock, client.ws.connected = a, True
        client.connected = True
        clients.append(client)
    began_cpu, began = own_cpu(), now()
    for client in clients:
        client.start_reading()
    deadline = now() + 60
    while now() < deadline and sum(c.tallies_heard for c in clients) < sockets * rounds:
        gevent.sleep(0.02)
    cpu = own_cpu() - began_cpu
    os.waitpid(child, 0)
    received = sum(c.tallies_heard for c in clients)
    for client in clients:
        client.close()
    return {
        "reader": reader,
        "sockets": sockets,
        "messages": received,
        "us_per_message": round(1e6 * cpu / received, 2) if received else None,
        "messages_per_s_per_core": round(received / cpu) if cpu else None,
        "wall_s": round(now() - began, 2),
    }


# --- output --------------------------------------------------------------------------

ROWS = [
    ("clients connected", ("ramp", "connected"), ""),
    ("join (HTTP) p50 / p99 / max", ("ramp", "join_ms"), "ms"),
    ("connect to snapshot p50 / p99 / max", ("ramp", "connect_ms"), "ms"),
    ("of which to Engine.IO OPEN p50 / p99 / max", ("ramp", "engineio_open_ms"), "ms"),
    ("ramp failures (join, connect)", ("ramp", "failures"), ""),
    ("ramp: first arrival to last snapshot", ("ramp", "seconds"), "s"),
    ("server CPU during ramp", ("ramp", "server_cpu_pct"), "%"),
    ("client CPU during ramp", ("ramp", "client_cpu_pct"), "%"),
    ("server RSS before / after", ("rss",), "MB"),
    ("server RSS per client", ("rss_per_client_kb",), "KB"),
    ("votes sent (scheduled)", ("votes", "sent"), ""),
    ("acks ok", ("votes", "acks_ok"), ""),
    ("acks refused (by code)", ("votes", "acks_refused"), ""),
    ("votes unanswered after grace", ("votes", "unanswered"), ""),
    ("ack latency p50 / p99 / max", ("votes", "ack_ms"), "ms"),
    ("vote to visible p50 / p95 / p99 / max", ("votes", "visible_ms"), "ms"),
    ("(vote, client) pairs never seen", ("votes", "visible_never"), ""),
    ("durable votes/s in phase", ("votes", "durable_per_s_in_phase"), "/s"),
    ("durable votes/s until answered", ("votes", "durable_per_s_overall"), "/s"),
    ("all answered after", ("votes", "answered_after_s"), "s"),
    ("share of tally versions received", ("votes", "share_of_versions_received"), ""),
    ("tallies messages per client", ("votes", "tallies_messages_per_client"), ""),
    ("clients that saw the final version", ("votes", "clients_saw_final_share"), ""),
    ("clients resynced by snapshot", ("votes", "clients_resynced_by_snapshot"), ""),
    ("tallies total: state / expected", ("votes", "totals"), ""),
    ("acked ok votes in the database", ("votes", "database"), ""),
    ("flood: clients, events/s each, answers", ("votes", "flood"), ""),
    ("server CPU during votes", ("votes", "phase", "server_cpu_pct"), "%"),
    ("server CPU ms per answered vote", ("votes", "server_cpu_ms_per_answered_vote"), "ms"),
    ("client CPU during votes", ("votes", "phase", "client_cpu_pct"), "%"),
    ("hold: seconds, drops, pings answered", ("hold",), ""),
    ("server CPU during hold", ("hold", "server_cpu_pct"), "%"),
    ("client CPU during hold", ("hold", "client_cpu_pct"), "%"),
    ("optimizer: ok, seconds", ("optimize",), ""),
    ("worst loop stall: quiet 10 s before / during", ("optimize", "stalls"), "ms"),
    ("reconnect: rate, connected", ("reconnect",), ""),
    ("reconnect to snapshot p50 / p99 / max", ("reconnect", "connect_ms"), "ms"),
    ("server CPU during reconnect", ("reconnect", "server_cpu_pct"), "%"),
    ("drops (all phases)", ("drops",), ""),
    ("server log lines flagged", ("server_log", "flagged"), ""),
]


def lookup(figures, path):
    if path == ("rss",):
        if "rss_before_mb" not in figures:
            return None
        return f"{figures['rss_before_mb']} / {figures['rss_after_mb']}"
    if path == ("ramp", "failures"):
        ramp = figures.get("ramp") or {}
        return f"{sum(ramp.get('join_failures', {}).values())}, " + str(
            sum(ramp.get("connect_failures", {}).values())
        )
    if path == ("votes", "totals"):
        votes = figures.get("votes")
        return f"{votes['state_total']} / {votes['expected_total']}" if votes else None
    if path == ("votes", "database"):
        db = (figures.get("votes") or {}).get("database")
        if db is None:
            return None
        return f"{db['acked_ok_stored']} (missing {db['acked_ok_missing']})"
    if path == ("votes", "flood"):
        flood = (figures.get("votes") or {}).get("flood")
        if not flood:
            return None
        answers = ", ".join(f"{k} {v}" for k, v in sorted(flood["answers"].items()))
        return f"{flood['clients']}, {flood['rate_each']:g}, {answers}"
    if path == ("optimize",):
        run = figures.get("optimize")
        return f"{run['ok'] or run['error']}, {run['seconds']}" if run else None
    if path == ("optimize", "stalls"):
        run = figures.get("optimize")
        if not run:
            return None
        return f"{run['worst_lag_ms_quiet_10s_before']} / {run['worst_lag_ms_during']}"
    if path == ("reconnect",):
        again = figures.get("reconnect")
        return f"{again['rate']:g}/s, {again['connected']}" if again else None
    if path == ("hold",):
        hold = figures.get("hold")
        return f"{hold['seconds']} s, {hold['drops']}, {hold['pings_answered']}" if hold else None
    value = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def show(value):
    if value is None:
        return "—"
    if isinstance(value, dict):
        if "max" in value:
            parts = [value[k] for k in ("p50", "p95", "p99") if k in value] + [value["max"]]
            return " / ".join(f"{part:g}" for part in parts)
        if "mean" in value:
            return f"mean {value['mean']:.3f}, min {value['min']:.3f}"
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
    return str(value)


def headline(value):
    """The number a ratio is taken of: the p50 of a distribution, else the value."""
    if isinstance(value, dict):
        return value.get("p50", value.get("mean"))
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def table(runs):
    width = max(len(label) for label, _, _ in ROWS) + 2
    targets = [run["target"] for run in runs]
    lines = [f"{'':<{width}}" + "".join(f"{t:<34}" for t in targets)]
    if len(runs) == 2:
        lines[0] += "ratio (project / reference, p50)"
    for label, path, unit in ROWS:
        values = [lookup(run, path) for run in runs]
        if all(value is None for value in values):
            continue
        cells = "".join(f"{show(value) + (' ' + unit if unit and value is not None else ''):<34}"
                        for value in values)  # fmt: skip
        if len(runs) == 2:
            a, b = (headline(value) for value in values)
            if isinstance(a, int | float) and isinstance(b, int | float) and b:
                cells += f"{a / b:.2f}"
        lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


def machine(args):
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "server_cpu": args.server_cpu,
        "client_cpu": args.client_cpu,
    }


def git_state():
    def git(*command):
        result = subprocess.run(
            ["git", *command], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    # What the server runs (not the docs or the tests): tells two uncommitted states apart.
    server = ["barcamp", "config.py", "wsgi.py", "migrations", "requirements.txt"]
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--", *server], cwd=ROOT, capture_output=True, check=False
    )
    return {
        "head": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(changed),
        "server_diff_sha256": hashlib.sha256(diff.stdout).hexdigest()[:12] if diff.stdout else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["project", "reference", "both"], default="project")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--join-rate", type=float, default=50.0, help="arrivals per second")
    parser.add_argument("--votes-per-second", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of voting")
    parser.add_argument("--hold", type=float, default=0.0, help="seconds to stay connected")
    parser.add_argument("--grace", type=float, default=60.0, help="seconds to wait for acks")
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    parser.add_argument(
        "--flooders", type=int, default=0, help="of the clients, these flood vote_cast"
    )
    parser.add_argument("--flood-rate", type=float, default=200.0, help="each flooder's events/s")
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="after the votes and the hold, the facilitator builds the grid; the server's "
        "worst event-loop stall meanwhile is reported",
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=10.5,
        help="seconds of calm before the optimizer, whose worst stall is its baseline",
    )
    parser.add_argument(
        "--queue",
        metavar="REDIS_URL",
        help="the project's broadcasts and rate limits through this Redis (one process)",
    )
    parser.add_argument(
        "--reconnect-rate",
        type=float,
        default=0.0,
        help="at the end, every page reopens its socket at this rate a second (0: no)",
    )
    parser.add_argument(
        "--clients-per-ip",
        type=int,
        default=100,
        help="attendees per source address 127.0.0.x (0: all from 127.0.0.1; the join "
        "form allows 600 joins a minute per address)",
    )
    parser.add_argument(
        "--reader", choices=["watcher", "greenlet", "websocket-client"], default="watcher"
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="core of the server")
    parser.add_argument("--client-cpu", type=int, default=1, help="core of this client")
    parser.add_argument("--no-pin", action="store_true", help="pin neither process")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for CI")
    parser.add_argument(
        "--ceiling", action="store_true", help="only measure the client's cost, every reader"
    )
    parser.add_argument("--out", type=Path, help="also write every figure as JSON here")
    parser.add_argument("--workdir", type=Path, help="keep the server's files here")
    args = parser.parse_args(argv)
    if args.smoke:
        args.clients, args.votes_per_second, args.duration = 10, 10.0, 3.0
        args.hold, args.grace, args.connect_timeout = 0.0, 15.0, 20.0
        args.quiet = 1.0
    if args.no_pin or (os.cpu_count() or 1) < 2:
        args.server_cpu = args.client_cpu = None
    if args.client_cpu is not None:
        os.sched_setaffinity(0, {args.client_cpu})

    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "parameters": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in vars(args).items()
        },
        "machine": machine(args),
        "git": git_state(),
        "client": {
            "python": platform.python_version(),
            "gevent": metadata.version("gevent"),
            "websocket-client": metadata.version("websocket-client"),
        },
    }
    small = args.smoke
    readers = ["watcher", "greenlet", "websocket-client"] if args.ceiling else [args.reader]
    report["client_ceiling"] = {
        reader: client_ceiling(
            reader, args.server_cpu, sockets=50 if small else 200, rounds=20 if small else 300
        )
        for reader in readers
    }
    for reader, ceiling in report["client_ceiling"].items():
        print(f"# client ceiling ({reader} reader): {ceiling['us_per_message']} µs CPU per "
              f"message received, {ceiling['messages_per_s_per_core']} messages/s on one core",
              flush=True)  # fmt: skip
    ceiling = report["client_ceiling"][args.reader]
    if args.ceiling:
        if args.out:
            args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
        return report
    targets = ["project", "reference"] if args.target == "both" else [args.target]
    runs = []
    for target in targets:
        workdir = args.workdir / target if args.workdir else Path(tempfile.mkdtemp(prefix="live-"))
        if target == "project":
            server = ProjectServer(workdir, args.server_cpu, queue=args.queue)
        else:
            server = ReferenceServer(workdir, args.server_cpu)
        print(f"# {target}: {args.clients} clients, {args.votes_per_second:g} votes/s for "
              f"{args.duration:g} s, hold {args.hold:g} s", flush=True)  # fmt: skip
        try:
            figures = Run(server, args).execute()
        finally:
            server.stop()
            if args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
        bound = [
            phase
            for phase, usage in (
                ("ramp", figures.get("ramp")),
                ("votes", (figures.get("votes") or {}).get("phase")),
                ("hold", figures.get("hold")),
            )
            if usage and usage.get("client_cpu_pct", 0) >= CLIENT_BOUND
        ]
        figures["client_bound_phases"] = bound
        runs.append(figures)
        if bound:
            print(f"WARNING: {target}: the client used ≥ {CLIENT_BOUND:g} % of its core during "
                  f"{', '.join(bound)}: those figures are the client's", flush=True)  # fmt: skip
    report["runs"] = runs
    print(table(runs), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
