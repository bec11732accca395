// The page's entry point: the top bar (with the token), then the page for the address.

import "./styles.css";
import { h } from "./dom";
import { listPage } from "./listPage";
import { pipelinePage } from "./pipelinePage";
import { render, startRouter } from "./router";
import { getToken, onTokenChange, setToken } from "./token";

function tokenControl(): HTMLElement {
  const status = h("span.token-status");
  const input = h("input", { type: "password", placeholder: "Bearer token", autocomplete: "off", "aria-label": "Bearer token", "data-testid": "token-input" });
  const form = h("form.token-form", { hidden: true },
    input,
    h("button.primary", { type: "submit" }, "Use"),
    h("button", { type: "button", onclick: () => { setToken(""); form.hidden = true; } }, "Forget"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value);
    input.value = "";
    form.hidden = true;
  });
  const toggle = h("button.token-button", { type: "button", "data-testid": "token-button", onclick: () => {
    form.hidden = !form.hidden;
    if (!form.hidden) {
      input.focus();
    }
  } }, "Token");
  const show = () => {
    const set = getToken() !== "";
    status.textContent = set ? "token set" : "anonymous";
    status.classList.toggle("set", set);
  };
  show();
  onTokenChange(() => {
    show();
    render();
  });
  return h("div.token", null, status, toggle, form);
}

const app = h("main#app");
document.body.replaceChildren(
  h("header.topbar", null,
    h("a.brand", { href: "/", "data-link": true }, h("span.logo", { "aria-hidden": "true" }, "⟡"), "Bamboo"),
    h("nav", null, h("a", { href: "/", "data-link": true }, "Pipelines")),
    tokenControl()),
  app);

startRouter(app, (path) => {
  const match = /^\/pipelines\/([^/]+)\/?$/.exec(path);
  if (match) {
    const id = decodeURIComponent(match[1]!);
    document.title = `${id} · Bamboo`;
    return (root, signal) => pipelinePage(root, id, signal);
  }
  document.title = "Pipelines · Bamboo";
  return listPage;
});
