/* Shared notes: one Markdown note per session, co-edited live.
 *
 * The note is a Yjs document (Y.Text "body"). Every change is kept in
 * IndexedDB first, so nothing typed is lost when the network or the tab goes
 * away, and is sent to the server over Socket.IO with an acknowledgement.
 *
 * Protocol (the server is pycrdt):
 *   note_join   {note, sv}      -> ack {ok, epoch, update, sv, editors}
 *   note_update {note, update}  -> ack {ok} | {ok: false, error: {code, message}}
 *   note_cursor {note, client, clock, cursor}  (where my caret is; not stored)
 *   server -> client: note_update {note, update}, note_presence {note, editors},
 *     note_cursor {note, client, clock, cursor, name, colour} | {note, client, gone}
 * The join runs on every (re)connect: we apply what the server has that we
 * lack, then send back everything it lacks. That one exchange repairs any
 * missed or unacknowledged message, so every failure path just runs it again.
 *
 * Built by frontend/build.mjs into barcamp/static/js/notes.min.js.
 */
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import * as encoding from "lib0/encoding";
import { io } from "socket.io-client";
import { createEditor } from "./editor.js";

const ACK_TIMEOUT = 10000; // ms to wait for any acknowledgement
const FLUSH_DELAY = 150; // ms: batch keystrokes into one message
const IDB_TIMEOUT = 5000; // ms: past this, carry on without IndexedDB
const SERVER = "server"; // transaction origin of updates from the server
const CURSOR_DELAY = 200; // ms: at most this often, where my caret is (the limit: 600/min)
const COLOURS = 8; // other writers' carets: .cm-writer-0 … 7 in app.css

function start() {
  const root = document.getElementById("note-editor");
  if (!root) return;

  const el = {
    text: document.getElementById("note-text"),
    toolbar: document.getElementById("note-format"),
    status: document.getElementById("note-status"),
    error: document.getElementById("note-error"),
    discard: document.getElementById("note-discard"),
    editors: document.getElementById("note-editors"),
    announce: document.getElementById("note-announce"),
  };
  const msg = root.dataset; // msgConnecting, msgSaving, ... rendered by the server
  const eventCode = root.dataset.event;
  const note = Number(root.dataset.note);
  const epoch = root.dataset.epoch;
  const dbName = "barcamp-note-" + note + "-" + epoch;

  const doc = new Y.Doc();
  const ytext = doc.getText("body");
  const awareness = new Awareness(doc); // carets: mine, and the others' from the server
  let persistence = null;
  let editor = null;

  /* ---------- sync state ---------- */

  let buffer = []; // local updates not yet sent
  let localSeq = 0; // number of local changes so far
  let ackedSeq = 0; // highest localSeq the server has acknowledged
  let inFlight = 0; // note_update messages awaiting their ack
  let conn = 0; // bumped on connect and disconnect: drops stale callbacks
  let joined = false; // handshake done on the current connection
  let joining = false;
  let everJoined = false;
  let offline = false;
  let stopped = false; // the server refused our changes: send nothing more
  let leaving = false; // reloading on purpose: no unload warning
  let flushTimer = null;
  let pausedUntil = 0; // after "rate_limited": no sending before this time
  let joinRetries = 0;
  let kicks = 0; // disconnections by the server in a row
  let updateRetries = 0;

  window.barcampNote = {
    doc,
    ytext,
    state: () => el.status.dataset.state,
    text: () => ytext.toString(),
    editorText: () => (editor ? editor.view.state.doc.toString() : null),
    carets: () => Array.from(awareness.getStates().entries())
      .filter(([client, state]) => client !== doc.clientID && state.cursor)
      .map(([, state]) => state.user.name),
    // Resolves once every change made so far is written in this device's copy: a
    // transaction on the store starts only after the writes queued before it.
    writtenOnDevice: () => new Promise((resolve) => {
      if (!persistence || !persistence.db) return resolve(false);
      const transaction = persistence.db.transaction(["updates"], "readonly");
      transaction.oncomplete = () => resolve(true);
      transaction.onerror = transaction.onabort = () => resolve(false);
    }),
  };

  /* ---------- status line ---------- */

  function dirty() {
    return ackedSeq < localSeq || inFlight > 0 || buffer.length > 0;
  }

  function currentState() {
    if (stopped) return "error";
    if (offline) return "offline";
    if (!everJoined) return "connecting";
    if (!joined || dirty()) return "saving";
    return "saved";
  }

  const messages = {
    connecting: msg.msgConnecting,
    saving: msg.msgSaving,
    saved: msg.msgSaved,
    offline: msg.msgOffline,
    reset: msg.msgReset,
    error: "", // the message itself is in #note-error
  };

  let shownState = null;
  let away = true; // not saved since the page opened or the connection was lost
  function setState(state) {
    if (state === shownState) return;
    shownState = state;
    el.status.dataset.state = state;
    el.status.textContent = messages[state] || "";
    // Screen readers hear what matters, not "saving… saved" after every word:
    // losing the connection, and everything saved once it is back.
    let news = state === "offline" || state === "reset";
    if (state === "offline") away = true;
    if (state === "saved" && away) {
      away = false;
      news = true;
    }
    if (el.announce && news) el.announce.textContent = messages[state];
  }

  function updateStatus() {
    if (!leaving) setState(currentState());
  }

  function showError(message) {
    el.error.textContent = message || "";
    el.error.hidden = !message;
  }

  function renderEditors(editors) {
    el.editors.textContent = "";
    (editors || []).forEach((editor) => {
      const li = document.createElement("li");
      li.textContent = editor.name;
      el.editors.appendChild(li);
    });
  }

  /* ---------- IndexedDB copy ---------- */

  function timeout(promise, ms) {
    return Promise.race([
      promise,
      new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
    ]);
  }

  // Resolves once the local copy (if any) is loaded into the doc.
  async function openLocalCopy() {
    if (typeof indexedDB === "undefined") return;
    try {
      persistence = new IndexeddbPersistence(dbName, doc);
      // A failed open rejects `_db` (whenSynced alone would never settle).
      await timeout(persistence._db.then(() => persistence.whenSynced), IDB_TIMEOUT);
      // y-indexeddb closes the database when another tab deletes it, then
      // throws on each later write; stop using it instead.
      persistence.db.onversionchange = () => {
        persistence.db.close();
        dropLocalCopy();
      };
    } catch (err) {
      console.warn("notes: carrying on without IndexedDB", err);
      dropLocalCopy();
    }
  }

  function dropLocalCopy() {
    if (!persistence) return;
    persistence.destroy().catch(() => {}); // detaches from the doc at once
    persistence = null;
  }

  // Delete this note's copy. clearData() starts the deletion without waiting
  // for it; a second deleteDatabase request completes after the first one.
  async function clearLocalCopy() {
    if (!persistence) return;
    try {
      await timeout(persistence.clearData(), IDB_TIMEOUT);
      await timeout(new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase(dbName);
        request.onsuccess = resolve;
        request.onerror = () => reject(request.error);
      }), IDB_TIMEOUT);
    } catch (err) {
      console.warn("notes: could not clear the local copy", err);
    }
  }

  async function reloadPage() {
    leaving = true;
    socket.disconnect();
    if (editor) editor.setReadOnly(true);
    await clearLocalCopy();
    location.reload();
  }

  /* ---------- socket ---------- */

  const socket = io({ auth: { event: eventCode, notes: true }, autoConnect: false });

  socket.on("connect", () => {
    conn++;
    offline = false;
    joined = false;
    joining = false;
    inFlight = 0; // their acks were failed by the disconnect; the join resends
    joinRetries = 0;
    join();
    updateStatus();
  });

  socket.on("disconnect", (reason) => {
    conn++;
    offline = true;
    joined = false;
    joining = false;
    inFlight = 0;
    // socket.io reconnects by itself except when the server closed the
    // connection; come back anyway (the join sorts out what changed).
    if (reason === "io server disconnect" && !leaving) {
      setTimeout(() => socket.connect(), backoff(kicks++));
    }
    updateStatus();
  });

  socket.on("connect_error", () => {
    // Either the network (socket.active: it retries) or a refusal by the
    // server; in both cases edits stay on this device.
    offline = true;
    updateStatus();
  });

  socket.on("note_update", (data) => {
    if (leaving || !data || data.note !== note) return;
    applyServerUpdate(data.update);
  });

  socket.on("note_presence", (data) => {
    if (data && data.note === note) renderEditors(data.editors);
  });

  socket.on("note_cursor", (data) => {
    if (leaving || !data || data.note !== note || data.client === doc.clientID) return;
    if (data.gone) {
      removeAwarenessStates(awareness, [data.client], SERVER);
      return;
    }
    const colour = Math.abs(Number(data.colour) || 0) % COLOURS;
    const state = { user: { name: String(data.name), colour }, cursor: data.cursor };
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, data.client);
    encoding.writeVarUint(encoder, data.clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
    // Kept if newer than what we have; dropped by itself after 30 s without news.
    applyAwarenessUpdate(awareness, encoding.toUint8Array(encoder), SERVER);
  });

  function applyServerUpdate(update) {
    try {
      Y.applyUpdate(doc, new Uint8Array(update), SERVER);
    } catch (err) {
      console.error("notes: bad update from the server", err);
    }
  }

  function backoff(attempt) {
    // 1 s, 2 s, 4 s ... capped at 15 s, with some jitter
    return Math.min(15000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
  }

  function refused(error) {
    stopped = true;
    joined = false;
    if (editor) editor.setReadOnly(true);
    showError(error && error.message);
    updateStatus();
  }

  /* ---------- handshake ---------- */

  function join() {
    if (!socket.connected || stopped || leaving || joining) return;
    joining = true;
    joined = false;
    const mine = conn;
    const payload = { note, sv: Y.encodeStateVector(doc) };
    socket.timeout(ACK_TIMEOUT).emit("note_join", payload, (err, ack) => {
      if (mine !== conn) return; // that connection is gone; a new join runs
      joining = false;
      if (err || !ack) return retryJoin(mine);
      if (!ack.ok) {
        if (ack.error && ack.error.code === "rate_limited") return retryJoin(mine);
        return refused(ack.error);
      }
      joinRetries = 0;
      kicks = 0;
      if (ack.epoch !== epoch) {
        // The note was reset on the server: our copy belongs to the old one.
        setState("reset");
        reloadPage();
        return;
      }
      applyServerUpdate(ack.update);
      // Everything the server lacks, local edits included; its delete set
      // matters even when it holds no new text, so it is always sent.
      buffer = [];
      send(Y.encodeStateAsUpdate(doc, new Uint8Array(ack.sv)));
      joined = true;
      everJoined = true;
      renderEditors(ack.editors);
      sendCursor();
      updateStatus();
    });
  }

  /* ---------- my caret, for the others ---------- */

  let cursorTimer = null;
  awareness.on("update", ({ added, updated }, origin) => {
    if (origin === SERVER || cursorTimer !== null) return;
    if (!added.concat(updated).includes(doc.clientID)) return;
    cursorTimer = setTimeout(sendCursor, CURSOR_DELAY);
  });

  // Fire and forget: the next move, or the renewal every 15 s, says it again.
  function sendCursor() {
    clearTimeout(cursorTimer);
    cursorTimer = null;
    const local = awareness.getLocalState();
    if (!socket.connected || !joined || stopped || !local) return;
    const meta = awareness.meta.get(doc.clientID);
    socket.emit("note_cursor", {
      note,
      client: doc.clientID,
      clock: meta ? meta.clock : 0,
      cursor: local.cursor ? JSON.parse(JSON.stringify(local.cursor)) : null,
    });
  }

  function retryJoin(mine) {
    updateStatus();
    setTimeout(() => {
      if (mine === conn) join();
    }, backoff(joinRetries++));
  }

  /* ---------- sending local changes ---------- */

  doc.on("update", (update, origin) => {
    if (origin === SERVER || (persistence && origin === persistence)) return;
    buffer.push(update);
    localSeq++;
    scheduleFlush(FLUSH_DELAY);
    updateStatus();
  });

  function scheduleFlush(delay) {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(flush, Math.max(delay, pausedUntil - Date.now()));
  }

  function flush() {
    flushTimer = null;
    // While offline or joining, the buffer waits: the next join covers it.
    if (!socket.connected || !joined || stopped || buffer.length === 0) return;
    const update = Y.mergeUpdates(buffer);
    buffer = [];
    send(update);
  }

  // Send `update`, which holds every local change up to the current localSeq.
  function send(update) {
    const seq = localSeq;
    const mine = conn;
    inFlight++;
    socket.timeout(ACK_TIMEOUT).emit("note_update", { note, update }, (err, ack) => {
      if (mine !== conn) return; // disconnected since: the next join resends
      inFlight--;
      if (err || !ack) {
        // Maybe lost, maybe applied: let the handshake work out the difference.
        join();
      } else if (ack.ok) {
        ackedSeq = Math.max(ackedSeq, seq);
        updateRetries = 0;
      } else if (ack.error && ack.error.code === "rate_limited") {
        // Put it back in front of newer changes and try again later.
        buffer.unshift(update);
        pausedUntil = Date.now() + backoff(updateRetries++);
        clearTimeout(flushTimer);
        flushTimer = null;
        scheduleFlush(0);
      } else {
        refused(ack.error);
        el.discard.hidden = false;
      }
      updateStatus();
    });
    updateStatus();
  }

  el.discard.addEventListener("click", () => reloadPage());

  window.addEventListener("beforeunload", (e) => {
    if (leaving || !dirty()) return;
    e.preventDefault();
    e.returnValue = msg.msgUnload;
    return msg.msgUnload;
  });

  /* ---------- go ---------- */

  setState("connecting");
  openLocalCopy().then(() => {
    editor = createEditor({
      textarea: el.text,
      toolbar: el.toolbar,
      ytext,
      awareness,
      labels: { task: msg.msgTask },
      styleNonce: root.dataset.styleNonce,
    });
    socket.connect();
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
