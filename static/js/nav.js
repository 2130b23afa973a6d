// No history build-up: following a link to another page of this app replaces the current
// history entry instead of adding one, so after any amount of reading a quick exit leaves
// Back with no page of ours behind it. Every page has its own visible way back (breadcrumbs).
//
// Left to the browser: links to other sites and tel:/mailto: (they leave normally), new-tab
// and download links, clicks with a modifier key or a button other than the main one, and
// links another script already handled (defaultPrevented).

export function replacementFor(event, anchor, here = location) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  if (!anchor || anchor.hasAttribute('download') || anchor.hasAttribute('data-quick-exit')) return null;
  const target = anchor.getAttribute('target');
  if (target && target !== '_self') return null;
  const url = new URL(anchor.href, here.href);
  if (url.origin !== here.origin) return null;
  // Same-origin, same-page #fragment links go through replace() too: the browser still
  // scrolls to the target and moves the focus starting point, without a new entry.
  return url.href;
}

document.addEventListener('click', (event) => {
  const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
  const href = replacementFor(event, anchor);
  if (href === null) return;
  event.preventDefault();
  location.replace(href);
});
