"""Layout checks for browser tests: measured with the DOM, not pixel diffs.

Public API (kept stable; other test files copy this module):

- ``layout_offenders(page, *, ignore=()) -> list[str]``: every visible problem on
  the page as one readable line each; empty when the layout is clean.
- ``assert_layout_ok(page, name, *, ignore=()) -> Path``: saves the screenshot
  (``save_screenshot``), then fails listing the offenders, if any.
- ``save_screenshot(page, name, *, full_page=False) -> Path``: writes
  ``var/screenshots/{name}-{W}x{H}.png`` (git-ignored; keep them as CI artifacts and
  look at them).

What counts as an offender, for visible elements only:

- ``overflow``: an element with its own text whose content is wider than its box
  (``scrollWidth > clientWidth``), or taller when it clips (``overflow: hidden``);
  this catches text cut by ``text-overflow: ellipsis`` too.
- ``offscreen``: an element extending beyond the viewport horizontally (the page
  scrolls sideways, or part of it cannot be reached on a tablet). Descendants of a
  horizontal scroller are exempt (they can be scrolled to); the scroller is not.
- ``clipped``: a line of text running outside an ancestor that clips
  (``overflow`` other than ``visible``), so part of it is not shown.
- ``overlap``: two lines of text from different elements drawn over each other.

Elements (and their subtrees) carrying ``data-layout-ignore`` are skipped, as are
the CSS selectors given in ``ignore``. Tolerance is 1 px for box checks; text line
boxes overlap only when they share more than a quarter of the smaller line's height
and more than 2 px of width (fonts' ascent and descent may exceed a tight
line-height by a pixel or two).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

_MEASURE = r"""
(ignore) => {
  const out = [];
  const vw = document.documentElement.clientWidth;
  const skipped = (el) => el.closest('[data-layout-ignore]') || ignore.some((s) => el.closest(s));
  const visible = (el) => el.checkVisibility
    ? el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    : !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const tid = el.getAttribute('data-testid');
    if (tid) s += `[data-testid="${tid}"]`;
    else if (el.classList.length) s += '.' + [...el.classList].slice(0, 2).join('.');
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    if (text) s += ` "${text.slice(0, 30)}${text.length > 30 ? '…' : ''}"`;
    return s;
  };
  const ownText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const clips = (st) => st.overflowX !== 'visible' || st.overflowY !== 'visible';
  const scrollerX = (st) => st.overflowX === 'auto' || st.overflowX === 'scroll';
  const r = (n) => Math.round(n);

  const all = [...document.body.querySelectorAll('*')].filter(
    (el) => !['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION', 'BR'].includes(el.tagName));
  const shown = all.filter((el) => !skipped(el) && visible(el));

  for (const el of shown) {
    const st = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    // Wider than its box: only meaningful for boxes (inline elements report 0).
    if (ownText(el) && st.display !== 'inline' && el.clientWidth > 0) {
      if (el.scrollWidth > el.clientWidth + 1 && !scrollerX(st)) {
        out.push(`overflow: ${describe(el)} content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`);
      } else if (clips(st) && st.overflowY !== 'auto' && st.overflowY !== 'scroll'
                 && el.scrollHeight > el.clientHeight + 1) {
        out.push(`overflow: ${describe(el)} content ${el.scrollHeight}px tall in a ${el.clientHeight}px box that clips`);
      }
    }
    // Beyond the viewport sideways, unless a horizontal scroller holds it.
    if (rect.right > vw + 1 || rect.left < -1) {
      let inScroller = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (scrollerX(getComputedStyle(a))) { inScroller = true; break; }
      }
      if (!inScroller) out.push(`offscreen: ${describe(el)} spans x=${r(rect.left)}..${r(rect.right)} in a ${vw}px viewport`);
    }
  }

  // Lines of text, one rect per line box, with the element that owns them.
  const lines = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || skipped(el) || !visible(el)) continue;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const box of range.getClientRects()) {
      if (box.width < 1 || box.height < 1) continue;
      lines.push({el, box});
    }
  }

  // Text cut off by an ancestor that clips.
  const clipped = new Set();
  for (const {el, box} of lines) {
    if (clipped.has(el)) continue;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (!clips(st)) continue;
      const c = a.getBoundingClientRect();
      const scrollsX = scrollerX(st), scrollsY = st.overflowY === 'auto' || st.overflowY === 'scroll';
      const outX = !scrollsX && (box.left < c.left - 1 || box.right > c.right + 1);
      const outY = !scrollsY && (box.top < c.top - 2 || box.bottom > c.bottom + 2);
      if (outX || outY) {
        clipped.add(el);
        out.push(`clipped: ${describe(el)} text at x=${r(box.left)}..${r(box.right)} y=${r(box.top)}..${r(box.bottom)} `
                 + `outside ${describe(a)} x=${r(c.left)}..${r(c.right)} y=${r(c.top)}..${r(c.bottom)}`);
        break;
      }
    }
  }

  // Two lines of text from different elements over each other.
  const seen = new Set();
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const a = lines[i], b = lines[j];
      if (a.el === b.el) continue;
      const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
      const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
      if (w <= 2 || h <= Math.min(a.box.height, b.box.height) / 4) continue;
      const key = describe(a.el) + ' / ' + describe(b.el);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`overlap: ${describe(a.el)} and ${describe(b.el)} share ${r(w)}x${r(h)}px at x=${r(Math.max(a.box.left, b.box.left))} y=${r(Math.max(a.box.top, b.box.top))}`);
    }
  }
  return out;
}
"""


def layout_offenders(page: Any, *, ignore: Iterable[str] = ()) -> list[str]:
    """Every layout problem on ``page`` as one readable line each (see the module docstring)."""
    return list(page.evaluate(_MEASURE, list(ignore)))


def save_screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save the page as ``var/screenshots/{name}-{W}x{H}.png`` and return the path."""
    size = page.viewport_size or page.evaluate("({width: innerWidth, height: innerHeight})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def assert_layout_ok(page: Any, name: str, *, ignore: Iterable[str] = ()) -> Path:
    """Screenshot the page, then fail with the list of offenders if there are any."""
    path = save_screenshot(page, name)
    offenders = layout_offenders(page, ignore=ignore)
    assert not offenders, f"layout of {name} ({path.name}):\n  " + "\n  ".join(offenders)
    return path
