// File pickers are labels around a hidden <input type=file> (a styled control that opens the
// browser's own picker). A label is not reachable by keyboard by itself: those marked
// role="button" tabindex="0" take Enter and Space here, as a button does, and open their input.
export function listenForPickerKeys() {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const label = event.target;
    if (!(label instanceof HTMLLabelElement) || label.getAttribute('role') !== 'button') return;
    const input = label.querySelector('input[type=file]');
    if (!input || input.disabled) return;
    event.preventDefault(); // no page scroll for Space
    input.click();
  });
}
