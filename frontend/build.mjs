// `npm run build`: compile frontend/scss/app.scss into casereviews/static/css/app.css and copy GOV.UK
// Frontend's ES module bundle into casereviews/static/vendor/govuk/. Both outputs are git-ignored and
// rebuilt from package-lock.json, so the versions that ship are the ones the lock file pins.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const staticRoot = path.join(root, "casereviews", "static");
const govukDist = path.join(
  path.dirname(createRequire(import.meta.url).resolve("govuk-frontend/package.json")),
  "dist",
  "govuk",
);

async function buildStylesheet() {
  const result = sass.compile(path.join(root, "frontend", "scss", "app.scss"), {
    importers: [new sass.NodePackageImporter(root)],
    style: "compressed",
    // Deprecation warnings from inside govuk-frontend are not ours to fix; ours would still show.
    quietDeps: true,
  });
  const target = path.join(staticRoot, "css", "app.css");
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, result.css + "\n");
  return target;
}

async function copyGovukScripts() {
  const targetDir = path.join(staticRoot, "vendor", "govuk");
  await mkdir(targetDir, { recursive: true });
  // The source map travels with the bundle because the bundle names it; a static files manifest
  // (Django's ManifestStaticFilesStorage) refuses to build when a named map is missing.
  const names = ["govuk-frontend.min.js", "govuk-frontend.min.js.map"];
  await Promise.all(names.map((name) => copyFile(path.join(govukDist, name), path.join(targetDir, name))));
  return names.map((name) => path.join(targetDir, name));
}

const written = [await buildStylesheet(), ...(await copyGovukScripts())];
for (const file of written) {
  console.log(`wrote ${path.relative(root, file)}`);
}
