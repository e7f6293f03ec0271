/* The notes' editor: CodeMirror 6 on the note's Y.Text (y-codemirror.next), for
 * people who have never written Markdown.
 *
 *  - Markdown is shown styled as it is typed: headings large, bold bold, links
 *    coloured, the marks (##, **, -) dimmed; "- [ ]" to-dos are real checkboxes.
 *  - A toolbar (heading, bold, list, to-do, link), one Tab stop, arrows inside it
 *    (the WAI-ARIA toolbar pattern), and the shortcuts of office suites.
 *  - Other writers' cursors and selections with their names.
 *  - Pasting from a word processor keeps its plain text only.
 *
 * The text stays what it always was: Markdown in the Y.Text "body"; this module
 * only edits it. Tab leaves the editor (it is not captured), as in a form.
 */
import { Compartment, EditorSelection, EditorState, Prec } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  ViewPlugin,
  WidgetType,
  drawSelection,
  highlightSpecialChars,
  keymap,
  placeholder,
} from "@codemirror/view";
import { defaultKeymap } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting, syntaxTree } from "@codemirror/language";
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { tags } from "@lezer/highlight";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import * as Y from "yjs";

/* ---------- how Markdown looks while it is typed ---------- */

const markdownStyle = HighlightStyle.define([
  { tag: tags.heading1, fontSize: "1.6em", fontWeight: "700", lineHeight: "1.3" },
  { tag: tags.heading2, fontSize: "1.3em", fontWeight: "700", lineHeight: "1.3" },
  { tag: [tags.heading3, tags.heading4, tags.heading5, tags.heading6], fontSize: "1.1em", fontWeight: "700" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strikethrough, textDecoration: "line-through" },
  { tag: [tags.link, tags.url], color: "var(--accent)", textDecoration: "underline" },
  { tag: tags.monospace, fontFamily: "ui-monospace, monospace" },
  { tag: tags.quote, fontStyle: "italic" },
  // ##, **, -, > and the like: present, but quieter than the text.
  { tag: tags.processingInstruction, color: "var(--ink-soft)", fontWeight: "400" },
]);

/* ---------- to-dos as checkboxes ---------- */

class CheckboxWidget extends WidgetType {
  constructor(checked, label) {
    super();
    this.checked = checked;
    this.label = label;
  }

  eq(other) {
    return other.checked === this.checked;
  }

  toDOM() {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "cm-task";
    box.checked = this.checked;
    box.tabIndex = -1; // the keyboard ticks with the toolbar's to-do (Ctrl+Shift+9)
    box.setAttribute("aria-label", this.label);
    return box;
  }

  ignoreEvent() {
    return false;
  }
}

function taskBoxes(view, label) {
  const widgets = [];
  for (const { from, to } of view.visibleRanges) {
    syntaxTree(view.state).iterate({
      from,
      to,
      enter(node) {
        if (node.name !== "TaskMarker") return;
        const checked = /x/i.test(view.state.doc.sliceString(node.from, node.to));
        const widget = Decoration.replace({ widget: new CheckboxWidget(checked, label) });
        widgets.push(widget.range(node.from, node.to));
      },
    });
  }
  return Decoration.set(widgets);
}

function taskPlugin(label) {
  return ViewPlugin.fromClass(
    class {
      constructor(view) {
        this.decorations = taskBoxes(view, label);
      }

      update(update) {
        if (update.docChanged || update.viewportChanged || syntaxTree(update.startState) !== syntaxTree(update.state)) {
          this.decorations = taskBoxes(update.view, label);
        }
      }
    },
    {
      decorations: (plugin) => plugin.decorations,
      // The caret steps over a checkbox as over one character.
      provide: (plugin) => EditorView.atomicRanges.of((view) => view.plugin(plugin)?.decorations || Decoration.none),
      eventHandlers: {
        mousedown(event, view) {
          if (!event.target.classList || !event.target.classList.contains("cm-task")) return false;
          event.preventDefault(); // keep the caret where it was
          if (view.state.readOnly) return true;
          const pos = view.posAtDOM(event.target);
          const marker = view.state.doc.sliceString(pos, pos + 3);
          if (/^\[[ xX]\]$/.test(marker)) {
            view.dispatch({
              changes: { from: pos + 1, to: pos + 2, insert: marker[1] === " " ? "x" : " " },
              userEvent: "input.toggle",
            });
          }
          return true;
        },
      },
    }
  );
}

/* ---------- the other writers' carets ----------
 * y-codemirror.next's own plugin colours them with style attributes, which the
 * app's Content-Security-Policy (style-src 'self') refuses: this one does the same
 * with classes (app.css: .cm-writer-0 … 7). It also publishes my caret in the
 * awareness, as relative positions, while the editor has the focus. */

class CaretWidget extends WidgetType {
  constructor(name, colour) {
    super();
    this.name = name;
    this.colour = colour;
  }

  eq(other) {
    return other.name === this.name && other.colour === this.colour;
  }

  toDOM() {
    const caret = document.createElement("span");
    caret.className = `cm-writer-caret cm-writer-${this.colour}`;
    caret.setAttribute("aria-hidden", "true"); // "Writing now" lists the names
    const name = document.createElement("span");
    name.className = "cm-writer-name";
    name.textContent = this.name;
    caret.append("\u2060", name, "\u2060");
    return caret;
  }

  ignoreEvent() {
    return true;
  }
}

const writersPlugin = (ytext, awareness) => ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = Decoration.none;
      this.listener = ({ added, updated, removed }) => {
        const mine = awareness.doc.clientID;
        if (added.concat(updated, removed).some((client) => client !== mine)) {
          // Redraw on the next frame (not inside another update).
          setTimeout(() => view.dispatch({}), 0);
        }
      };
      awareness.on("change", this.listener);
    }

    destroy() {
      awareness.off("change", this.listener);
    }

    update(update) {
      const doc = ytext.doc;
      const local = awareness.getLocalState();
      if (local != null) {
        const focused = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus();
        if (focused) {
          const sel = update.state.selection.main;
          const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
          const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
          const was = local.cursor;
          if (
            was == null ||
            !Y.compareRelativePositions(Y.createRelativePositionFromJSON(was.anchor), anchor) ||
            !Y.compareRelativePositions(Y.createRelativePositionFromJSON(was.head), head)
          ) {
            awareness.setLocalStateField("cursor", { anchor, head });
          }
        }
      }
      const ranges = [];
      awareness.getStates().forEach((state, client) => {
        if (client === doc.clientID || !state.cursor || !state.user) return;
        const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(state.cursor.anchor), doc);
        const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(state.cursor.head), doc);
        if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) return;
        const length = update.state.doc.length;
        const from = Math.min(anchor.index, head.index, length);
        const to = Math.min(Math.max(anchor.index, head.index), length);
        const colour = state.user.colour;
        if (to > from) ranges.push(Decoration.mark({ class: `cm-writer-selection cm-writer-${colour}` }).range(from, to));
        const caret = Math.min(head.index, length);
        ranges.push(Decoration.widget({ widget: new CaretWidget(state.user.name, colour), side: 1 }).range(caret));
      });
      this.decorations = Decoration.set(ranges, true);
    }
  },
  { decorations: (plugin) => plugin.decorations }
);

/* ---------- the toolbar's commands ---------- */

const TASK = /^(\s*)([-*+]) \[([ xX])\] /;
const BULLET = /^(\s*)([-*+]) /;
const HEADING = /^(#{1,6}) /;

// The lines the selection touches, each once, in order.
function selectedLines(state) {
  const lines = new Map();
  for (const range of state.selection.ranges) {
    for (let pos = range.from; pos <= range.to; ) {
      const line = state.doc.lineAt(pos);
      lines.set(line.number, line);
      pos = line.to + 1;
    }
  }
  return Array.from(lines.values());
}

// Apply `edit(line)` -> {from, to, insert} | null to every line of the selection.
function eachLine(view, edit) {
  if (view.state.readOnly) return false;
  const changes = selectedLines(view.state).map(edit).filter(Boolean);
  if (changes.length) view.dispatch({ changes, userEvent: "input.format", scrollIntoView: true });
  return true;
}

function toggleHeading(view) {
  const allHeadings = selectedLines(view.state).every((line) => HEADING.test(line.text));
  return eachLine(view, (line) => {
    const mark = HEADING.exec(line.text);
    if (allHeadings) return { from: line.from, to: line.from + mark[0].length, insert: "" };
    if (mark) return { from: line.from, to: line.from + mark[0].length, insert: "## " };
    return { from: line.from, insert: "## " };
  });
}

function toggleList(view) {
  return eachLine(view, (line) => {
    const task = TASK.exec(line.text);
    if (task) {
      // A to-do becomes a plain list item.
      const at = line.from + task[1].length + 2;
      return { from: at, to: at + 4, insert: "" };
    }
    const bullet = BULLET.exec(line.text);
    if (bullet) return { from: line.from + bullet[1].length, to: line.from + bullet[0].length, insert: "" };
    return { from: line.from, insert: "- " };
  });
}

// Make each line a to-do; on a to-do, tick it or untick it.
function toggleTask(view) {
  return eachLine(view, (line) => {
    const task = TASK.exec(line.text);
    if (task) {
      const at = line.from + task[1].length + 3;
      return { from: at, to: at + 1, insert: task[3] === " " ? "x" : " " };
    }
    const bullet = BULLET.exec(line.text);
    if (bullet) return { from: line.from + bullet[0].length, insert: "[ ] " };
    return { from: line.from, insert: "- [ ] " };
  });
}

function toggleBold(view) {
  const { state } = view;
  if (state.readOnly) return false;
  view.dispatch(
    state.changeByRange((range) => {
      const before = state.sliceDoc(range.from - 2, range.from);
      const after = state.sliceDoc(range.to, range.to + 2);
      if (before === "**" && after === "**") {
        return {
          changes: [{ from: range.from - 2, to: range.from }, { from: range.to, to: range.to + 2 }],
          range: EditorSelection.range(range.from - 2, range.to - 2),
        };
      }
      return {
        changes: [{ from: range.from, insert: "**" }, { from: range.to, insert: "**" }],
        range: EditorSelection.range(range.from + 2, range.to + 2),
      };
    }),
    { userEvent: "input.format", scrollIntoView: true }
  );
  return true;
}

// [the selected words](https://) with the address selected, ready to be typed or pasted.
function insertLink(view) {
  const { state } = view;
  if (state.readOnly) return false;
  view.dispatch(
    state.changeByRange((range) => {
      const text = state.sliceDoc(range.from, range.to);
      const url = "https://";
      const insert = `[${text}](${url})`;
      const start = range.from + text.length + 3;
      return {
        changes: { from: range.from, to: range.to, insert },
        range: EditorSelection.range(start, start + url.length),
      };
    }),
    { userEvent: "input.format", scrollIntoView: true }
  );
  return true;
}

const COMMANDS = {
  heading: toggleHeading,
  bold: toggleBold,
  list: toggleList,
  todo: toggleTask,
  link: insertLink,
};

// The shortcuts of office suites (Google Docs, LibreOffice) where they exist.
const formatKeymap = [
  { key: "Mod-b", run: toggleBold },
  { key: "Mod-k", run: insertLink },
  { key: "Mod-Alt-2", run: toggleHeading },
  { key: "Mod-Shift-8", run: toggleList },
  { key: "Mod-Shift-9", run: toggleTask },
];

/* The toolbar: buttons rendered by the server (their labels translated), one Tab
 * stop, arrows, Home and End move between them; each command gives the focus back
 * to the text. */
function bindToolbar(toolbar, view) {
  const buttons = Array.from(toolbar.querySelectorAll("button[data-format]"));
  buttons.forEach((button, index) => {
    button.tabIndex = index === 0 ? 0 : -1;
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => {
      COMMANDS[button.dataset.format](view);
      view.focus();
    });
  });
  toolbar.addEventListener("keydown", (event) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const to = {
      ArrowRight: (at + 1) % buttons.length,
      ArrowLeft: (at - 1 + buttons.length) % buttons.length,
      Home: 0,
      End: buttons.length - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    buttons[at].tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });
  toolbar.hidden = false;
}

/* ---------- pasting ---------- */

const SKIPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "HEAD", "TITLE", "META", "NOSCRIPT", "svg"]);
const BLOCKS = /^(P|DIV|H[1-6]|UL|OL|LI|TABLE|TR|BLOCKQUOTE|PRE|SECTION|ARTICLE|HEADER|FOOTER)$/;

// The text of pasted HTML, as lines: blocks apart, list items as "- ", never a tag.
// (Parsed by DOMParser, which runs no script and loads nothing.)
function htmlToText(html) {
  const body = new DOMParser().parseFromString(html, "text/html").body;
  const out = [];
  (function walk(node) {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out.push(child.nodeValue.replace(/\s+/g, " "));
      } else if (child.nodeType === Node.ELEMENT_NODE && !SKIPPED.has(child.nodeName)) {
        if (child.nodeName === "BR") {
          out.push("\n");
          continue;
        }
        const block = BLOCKS.test(child.nodeName);
        const item = child.nodeName === "LI"; // one line each, no blank between
        if (block) out.push(item ? "\n- " : "\n");
        walk(child);
        if (block && !item) out.push("\n");
      }
    }
  })(body);
  return out
    .join("")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// CodeMirror pastes text/plain; a clipboard holding only HTML gives its text.
const plainPaste = EditorView.domEventHandlers({
  paste(event, view) {
    const data = event.clipboardData;
    if (!data || data.getData("text/plain") || !data.getData("text/html")) return false;
    event.preventDefault();
    const text = htmlToText(data.getData("text/html"));
    if (text && !view.state.readOnly) {
      view.dispatch(view.state.replaceSelection(text), { userEvent: "input.paste", scrollIntoView: true });
    }
    return true;
  },
});

/* ---------- the editor ---------- */

/* Replace the server-rendered <textarea> (what shows without JavaScript) by the
 * editor, bound to `ytext`. Returns {view, setReadOnly(bool)}. */
export function createEditor({ textarea, toolbar, ytext, awareness, labels, styleNonce }) {
  const editable = new Compartment();
  const attributes = {
    id: textarea.dataset.contentId,
    "aria-labelledby": textarea.dataset.labelledby,
    "aria-describedby": textarea.getAttribute("aria-describedby"),
    spellcheck: "true",
    autocapitalize: "sentences",
    lang: textarea.getAttribute("lang") || document.documentElement.lang,
  };
  const undoManager = new Y.UndoManager(ytext);
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      highlightSpecialChars(),
      drawSelection(),
      EditorView.lineWrapping,
      EditorState.allowMultipleSelections.of(false),
      // GFM (to-dos, strikethrough, tables), without markdown()'s HTML and code
      // languages: a third of the size. Enter continues a list or a to-do list.
      markdownLanguage,
      Prec.high(keymap.of(markdownKeymap)),
      syntaxHighlighting(markdownStyle),
      taskPlugin(labels.task),
      // Without the awareness: y-codemirror.next would draw the carets itself.
      yCollab(ytext, null, { undoManager }),
      writersPlugin(ytext, awareness),
      keymap.of([...formatKeymap, ...yUndoManagerKeymap, ...defaultKeymap]),
      plainPaste,
      placeholder(labels.placeholder || ""),
      EditorView.contentAttributes.of(attributes),
      EditorView.editorAttributes.of({ class: "note-text" }), // kept by CodeMirror's updates
      // The page's Content-Security-Policy admits CodeMirror's <style> by this nonce.
      EditorView.cspNonce.of(styleNonce || ""),
      editable.of([]),
    ],
  });
  const view = new EditorView({ state });
  textarea.hidden = true;
  textarea.after(view.dom);
  if (toolbar) bindToolbar(toolbar, view);

  function setReadOnly(readOnly) {
    view.dispatch({
      effects: editable.reconfigure(
        readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []
      ),
    });
    if (toolbar) toolbar.querySelectorAll("button").forEach((button) => { button.disabled = readOnly; });
  }

  return { view, setReadOnly };
}
