// Finding the register page's elements. Exports $(testid): the element with
// that data-testid, the hook the page, its modules and the browser tests share.
export const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
