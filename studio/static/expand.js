// Outpainting: a canvas larger than the picture, a generation frame of the chosen size placed over part picture,
// part empty space; the frame's empty part goes to /v1/jobs/edits as transparency (no mask: the image's own
// alpha is the mask, as the edits endpoint expects). Step through the candidates, accept one, repeat, export.
import { $, JobPanel, SIZES, api, buildAdvanced, canvasBlob, fillSelect, formParams, loadImage, multipart, notice } from "./common.js";

const canvas = $("#expand-canvas");
const ctx = canvas.getContext("2d");
const world = document.createElement("canvas");  // the picture so far; transparent where nothing is yet
const worldCtx = world.getContext("2d", { willReadFrequently: true });
const panel = new JobPanel($("#expand-panel"));
const sizeSelect = $("#expand-size");
const xInput = $("#expand-x");
const yInput = $("#expand-y");

let source = null;
let frame = { x: 0, y: 0, size: 256 };
let candidates = [];
let which = 0;

fillSelect($("#expand-n"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3);
fillSelect(sizeSelect, SIZES.map((s) => Number.parseInt(s, 10)), 256);
buildAdvanced($("#expand-form .advanced"), "expand");

export async function openExpander(newSource) {
  if (source && source.url === newSource.url) return;
  source = newSource;
  const image = await loadImage(source.url);
  sizeSelect.value = String([256, 512, 1024].includes(image.width) ? image.width : 256);
  frame.size = Number(sizeSelect.value);
  // Room for one frame on every side of the picture.
  world.width = image.width + 2 * frame.size;
  world.height = image.height + 2 * frame.size;
  worldCtx.clearRect(0, 0, world.width, world.height);
  worldCtx.drawImage(image, frame.size, frame.size);
  frame.x = frame.size + Math.round(image.width / 2);
  frame.y = frame.size;
  if (source.prompt && !$("#expand-prompt").value) $("#expand-prompt").value = source.prompt;
  setCandidates([]);
  panel.container.replaceChildren();
  draw();
}

function clampFrame() {
  frame.x = Math.round(Math.min(Math.max(0, frame.x), world.width - frame.size));
  frame.y = Math.round(Math.min(Math.max(0, frame.y), world.height - frame.size));
  xInput.value = frame.x;
  yInput.value = frame.y;
}

function draw() {
  clampFrame();
  canvas.width = world.width;
  canvas.height = world.height;
  ctx.drawImage(world, 0, 0);
  if (candidates.length) ctx.drawImage(candidates[which], frame.x, frame.y, frame.size, frame.size);
  const line = Math.max(2, Math.round(world.width / 300));
  ctx.lineWidth = line;
  ctx.setLineDash([line * 4, line * 3]);
  ctx.strokeStyle = "#ff2e88";
  ctx.strokeRect(frame.x + line / 2, frame.y + line / 2, frame.size - line, frame.size - line);
}

function setCandidates(images) {
  candidates = images;
  which = 0;
  $("#expand-candidates").hidden = !images.length;
  $("#expand-which").textContent = images.length ? `Candidate ${which + 1} of ${images.length}` : "";
}

function step(delta) {
  if (!candidates.length) return;
  which = (which + delta + candidates.length) % candidates.length;
  $("#expand-which").textContent = `Candidate ${which + 1} of ${candidates.length}`;
  draw();
}

// Canvas pixels from a pointer event (the canvas is scaled down to fit the page).
function canvasPoint(event) {
  const rect = canvas.getBoundingClientRect();
  return [(event.clientX - rect.left) * canvas.width / rect.width, (event.clientY - rect.top) * canvas.height / rect.height];
}

let drag = null;
canvas.addEventListener("pointerdown", (event) => {
  if (candidates.length) return;  // accept or discard first
  const [x, y] = canvasPoint(event);
  canvas.setPointerCapture(event.pointerId);
  drag = { dx: x - frame.x, dy: y - frame.y };
});
canvas.addEventListener("pointermove", (event) => {
  if (!drag) return;
  const [x, y] = canvasPoint(event);
  frame.x = x - drag.dx;
  frame.y = y - drag.dy;
  draw();
});
for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, () => { drag = null; });
canvas.addEventListener("keydown", (event) => {
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (!moves[event.key] || candidates.length) return;
  event.preventDefault();
  const stride = event.shiftKey ? 64 : 16;
  frame.x += moves[event.key][0] * stride;
  frame.y += moves[event.key][1] * stride;
  draw();
});
xInput.addEventListener("change", () => { frame.x = Number(xInput.value); draw(); });
yInput.addEventListener("change", () => { frame.y = Number(yInput.value); draw(); });
sizeSelect.addEventListener("change", () => { frame.size = Number(sizeSelect.value); grow(); draw(); });
$("#expand-prev").addEventListener("click", () => step(-1));
$("#expand-next").addEventListener("click", () => step(1));
$("#expand-discard").addEventListener("click", () => { setCandidates([]); draw(); });

// The box holding every painted pixel, or null.
function contentBox() {
  const { width, height } = world;
  const data = worldCtx.getImageData(0, 0, width, height).data;
  let left = width, top = height, right = -1, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

// Resize the world to the picture plus one frame of room on each side, so the next step can go anywhere.
function grow() {
  const box = contentBox();
  if (!box) return;
  const pad = frame.size;
  const copy = document.createElement("canvas");
  copy.width = box.width; copy.height = box.height;
  copy.getContext("2d").drawImage(world, box.left, box.top, box.width, box.height, 0, 0, box.width, box.height);
  frame.x += pad - box.left;
  frame.y += pad - box.top;
  world.width = box.width + 2 * pad;
  world.height = box.height + 2 * pad;
  worldCtx.clearRect(0, 0, world.width, world.height);
  worldCtx.drawImage(copy, pad, pad);
}

$("#expand-accept").addEventListener("click", () => {
  worldCtx.drawImage(candidates[which], frame.x, frame.y, frame.size, frame.size);
  setCandidates([]);
  grow();
  draw();
  notice("Accepted. Move the frame and generate again, or export.");
});

$("#expand-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  notice("");
  const crop = document.createElement("canvas");
  crop.width = crop.height = frame.size;
  crop.getContext("2d").drawImage(world, frame.x, frame.y, frame.size, frame.size, 0, 0, frame.size, frame.size);
  const alpha = crop.getContext("2d").getImageData(0, 0, frame.size, frame.size).data;
  let empty = 0, filled = 0;
  for (let i = 3; i < alpha.length; i += 4) if (alpha[i] === 0) empty++; else filled++;
  if (!empty || !filled) {
    notice("Place the frame so it covers part of the picture and part of the empty canvas.");
    return;
  }
  const params = { ...formParams(event.target), size: `${frame.size}x${frame.size}`, response_format: "url" };
  const image = await canvasBlob(crop);
  const job = await panel.run(() => api("/v1/jobs/edits", { method: "POST", form: multipart(params, { image: [image, "frame.png"] }) }));
  if (job?.status !== "succeeded") return;
  setCandidates(await Promise.all(job.result.data.map((d) => loadImage(d.url))));
  draw();
});

$("#expand-export").addEventListener("click", async () => {
  const box = contentBox();
  if (!box) return;
  const out = document.createElement("canvas");
  out.width = box.width; out.height = box.height;
  out.getContext("2d").drawImage(world, box.left, box.top, box.width, box.height, 0, 0, box.width, box.height);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await canvasBlob(out));
  link.download = "easel-expanded.png";
  document.body.append(link);
  link.click();
  link.remove();
});
