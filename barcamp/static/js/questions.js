/* A talk's page: the room's questions, live (see live.js for the state it draws from).
 *
 * Attendees' list is drawn from state.questions (what the room may see: no anonymous
 * author's name ever reaches it); a facilitator's list, with hidden questions and
 * every author, is fetched again from the server when the questions change. Asking
 * and upvoting go over the socket when it is up, as plain forms otherwise. User text
 * is only set with textContent.
 */
(function () {
  "use strict";
  var live = window.barcampLive;
  var section = document.getElementById("questions");
  if (!live || !section) return;
  var talkId = Number(section.dataset.talkId);
  var labels = JSON.parse(section.dataset.labels);
  var moderator = section.hasAttribute("data-moderator");
  var list = section.querySelector("[data-questions]");
  var empty = section.querySelector("[data-questions-empty]");
  var announce = section.querySelector("[data-questions-announce]");
  var askForm = section.querySelector("[data-question-form]");
  var plurals = new Intl.PluralRules(document.documentElement.lang || "fr");
  var upvoted = null; // question ids I upvoted (from the snapshot, then my_upvotes)

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function hidden(name, value) {
    var input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }
  function token() {
    var input = section.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  live.onState("questions", function (state, message) {
    if (state.questions && message.questions_version < state.questions.questions_version) return;
    state.questions = message;
  });
  live.onState("my_upvotes", function (state, message) {
    var me = state.me || (state.me = {});
    if (me.upvotes_version && message.questions_version < me.upvotes_version) return;
    me.upvoted = message.upvoted;
    me.upvotes_version = message.questions_version;
  });

  /* ---------- the attendees' list, drawn from the state ---------- */

  function upvoteForm(question, mine) {
    var form = element("form");
    form.method = "post";
    form.action = location.pathname + "/questions/" + question.id + "/upvote";
    form.dataset.liveAction = "question_upvote";
    form.appendChild(hidden("csrf_token", token()));
    form.appendChild(hidden("question_id", question.id));
    form.appendChild(hidden("up", mine ? "false" : "true"));
    var button = element("button", "button upvote");
    button.type = "submit";
    button.setAttribute("aria-pressed", mine ? "true" : "false");
    var arrow = element("span", "", "▲");
    arrow.setAttribute("aria-hidden", "true");
    button.appendChild(arrow);
    button.appendChild(document.createTextNode(" " + labels.upvote + " "));
    button.appendChild(element("span", "upvote-count", String(question.upvotes)));
    button.appendChild(element("span", "visually-hidden", " — " + question.text.slice(0, 60)));
    form.appendChild(button);
    return form;
  }

  function item(question, canVote) {
    var li = element("li", "question");
    li.id = "question-" + question.id;
    li.dataset.questionId = question.id;
    li.dataset.status = question.status;
    var text = element("p", "question-text", question.text);
    if (section.dataset.contentLang) text.lang = section.dataset.contentLang; // the event's
    li.appendChild(text);
    var meta = element("p", "question-meta");
    meta.appendChild(element("span", "question-author", question.author || labels.anonymous));
    if (question.status === "answered") {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "badge badge-answered", labels.answered));
    }
    li.appendChild(meta);
    var actions = element("div", "question-actions");
    if (canVote) {
      actions.appendChild(upvoteForm(question, upvoted.indexOf(question.id) >= 0));
    } else {
      var count = labels["upvotes_" + plurals.select(question.upvotes)] || labels.upvotes_other;
      actions.appendChild(element("span", "upvote-count-alone", fill(count, { num: question.upvotes })));
    }
    li.appendChild(actions);
    return li;
  }

  function focusedQuestion() {
    var active = document.activeElement;
    var li = active && active.closest && active.closest("li[data-question-id]");
    return li && list.contains(li) ? li.dataset.questionId : null;
  }

  function draw(state) {
    var questions = ((state.questions && state.questions.questions) || []).filter(function (q) {
      return q.talk_id === talkId;
    });
    // Open questions first, the most upvoted first; then the answered ones.
    questions.sort(function (a, b) {
      return (a.status === "answered") - (b.status === "answered") ||
        b.upvotes - a.upvotes || (a.created < b.created ? -1 : 1);
    });
    upvoted = (state.me && state.me.upvoted) || [];
    var canVote = document.body.hasAttribute("data-me");
    var focus = focusedQuestion();
    list.replaceChildren.apply(list, questions.map(function (q) { return item(q, canVote); }));
    empty.hidden = questions.length > 0;
    if (focus) {
      var button = list.querySelector("#question-" + focus + " button");
      if (button) button.focus();
    }
  }

  /* ---------- a facilitator's list, fetched again ---------- */

  var refetch = null;
  function fetchList() {
    clearTimeout(refetch);
    refetch = setTimeout(function () {
      fetch(location.pathname, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-questions]");
        if (!fresh) return;
        var focus = focusedQuestion();
        var active = document.activeElement;
        var which = active && active.closest("form") ? active.closest("form").action : null;
        list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.childNodes));
        empty.hidden = list.children.length > 0;
        if (focus) {
          var li = list.querySelector("#question-" + focus);
          var again = li && (Array.prototype.filter.call(li.querySelectorAll("form"), function (f) {
            return f.action === which;
          })[0] || li).querySelector("button");
          if (again) again.focus();
        }
      });
    }, 300);
  }

  var lastVersion = null;
  live.onRender(function (state) {
    var version = state.questions ? state.questions.questions_version : null;
    if (moderator) {
      if (lastVersion !== null && version !== lastVersion) fetchList();
    } else {
      draw(state);
    }
    lastVersion = version;
  });

  /* ---------- asking ---------- */

  if (!askForm) return;
  var text = askForm.querySelector("textarea[name=text]");
  var error = element("p", "error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  text.parentNode.appendChild(error);
  askForm.addEventListener("submit", function (submitEvent) {
    if (!live.socket.connected) return; // the plain form posts it
    submitEvent.preventDefault();
    if (askForm.dataset.busy) return;
    askForm.dataset.busy = "1";
    var anonymous = askForm.querySelector("input[name=anonymous]");
    live.send("question_ask", {
      talk_id: talkId,
      text: text.value,
      anonymous: !!(anonymous && anonymous.checked)
    }, function (ack) {
      delete askForm.dataset.busy;
      if (ack.ok) {
        text.value = "";
        text.removeAttribute("aria-invalid");
        error.hidden = true;
        announce.textContent = labels.sent;
      } else {
        error.textContent = ack.error.message;
        error.hidden = false;
        text.setAttribute("aria-invalid", "true");
        text.focus();
      }
    });
  });
})();
