// What a teacher's link can do besides the settings: hide controls a lesson
// does not need (#hide=regularization,dropout,...) and open the backward
// view on a chosen point and stage (#trace=12&stage=backward:1).
import { t } from "./i18n.js";

// every part of the page a link may hide: the elements marked data-hide-group
export function hideGroups() {
  return [...new Set([...document.querySelectorAll("[data-hide-group]")].map((e) => e.dataset.hideGroup)),
    "features", "layerButtons"].sort();
}

// hide the groups named in `names`; returns the message for a name that is no group (or null)
export function applyHidden(names) {
  const groups = hideGroups();
  const hidden = new Set(names);
  for (const el of document.querySelectorAll("[data-hide-group]")) el.hidden = hidden.has(el.dataset.hideGroup);
  // "features": the inputs that are off are not shown; "layerButtons": no +/− or activation per layer
  document.body.classList.toggle("hide-off-features", hidden.has("features"));
  document.body.classList.toggle("hide-layer-buttons", hidden.has("layerButtons") || hidden.has("layers"));
  const unknown = names.find((n) => !groups.includes(n));
  return unknown === undefined ? null : t("badHide", { name: unknown, list: groups.join(", ") });
}

// the backward view a lesson link asks for, once the data are there; a message if it cannot be
export function openLesson(view, backward, trainCount) {
  if (view.trace === undefined || view.trace === null) return null;
  const n = trainCount();
  const i = view.trace;
  if (!Number.isInteger(i) || i < 0 || i >= n) return t("badLesson", { i, n: n - 1 });
  backward.pick(i, view.stage || null);
  return null;
}
