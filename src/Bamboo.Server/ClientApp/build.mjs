// Bundles the page into ../wwwroot: index.html, app.js and app.css, with every dependency inside (no CDN at run
// time). Run by `npm run build`, which type-checks first; the Bamboo.Server csproj runs it when a source changed.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../wwwroot");

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: path.join(here, "src/main.ts") },
  // main.ts imports styles.css, so esbuild writes app.css beside app.js.
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  legalComments: "none",
  logLevel: "warning",
});
await copyFile(path.join(here, "index.html"), path.join(out, "index.html"));

// The licences of what app.js carries inside it (elkjs: EPL-2.0), served beside it.
const bundled = ["elkjs"];
const notices = await Promise.all(bundled.map(async (name) => {
  const pkg = JSON.parse(await readFile(path.join(here, "node_modules", name, "package.json"), "utf8"));
  const license = await readFile(path.join(here, "node_modules", name, "LICENSE.md"), "utf8");
  return `${name} ${pkg.version} (${pkg.license}), ${pkg.repository?.url ?? pkg.homepage ?? ""}\n\n${license}`;
}));
await writeFile(path.join(out, "THIRD-PARTY-NOTICES.txt"), `app.js bundles the following packages.\n\n${notices.join("\n\n")}`);
