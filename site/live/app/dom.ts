// A tiny element builder, so the panels read as the markup they make.

type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const child of children) if (child !== undefined && child !== false) el.append(child);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== undefined && c !== false));
}

/** "12s", "4m", "3h" since a timestamp, as kubectl prints ages. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

/** Puts children in the given order, moving only those out of place (and leaving fading tiles where they are). */
export function placeInOrder(parent: HTMLElement, wanted: HTMLElement[]): void {
  const wantedSet = new Set(wanted);
  let cursor = parent.firstElementChild;
  for (const el of wanted) {
    while (cursor && !wantedSet.has(cursor as HTMLElement) && (cursor.classList.contains('leaving'))) cursor = cursor.nextElementSibling;
    if (cursor === el) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    parent.insertBefore(el, cursor);
  }
}
