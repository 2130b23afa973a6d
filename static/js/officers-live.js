// Officers' dashboard: keep the count of new reports and the list current without a reload.
// Polls a small JSON summary; fetches the rows (rendered by the server) only when it changed.
// These requests do not count as activity, so the idle sign-out still happens.

function start(root) {
  const summaryUrl = root.dataset.summaryUrl;
  const rowsUrl = root.dataset.rowsUrl + window.location.search;
  const every = Math.max(1, Number(root.dataset.pollSeconds) || 10) * 1000;
  const count = root.querySelector('[data-live-count]');
  const rows = document.querySelector('[data-live-rows]');
  let version = root.dataset.version;

  async function get(url) {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    // Signed out (idle, or elsewhere): the server sent us to sign-in; go there, so the
    // page says why.
    if (response.redirected) {
      window.location.assign(response.url);
      return null;
    }
    return response.ok ? response : null;
  }

  async function refreshRows() {
    const response = await get(rowsUrl);
    if (!response || !rows) return false;
    const html = await response.text();
    const doc = new DOMParser().parseFromString(`<table><tbody>${html}</tbody></table>`, 'text/html');
    rows.replaceChildren(...doc.querySelector('tbody').childNodes);
    return true;
  }

  async function tick() {
    try {
      const response = await get(summaryUrl);
      if (!response) return;
      const summary = await response.json();
      // Remember the new version only once the rows are shown, so a failed fetch retries.
      if (summary.version !== version && await refreshRows()) version = summary.version;
      if (count.textContent !== summary.new_text) count.textContent = summary.new_text;
    } catch (error) {
      // Offline or the server is restarting: try again at the next tick.
    } finally {
      window.setTimeout(tick, every);
    }
  }

  window.setTimeout(tick, every);
}

const root = document.querySelector('[data-officers-live]');
if (root) start(root);
