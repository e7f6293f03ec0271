// Copy pinned browser libraries into the Flask static folder (committed output).
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "barcamp", "static", "vendor");
mkdirSync(vendor, { recursive: true });

const client = join(here, "node_modules", "socket.io-client");
const { version } = JSON.parse(readFileSync(join(client, "package.json"), "utf8"));
for (const file of ["socket.io.min.js", "socket.io.min.js.map"]) {
  copyFileSync(join(client, "dist", file), join(vendor, file));
}
console.log(`socket.io-client ${version} -> barcamp/static/vendor/`);
