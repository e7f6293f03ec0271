// Build the browser code committed under barcamp/static (the app never runs Node):
//  - copy the pinned socket.io client into barcamp/static/vendor/ (live.js uses it);
//  - bundle notes/notes.js (Yjs + y-indexeddb + socket.io client, and the editor of
//    notes/editor.js: CodeMirror 6 with y-codemirror.next) with esbuild
//    into barcamp/static/js/notes.min.js, without a source map.
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const stat = join(here, "..", "barcamp", "static");
const vendor = join(stat, "vendor");
mkdirSync(vendor, { recursive: true });

function versionOf(pkg) {
  return JSON.parse(readFileSync(join(here, "node_modules", pkg, "package.json"), "utf8")).version;
}

const client = join(here, "node_modules", "socket.io-client");
for (const file of ["socket.io.min.js", "socket.io.min.js.map"]) {
  copyFileSync(join(client, "dist", file), join(vendor, file));
}
console.log(`socket.io-client ${versionOf("socket.io-client")} -> barcamp/static/vendor/`);

const notesOut = join(stat, "js", "notes.min.js");
await build({
  entryPoints: [join(here, "notes", "notes.js")],
  outfile: notesOut,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  platform: "browser",
  sourcemap: false,
  legalComments: "none",
  // Only used by the debug package in development builds.
  define: { "process.env.NODE_ENV": '"production"' },
  banner: {
    js:
      `/* Barcamp notes, built by frontend/build.mjs from frontend/notes/notes.js` +
      ` and notes/editor.js (yjs ${versionOf("yjs")}, y-indexeddb ${versionOf("y-indexeddb")},` +
      ` y-protocols ${versionOf("y-protocols")}, socket.io-client ${versionOf("socket.io-client")},` +
      ` codemirror ${versionOf("@codemirror/view")}, @codemirror/lang-markdown` +
      ` ${versionOf("@codemirror/lang-markdown")}, y-codemirror.next ${versionOf("y-codemirror.next")};` +
      ` MIT licences). */`,
  },
  logLevel: "warning",
});
console.log(`notes/notes.js -> barcamp/static/js/notes.min.js (${statSync(notesOut).size} bytes)`);
