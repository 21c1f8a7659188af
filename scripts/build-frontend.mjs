// Builds Safehub's front-end into the web app's static folder, from packages in node_modules:
// our Sass (with GOV.UK Frontend) to CSS, and GOV.UK Frontend's JavaScript and images.
// Nothing is fetched: `npm ci` has already installed the locked packages.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "src", "safehub", "web");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(web, "static", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(out, "assets", "manifest.json"));

const result = sass.compile(join(web, "assets", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(web, "static", "web", "app.css"), result.css);
console.log(`built ${join("src", "safehub", "web", "static")} (${result.css.length} bytes of CSS)`);
