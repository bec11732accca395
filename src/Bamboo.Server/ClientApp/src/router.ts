// Two pages, addressed by path: "/" lists pipelines, "/pipelines/{id}" shows one. The server answers every
// other path with index.html, so links and reloads land on the right page.

type Render = (root: HTMLElement, signal: AbortSignal) => void;

let current: AbortController | null = null;
let resolve: (path: string) => Render = () => () => {};
let root: HTMLElement;

export function startRouter(host: HTMLElement, routes: (path: string) => Render): void {
  root = host;
  resolve = routes;
  window.addEventListener("popstate", () => render());
  // Links marked data-link move within the page instead of loading it again (unless opened in a new tab).
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-link]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(link.getAttribute("href")!);
  });
  render();
}

export function navigate(url: string): void {
  history.pushState(null, "", url);
  render();
}

/** Draws the current address again: after navigation, or when the token changes. */
export function render(): void {
  current?.abort();
  current = new AbortController();
  window.scrollTo(0, 0);
  resolve(location.pathname)(root, current.signal);
}
