/* The projector in the plenaries (see live.js for the live state it draws from).
 *
 * Plenary: the talk on stage (state.screen.talk_id, from state.talks), its key
 * figures, the room's top questions (state.questions), one of them large when a
 * facilitator shows it. Report-back: one workshop at a time, read fresh from
 * report.json (notes change without the event's version). A facilitator's projector
 * steps with the keyboard (arrows, PageUp/PageDown as presenter clickers send, P, R,
 * A, Q) or the buttons. User text is only set with textContent.
 */
(function () {
  "use strict";
  var live = window.barcampLive;
  if (!live) return;
  var plenary = document.querySelector("[data-live=plenary]");
  var report = document.querySelector("[data-live=report]");
  if (!plenary || !report) return;
  var labels = JSON.parse(plenary.dataset.labels);
  var reportLabels = JSON.parse(report.dataset.labels);
  var controls = !!document.querySelector(".screen-keys");
  var plurals = new Intl.PluralRules(document.documentElement.lang || "fr");
  var TOP = 5;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function slot(root, name) { return $("[data-slot=" + name + "]", root); }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function upvotes(count) {
    return fill(labels["upvotes_" + plurals.select(count)] || labels.upvotes_other, { num: count });
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Live regions speak at every change: text is written only when it differs.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }
  function replaceChildren(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (child) { node.appendChild(child); });
  }

  live.onState("questions", function (state, message) {
    if (state.questions && message.questions_version < state.questions.questions_version) return;
    state.questions = message;
  });

  /* ---------- the plenary ---------- */

  function talkOnStage(state) {
    var screen = state.screen || {};
    return (state.talks || []).filter(function (t) { return t.id === screen.talk_id; })[0];
  }

  function drawPlenary(state) {
    var talk = talkOnStage(state);
    var screen = state.screen || {};
    var questions = (state.questions && state.questions.questions) || [];
    slot(plenary, "talk").hidden = !talk;
    slot(plenary, "no-talk").hidden = !!talk;
    if (talk) {
      var kind = talk.kind === "keynote" ? labels.keynote : labels.testimony;
      if (talk.starts_at) kind += " · " + talk.starts_at.slice(11) + "–" + talk.ends_at.slice(11);
      setText(slot(plenary, "kind"), kind);
      setText(slot(plenary, "title"), talk.title);
      var speaker = slot(plenary, "speaker");
      var who = [element("strong", "", talk.speaker)];
      var more = (talk.role ? ", " + talk.role : "") + (talk.organisation ? " · " + talk.organisation : "");
      if (more) who.push(document.createTextNode(more));
      replaceChildren(speaker, who);
      replaceChildren(slot(plenary, "figures"), (talk.figures || []).map(function (pair) {
        var row = element("div");
        row.appendChild(element("dt", "", pair[0]));
        row.appendChild(element("dd", "", pair[1]));
        return row;
      }));
    }
    var shown = questions.filter(function (q) { return q.id === screen.question_id; })[0];
    var box = slot(plenary, "question");
    box.hidden = !shown;
    if (shown) {
      setText(slot(plenary, "question-text"), shown.text);
      setText(slot(plenary, "question-meta"), shown.author || labels.anonymous);
    }
    var top = questions.filter(function (q) {
      return talk && q.talk_id === talk.id && q.status === "open" && (!shown || q.id !== shown.id);
    }).sort(function (a, b) { return b.upvotes - a.upvotes || (a.created < b.created ? -1 : 1); })
      .slice(0, TOP);
    slot(plenary, "questions-box").hidden = top.length === 0;
    replaceChildren(slot(plenary, "questions"), top.map(function (q) {
      var item = element("li");
      item.dataset.questionId = q.id;
      item.appendChild(element("span", "plenary-q-text", q.text));
      var count = element("span", "plenary-q-votes", "▲ " + q.upvotes);
      count.setAttribute("aria-label", upvotes(q.upvotes));
      item.appendChild(count);
      return item;
    }));
  }

  /* ---------- the report-back ---------- */

  var workshops = null;
  var lastReport = null; // what the report-back shows, as drawn last
  var fetching = false;
  function loadReport(state) {
    if (fetching) return;
    fetching = true;
    fetch(report.dataset.reportUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { workshops: [] }; })
      .then(function (data) { workshops = data.workshops; drawReport(live.state()); })
      .catch(function () {})
      .then(function () { fetching = false; });
  }

  function drawReport(state) {
    if (!workshops || !state) return;
    var step = Math.min((state.screen && state.screen.step) || 0, Math.max(workshops.length - 1, 0));
    var current = workshops[step];
    // The report-back is one live region: drawn again only when what it shows changes.
    var drawn = JSON.stringify([step, workshops.length, current || null]);
    if (drawn === lastReport) return;
    lastReport = drawn;
    setText(slot(report, "progress"), current
      ? fill(reportLabels.progress, { step: step + 1, count: workshops.length }) : "");
    setText(slot(report, "title"), current ? current.title : reportLabels.none);
    setText(slot(report, "where"), current
      ? current.room + " · " + current.starts_at + "–" + current.ends_at : "");
    var people = [];
    if (current && current.facilitators.length) {
      people.push(fill(reportLabels.facilitators, { names: current.facilitators.join(", ") }));
    }
    if (current && current.note_takers.length) {
      people.push(fill(reportLabels.note_takers, { names: current.note_takers.join(", ") }));
    }
    setText(slot(report, "people"), people.join(" · "));
    replaceChildren(slot(report, "decisions"), (current ? current.decisions : []).map(function (line) {
      return element("li", "", line);
    }));
    replaceChildren(slot(report, "todo"), (current ? current.todo : []).map(function (item) {
      return element("li", item.done ? "done" : "", item.text);
    }));
    slot(report, "empty").hidden = !current || current.decisions.length + current.todo.length > 0;
  }

  var lastStep = null;
  var lastMode = null;
  var refresh = null;
  live.onRender(function (state) {
    var mode = state.screen ? state.screen.mode : "auto";
    drawPlenary(state);
    if (mode === "report") {
      // Fresh content when the report-back starts and at each step; every 20 s while
      // it is shown, for what note-takers still add.
      if (lastMode !== "report" || lastStep !== state.screen.step) loadReport(state);
      else drawReport(state);
      if (!refresh) refresh = setInterval(function () { loadReport(live.state()); }, 20000);
    } else if (refresh) {
      clearInterval(refresh);
      refresh = null;
    }
    lastMode = mode;
    lastStep = state.screen ? state.screen.step : null;
  });

  /* ---------- the facilitator's keys and buttons ---------- */

  if (!controls) return;
  // A presenter's clicker pressed three times quickly means three steps: each press
  // counts from the last one asked for, not from the last one the server confirmed.
  var wanted = null; // {step} or {talk_id} asked for and not confirmed yet
  var inFlight = 0;
  function set(changes) {
    inFlight++;
    live.send("screen_set", changes, function (ack) {
      inFlight--;
      if (inFlight === 0) wanted = null;
      if (!ack.ok && ack.error) {
        var alert = $("[data-live=action-error]");
        if (alert) { alert.textContent = ack.error.message; alert.hidden = false; }
      }
    });
  }
  function stepBy(delta) {
    var state = live.state();
    if (!state || !state.screen) return;
    if (state.screen.mode === "report") {
      var count = workshops ? workshops.length : 1;
      var from = wanted && "step" in wanted ? wanted.step : state.screen.step;
      var step = Math.min(Math.max(from + delta, 0), Math.max(count - 1, 0));
      if (step === from) return;
      wanted = { step: step };
      set({ step: step });
    } else if (state.screen.mode === "plenary") {
      var talks = state.talks || [];
      var current = wanted && "talk_id" in wanted ? wanted.talk_id : state.screen.talk_id;
      var index = talks.map(function (t) { return t.id; }).indexOf(current);
      var next = talks[Math.min(Math.max(index + delta, 0), talks.length - 1)];
      if (!next || next.id === current) return;
      wanted = { talk_id: next.id };
      set({ talk_id: next.id, question_id: null });
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown") stepBy(1);
    else if (key === "ArrowLeft" || key === "PageUp") stepBy(-1);
    else if (key === "p" || key === "P") set({ mode: "plenary" });
    else if (key === "r" || key === "R") set({ mode: "report" });
    else if (key === "a" || key === "A") set({ mode: "auto" });
    else if (key === "q" || key === "Q") set({ question_id: null });
    else return;
    event.preventDefault();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-report-step]") || !live.socket.connected) return;
    event.preventDefault();
    stepBy(Number(form.dataset.reportStep));
  });
})();
