// Whether an event's target is where the person types text: an editable text field, a text area or
// an editable element. A paste there is left to the browser (room_view.js, page_sending.js).
const TEXT_INPUTS = new Set(['text', 'search', 'url', 'tel', 'email', 'password', 'number']);

export function typingInto(node) {
  if (!(node instanceof Element)) return false;
  if (node.isContentEditable) return true;
  if (node instanceof HTMLTextAreaElement) return !node.readOnly && !node.disabled;
  if (node instanceof HTMLInputElement) return TEXT_INPUTS.has(node.type) && !node.readOnly && !node.disabled;
  return false;
}
