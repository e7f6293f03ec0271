/* Shared notes: one Markdown note per session, co-edited live.
 *
 * The note is a Yjs document (Y.Text "body"). Every change is kept in
 * IndexedDB first, so nothing typed is lost when the network or the tab goes
 * away, and is sent to the server over Socket.IO with an acknowledgement.
 *
 * Protocol (the server is pycrdt):
 *   note_join   {note, sv}      -> ack {ok, epoch, update, sv, editors}
 *   note_update {note, update}  -> ack {ok} | {ok: false, error: {code, message}}
 *   server -> client: note_update {note, update}, note_presence {note, editors}
 * The join runs on every (re)connect: we apply what the server has that we
 * lack, then send back everything it lacks. That one exchange repairs any
 * missed or unacknowledged message, so every failure path just runs it again.
 *
 * Built by frontend/build.mjs into barcamp/static/js/notes.min.js.
 */
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { io } from "socket.io-client";

const ACK_TIMEOUT = 10000; // ms to wait for any acknowledgement
const FLUSH_DELAY = 150; // ms: batch keystrokes into one message
const IDB_TIMEOUT = 5000; // ms: past this, carry on without IndexedDB
const SERVER = "server"; // transaction origin of updates from the server
const LOCAL = "local"; // transaction origin of edits made in the textarea

function start() {
  const root = document.getElementById("note-editor");
  if (!root) return;

  const el = {
    text: document.getElementById("note-text"),
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
  let persistence = null;

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
    el.text.readOnly = true;
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
    el.text.readOnly = true;
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
      updateStatus();
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
    bindTextarea(el.text, doc, ytext);
    socket.connect();
  });
}

/* ---------- textarea <-> Y.Text ----------
 * Both count UTF-16 code units, so positions carry over as they are. Local
 * input is diffed against `shown` (what the textarea last displayed, equal to
 * the Y.Text outside IME compositions). Remote changes are written into the
 * textarea at once, except during a composition (writing would break it):
 * their deltas are kept and the composed text is mapped through them at the end.
 */
function bindTextarea(textarea, doc, ytext) {
  let shown = ytext.toString();
  let composing = false;
  let missed = []; // remote deltas not yet shown, during a composition

  textarea.value = shown;
  textarea.readOnly = false;

  textarea.addEventListener("compositionstart", () => { composing = true; });
  textarea.addEventListener("compositionend", () => {
    composing = false;
    applyInput();
  });
  textarea.addEventListener("input", (e) => {
    if (!composing && !e.isComposing) applyInput();
  });

  function applyInput() {
    const value = textarea.value;
    const change = diff(shown, value);
    let from = change.index;
    let to = change.index + change.remove;
    missed.forEach((delta) => {
      from = mapIndex(delta, from);
      to = mapIndex(delta, to);
    });
    doc.transact(() => {
      if (to > from) ytext.delete(from, to - from);
      if (change.insert) ytext.insert(from, change.insert);
    }, LOCAL);
    if (missed.length) {
      // Show the remote changes held back; the caret goes after the composed
      // text, or where it was if nothing was composed.
      const caret = change.remove || change.insert
        ? from + change.insert.length
        : missed.reduce((index, delta) => mapIndex(delta, index), textarea.selectionEnd);
      missed = [];
      shown = ytext.toString();
      textarea.value = shown;
      if (document.activeElement === textarea) textarea.setSelectionRange(caret, caret);
    } else {
      shown = value;
    }
  }

  ytext.observe((event) => {
    if (event.transaction.origin === LOCAL) return;
    const delta = event.delta; // only readable inside the observer
    if (composing) {
      missed.push(delta);
      return;
    }
    const focused = document.activeElement === textarea;
    const { selectionStart, selectionEnd, selectionDirection } = textarea;
    shown = ytext.toString();
    textarea.value = shown;
    if (focused) {
      textarea.setSelectionRange(
        mapIndex(delta, selectionStart),
        mapIndex(delta, selectionEnd),
        selectionDirection
      );
    }
  });
}

// Smallest single replacement turning `before` into `after`: common prefix and
// suffix, never overlapping, and never cutting a surrogate pair in two (Yjs
// would turn each half into U+FFFD).
function diff(before, after) {
  const shortest = Math.min(before.length, after.length);
  let start = 0;
  while (start < shortest && before[start] === after[start]) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let end = 0; // length of the common suffix
  while (
    end < shortest - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  ) end++;
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--;
  return {
    index: start,
    remove: before.length - end - start,
    insert: after.slice(start, after.length - end),
  };
}

function isHighSurrogate(code) { return code >= 0xd800 && code <= 0xdbff; }
function isLowSurrogate(code) { return code >= 0xdc00 && code <= 0xdfff; }

// Where position `index` of the old text lands once `delta` is applied.
// Text inserted exactly at `index` goes after it (the position stays put).
function mapIndex(delta, index) {
  let pos = 0; // position in the old text
  let mapped = index;
  for (const op of delta) {
    if (pos > index) break;
    if (op.retain) {
      pos += op.retain;
    } else if (op.insert !== undefined) {
      if (pos < index) mapped += typeof op.insert === "string" ? op.insert.length : 1;
    } else if (op.delete) {
      if (pos < index) mapped -= Math.min(op.delete, index - pos);
      pos += op.delete;
    }
  }
  return mapped;
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
