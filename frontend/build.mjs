// `npm run build`: compile frontend/scss/app.scss into casereviews/static/css/app.css and copy GOV.UK
// Frontend's ES module bundle into casereviews/static/vendor/govuk/ and zxcvbn-ts's browser builds into
// casereviews/static/vendor/zxcvbn-ts/. The outputs are git-ignored and rebuilt from package-lock.json, so
// the versions that ship are the ones the lock file pins.
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

// zxcvbn-ts, the password strength estimator behind the meter on the password forms (ASVS 2.1.8): each package's
// self-contained browser build (it sets window.zxcvbnts.<package>, needs no bundler and imports nothing), with its
// source map, into casereviews/static/vendor/zxcvbn-ts/<package>/. static/js/password-strength.js loads them only
// on a page with a meter.
async function copyZxcvbnScripts() {
  const written = [];
  for (const name of ["core", "language-common", "language-en"]) {
    const dist = path.join(
      path.dirname(createRequire(import.meta.url).resolve(`@zxcvbn-ts/${name}/package.json`)),
      "dist",
    );
    const targetDir = path.join(staticRoot, "vendor", "zxcvbn-ts", name);
    await mkdir(targetDir, { recursive: true });
    for (const file of ["zxcvbn-ts.js", "zxcvbn-ts.js.map"]) {
      await copyFile(path.join(dist, file), path.join(targetDir, file));
      written.push(path.join(targetDir, file));
    }
  }
  return written;
}

const written = [await buildStylesheet(), ...(await copyGovukScripts()), ...(await copyZxcvbnScripts())];
for (const file of written) {
  console.log(`wrote ${path.relative(root, file)}`);
}
