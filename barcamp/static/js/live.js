/* Live pages: keep the page's state in step with the server over Socket.IO.
 *
 * On every (re)connect the server sends a full `snapshot`; each broadcast then
 * carries the event's next `version`. A gap means something was missed, so the
 * page asks for a fresh snapshot. User text is always set with textContent.
 */
(function () {
  "use strict";

  var body = document.body;
  if (!body.hasAttribute("data-live-page") || typeof io === "undefined") return;

  var me = body.dataset.me ? Number(body.dataset.me) : null;
  var state = null;
  var maxSeen = 0;
  var resyncing = false;
  var rendered = null; // participant ids shown last time, to highlight arrivals

  var socket = io({ auth: { event: body.dataset.eventCode } });

  /* ---- connection status ---- */
  var statusBox = document.querySelector("[data-live-status]");
  function setStatus(kind) {
    if (!statusBox) return;
    var text = statusBox.querySelector("[data-status-text]");
    statusBox.hidden = false;
    statusBox.dataset.state = kind;
    text.textContent = text.dataset[kind] || "";
  }
  socket.on("connect", function () { setStatus("connected"); });
  socket.on("disconnect", function () { setStatus("reconnecting"); });
  socket.on("connect_error", function (error) {
    // A refusal from the server is final; anything else is the network.
    setStatus(socket.active ? "reconnecting" : "refused");
  });

  /* ---- state: snapshot, then versioned changes ---- */
  socket.on("snapshot", function (snapshot) {
    state = snapshot;
    render();
    if (maxSeen > state.version) resync();
  });

  function resync() {
    if (resyncing) return;
    resyncing = true;
    socket.timeout(10000).emit("snapshot", {}, function (error, ack) {
      resyncing = false;
      if (!error && ack && ack.ok) {
        state = ack.snapshot;
        render();
      }
    });
  }

  function on(name, apply) {
    socket.on(name, function (message) {
      maxSeen = Math.max(maxSeen, message.version);
      if (!state || message.version <= state.version) return;
      if (message.version !== state.version + 1) return resync();
      apply(message);
      state.version = message.version;
      render();
    });
  }

  function withoutParticipant(id) {
    return state.participants.filter(function (p) { return p.id !== id; });
  }

  on("participant_joined", function (m) {
    state.participants = withoutParticipant(m.participant.id).concat([m.participant]);
  });
  on("participant_updated", function (m) {
    state.participants = state.participants.map(function (p) {
      return p.id === m.participant.id ? m.participant : p;
    });
  });
  on("participant_left", function (m) {
    state.participants = withoutParticipant(m.participant_id);
  });
  on("event_updated", function (m) {
    state.event = m.event;
    state.rooms = m.rooms;
    state.slots = m.slots;
  });

  /* ---- rendering ---- */
  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (node) {
      node.textContent = text;
    });
  }

  function renderPeople(list) {
    var newestFirst = list.hasAttribute("data-newest-first");
    var limit = Number(list.dataset.limit) || Infinity;
    var people = state.participants.slice();
    if (newestFirst) people.reverse();
    people = people.slice(0, limit);
    var items = people.map(function (person) {
      var item = document.createElement("li");
      item.dataset.id = person.id;
      if (person.id === me) item.className = "me";
      if (rendered && !rendered.has(person.id)) item.classList.add("arrived");
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = person.name;
      item.appendChild(name);
      if (person.role !== "attendee") {
        var badge = document.createElement("span");
        badge.className = "badge badge-" + person.role;
        badge.textContent = list.dataset["label" + person.role[0].toUpperCase() + person.role.slice(1)];
        item.appendChild(badge);
      }
      return item;
    });
    list.replaceChildren.apply(list, items);
  }

  function render() {
    setText("[data-live=present]", String(state.participants.length));
    setText("[data-live=event-name]", state.event.name);
    setText("[data-live=event-venue]", state.event.venue);
    document.querySelectorAll("[data-live=people]").forEach(renderPeople);
    rendered = new Set(state.participants.map(function (p) { return p.id; }));
    var mine = state.participants.find(function (p) { return p.id === me; });
    if (mine) setText("[data-live=my-name]", mine.name);
  }

  /* ---- actions: acknowledged, retried with the same operation id ---- */
  function opId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function send(name, payload, done, attempt) {
    attempt = attempt || 1;
    payload.op_id = payload.op_id || opId();
    socket.timeout(5000).emit(name, payload, function (error, ack) {
      if (error) {
        // No answer: the same op_id makes a retry safe even if the first one landed.
        if (attempt < 5) return setTimeout(function () { send(name, payload, done, attempt + 1); }, 1000 * attempt);
        return done({ ok: false, error: { message: "" } });
      }
      done(ack);
    });
  }
  window.barcampLive = { send: send, socket: socket };

  var renameForm = document.querySelector("[data-rename-form]");
  if (renameForm) {
    renameForm.addEventListener("submit", function (submitEvent) {
      if (!socket.connected) return; // the plain form post still works
      submitEvent.preventDefault();
      var input = renameForm.querySelector("input[name=display_name]");
      var errorBox = renameForm.querySelector("[data-form-error]");
      send("participant_rename", { name: input.value }, function (ack) {
        if (ack.ok) {
          errorBox.hidden = true;
          input.removeAttribute("aria-invalid");
          input.value = ack.name;
          renameForm.closest("details").open = false;
        } else if (ack.error.message) {
          errorBox.textContent = ack.error.message;
          errorBox.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        } else {
          renameForm.submit();
        }
      });
    });
  }

  /* ---- projector: keep the screen awake ---- */
  if (body.dataset.page === "screen" && navigator.wakeLock) {
    var requestWakeLock = function () { navigator.wakeLock.request("screen").catch(function () {}); };
    requestWakeLock();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") requestWakeLock();
    });
  }
})();
