// The review screen while a report is being analysed: ask the small status endpoint every few seconds, show
// the progress, and reload the page once analysis has finished so the proposals appear. Without JavaScript
// the page says the same and offers a refresh link.
const region = document.querySelector("[data-status-url]");
const POLL_MILLISECONDS = 3000;

async function poll() {
  let status;
  try {
    const response = await fetch(region.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      return; // Signed out or refused: stop quietly; the refresh link still works.
    }
    status = await response.json();
  } catch {
    window.setTimeout(poll, POLL_MILLISECONDS * 2); // A network blip: try again, more slowly.
    return;
  }
  if (status.finished) {
    window.location.reload();
    return;
  }
  region.querySelector("[data-status-label]").textContent = status.label;
  region.querySelector("[data-status-progress]").textContent = String(status.progress);
  window.setTimeout(poll, POLL_MILLISECONDS);
}

if (region) {
  window.setTimeout(poll, POLL_MILLISECONDS);
}
