// Loaded as <script type="module">, so it only runs in browsers that support ES modules, which is GOV.UK
// Frontend's own test for support. Adding the class here, rather than in an inline script as the
// Nunjucks template does, keeps every page free of inline script for the Content Security Policy.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
