// A page's static markup, written in its module as HTML text and parsed through a <template>
// (inert: nothing in it runs or loads until it is inserted). Only the page's own constant text goes
// through here; anything from a user or a peer is set with textContent, never as markup.
import { translate } from '../i18n.js';
import { placeIcons } from './icons.js';

// Returns the page's element and a lookup by id inside it (so a page's late callbacks can only
// ever touch its own, by then detached, elements, never the next page's).
export function fillPage(root, markup) {
  const template = document.createElement('template');
  template.innerHTML = markup;
  translate(template.content);
  placeIcons(template.content); // <span data-icon="…"> placeholders become icons (icons.js)
  const page = template.content.firstElementChild;
  root.replaceChildren(template.content);
  return { page, $: (id) => page.querySelector(`#${id}`) };
}
