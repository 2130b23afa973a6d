// Small helpers the report form's modules share.

export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};

// JSON from the network, or (offline) from the worker's kept copy. The worker does not
// answer /api/ requests itself, so its copy of the public key is read here directly.
export async function getJSON(url) {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (response.ok) return await response.json();
  } catch (err) { /* offline */ }
  if (globalThis.caches) {
    const kept = await caches.match(url, { ignoreSearch: true });
    if (kept) return kept.json();
  }
  throw new Error(`Cannot load ${url}`);
}
