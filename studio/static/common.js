// What every view shares: calls to the /v1 API with the session cookie and CSRF header, the job panel that
// follows a job's server-sent events, and small DOM helpers.

export const $ = (selector, root = document) => root.querySelector(selector);
export const SIZES = ["256x256", "512x512", "1024x1024"];

let csrfToken = "";
export function setCsrf(token) { csrfToken = token; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

// fetch() with the studio's rules: same origin, cookie credentials, the CSRF token on anything that changes state.
export async function api(path, { method = "GET", json, form } = {}) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) body = form;
  const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function notice(message) {
  const el = $("#notice");
  el.textContent = message || "";
  el.classList.toggle("shown", Boolean(message));
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function fillSelect(select, values, selected) {
  select.replaceChildren(...values.map((v) => el("option", { value: v, selected: String(v) === String(selected) }, String(v))));
}

// The Easel extras behind an "advanced" fold, the same in every form.
export function buildAdvanced(details, prefix) {
  details.replaceChildren(
    el("summary", {}, "Advanced"),
    el("div", { class: "row" },
      el("label", {}, "Seed ", el("input", { type: "number", name: "seed", id: `${prefix}-seed`, min: 0, placeholder: "random" })),
      el("label", {}, "Steps ", el("input", { type: "number", name: "steps", id: `${prefix}-steps`, min: 1, max: 200, placeholder: "default" })),
      el("label", {}, "Guidance ", el("input", { type: "number", name: "guidance_scale", id: `${prefix}-guidance`, min: 0, max: 50, step: "0.5", placeholder: "default" })),
    ),
  );
}

// Form fields → API parameters; empty advanced fields are left out so the server's defaults apply.
export function formParams(form) {
  const params = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (value === "" || value instanceof File) continue;
    params[name] = ["n", "seed", "steps"].includes(name) ? Number.parseInt(value, 10)
      : name === "guidance_scale" ? Number.parseFloat(value) : value;
  }
  return params;
}

export function multipart(params, files) {
  const form = new FormData();
  for (const [name, [blob, filename]] of Object.entries(files)) form.append(name, blob, filename);
  for (const [name, value] of Object.entries(params)) form.append(name, String(value));
  return form;
}

export function imageIdOf(url) {
  const match = /\/v1\/files\/([^/]+)\/content/.exec(url);
  return match ? match[1] : null;
}

export function canvasBlob(canvas) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

export function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("The image could not be loaded."));
    image.src = src;
  });
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

// Follow a job to its end through /v1/jobs/{id}/events (EventSource sends the session cookie), calling
// onUpdate with each state; falls back to polling if the stream breaks.
export function followJob(jobId, onUpdate) {
  return new Promise((resolve) => {
    let done = false;
    const finish = async (job) => {
      if (done) return;
      done = true;
      source.close();
      if (!job.result && job.status === "succeeded") job = await api(`/v1/jobs/${jobId}`);
      onUpdate(job);
      resolve(job);
    };
    const source = new EventSource(`/v1/jobs/${jobId}/events`);
    for (const status of ["queued", "running", "succeeded", "failed", "cancelled"]) {
      source.addEventListener(status, (event) => {
        const job = JSON.parse(event.data);
        if (TERMINAL.has(job.status)) finish(job); else onUpdate(job);
      });
    }
    source.onerror = async () => {
      if (done) return;
      source.close();
      for (;;) {
        const job = await api(`/v1/jobs/${jobId}`).catch(() => null);
        if (job && TERMINAL.has(job.status)) return finish(job);
        if (job) onUpdate(job);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
  });
}

// A job's progress, cancel button, error text and result images, in one container.
export class JobPanel {
  constructor(container, { onPick, pickLabel } = {}) {
    this.container = container;
    this.onPick = onPick;
    this.pickLabel = pickLabel;
  }

  showError(message) {
    this.container.replaceChildren(el("p", { class: "error", role: "alert" }, message));
  }

  // submit: a function returning the accepted job (POST /v1/jobs/...). Resolves with the finished job, or null.
  async run(submit) {
    const progress = el("progress", { max: 1, value: 0, "aria-label": "Progress" });
    const label = el("span", { class: "progress-text" }, "Submitting…");
    const cancel = el("button", { type: "button", class: "cancel" }, "Cancel");
    const status = el("div", { class: "progress", role: "status", "aria-live": "polite" }, progress, label, cancel);
    this.container.replaceChildren(status);
    let job;
    try {
      job = await submit();
    } catch (error) {
      this.showError(error.message);  // the service's own words: a policy refusal, a limit, a bad size
      return null;
    }
    this.container.dataset.jobId = job.id;
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try { await api(`/v1/jobs/${job.id}/cancel`, { method: "POST" }); } catch (error) { notice(error.message); }
    });
    const finished = await followJob(job.id, (state) => {
      const { step, total } = state.progress || { step: 0, total: 0 };
      // The stream can repeat an older step (a database snapshot lagging the live events): never go back.
      if (total && (total !== progress.max || step > progress.value)) { progress.max = total; progress.value = step; }
      label.textContent = state.status === "running" ? `Drawing: step ${step} of ${total}` : state.status === "queued" ? "Waiting for the worker…" : state.status;
    });
    cancel.remove();
    if (finished.status === "succeeded") {
      this.showImages(finished);
    } else if (finished.status === "cancelled") {
      this.container.replaceChildren(el("p", { class: "info", role: "status" }, "Cancelled."));
    } else {
      this.showError(finished.error?.message || "The job failed.");
    }
    return finished;
  }

  showImages(job) {
    const urls = job.result.data.map((d) => d.url);
    const grid = el("ul", { class: "grid results" });
    urls.forEach((url, index) => {
      const figure = el("li", { class: "result" },
        el("a", { href: `#detail/${job.id}/${index}`, "aria-label": `Open image ${index + 1}` },
          el("img", { src: url, alt: `${job.params.prompt || "Result"} (${index + 1})`, loading: "lazy" })),
        el("div", { class: "actions" },
          el("a", { class: "button", href: url, download: `easel-${job.id}-${index + 1}.png` }, "Download"),
          this.onPick ? el("button", { type: "button", onclick: () => this.onPick(url, job) }, this.pickLabel) : null,
        ),
      );
      grid.append(figure);
    });
    this.container.replaceChildren(grid);
  }
}
