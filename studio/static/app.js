// The studio's pages: sign-in, create, history, image detail, upload, variations. Edit and expand live in
// editor.js and expand.js. Views are sections of index.html switched by the URL's #fragment.
import {
  $, SIZES, JobPanel, api, buildAdvanced, canvasBlob, el, fillSelect, formParams, imageIdOf, multipart, notice, setCsrf,
} from "./common.js";
import { openAdmin } from "./admin.js";
import { openEditor } from "./editor.js";
import { openExpander } from "./expand.js";

const N_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
// A job's params hold the size as pixels per side; the API and the menus say "256x256".
const sizeLabel = (size) => (typeof size === "number" ? `${size}x${size}` : String(size));
const state = { session: null, source: null, favorites: new Set() };

// --- session -------------------------------------------------------------------------------------------------

async function loadSession() {
  try {
    state.session = await api("/studio/session");
    setCsrf(state.session.csrf_token);
  } catch {
    state.session = null;
  }
  $("#nav").hidden = !state.session;
  $("#nav-admin").hidden = state.session?.key.role !== "admin";
  $("#who").textContent = state.session ? `${state.session.key.name} (${state.session.key.prefix}…)` : "";
}

$("#sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("#sign-in-error");
  error.textContent = "";
  try {
    await api("/studio/session", { method: "POST", json: { key: $("#sign-in-key").value } });
    $("#sign-in-key").value = "";
    await loadSession();
    location.hash = "#create";
    route();
  } catch (e) {
    error.textContent = e.message;
  }
});

$("#sign-out").addEventListener("click", async () => {
  try { await api("/studio/session", { method: "DELETE" }); } catch (e) { notice(e.message); return; }
  state.session = null;
  $("#nav").hidden = true;
  location.hash = "#sign-in";
  route();
});

// --- the current source image (an upload or a result), for variations / edit / expand ------------------------

async function useSource(url, prompt = "") {
  const blob = await (await fetch(url, { credentials: "same-origin" })).blob();
  const bitmap = await createImageBitmap(blob);
  state.source = { blob, url: URL.createObjectURL(blob), size: bitmap.width, prompt };
}

function requireSource() {
  if (state.source) return true;
  notice("Choose an image first: upload one, or open one from your history.");
  location.hash = "#upload";
  return false;
}

// --- create --------------------------------------------------------------------------------------------------

const createPanel = new JobPanel($("#create-panel"), {
  pickLabel: "Edit", onPick: async (url, job) => { await useSource(url, job.params.prompt); location.hash = "#edit"; },
});
fillSelect($("#create-n"), N_VALUES, 4);
fillSelect($("#create-size"), SIZES, "1024x1024");
buildAdvanced($("#create-form .advanced"), "create");
const prompt = $("#create-prompt");
prompt.addEventListener("input", () => { $("#create-count").textContent = `${prompt.value.length} / 1000`; });
$("#create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  notice("");
  const params = { ...formParams(event.target), response_format: "url" };
  createPanel.run(() => api("/v1/jobs/generations", { method: "POST", json: params }));
});

// --- history -------------------------------------------------------------------------------------------------

let historyCursor = null;

function historyItem(job) {
  const when = new Date(job.created_at * 1000).toLocaleString();
  const urls = job.result ? job.result.data.map((d) => d.url) : [];
  const onlyFavorites = $("#history-favorites").checked;
  const thumbs = el("ul", { class: "grid thumbs" });
  urls.forEach((url, index) => {
    const favorite = state.favorites.has(imageIdOf(url));
    if (onlyFavorites && !favorite) return;
    thumbs.append(el("li", {},
      el("a", { href: `#detail/${job.id}/${index}`, "aria-label": `Open image ${index + 1} of “${job.params.prompt || job.operation}”` },
        el("img", { src: url, alt: "", loading: "lazy" })),
      favorite ? el("span", { class: "star", "aria-label": "Favourite" }, "★") : null));
  });
  if (onlyFavorites && !thumbs.children.length) return null;
  return el("li", { class: "history-item", "data-job-id": job.id },
    el("div", { class: "history-head" },
      el("p", { class: "prompt" }, job.params.prompt || `(${job.operation} of an uploaded image)`),
      el("p", { class: "meta" }, `${job.operation} · ${sizeLabel(job.params.size)} · ${when} · ${job.status}`),
      job.error ? el("p", { class: "error" }, job.error.message) : null),
    thumbs);
}

async function loadHistory(reset) {
  if (reset) {
    historyCursor = null;
    $("#history-list").replaceChildren();
    const favorites = await api("/v1/favorites");
    state.favorites = new Set(favorites.data.map((f) => f.image_id));
  }
  if ($("#history-favorites").checked) {
    // Every favourite, wherever its job falls in the pages: its job gives a fresh URL.
    const jobIds = [...new Set((await api("/v1/favorites")).data.map((f) => f.job_id))].slice(0, 50);
    for (const job of await Promise.all(jobIds.map((id) => api(`/v1/jobs/${id}`)))) {
      const item = historyItem(job);
      if (item) $("#history-list").append(item);
    }
    $("#history-more").hidden = true;
    $("#history-empty").hidden = $("#history-list").children.length > 0;
    return;
  }
  const query = new URLSearchParams({ limit: "10" });
  if (historyCursor) query.set("after", historyCursor);
  const page = await api(`/v1/jobs?${query}`);
  for (const job of page.data) {
    const item = historyItem(job);
    if (item) $("#history-list").append(item);
  }
  historyCursor = page.last_id;
  $("#history-more").hidden = !page.has_more;
  $("#history-empty").hidden = $("#history-list").children.length > 0 || page.has_more;
}
$("#history-more").addEventListener("click", () => loadHistory(false).catch((e) => notice(e.message)));
$("#history-favorites").addEventListener("change", () => loadHistory(true).catch((e) => notice(e.message)));

// --- detail --------------------------------------------------------------------------------------------------

let detail = null;

async function showDetail(jobId, index) {
  const job = await api(`/v1/jobs/${jobId}`);  // a fresh signed URL, whenever the job was made
  const url = job.result.data[index].url;
  const imageId = imageIdOf(url);
  detail = { job, index, url, imageId };
  const favorites = await api("/v1/favorites");
  state.favorites = new Set(favorites.data.map((f) => f.image_id));
  $("#detail-image").src = url;
  $("#detail-image").alt = job.params.prompt || "Image";
  $("#detail-prompt").textContent = job.params.prompt || `(${job.operation} of an uploaded image)`;
  $("#detail-meta").textContent = `${job.operation} · ${sizeLabel(job.params.size)} · seed ${job.params.seed} · image ${index + 1} of ${job.result.data.length} · ${new Date(job.created_at * 1000).toLocaleString()}`;
  $("#detail-download").href = url;
  $("#detail-download").download = `easel-${job.id}-${index + 1}.png`;
  $("#detail-again").hidden = !job.params.prompt || job.operation !== "generate";
  setFavoriteButton(state.favorites.has(imageId));
}

function setFavoriteButton(on) {
  const button = $("#detail-favorite");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "★ Favourite" : "☆ Favourite";
}

async function copy(text, what) {
  try { await navigator.clipboard.writeText(text); notice(`${what} copied.`); } catch { notice(`${what}: ${text}`); }
}
$("#detail-copy-prompt").addEventListener("click", () => copy(detail.job.params.prompt || "", "Prompt"));
$("#detail-copy-seed").addEventListener("click", () => copy(String(detail.job.params.seed), "Seed"));
$("#detail-favorite").addEventListener("click", async () => {
  const on = $("#detail-favorite").getAttribute("aria-pressed") !== "true";
  try {
    await api(`/v1/favorites/${detail.imageId}`, { method: on ? "PUT" : "DELETE" });
    setFavoriteButton(on);
  } catch (e) { notice(e.message); }
});
$("#detail-again").addEventListener("click", () => {
  const p = detail.job.params;
  prompt.value = p.prompt;
  prompt.dispatchEvent(new Event("input"));
  $("#create-n").value = p.n;
  $("#create-size").value = sizeLabel(p.size);
  location.hash = "#create";
});
for (const [button, view] of [["#detail-variations", "#variations"], ["#detail-edit", "#edit"], ["#detail-expand", "#expand"]]) {
  $(button).addEventListener("click", async () => {
    await useSource(detail.url, detail.job.params.prompt || "");
    location.hash = view;
  });
}
$("#detail-delete").addEventListener("click", async () => {
  if (!confirm("Delete this job and all its images?")) return;
  try {
    await api(`/v1/jobs/${detail.job.id}`, { method: "DELETE" });
    notice("Deleted.");
    location.hash = "#history";
  } catch (e) { notice(e.message); }
});

// --- upload: crop to a square and scale in the browser, so nobody meets the 4 MB square-PNG rule ---------------

fillSelect($("#upload-size"), [256, 512, 1024], 512);
let uploaded = null;

async function takeFile(file) {
  if (!file) return;
  notice("");
  try {
    uploaded = await createImageBitmap(file);
  } catch {
    notice("That file is not an image this browser can read.");
    return;
  }
  await cropUpload();
}

async function cropUpload() {
  if (!uploaded) return;
  const size = Number($("#upload-size").value);
  const side = Math.min(uploaded.width, uploaded.height);
  const canvas = $("#upload-preview");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  // The centred square, scaled to the size.
  ctx.drawImage(uploaded, (uploaded.width - side) / 2, (uploaded.height - side) / 2, side, side, 0, 0, size, size);
  canvas.hidden = false;
  const blob = await canvasBlob(canvas);
  state.source = { blob, url: URL.createObjectURL(blob), size, prompt: "" };
  $("#upload-actions").hidden = false;
}

$("#upload-file").addEventListener("change", (event) => takeFile(event.target.files[0]));
$("#upload-size").addEventListener("change", cropUpload);
const drop = $("#upload-drop");
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); takeFile(event.dataTransfer.files[0]); });
$("#upload-variations").addEventListener("click", () => { location.hash = "#variations"; });
$("#upload-edit").addEventListener("click", () => { location.hash = "#edit"; });
$("#upload-expand").addEventListener("click", () => { location.hash = "#expand"; });

// --- variations ----------------------------------------------------------------------------------------------

fillSelect($("#variations-n"), N_VALUES, 4);
buildAdvanced($("#variations-form .advanced"), "variations");
const variationsPanel = new JobPanel($("#variations-panel"), {
  pickLabel: "Vary this", onPick: async (url) => { await useSource(url); route(); },
});
$("#variations-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const params = { ...formParams(event.target), size: `${state.source.size}x${state.source.size}`, response_format: "url" };
  variationsPanel.run(() => api("/v1/jobs/variations", {
    method: "POST", form: multipart(params, { image: [state.source.blob, "image.png"] }),
  }));
});

// --- routing -------------------------------------------------------------------------------------------------

async function route() {
  const [name, ...args] = (location.hash.slice(1) || "create").split("/");
  if (name === "sign-in-link-invalid") notice("That sign-in link has been used or has expired. Sign in with your API key.");
  let view = state.session ? name : "sign-in";
  if (!document.getElementById(`view-${view}`)) view = "create";
  if (["variations", "edit", "expand"].includes(view) && !requireSource()) view = "upload";
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.getAttribute("href") === `#${view}`) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  try {
    if (view === "history") await loadHistory(true);
    if (view === "detail") await showDetail(args[0], Number(args[1] || 0));
    if (view === "variations") $("#variations-source").src = state.source.url;
    if (view === "edit") await openEditor(state.source);
    if (view === "expand") await openExpander(state.source);
    if (view === "admin") await openAdmin();
  } catch (e) {
    notice(e.message);
  }
  // Shown once its data is in, so a view never shows the previous image's details.
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  document.body.dataset.view = view;
}

window.addEventListener("hashchange", () => { notice(""); route(); });
await loadSession();
await route();
document.body.dataset.ready = "true";
