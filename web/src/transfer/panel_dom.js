// Small DOM helpers of the transfer panel's views (batch_view.js, progress_row.js, send_controls.js).

// An element with attributes ('text' sets textContent, 'on…' adds a listener) and children.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

// Writes only what changed: an unchanged text node costs no style or layout work.
export function setIfChanged(node, property, value) {
  if (node[property] !== value) node[property] = value;
}
