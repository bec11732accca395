// A tiny element builder: h("div.card", { onclick }, child, ...). Text children are escaped by the DOM itself.

type Child = Node | string | number | null | undefined | false;
type Props = { [key: string]: unknown };

export function h<K extends keyof HTMLElementTagNameMap>(
  selector: K | `${K}.${string}` | `${K}#${string}`,
  props?: Props | null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const [tagAndId, ...classes] = selector.split(".");
  const [tag, id] = tagAndId!.split("#");
  const element = document.createElement(tag as K);
  if (id) {
    element.id = id;
  }
  if (classes.length > 0) {
    element.className = classes.join(" ");
  }
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value as EventListener);
    } else if (key === "class") {
      element.className = [element.className, String(value)].filter(Boolean).join(" ");
    } else if (key in element && !key.includes("-")) {
      (element as unknown as Record<string, unknown>)[key] = value;
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

const SvgNs = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Record<string, string | number | undefined>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SvgNs, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== undefined) {
      element.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    element.append(child);
  }
  return element;
}
