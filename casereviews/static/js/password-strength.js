// The strength meter under a new password (ASVS 2.1.8; includes/password_strength.html). zxcvbn-ts estimates the
// password in the browser as it is typed: nothing is sent anywhere until the form is submitted, and the server then
// applies the same rules (casereviews.core.passwords.StrengthValidator, with the numbers the template passes here).
// The verdict is written in words into a polite live region, so it is announced when typing pauses and does not
// rely on colour. Without JavaScript the region stays hidden and the field's hint and the server say the same.
const meters = document.querySelectorAll("[data-password-strength]");
const PAUSE_MILLISECONDS = 300; // announce when typing pauses, not at every key
const PACKAGES = ["core", "language-common", "language-en"];

// zxcvbn-ts's browser builds are classic scripts that set window.zxcvbnts.<package>; they are large, so they are
// loaded only on a page with a meter, from our own static files (the Content Security Policy's script-src 'self').
function loadScript(name) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL(`../vendor/zxcvbn-ts/${name}/zxcvbn-ts.js`, import.meta.url).href;
    script.async = false; // in order: the languages after the core
    script.addEventListener("load", resolve);
    script.addEventListener("error", reject);
    document.head.append(script);
  });
}

async function estimator() {
  await Promise.all(PACKAGES.map(loadScript));
  const { core, "language-common": common, "language-en": english } = window.zxcvbnts;
  return (maxLength) =>
    new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
      maxLength,
    });
}

// The verdict: a headline in bold, then what to do about it.
function verdict(password, rules, zxcvbn) {
  if (password.length === 0) {
    const advice = `Use at least ${rules.minLength} characters that are hard to guess.`;
    return { strong: false, headline: "", advice };
  }
  if (password.length < rules.minLength) {
    const more = rules.minLength - password.length;
    return {
      strong: false,
      headline: "Too short:",
      advice: `add at least ${more} more character${more === 1 ? "" : "s"}.`,
    };
  }
  if (password.length > rules.maxLength) {
    return { strong: false, headline: "Too long:", advice: `use ${rules.maxLength} characters or fewer.` };
  }
  const result = zxcvbn.check(password);
  if (result.score >= rules.minScore) {
    return { strong: true, headline: "Strong enough.", advice: "" };
  }
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
  return { strong: false, headline: "Too easy to guess.", advice };
}

function show(meter, { strong, headline, advice }) {
  const parts = [];
  if (headline) {
    const bold = document.createElement("strong");
    bold.textContent = headline;
    parts.push(bold);
  }
  if (advice) {
    parts.push(headline ? ` ${advice}` : advice);
  }
  meter.replaceChildren(...parts);
  meter.dataset.strong = String(strong);
}

async function start() {
  let factory;
  try {
    factory = await estimator();
  } catch {
    return; // The estimator did not load: the hint and the server still say what is needed.
  }
  for (const meter of meters) {
    const input = document.getElementById(meter.dataset.passwordStrength);
    if (!input) {
      continue;
    }
    const rules = {
      minLength: Number(meter.dataset.minLength),
      maxLength: Number(meter.dataset.maxLength),
      minScore: Number(meter.dataset.minScore),
    };
    const zxcvbn = factory(rules.maxLength);
    // The verdict is read with the field, after its hint and any error.
    const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...describedBy, meter.id].join(" "));
    show(meter, verdict(input.value, rules, zxcvbn));
    meter.hidden = false;
    let timer;
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => show(meter, verdict(input.value, rules, zxcvbn)), PAUSE_MILLISECONDS);
    });
  }
}

if (meters.length > 0) {
  start();
}
