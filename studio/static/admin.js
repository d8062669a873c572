// The Admin view: keys, invitations, usage and the review queue, on the operator endpoints (/v1/admin/*,
// /v1/organization/usage/images). The server decides who is an admin: a user key gets its 403 message here.
import { $, api, el } from "./common.js";

const when = (ts) => (ts ? new Date(ts * 1000).toLocaleString() : "—");
const day = (ts) => new Date(ts * 1000).toISOString().slice(0, 10);
let keysById = new Map();

function showError(message) { $("#admin-error").textContent = message || ""; }

// Every button runs its call, then redraws the view; a refusal shows the API's own message.
function action(label, run, attrs = {}) {
  return el("button", {
    type: "button", ...attrs,
    onclick: async () => {
      showError("");
      try { await run(); await loadAdmin(); } catch (e) { showError(e.message); }
    },
  }, label);
}

const post = (path, json) => api(path, { method: "POST", json });

function limitsText(key) {
  const limits = key.effective_limits || key.limits || {};
  const parts = Object.entries(limits).filter(([, v]) => v !== null && v !== undefined && v !== 0)
    .map(([name, v]) => `${name.replaceAll("_", " ")}: ${v}`);
  return parts.join(", ") || "none";
}

function keyRow(key) {
  const path = `/v1/admin/keys/${key.id}`;
  const reason = el("input", { class: "reason", "aria-label": `Reason to suspend ${key.name}`, placeholder: "reason", maxlength: 2000 });
  const actions = el("div", { class: "actions" });
  if (key.status !== "revoked") {
    if (key.status === "suspended") actions.append(action("Reinstate", () => post(`${path}/reinstate`, {})));
    else {
      actions.append(key.status === "disabled" ? action("Enable", () => post(`${path}/enable`)) : action("Disable", () => post(`${path}/disable`)));
      actions.append(reason, action("Suspend", () => {
        if (!reason.value.trim()) throw new Error("Give a reason to suspend a key.");
        return post(`${path}/suspend`, { reason: reason.value.trim() });
      }));
    }
    actions.append(action("Revoke", async () => {
      if (!window.confirm(`Revoke ${key.name} for good?`)) return;
      await post(`${path}/revoke`);
    }, { class: "danger" }));
  }
  return el("tr", { "data-key-id": key.id },
    el("td", {}, key.name), el("td", {}, el("code", {}, `${key.prefix}…`)), el("td", {}, key.role),
    el("td", { class: `status-${key.status}` }, key.status, key.suspended_reason ? el("span", { class: "meta" }, ` (${key.suspended_reason})`) : null),
    el("td", { class: "meta" }, limitsText(key)), el("td", {}, actions));
}

function invitationRow(inv) {
  return el("tr", { "data-invitation-id": inv.id },
    el("td", {}, el("code", {}, `${inv.prefix}…`)), el("td", {}, inv.tier), el("td", {}, `${inv.used} / ${inv.uses}`),
    el("td", {}, when(inv.expires_at)), el("td", {}, inv.status),
    el("td", {}, inv.status === "active" ? action("Revoke", () => post(`/v1/admin/invitations/${inv.id}/revoke`), { class: "danger" }) : null));
}

function goToKey(keyId) {
  const row = document.querySelector(`#admin-keys tr[data-key-id="${CSS.escape(keyId)}"]`);
  if (!row) return;
  row.scrollIntoView({ block: "center" });
  // Suspending needs the reason first; a suspended key's first control is Reinstate.
  (row.querySelector("input.reason") || row.querySelector("button") || row).focus();
}

function rejectionRow(r) {
  const key = keysById.get(r.api_key_id);
  const review = (verdict) => post(`/v1/admin/rejections/${r.id}/review`, { verdict });
  return el("tr", { "data-rejection-id": String(r.id) },
    el("td", {}, when(r.created_at)), el("td", {}, r.category), el("td", {}, r.stage),
    el("td", {}, key ? `${key.name} (${key.prefix}…, ${key.status})` : r.api_key_id || "—"),
    el("td", {}, el("div", { class: "actions" },
      action("Correct", () => review("correct")),
      action("False positive", () => review("false_positive")),
      key ? el("button", { type: "button", class: "quiet", onclick: () => goToKey(key.id) },
        key.status === "suspended" ? "Reinstate key…" : "Suspend key…") : null)));
}

function usageRows(page) {
  const rows = [];
  for (const bucket of page.data) {
    if (!bucket.results.length) rows.push(el("tr", {}, el("td", {}, day(bucket.start_time)), el("td", { class: "meta" }, "—"), el("td", {}, "0"), el("td", {}, "0")));
    for (const r of bucket.results) {
      rows.push(el("tr", {}, el("td", {}, day(bucket.start_time)), el("td", {}, r.model || "—"),
        el("td", {}, String(r.images)), el("td", {}, String(r.num_model_requests))));
    }
  }
  return rows;
}

// Entering the view: secrets shown earlier are gone (they were shown once), the lists are fresh.
export async function openAdmin() {
  $("#admin-key-secret").replaceChildren();
  $("#admin-inv-code").replaceChildren();
  showError("");
  await loadAdmin();
}

async function loadAdmin() {
  const today = Math.floor(Date.now() / 86400000) * 86400;
  const usagePath = `/v1/organization/usage/images?start_time=${today - 6 * 86400}&bucket_width=1d&group_by=model&limit=7`;
  let keys, invitations, usage, queue;
  try {
    [keys, invitations, usage, queue] = await Promise.all([
      api("/v1/admin/keys"), api("/v1/admin/invitations"), api(usagePath), api("/v1/admin/rejections?reviewed=false&limit=100"),
    ]);
  } catch (e) {
    $("#admin-body").hidden = true;  // a user key: nothing to show but the API's reason
    showError(e.message);
    return;
  }
  $("#admin-body").hidden = false;
  keysById = new Map(keys.data.map((k) => [k.id, k]));
  $("#admin-keys tbody").replaceChildren(...keys.data.map(keyRow));
  $("#admin-invitations tbody").replaceChildren(...invitations.data.map(invitationRow));
  $("#admin-usage tbody").replaceChildren(...usageRows(usage));
  $("#admin-rejections tbody").replaceChildren(...(queue.data.length ? queue.data.map(rejectionRow)
    : [el("tr", {}, el("td", { colspan: 5, class: "meta" }, "Nothing to review."))]));
}

$("#admin-key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("");
  const form = event.target;
  const field = (name) => form.elements.namedItem(name).value.trim();  // form.name is the form's own name
  const body = { name: field("name"), role: field("role") };
  if (field("images_per_day") !== "") body.images_per_day = Number.parseInt(field("images_per_day"), 10);
  try {
    const created = await post("/v1/admin/keys", body);
    // The secret exists only in this answer: shown once, never stored by the studio.
    $("#admin-key-secret").replaceChildren(`New key “${created.name}” (shown once, copy it now): `, el("code", { id: "admin-new-secret" }, created.key));
    form.reset();
    await loadAdmin();
  } catch (e) { showError(e.message); }
});

$("#admin-inv-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("");
  const form = event.target;
  const field = (name) => form.elements.namedItem(name).value.trim();
  const body = { tier: field("tier"), uses: Number.parseInt(field("uses"), 10), expires_in: field("expires_in") || null };
  try {
    const created = await post("/v1/admin/invitations", body);
    $("#admin-inv-code").replaceChildren("New invitation code (shown once): ", el("code", { id: "admin-new-code" }, created.code));
    await loadAdmin();
  } catch (e) { showError(e.message); }
});
