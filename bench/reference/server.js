// The reference of bench/live_load.py: a minimal Socket.IO v4 server speaking the
// Barcamp vote protocol (docs/protocol.md), WebSocket transport only, with nothing
// behind it (no database, no identity, no coalescing): each vote_cast or
// vote_withdraw bumps `votes_version`, is acknowledged, and broadcasts `tallies` to
// every socket, once per vote. It shows what the same machine does with Node's
// Socket.IO when the work per vote is close to nothing.
//
//   npm ci && PORT=5100 taskset -c 0 node server.js

"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 5100);
const host = process.env.HOST || "127.0.0.1";

let votesVersion = 0;
const counts = new Map(); // topic id -> dots

function tallies() {
  let total = 0;
  const rows = [];
  for (const [topic, dots] of counts) {
    total += dots;
    rows.push([topic, dots]);
  }
  return { votes_version: votesVersion, total, counts: rows };
}

const httpServer = http.createServer((request, response) => {
  if (request.url === "/state.json") {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ tallies: tallies() }));
    return;
  }
  response.writeHead(404);
  response.end();
});

const io = new Server(httpServer, {
  transports: ["websocket"],
  serveClient: false,
  // The same heartbeat as python-engineio's defaults (Flask-SocketIO keeps them).
  pingInterval: 25000,
  pingTimeout: 20000,
});

function vote(socket, delta) {
  return (payload, ack) => {
    const topic = payload && payload.topic_id;
    if (typeof ack !== "function") return;
    if (topic === undefined || topic === null) {
      ack({ ok: false, error: { code: "invalid", message: "no topic", fields: {} } });
      return;
    }
    const dots = Math.max((counts.get(topic) || 0) + delta, 0);
    counts.set(topic, dots);
    votesVersion += 1;
    ack({ ok: true, version: 1, me: { votes_version: votesVersion } });
    io.emit("tallies", tallies());
  };
}

io.on("connection", (socket) => {
  socket.emit("snapshot", { version: 1, tallies: tallies() });
  socket.on("vote_cast", vote(socket, 1));
  socket.on("vote_withdraw", vote(socket, -1));
  socket.on("snapshot", (_payload, ack) => {
    if (typeof ack === "function") ack({ ok: true, snapshot: { version: 1, tallies: tallies() } });
  });
});

httpServer.listen(port, host, () => {
  console.log(`reference Socket.IO ${require("socket.io/package.json").version} on http://${host}:${port}/`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
