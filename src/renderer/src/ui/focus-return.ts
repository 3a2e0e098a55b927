/**
 * Where focus goes back when a dialog or panel closes. The element that opened it is the answer while it
 * is still on the page and usable; but the opener is often re-rendered away while the dialog is open
 * ("Add a node" in an empty list becomes the header's button once the first node exists, a row's Edit
 * button is rebuilt when the list reloads), and then browsers drop focus to <body>: a keyboard or
 * screen-reader user starts again from the top of the page. So the opener is remembered by what a person
 * sees (its id, test id, or role and name) and found again; failing that, the page's main heading.
 */
export interface FocusMemory {
  element: HTMLElement | null;
  id: string;
  testId: string | null;
  tag: string;
  name: string;
}

const nameOf = (el: HTMLElement): string => (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();

export function rememberFocus(): FocusMemory {
  const el = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  return { element: el, id: el?.id ?? '', testId: el?.getAttribute('data-testid') ?? null, tag: el?.tagName ?? '', name: el ? nameOf(el) : '' };
}

function usable(el: Element | null | undefined): el is HTMLElement {
  return el instanceof HTMLElement && el.isConnected && !el.closest('[inert]') && !el.closest('[hidden]') && !(el as HTMLButtonElement).disabled;
}

/** The element focus should return to, or null when nothing on the page stands for the opener. */
export function findFocusTarget(memory: FocusMemory, root: ParentNode = document): HTMLElement | null {
  if (usable(memory.element)) return memory.element;
  if (memory.id) {
    const byId = document.getElementById(memory.id);
    if (usable(byId)) return byId;
  }
  if (memory.testId) {
    const byTestId = root.querySelector(`[data-testid="${CSS.escape(memory.testId)}"]`);
    if (usable(byTestId)) return byTestId;
  }
  if (memory.tag && memory.name) {
    const same = Array.from(root.querySelectorAll<HTMLElement>(memory.tag)).find((el) => usable(el) && nameOf(el) === memory.name);
    if (same) return same;
  }
  const heading = root.querySelector<HTMLElement>('main h1, h1');
  if (heading?.isConnected && !heading.closest('[inert]')) {
    // A heading is not focusable by itself; -1 lets it take focus without entering the Tab order.
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    return heading;
  }
  return null;
}

export function restoreFocus(memory: FocusMemory): void {
  findFocusTarget(memory)?.focus();
}
