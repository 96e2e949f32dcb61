/**
 * A tiny DOM builder: `h('p', { class: 'x' }, 'text', child)`. Text is always set as text (never parsed as
 * HTML), so API data cannot inject markup. Attributes: `false`/`null`/`undefined` omit one, `true` sets it
 * empty; `on<event>` keys add listeners.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened, nullish skipped. */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === 'string' || typeof child === 'number') {
      parent.appendChild(document.createTextNode(String(child)));
    } else parent.appendChild(child);
  }
}

/** An HTML element. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/** Sets `textContent` only when it differs (live regions announce changes, not rewrites). */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}
