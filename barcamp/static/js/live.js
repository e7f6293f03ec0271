/* Live pages: keep the page's state in step with the server over Socket.IO.
 *
 * On every (re)connect the server sends a full `snapshot`; each broadcast then
 * carries the event's next `version`. A gap means something was missed, so the
 * page asks for a fresh snapshot. Tallies and one's own votes are state messages,
 * ordered by `votes_version`, occupancy and one's own seats by `seats_version`:
 * the latest wins. User text is only set with
 * textContent. Without JavaScript every action is a plain form that still works.
 */
(function () {
  "use strict";

  var body = document.body;
  if (!body.hasAttribute("data-live-page") || typeof io === "undefined") return;

  var page = body.dataset.page;
  var me = body.dataset.me ? Number(body.dataset.me) : null;
  var labelsNode = document.getElementById("ui-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var lang = document.documentElement.lang || "fr";
  var plurals = new Intl.PluralRules(lang);
  var state = null;
  var maxSeen = 0;
  var resyncing = false;
  var seenPeople = null; // participant ids shown last time, to highlight arrivals

  // After a restart, every open page reconnects: spread them out (1 s, then up to
  // 30 s, each delay drawn at random within half of it) so the server is not hit by
  // all of them in the same second.
  var socket = io({
    auth: { event: body.dataset.eventCode },
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5
  });

  /* ---------- small helpers ---------- */

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (_, key) { return String(values[key]); });
  }
  function plural(key, num, values) {
    var form = plurals.select(num) === "one" ? "one" : "other";
    values = values || {};
    values.num = num;
    return fill(labels[key + "_" + form] || "", values);
  }
  // Only what changed is written: a live region rewritten with the same text would be
  // read out again at every broadcast.
  function setText(selector, text, root) {
    $$(selector, root).forEach(function (node) { if (node.textContent !== text) node.textContent = text; });
  }
  function show(node, visible) { if (node) node.hidden = !visible; }
  function byId(list) {
    var map = {};
    (list || []).forEach(function (pair) { map[pair[0]] = pair[1]; });
    return map;
  }

  /* ---------- connection status ---------- */

  var statusBox = $("[data-live-status]");
  function setStatus(kind) {
    if (!statusBox) return;
    var text = $("[data-status-text]", statusBox);
    statusBox.hidden = false;
    statusBox.dataset.state = kind;
    var said = text.dataset[kind] || "";
    if (text.textContent !== said) text.textContent = said;
  }

  /* What an action did (its form's data-done), said once to screen readers by a polite
     status outside <main>, which pages draw again (the same words twice in a row are
     said twice: emptied first, then written). */
  var region = document.createElement("p");
  region.className = "visually-hidden";
  region.setAttribute("role", "status");
  region.dataset.live = "announce";
  body.appendChild(region);
  function announce(message) {
    if (!message) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = message; }, 100);
  }
  socket.on("connect", function () { setStatus("connected"); });
  socket.on("disconnect", function () { setStatus("reconnecting"); });
  // A projector opened by screen link, whose link a facilitator just renewed.
  socket.on("screen_link_renewed", function () {
    socket.disconnect();
    setStatus("renewed");
  });
  // This person was removed from the event (or their data erased): the server closes
  // this page's connection; say why, and do not try again.
  socket.on("removed", function () {
    socket.disconnect();
    setStatus("removed");
  });
  socket.on("connect_error", function (error) {
    // A refusal from the server is final, except while its database does not answer
    // ("unavailable"): then try again in a while. Anything else is the network.
    if (!socket.active && error && error.message === "unavailable") {
      setStatus("reconnecting");
      setTimeout(function () { socket.connect(); }, 5000 + Math.random() * 5000);
      return;
    }
    setStatus(socket.active ? "reconnecting" : "refused");
  });

  /* ---------- state: snapshot, versioned changes, state messages ---------- */

  socket.on("snapshot", function (snapshot) {
    state = snapshot;
    render();
    drain();
    if (maxSeen > state.version && !waitingFor()) resync();
  });

  // What tests (and the curious) can read of this page (window.barcampLive, below):
  // how often it had to ask for a full snapshot again.
  var stream = { resyncs: 0 };
  function resync() {
    if (resyncing) return;
    resyncing = true;
    stream.resyncs++;
    socket.timeout(10000).emit("snapshot", {}, function (error, ack) {
      resyncing = false;
      if (!error && ack && ack.ok) {
        state = ack.snapshot;
        render();
        drain();
      }
    });
  }

  /* Broadcasts apply in version order. One that comes ahead of its turn (with several
     server processes, two may overtake each other) waits a second for the ones
     before it; a gap still open then means one was lost: take a fresh snapshot. */
  var GAP_WAIT = 1000;
  var appliers = {};
  var ahead = {}; // version -> [name, message]
  var gapTimer = null;
  function on(name, handler) {
    appliers[name] = handler;
    socket.on(name, function (message) {
      if (receive(name, message)) render();
    });
  }
  socket.on("changes", function (batch) {
    var changed = false;
    (batch.changes || []).forEach(function (message) {
      if (appliers[message.name] && receive(message.name, message)) changed = true;
    });
    if (changed) render();
  });
  function receive(name, message) { // true if the state changed
    maxSeen = Math.max(maxSeen, message.version);
    if (!state || message.version <= state.version) return false;
    ahead[message.version] = [name, message];
    return apply();
  }
  function apply() { // the broadcasts whose turn it is; true if any
    var applied = false;
    var next;
    while ((next = ahead[state.version + 1])) {
      delete ahead[state.version + 1];
      appliers[next[0]](next[1]);
      state.version = next[1].version;
      applied = true;
    }
    Object.keys(ahead).forEach(function (version) {
      if (Number(version) <= state.version) delete ahead[version];
    });
    if (!waitingFor()) {
      clearTimeout(gapTimer);
      gapTimer = null;
    } else if (gapTimer === null) {
      gapTimer = setTimeout(function () {
        gapTimer = null;
        if (!waitingFor()) return;
        ahead = {};
        resync();
      }, GAP_WAIT);
    }
    return applied;
  }
  function waitingFor() { return Object.keys(ahead).length > 0; }
  function drain() { if (apply()) render(); }

  function without(list, id) { return list.filter(function (item) { return item.id !== id; }); }
  function replaced(list, item) {
    return list.map(function (old) { return old.id === item.id ? item : old; });
  }

  on("participant_joined", function (m) {
    state.participants = without(state.participants, m.participant.id).concat([m.participant]);
  });
  on("participant_updated", function (m) {
    state.participants = replaced(state.participants, m.participant);
  });
  on("participant_left", function (m) {
    state.participants = without(state.participants, m.participant_id);
  });
  on("event_updated", function (m) {
    state.event = m.event;
    if (m.rooms) state.rooms = m.rooms;
    if (m.slots) state.slots = m.slots;
  });
  on("topic_created", function (m) {
    state.topics = without(state.topics, m.topic.id).concat([m.topic]);
  });
  on("topic_updated", function (m) {
    state.topics = replaced(state.topics, m.topic);
  });
  on("topic_removed", function (m) {
    state.topics = without(state.topics, m.topic_id);
    if (state.spotlight === m.topic_id) state.spotlight = null;
  });
  on("spotlight", function (m) { state.spotlight = m.topic_id; });
  // What the facilitator puts on the projector: a mode, the talk on stage, a
  // question shown large, the report-back's step (see plenary.js).
  on("screen_updated", function (m) { state.screen = m.screen; });
  on("talks_updated", function (m) { state.talks = m.talks; });
  var gridChanged = false;
  on("schedule_updated", function (m) {
    state.schedule = { published: m.published, sessions: m.sessions };
    gridChanged = true; // drafts too: the facilitators' grid page shows them
  });

  socket.on("tallies", function (tallies) {
    if (!state || tallies.votes_version < state.tallies.votes_version) return;
    state.tallies = tallies;
    render();
  });
  socket.on("occupancy", function (occupancy) {
    if (!state || occupancy.seats_version < state.occupancy.seats_version) return;
    state.occupancy = occupancy;
    renderOccupancy();
  });
  /* One's own votes (ordered by votes_version) and seats (by seats_version) share
     `state.me`: each part is replaced only by a message at least as new. */
  function takeMine(mine, version) {
    if (!state || !state.me || mine[version] < state.me[version]) return false;
    Object.keys(mine).forEach(function (key) { state.me[key] = mine[key]; });
    return true;
  }
  socket.on("my_seats", function (mine) {
    if (takeMine(mine, "seats_version")) renderOccupancy();
  });
  socket.on("my_votes", function (mine) {
    if (takeMine(mine, "votes_version")) render();
  });

  /* ---------- rendering ---------- */

  function names() {
    var map = {};
    state.participants.forEach(function (p) { map[p.id] = p.name; });
    return map;
  }

  function hostsText(topic, nameOf) {
    if (!topic.host_ids.length) return labels.no_host || "";
    return fill(labels.hosts, {
      names: topic.host_ids.map(function (id) { return nameOf[id] || "?"; }).join(", "),
    });
  }

  function renderPeople(list) {
    var newestFirst = list.hasAttribute("data-newest-first");
    var limit = Number(list.dataset.limit) || Infinity;
    var people = state.participants.slice();
    if (newestFirst) people.reverse();
    var items = people.slice(0, limit).map(function (person) {
      var item = document.createElement("li");
      item.dataset.id = person.id;
      if (person.id === me) item.className = "me";
      if (seenPeople && !seenPeople.has(person.id)) item.classList.add("arrived");
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

  function renderMarketBar() {
    var event = state.event;
    $$("[data-live=proposals-state]").forEach(function (chip) {
      chip.dataset.open = String(event.proposals_open);
      var said = event.proposals_open ? labels.proposals_open : labels.proposals_closed;
      if (chip.textContent !== said) chip.textContent = said; // a live region: only changes
    });
    $$("[data-live=voting-state]").forEach(function (chip) {
      chip.dataset.open = String(event.voting_open);
      var said = event.voting_open ? labels.voting_open : labels.voting_closed;
      if (chip.textContent !== said) chip.textContent = said;
    });
    show($("[data-live=blind-note]"), state.tallies.counts === null);
    if (state.me) setText("[data-live=budget]", plural("left", state.me.left, { budget: state.me.budget }));
    setText("[data-live=total]", plural("total", state.tallies.total));
    show($("[data-live=propose]"), event.proposals_open);
  }

  /* The attendee's wall: cards in the order topics were proposed (nothing jumps
     while people vote); nodes are kept, so keyboard focus stays where it was. */
  /* The attendee's wall, sorted and filtered in the page: by votes (unless voting is
     blind) or as proposed, by words (title, pitch, hosts; accents and case aside), by
     format, and "mine" (proposed, co-hosted or voted for). */
  var wallControls = $("[data-wall-controls]");
  var WALL_KEY = "barcamp-wall-" + (body.dataset.eventCode || "");
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function wallChoice() {
    if (!wallControls) return null;
    var form = wallControls.elements;
    return {
      sort: form.sort.value,
      words: fold(form.q.value).split(/\s+/).filter(Boolean),
      format: form.format.value,
      mine: Boolean(form.mine && form.mine.checked)
    };
  }
  if (wallControls) {
    try {
      var kept = JSON.parse(sessionStorage.getItem(WALL_KEY) || "{}");
      ["sort", "q", "format"].forEach(function (name) {
        if (typeof kept[name] === "string") wallControls.elements[name].value = kept[name];
      });
      if (wallControls.elements.mine) wallControls.elements.mine.checked = kept.mine === true;
    } catch (err) { /* a choice not kept is no loss */ }
    wallControls.hidden = false;
    wallControls.addEventListener("submit", function (e) { e.preventDefault(); });
    var onChoice = function () {
      var form = wallControls.elements;
      try {
        sessionStorage.setItem(WALL_KEY, JSON.stringify({
          sort: form.sort.value, q: form.q.value, format: form.format.value,
          mine: Boolean(form.mine && form.mine.checked)
        }));
      } catch (err) { /* private browsing: the choice lasts the page */ }
      if (state) $$("[data-live=topics]").forEach(renderWall);
    };
    wallControls.addEventListener("input", onChoice);
    wallControls.addEventListener("change", onChoice);
  }

  function wallOrder(counts, nameOf, mine) {
    var choice = wallChoice();
    var topics = state.topics.slice();
    if (!choice) return { topics: topics, shown: null };
    var blind = state.tallies.counts === null;
    var byVotes = $("option[data-needs-tallies]", wallControls);
    byVotes.disabled = blind;
    byVotes.hidden = blind;
    if (choice.sort === "votes" && !blind) {
      topics.sort(function (a, b) { return (counts[b.id] || 0) - (counts[a.id] || 0); });
    }
    var shown = {};
    topics.forEach(function (topic) {
      var text = fold([topic.title, topic.pitch, hostsText(topic, nameOf)].join(" "));
      shown[topic.id] =
        choice.words.every(function (word) { return text.indexOf(word) >= 0; }) &&
        (!choice.format || topic.format === choice.format) &&
        (!choice.mine || topic.proposer_id === me || topic.host_ids.indexOf(me) >= 0 ||
          (mine[topic.id] || 0) > 0);
    });
    return { topics: topics, shown: shown };
  }

  function renderWall(list) {
    var template = $("#topic-template");
    var nameOf = names();
    var counts = byId(state.tallies.counts);
    var visible = state.tallies.counts !== null;
    var mine = state.me ? byId(state.me.votes) : {};
    var left = state.me ? state.me.left : 0;
    var event = state.event;
    var existing = {};
    $$(":scope > li[data-topic-id]", list).forEach(function (li) { existing[li.dataset.topicId] = li; });
    var previous = null;
    var order = wallOrder(counts, nameOf, mine);
    var shownCount = 0;
    order.topics.forEach(function (topic) {
      var li = existing[topic.id];
      delete existing[topic.id];
      if (!li) {
        li = template.content.firstElementChild.cloneNode(true);
        li.id = "topic-" + topic.id;
        li.dataset.topicId = topic.id;
        $$("input[name=topic_id]", li).forEach(function (input) { input.value = topic.id; });
        var title = $("[data-slot=title]", li);
        title.id = "topic-" + topic.id + "-title";
        $("article", li).setAttribute("aria-labelledby", title.id);
      }
      setText("[data-slot=title]", topic.title, li);
      setText("[data-slot=title-again]", " — " + topic.title, li);
      setText("[data-slot=format]", labels.formats[topic.format] || "", li);
      setText("[data-slot=hosts]", hostsText(topic, nameOf), li);
      setText("[data-slot=pitch]", topic.pitch, li);
      show($("[data-slot=pitch]", li), Boolean(topic.pitch));
      var needs = topic.needs.map(function (need) { return labels.needs[need]; }).join(", ");
      setText("[data-slot=needs]", labels.needs_title + " " + needs, li);
      show($("[data-slot=needs]", li), topic.needs.length > 0);
      var tally = $("[data-slot=tally]", li);
      var count = counts[topic.id] || 0;
      if (tally) {
        var text = plural("votes", count);
        if (tally.textContent !== text && tally.textContent) bump(tally);
        tally.textContent = text;
        show(tally, visible);
      }
      var dots = mine[topic.id] || 0;
      var mineNode = $("[data-slot=mine]", li);
      if (mineNode) {
        $(".dots", mineNode).textContent = "●".repeat(dots);
        mineNode.lastChild.textContent = " " + fill(labels.mine, { num: dots });
        show(mineNode, dots > 0);
      }
      var isHost = topic.host_ids.indexOf(me) >= 0;
      show($("[data-control=vote]", li), event.voting_open && dots < event.max_votes_per_topic && left > 0);
      show($("[data-control=unvote]", li), event.voting_open && dots > 0);
      show($("[data-control=cohost]", li), me !== null && !isHost);
      show($("[data-control=uncohost]", li), isHost && topic.proposer_id !== me);
      show($("[data-control=withdraw]", li), topic.proposer_id === me && event.proposals_open);
      var edit = $("[data-control=edit]", li);
      if (edit) {
        edit.href = edit.dataset.href.replace(/\/0\/edit$/, "/" + topic.id + "/edit");
        show(edit, isHost && event.proposals_open);
      }
      var wanted = !order.shown || order.shown[topic.id];
      show(li, wanted);
      if (wanted) shownCount++;
      // Keep DOM order = the chosen order, moving only what is out of place (a card
      // holding the focus is moved too: the browser keeps the focus on it).
      var expected = previous ? previous.nextElementSibling : list.firstElementChild;
      if (expected !== li) list.insertBefore(li, expected);
      previous = li;
    });
    Object.keys(existing).forEach(function (id) { existing[id].remove(); });
    setText("[data-live=topic-count]", String(state.topics.length));
    show($("[data-live=no-topics]"), state.topics.length === 0);
    if (wallControls && order.shown) {
      // Said (politely) only when it changes, not at every vote.
      var filtered = shownCount < state.topics.length;
      var status = $("[data-slot=shown]", wallControls);
      var said = filtered ? fill(wallControls.dataset.shown, {
        shown: shownCount, total: state.topics.length
      }) : "";
      if (status.textContent !== said) status.textContent = said;
    }
  }

  function bump(node) {
    node.classList.remove("bumped");
    void node.offsetWidth; // restart the animation
    node.classList.add("bumped");
  }

  /* The projector's ranking: most votes first, moved with a calm slide (FLIP). With
     more topics than fit, it shows them a page at a time ("9-16 of 31"): the page the
     facilitator set (state.screen.page), else each page in turn, every PAGE_TURN ms. */
  var PAGE_TURN = 12000;
  var turningPage = 0;
  function renderRanking(list) {
    var counts = byId(state.tallies.counts);
    var visible = state.tallies.counts !== null;
    var ranked = state.topics.slice().sort(function (a, b) {
      return (counts[b.id] || 0) - (counts[a.id] || 0) || a.id - b.id;
    });
    var top = ranked.length ? counts[ranked[0].id] || 0 : 0;
    var before = {};
    var existing = {};
    $$(":scope > li", list).forEach(function (li) {
      existing[li.dataset.topicId] = li;
      before[li.dataset.topicId] = li.getBoundingClientRect().top;
    });
    var items = ranked.map(function (topic) {
      var li = existing[topic.id];
      if (!li) {
        li = document.createElement("li");
        li.dataset.topicId = topic.id;
        ["title", "count", "bar"].forEach(function (slot) {
          var span = document.createElement("span");
          span.className = "rank-" + slot;
          span.dataset.slot = slot;
          li.appendChild(span);
        });
        li.classList.add("arrived");
      }
      li.querySelector("[data-slot=title]").textContent = topic.title;
      var countNode = li.querySelector("[data-slot=count]");
      var count = String(counts[topic.id] || 0);
      if (countNode.textContent && countNode.textContent !== count) bump(countNode);
      countNode.textContent = count;
      show(countNode, visible);
      var bar = li.querySelector("[data-slot=bar]");
      bar.style.width = visible && top ? ((counts[topic.id] || 0) / top * 100) + "%" : "0";
      return li;
    });
    // How many fit above the bottom of the screen (the page's caption below them).
    var caption = list.parentNode.querySelector("[data-live=ranking-page]");
    list.style.counterReset = "";
    list.replaceChildren.apply(list, items);
    var limit = window.innerHeight;
    for (var box = list.parentNode; box && box !== document.body; box = box.parentNode) {
      if (getComputedStyle(box).overflowY !== "visible") {  // the box that clips the wall
        limit = Math.min(limit, box.getBoundingClientRect().bottom);
        break;
      }
    }
    function fitting(bottom) {
      return items.filter(function (li) { return li.getBoundingClientRect().bottom <= bottom; }).length;
    }
    var fit = fitting(limit);
    // Pages only when they do not all fit; then room is kept for the caption.
    if (fit < items.length && caption) fit = fitting(limit - 2.5 * parseFloat(getComputedStyle(caption).fontSize || 16));
    var perPage = Math.max(1, fit);
    var pages = Math.max(1, Math.ceil(items.length / perPage));
    var chosen = state.screen && state.screen.page !== null && state.screen.page !== undefined
      ? state.screen.page : turningPage;
    var pageNumber = ((chosen % pages) + pages) % pages;
    var first = pageNumber * perPage;
    var shown = items.slice(first, first + perPage);
    list.style.counterReset = "rank " + first;
    list.replaceChildren.apply(list, shown);
    list.dataset.page = String(pageNumber);
    list.dataset.pages = String(pages);
    if (caption) {
      caption.textContent = fill(labels.ranking_page || "", {
        first: first + 1, last: first + shown.length, total: items.length
      });
      show(caption, pages > 1);
    }
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    shown.forEach(function (li) {
      var old = before[li.dataset.topicId];
      if (old === undefined) return;
      var delta = old - li.getBoundingClientRect().top;
      if (!delta) return;
      li.animate([{ transform: "translateY(" + delta + "px)" }, { transform: "none" }],
                 { duration: 600, easing: "ease-in-out" });
    });
  }
  if (page === "screen") {
    setInterval(function () {
      if (!state || !state.topics || (state.screen && state.screen.page !== null && state.screen.page !== undefined)) return;
      var list = $("[data-live=ranking]");
      if (!list || Number(list.dataset.pages || 1) < 2) return;
      turningPage = (Number(list.dataset.page) + 1) % Number(list.dataset.pages);
      renderRanking(list);
    }, PAGE_TURN);
  }

  /* The projector once the grid is published: in each room, what is on now (or next),
     its seats taken, and a countdown. Redrawn every second. */
  // The projector's clock: the real time, or the hour set by the CLOCK setting.
  var clockOffset = Number(body.dataset.clockOffset || 0);
  function renderBoard(board) {
    var now = Date.now() / 1000 + clockOffset;
    var slots = state.slots.filter(function (s) { return s.kind === "sessions"; });
    var current = slots.filter(function (s) { return s.starts <= now && now < s.ends; })[0];
    var upcoming = slots.filter(function (s) { return s.starts > now; })[0];
    var slot = current || upcoming;
    var when = $("[data-slot=when]", board);
    var countdown = $("[data-slot=countdown]", board);
    if (!slot) {
      when.textContent = board.dataset.over;
      countdown.textContent = "";
    } else {
      var minutes = Math.max(0, Math.ceil(((current ? slot.ends : slot.starts) - now) / 60));
      when.textContent = (current ? board.dataset.now : board.dataset.next) + " · " +
        slot.starts_at.slice(11, 16) + "–" + slot.ends_at.slice(11, 16);
      countdown.textContent = fill(current ? board.dataset.ends : board.dataset.starts, { min: minutes });
    }
    renderStage(board, now, slot);
    var topics = {};
    state.topics.forEach(function (t) { topics[t.id] = t; });
    var taken = byId(state.occupancy.counts);
    $$("li[data-room-id]", board).forEach(function (row) {
      var roomId = Number(row.dataset.roomId);
      var session = slot && (state.schedule.sessions || []).filter(function (s) {
        return s.room_id === roomId && s.slot_id === slot.id;
      })[0];
      var topic = session && topics[session.topic_id];
      setText("[data-slot=title]", topic ? topic.title : "—", row);
      setText("[data-slot=seats]", session ? (taken[session.id] || 0) + " / " + session.capacity : "", row);
    });
  }
  /* The plenary's talk on now, or the next one when it comes before the next
     workshops: its title and speaker above the rooms. */
  function renderStage(board, now, slot) {
    var stage = $("[data-slot=stage]", board);
    if (!stage) return;
    var talks = (state.talks || []).filter(function (t) { return t.starts; });
    var onNow = talks.filter(function (t) { return t.starts <= now && now < t.ends; })[0];
    var next = talks.filter(function (t) { return t.starts > now; })[0];
    var talk = onNow || (next && (!slot || next.starts < slot.starts) ? next : null);
    stage.hidden = !talk;
    if (!talk) return;
    var minutes = Math.max(0, Math.ceil(((onNow ? talk.ends : talk.starts) - now) / 60));
    setText("[data-slot=stage-when]", (onNow ? board.dataset.stageNow : board.dataset.stageNext) +
      " · " + talk.starts_at.slice(11, 16) + "–" + talk.ends_at.slice(11, 16), stage);
    setText("[data-slot=stage-countdown]", fill(onNow ? board.dataset.ends : board.dataset.starts, { min: minutes }), stage);
    setText("[data-slot=stage-title]", talk.title, stage);
    setText("[data-slot=stage-speaker]", talk.speaker + (talk.organisation ? " · " + talk.organisation : ""), stage);
  }
  if (page === "screen") {
    setInterval(function () {
      if (state && state.schedule && state.schedule.published) $$("[data-live=board]").forEach(renderBoard);
    }, 1000);
  }

  function renderSpotlight(box) {
    var topic = state.topics.filter(function (t) { return t.id === state.spotlight; })[0];
    show(box, Boolean(topic));
    if (!topic) return;
    setText("[data-slot=title]", topic.title, box);
    setText("[data-slot=format]", labels.formats[topic.format] || "", box);
    setText("[data-slot=hosts]", hostsText(topic, names()), box);
    setText("[data-slot=pitch]", topic.pitch, box);
  }

  var refreshTimer = null;
  /* The facilitator's page is plain HTML: fetch it again when something changed,
     unless the facilitator is in the middle of choosing something. */
  function busyChoosing() {
    var active = document.activeElement;
    return active && active.matches("select, input, textarea");
  }
  /* The control a keyboard user is on, described so that the same control can be found
     in the page fetched again: its form's action and ids, and its own tag and name. */
  function formIds(form) {
    return $$("input[type=hidden]", form).filter(function (input) {
      return /_id$/.test(input.name);
    }).map(function (input) { return input.name + "=" + input.value; }).join("&");
  }
  function focusKey(element) {
    var form = element && element.closest && element.closest("form");
    var slot = element && element.closest && element.closest("[id^=slot-]");
    if (!form) return null;
    var around = [];
    for (var node = form.parentNode; node && node !== document.body; node = node.parentNode) {
      if (node.id) around.push(node.id);
    }
    return { action: form.getAttribute("action"), ids: formIds(form), tag: element.tagName,
             name: element.name, slot: slot ? slot.id : null, around: around };
  }
  /* The first control one can use inside `box`, else the box itself (focusable by
     script only): where the keyboard goes on when its control is gone. */
  function focusInside(box) {
    var control = $$("button, a[href], select, input:not([type=hidden]), textarea", box).filter(function (el) {
      return !el.closest("[hidden]") && !el.disabled && el.offsetParent !== null;
    })[0];
    if (control) return control.focus();
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "-1");
    box.focus();
  }
  // Where the focus goes once the page shows an action's outcome (a merged topic's
  // target, a new topic's card), when the control used is gone.
  var pendingFocus = null;
  function focusPending() {
    var box = pendingFocus && document.getElementById(pendingFocus);
    if (!box) return false;
    pendingFocus = null;
    focusInside(box);
    return true;
  }
  function refocus(root, key) {
    if (!key) return;
    var form = $$("form", root).filter(function (candidate) {
      return candidate.getAttribute("action") === key.action && formIds(candidate) === key.ids;
    })[0];
    var target = form && $$(key.tag, form).filter(function (el) {
      return !key.name || el.name === key.name;
    })[0];
    // The control may be gone (a session moved away): stay in the same slot at least.
    if (!target || target.closest("[hidden]")) {
      var slot = key.slot && document.getElementById(key.slot);
      target = slot && $("form:not([hidden]) select, form:not([hidden]) button", slot);
    }
    if (target) return target.focus();
    if (focusPending()) return;
    // Else the nearest part of the page still there (a published grid's section).
    var box = key.around.map(function (id) { return document.getElementById(id); })
      .filter(Boolean)[0];
    if (box) focusInside(box);
  }

  function refreshPage() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      if (busyChoosing()) return refreshPage();
      fetch(location.href, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html) return;
        if (busyChoosing()) return refreshPage(); // they started choosing meanwhile
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var main = $("main");
        var focus = focusKey(document.activeElement);
        main.replaceChildren.apply(main, Array.prototype.slice.call($("main", fresh).childNodes));
        if (focus) refocus(main, focus);
        else focusPending();
        statusBox = $("[data-live-status]");
        alertBox = $("[data-live=action-error]");
        setStatus(socket.connected ? "connected" : "reconnecting");
      });
    }, 400);
  }

  /* Seats taken and my seat, in place on the grid (the rest comes with a refresh). */
  function renderOccupancy() {
    var taken = byId(state.occupancy.counts);
    $$("[data-occupancy]").forEach(function (node) {
      var id = Number(node.dataset.occupancy);
      if (!(id in taken)) return;
      var count = $("[data-slot=taken]", node);
      if (count.textContent !== String(taken[id])) bump(count);
      count.textContent = String(taken[id]);
      show($("[data-slot=full]", node), taken[id] >= Number(node.dataset.capacity));
    });
    if (!state.me || !state.me.seats) return;
    var mine = byId(state.me.seats); // slot -> session
    var mySessions = new Set(Object.keys(mine).map(function (slot) { return mine[slot]; }));
    $$("li[data-session-id]").forEach(function (cell) {
      var id = Number(cell.dataset.sessionId);
      var here = mySessions.has(id);
      var occupancy = $("[data-occupancy]", cell);
      var full = occupancy && (taken[id] || 0) >= Number(occupancy.dataset.capacity);
      cell.classList.toggle("my-seat", here);
      show($("[data-control=take]", cell), !here && !full);
      show($("[data-control=leave]", cell), here);
    });
    restoreFocus();
  }

  function render() {
    setText("[data-live=present]", String(state.participants.length));
    setText("[data-live=event-name]", state.event.name);
    setText("[data-live=event-venue]", state.event.venue);
    $$("[data-live=people]").forEach(renderPeople);
    seenPeople = new Set(state.participants.map(function (p) { return p.id; }));
    var mine = state.participants.filter(function (p) { return p.id === me; })[0];
    if (mine) setText("[data-live=my-name]", mine.name);
    if (!state.topics) return;
    renderMarketBar();
    $$("[data-live=topics]").forEach(renderWall);
    $$("[data-live=ranking]").forEach(renderRanking);
    $$("[data-live=spotlight]").forEach(renderSpotlight);
    if (page === "screen") {
      var wall = state.topics.length > 0 || state.event.proposals_open || state.event.voting_open;
      var chosen = state.screen && state.screen.mode !== "auto" ? state.screen.mode : null;
      body.dataset.mode = chosen || (state.schedule.published ? "board" : wall ? "wall" : "join");
      $$("[data-live=board]").forEach(renderBoard);
    }
    restoreFocus();
    if (state.occupancy) renderOccupancy();
    if (page === "facilitate" && render.done) refreshPage();
    // The grid page is plain HTML: fetched again when the grid itself changed.
    if (page === "schedule" && gridChanged) refreshPage();
    gridChanged = false;
    renderers.forEach(function (renderer) { renderer(state); });
    render.done = true;
  }
  // Other scripts of a page (plenary.js, questions.js) draw their part of the state
  // after each change, and take the state messages they care about.
  var renderers = [];
  function onRender(renderer) {
    renderers.push(renderer);
    if (state) renderer(state);
  }
  function onState(name, take) {
    socket.on(name, function (message) {
      if (!state) return;
      take(state, message);
      render();
    });
  }

  /* ---------- actions: acknowledged, retried with the same operation id ---------- */

  function opId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // The optimizer's answer takes seconds (its progress is shown meanwhile).
  var answerWithin = { schedule_optimize: 60000 };

  // A retry waits longer each time, at random within that time: a busy server
  // then gets its retries spread out rather than all at once.
  function backoff(attempt) {
    return 1000 * Math.pow(2, attempt - 1) * (0.5 + Math.random());
  }

  function send(name, payload, done, attempt) {
    attempt = attempt || 1;
    payload.op_id = payload.op_id || opId();
    socket.timeout(answerWithin[name] || 5000).emit(name, payload, function (error, ack) {
      // No answer, or the server too busy to do it: the same op_id makes a retry safe
      // even if the first one landed.
      var busy = !error && ack && ack.ok === false && ack.error && ack.error.code === "busy";
      if (error || busy) {
        if (attempt < 5) {
          return setTimeout(function () { send(name, payload, done, attempt + 1); }, backoff(attempt));
        }
        return done(busy ? ack : { ok: false, error: { code: "network", message: labels.network || "" } });
      }
      done(ack);
    });
  }
  window.barcampLive = {
    send: send, socket: socket, stream: stream, onRender: onRender, onState: onState,
    state: function () { return state; }
  };

  var alertBox = $("[data-live=action-error]");
  function tell(message, kind) {
    if (!alertBox || !message) return;
    alertBox.textContent = message;
    alertBox.dataset.kind = kind || "error";
    alertBox.hidden = false;
    clearTimeout(tell.timer);
    tell.timer = setTimeout(function () { alertBox.hidden = true; }, 8000);
  }

  function payloadOf(form) {
    var payload = {};
    new FormData(form).forEach(function (value, key) {
      // The plain form's operation id is for its post; each live send makes its own.
      if (key === "csrf_token" || key === "op_id") return;
      if (key === "needs") {
        (payload.needs = payload.needs || []).push(value);
      } else if (/_id$/.test(key)) {
        payload[key] = value === "" ? null : Number(value);
      } else if (value === "true" || value === "false") {
        payload[key] = value === "true";
      } else {
        payload[key] = value;
      }
    });
    return payload;
  }

  /* Forms marked data-live-action go over the socket when it is up; the page then
     changes through the broadcasts. When it is down, the plain form post works.
     One listener for the whole page, so cards that arrive live work too. */
  var focusHome = null; // the card whose button was used, to keep focus there
  document.addEventListener("submit", function (submitEvent) {
    var form = submitEvent.target;
    if (!form.matches("form[data-live-action]") || !socket.connected) return;
    submitEvent.preventDefault();
    if (form.dataset.busy) return;
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    var button = $("button[type=submit]", form);
    if (button && button.getAttribute("aria-disabled") === "true") return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    form.dataset.busy = "1";
    if (button) button.setAttribute("aria-disabled", "true");
    focusHome = form.closest("[data-topic-id], [data-session-id]");
    var payload = payloadOf(form);
    send(form.dataset.liveAction, payload, function (ack) {
      delete form.dataset.busy;
      if (button) button.removeAttribute("aria-disabled");
      if (ack.ok) {
        announce(form.dataset.done);
        // A merged topic is gone: the keyboard goes on in the topic kept.
        if (form.dataset.liveAction === "topic_merge") pendingFocus = "topic-" + payload.target_id;
      }
      if (!ack.ok) { if (!shownByTheOptimizer(form, ack)) tell(ack.error.message); }
      else if (ack.me && takeMine(ack.me, "votes_version")) render();
      else if (ack.seats && takeMine({ seats: ack.seats, seats_version: ack.seats_version }, "seats_version")) renderOccupancy();
    });
  });

  /* A button that disappears (Vote once the topic has its votes) must not leave the
     keyboard user on <body>: move to the button now shown in the same card. */
  function restoreFocus() {
    var active = document.activeElement;
    var lost = !active || active === document.body || active.offsetParent === null;
    if (pendingFocus && (lost || active.closest("[data-propose-form]")) && focusPending()) return;
    if (!focusHome || !document.contains(focusHome) || !lost) return;
    var next = $$("form:not([hidden]) button", focusHome)[0];
    if (next) next.focus();
  }

  /* A refused form's errors on its fields, as the page without JavaScript shows them
     (_macros/forms.html): aria-invalid, the message under the field and tied to it by
     aria-describedby; the focus on the first field to correct. `errors`: {name: text}. */
  function markFields(form, errors) {
    var first = null;
    $$("input, textarea, select", form).forEach(function (field) {
      if (!field.id || field.type === "hidden") return;
      var message = errors[field.name];
      var errorId = field.id + "-error";
      var box = document.getElementById(errorId);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== errorId;
      });
      if (!message) {
        field.removeAttribute("aria-invalid");
        if (box) box.remove();
      } else {
        if (!box) {
          box = document.createElement("p");
          box.className = "error";
          box.id = errorId;
          field.after(box);
        }
        box.textContent = message;
        field.setAttribute("aria-invalid", "true");
        described.push(errorId);
        first = first || field;
      }
      if (described.length) field.setAttribute("aria-describedby", described.join(" "));
      else field.removeAttribute("aria-describedby");
    });
    if (first) first.focus();
  }

  /* ---------- proposing: near-duplicates first ---------- */

  var proposeForm = $("[data-propose-form]");
  if (proposeForm) {
    var titleInput = $("input[name=title]", proposeForm);
    var similarBox = $("[data-live=similar]", proposeForm);
    var similarList = $("[data-similar-list]", proposeForm);
    var formError = $("[data-form-error]", proposeForm);

    var showSimilar = function (ids) {
      var byTopic = {};
      state.topics.forEach(function (t) { byTopic[t.id] = t; });
      var items = ids.filter(function (id) { return byTopic[id]; }).map(function (id) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#topic-" + id;
        link.textContent = byTopic[id].title;
        item.appendChild(link);
        return item;
      });
      similarList.replaceChildren.apply(similarList, items);
      show(similarBox, items.length > 0);
    };

    var lookup = null;
    titleInput.addEventListener("input", function () {
      clearTimeout(lookup);
      lookup = setTimeout(function () {
        if (!socket.connected || titleInput.value.trim().length < 4) return showSimilar([]);
        socket.timeout(5000).emit("topic_similar", { title: titleInput.value }, function (error, ack) {
          if (!error && ack && ack.ok) showSimilar(ack.topics);
        });
      }, 350);
    });

    proposeForm.addEventListener("submit", function (submitEvent) {
      if (!socket.connected) return;
      submitEvent.preventDefault();
      var payload = payloadOf(proposeForm);
      var submitter = submitEvent.submitter;
      payload.allow_similar = Boolean(submitter && submitter.name === "allow_similar");
      markFields(proposeForm, {});
      send("topic_propose", payload, function (ack) {
        if (ack.ok) {
          proposeForm.reset();
          showSimilar([]);
          show($("[data-anyway]", proposeForm), false);
          show(formError, false);
          announce(proposeForm.dataset.done);
          // The keyboard goes on in the new topic's card (now, or when it arrives).
          pendingFocus = "topic-" + ack.topic_id;
          proposeForm.closest("details").open = false;
          var card = document.getElementById("topic-" + ack.topic_id);
          if (card) {
            focusPending();
            card.scrollIntoView({ block: "nearest" });
          }
          return;
        }
        if (ack.error.code === "similar_topics") {
          // Shown where the suggestions are, with the way out: co-host or insist.
          showSimilar(ack.error.topics);
          show($("[data-anyway]", proposeForm), true);
          similarBox.scrollIntoView({ block: "center" });
          $("a", similarBox).focus();
          show(formError, false);
          return;
        }
        formError.textContent = ack.error.message;
        show(formError, true);
        markFields(proposeForm, ack.error.fields || {});
      });
    });
  }

  /* ---------- the optimizer at work: its best score so far, and Stop ---------- */

  function optimizerBox() { return $("[data-live=optimizer]"); }
  // How a run ended is said once, on its progress line, not again in a toast.
  function shownByTheOptimizer(form, ack) {
    return form.matches("[data-optimize-form]") && optimizerBox() !== null &&
      /^schedule_(stale|cancelled|failed)$/.test(ack.error.code);
  }

  socket.on("schedule_progress", function (progress) {
    var box = optimizerBox();
    if (!box) return;
    var line = $("[data-slot=line]", box);
    var bar = $("[data-slot=bar]", box);
    var running = progress.state === "running";
    var label = running && progress.best === null ? "starting" : progress.state;
    var share = progress.upper_bound ? Math.round(100 * progress.best / progress.upper_bound) : 100;
    line.textContent = fill(JSON.parse(box.dataset.labels)[label] || "", {
      best: progress.best, bound: progress.upper_bound, share: share
    });
    bar.value = progress.done || 0;
    show(bar, running);
    show($("[data-optimize-cancel]", box), running);
    box.dataset.state = progress.state;
    box.hidden = false;
    if (progress.state === "stale") {
      var again = $("[data-optimize-form] button", document);
      if (again) again.focus();
    }
  });

  document.addEventListener("submit", function (submitEvent) {
    var form = submitEvent.target;
    if (!form.matches("[data-optimize-cancel]") || !socket.connected) return;
    submitEvent.preventDefault();
    socket.timeout(5000).emit("schedule_cancel", {}, function () {});
  });

  /* ---------- renaming oneself ---------- */

  var renameForm = $("[data-rename-form]");
  if (renameForm) {
    renameForm.addEventListener("submit", function (submitEvent) {
      if (!socket.connected) return; // the plain form post still works
      submitEvent.preventDefault();
      var input = $("input[name=display_name]", renameForm);
      var errorBox = $("[data-form-error]", renameForm);
      send("participant_rename", { name: input.value }, function (ack) {
        if (ack.ok) {
          errorBox.hidden = true;
          markFields(renameForm, {});
          input.value = ack.name;
          renameForm.closest("details").open = false;
        } else if (ack.error.message) {
          markFields(renameForm, { display_name: ack.error.message });
        } else {
          renameForm.submit();
        }
      });
    });
  }

  /* ---------- projector: keep the screen awake ---------- */

  if (page === "screen" && navigator.wakeLock) {
    var requestWakeLock = function () { navigator.wakeLock.request("screen").catch(function () {}); };
    requestWakeLock();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") requestWakeLock();
    });
  }
})();
