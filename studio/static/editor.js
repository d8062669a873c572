// Inpainting: the image on one canvas, the mask on a separate layer above it (so the image's pixels are never
// lost), brush and eraser, brush size by slider and [ ], undo/redo, zoom and pan. Sent to /v1/jobs/edits as an
// image PNG plus a mask PNG whose transparent pixels mark the area to repaint, exactly as an SDK sends them.
import { $, JobPanel, api, buildAdvanced, canvasBlob, fillSelect, formParams, loadImage, multipart, notice } from "./common.js";

const imageCanvas = $("#edit-image");
const maskCanvas = $("#edit-mask");
const mask = maskCanvas.getContext("2d", { willReadFrequently: true });
const stage = $("#edit-stage");
const layers = $("#edit-layers");
const brush = $("#edit-brush");
const HISTORY_LIMIT = 40;

let source = null;
let undoStack = [];
let redoStack = [];
let view = { zoom: 1, x: 0, y: 0 };
let spaceHeld = false;

fillSelect($("#edit-n"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3);
buildAdvanced($("#edit-form .advanced"), "edit");

const panel = new JobPanel($("#edit-panel"), {
  pickLabel: "Keep editing this",
  onPick: async (url) => {
    const blob = await (await fetch(url)).blob();
    await openEditor({ ...source, blob, url: URL.createObjectURL(blob) }, true);
  },
});

export async function openEditor(newSource, force = false) {
  if (!force && source && source.url === newSource.url) return;  // coming back keeps the mask
  source = newSource;
  const image = await loadImage(source.url);
  for (const canvas of [imageCanvas, maskCanvas]) { canvas.width = image.width; canvas.height = image.height; }
  imageCanvas.getContext("2d").drawImage(image, 0, 0);
  mask.clearRect(0, 0, maskCanvas.width, maskCanvas.height);
  undoStack = []; redoStack = [];
  if (source.prompt && !$("#edit-prompt").value) $("#edit-prompt").value = source.prompt;
  if (!force) panel.container.replaceChildren();
  resetView();
}

function tool() {
  return spaceHeld ? "pan" : document.querySelector("input[name=edit-tool]:checked").value;
}

function applyView() {
  layers.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
}

function resetView() { view = { zoom: 1, x: 0, y: 0 }; applyView(); }

function zoomBy(factor) {
  view.zoom = Math.min(8, Math.max(0.25, view.zoom * factor));
  applyView();
}

function snapshot() {
  undoStack.push(mask.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  if (undoStack.length > HISTORY_LIMIT) undoStack.shift();
  redoStack = [];
}

function undo() {
  if (!undoStack.length) return;
  redoStack.push(mask.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  mask.putImageData(undoStack.pop(), 0, 0);
}

function redo() {
  if (!redoStack.length) return;
  undoStack.push(mask.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  mask.putImageData(redoStack.pop(), 0, 0);
}

// A pointer position in image pixels, whatever the zoom and pan.
function imagePoint(event) {
  const rect = maskCanvas.getBoundingClientRect();
  return [(event.clientX - rect.left) * maskCanvas.width / rect.width, (event.clientY - rect.top) * maskCanvas.height / rect.height];
}

function strokeTo(from, to) {
  mask.globalCompositeOperation = tool() === "eraser" ? "destination-out" : "source-over";
  mask.strokeStyle = mask.fillStyle = "rgb(255, 0, 170)";
  mask.lineWidth = Number(brush.value);
  mask.lineCap = mask.lineJoin = "round";
  mask.beginPath();
  mask.moveTo(...from);
  mask.lineTo(...to);
  mask.stroke();
}

let drag = null;
maskCanvas.addEventListener("pointerdown", (event) => {
  maskCanvas.setPointerCapture(event.pointerId);
  if (tool() === "pan" || event.button === 1) {
    drag = { pan: true, x: event.clientX - view.x, y: event.clientY - view.y };
    return;
  }
  snapshot();
  const point = imagePoint(event);
  drag = { pan: false, last: point };
  strokeTo(point, point);
});
maskCanvas.addEventListener("pointermove", (event) => {
  if (!drag) return;
  if (drag.pan) { view.x = event.clientX - drag.x; view.y = event.clientY - drag.y; applyView(); return; }
  const point = imagePoint(event);
  strokeTo(drag.last, point);
  drag.last = point;
});
for (const type of ["pointerup", "pointercancel"]) maskCanvas.addEventListener(type, () => { drag = null; });
stage.addEventListener("wheel", (event) => { event.preventDefault(); zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15); }, { passive: false });

function setBrush(size) {
  brush.value = Math.min(Number(brush.max), Math.max(Number(brush.min), size));
  $("#edit-brush-value").textContent = brush.value;
}
brush.addEventListener("input", () => setBrush(Number(brush.value)));
$("#edit-undo").addEventListener("click", undo);
$("#edit-redo").addEventListener("click", redo);
$("#edit-clear").addEventListener("click", () => { snapshot(); mask.clearRect(0, 0, maskCanvas.width, maskCanvas.height); });
$("#edit-zoom-in").addEventListener("click", () => zoomBy(1.25));
$("#edit-zoom-out").addEventListener("click", () => zoomBy(0.8));
$("#edit-zoom-reset").addEventListener("click", resetView);

document.addEventListener("keydown", (event) => {
  if (document.body.dataset.view !== "edit") return;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) && event.target.type !== "radio" && event.target.type !== "range";
  if (typing) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    if (event.shiftKey) redo(); else undo();
  } else if (event.key === "[") setBrush(Number(brush.value) - 4);
  else if (event.key === "]") setBrush(Number(brush.value) + 4);
  else if (event.key === " ") { spaceHeld = true; event.preventDefault(); }
});
document.addEventListener("keyup", (event) => { if (event.key === " ") spaceHeld = false; });

// The mask as OpenAI's edits endpoint takes it: opaque where the image is kept, transparent where painted.
// Any touched pixel counts as painted, so the antialiased edge of a stroke is repainted, never half-kept.
async function maskPng() {
  const { width, height } = maskCanvas;
  const painted = mask.getImageData(0, 0, width, height).data;
  const out = new ImageData(width, height);
  for (let i = 0; i < painted.length; i += 4) out.data[i + 3] = painted[i + 3] > 0 ? 0 : 255;
  const canvas = document.createElement("canvas");
  canvas.width = width; canvas.height = height;
  canvas.getContext("2d").putImageData(out, 0, 0);
  return canvasBlob(canvas);
}

function maskIsEmpty() {
  const data = mask.getImageData(0, 0, maskCanvas.width, maskCanvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return false;
  return true;
}

$("#edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (maskIsEmpty()) { notice("Paint the area to change first."); return; }
  notice("");
  const size = `${imageCanvas.width}x${imageCanvas.height}`;
  const params = { ...formParams(event.target), size, response_format: "url" };
  const image = source.blob;  // the PNG as it came, not a re-encoding
  const maskBlob = await maskPng();
  panel.run(() => api("/v1/jobs/edits", {
    method: "POST", form: multipart(params, { image: [image, "image.png"], mask: [maskBlob, "mask.png"] }),
  }));
});
