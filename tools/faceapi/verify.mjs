// verify.mjs runs face-api's own TinyFaceDetector (TensorFlow.js, pure-JS CPU
// backend bundled in @vladmandic/face-api, no download at run time) on the demo
// photos shipped in the npm package and writes what darkgo's import of the model
// is tested against, so the Go tests need neither Node nor the npm package:
//
//   testdata/faceapi/sampleN.input.png   the exact 416x416 network input (RGB)
//   testdata/faceapi/sampleN.raw.f32     face-api's conv8 output for that input
//   testdata/faceapi/sampleN.expected.json  candidates and detections
//
// Usage (from this directory): npm ci && node verify.mjs [-check]
// With -check nothing is written: the freshly computed data is compared with
// the committed files and the script exits 1 if they differ.
//
// Why the input is a PNG: face-api turns a photo into its network input by
// padding it to a square (zeros at the right or bottom) and resizing it to 416
// with tf.image.resizeBilinear; in the browser the same happens on a canvas,
// which rounds the result to 8-bit pixels. We do that rounding too and then run
// face-api on the rounded 416x416 image, on which its pre-processing is the
// identity (already square, already 416). The PNG therefore is exactly face-api's
// input, 8-bit pixels divided by 255 are exactly what Darknet's image loader
// feeds the network, and it is 5x smaller than a float32 dump.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const pkgDir = path.join(here, 'node_modules', '@vladmandic', 'face-api');
const outDir = path.join(repo, 'testdata', 'faceapi');
const check = process.argv.includes('-check');

const INPUT_SIZE = 416;
const SCORE_THRESHOLD = 0.5; // face-api's default (TinyYolov2Options)
const THRESHOLDS = [SCORE_THRESHOLD, 0.25];
const SAMPLES = [1, 2, 3, 4, 5, 6];

// The self-contained ESM bundle (TensorFlow.js included) is built for browsers:
// when it sees Node it tries to use the 'util' module, which the bundle stubs
// out, and throws. Hiding process.versions.node during the import makes it take
// the browser code path, which only needs the pure-JS CPU backend.
async function loadFaceApi() {
  const saved = Object.getOwnPropertyDescriptor(process, 'versions');
  Object.defineProperty(process, 'versions', { value: { ...process.versions, node: undefined }, configurable: true });
  try {
    return await import(pathToFileURL(path.join(pkgDir, 'dist', 'face-api.esm.js')).href);
  } finally {
    Object.defineProperty(process, 'versions', saved);
  }
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// Minimal PNG writer (8-bit RGB, filter 0), so no image package is needed.
const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = (c & 1) ? (0xEDB88320 ^ (c >>> 1)) : (c >>> 1);
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xFFFFFFFF;
  for (const b of buf) c = crcTable[(c ^ b) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePNG(rgb, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// r6 keeps the JSON readable; float32 data are ~7 significant digits anyway.
const r6 = (v) => Number(v.toPrecision(7));
const rect = (b, sx = 1, sy = 1) => ({ x: r6(b.x * sx), y: r6(b.y * sy), width: r6(b.width * sx), height: r6(b.height * sy) });

async function main() {
  const faceapi = await loadFaceApi();
  const { tf } = faceapi;
  // With Node hidden the bundle registered no platform; give it a minimal one
  // (only encode/decode/isTypedArray/now are used when nothing is fetched).
  tf.setPlatform('darkgo-verify', {
    fetch: () => { throw new Error('no network access in verify.mjs'); },
    now: () => performance.now(),
    encode: (s) => new TextEncoder().encode(s),
    decode: (b, enc) => new TextDecoder(enc).decode(b),
    isTypedArray: (a) => a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray,
  });
  // face-api's own environment: only tensors are passed in, so the DOM classes
  // are placeholders that no input is an instance of.
  const none = () => { throw new Error('not available in verify.mjs'); };
  class Placeholder {}
  faceapi.env.setEnv({
    Canvas: Placeholder, CanvasRenderingContext2D: Placeholder, Image: Placeholder, ImageData: Placeholder, Video: Placeholder,
    createCanvasElement: none, createImageElement: none, createVideoElement: none, fetch: none, readFile: none,
  });
  await tf.setBackend('cpu');
  await tf.ready();

  const modelDir = path.join(pkgDir, 'model');
  const manifestBytes = fs.readFileSync(path.join(modelDir, 'tiny_face_detector_model-weights_manifest.json'));
  const manifest = JSON.parse(manifestBytes);
  const binBytes = fs.readFileSync(path.join(modelDir, manifest[0].paths[0]));
  // The converter reads the committed copy in testdata/faceapi/model: make sure
  // it is the very model face-api runs here.
  for (const [name, bytes] of [['tiny_face_detector_model-weights_manifest.json', manifestBytes], [manifest[0].paths[0], binBytes]]) {
    const committed = path.join(outDir, 'model', name);
    if (!fs.existsSync(committed) || sha256(fs.readFileSync(committed)) !== sha256(bytes)) {
      throw new Error(`${committed} differs from the npm package's ${name}: copy it again`);
    }
  }
  const ab = binBytes.buffer.slice(binBytes.byteOffset, binBytes.byteOffset + binBytes.byteLength);
  const net = new faceapi.TinyFaceDetector();
  net.loadFromWeightMap(tf.io.decodeWeights(ab, manifest[0].weights));

  let mismatches = 0;
  const emit = (name, data) => {
    const file = path.join(outDir, name);
    if (check) {
      const same = fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), data) === 0;
      if (!same) {
        console.log(`DIFFERS: ${path.relative(repo, file)}`);
        mismatches++;
      }
      return;
    }
    fs.writeFileSync(file, data);
  };

  for (const n of SAMPLES) {
    const photoName = `sample${n}.jpg`;
    const photoBytes = fs.readFileSync(path.join(pkgDir, 'demo', photoName));
    const photo = jpeg.decode(photoBytes, { useTArray: true, formatAsRGBA: false });
    const W = photo.width;
    const H = photo.height;
    const photoTensor = tf.tensor3d(photo.data, [H, W, 3], 'int32');

    // (1) face-api end to end on the photo (float resize, as in Node).
    const photoDets = await net.detect(photoTensor, { inputSize: INPUT_SIZE, scoreThreshold: SCORE_THRESHOLD });

    // (2) face-api's network input for the photo, rounded to 8-bit pixels.
    const photoInput = await faceapi.toNetInput(photoTensor);
    const batch = photoInput.toBatchTensor(INPUT_SIZE, false); // false: pad right/bottom, as forwardInput does
    const fl = await batch.data();
    const px = new Uint8Array(fl.length);
    for (let i = 0; i < fl.length; i++) px[i] = Math.min(255, Math.max(0, Math.round(fl[i])));
    batch.dispose();
    const reshaped = photoInput.getReshapedInputDimensions(0); // photo scaled so its long side is 416

    // (3) face-api on that exact 416x416 image: raw conv8 output, candidates, detections.
    const sq = tf.tensor3d(px, [INPUT_SIZE, INPUT_SIZE, 3], 'int32');
    const sqInput = await faceapi.toNetInput(sq);
    const out = net.forwardInput(sqInput, INPUT_SIZE); // [1, 13, 13, 25], NHWC
    const [, gh, gw, gc] = out.shape;
    const nhwc = await out.data();
    const chw = new Float32Array(nhwc.length);
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) for (let c = 0; c < gc; c++) {
      chw[(c * gh + y) * gw + x] = nhwc[(y * gw + x) * gc + c];
    }
    // For each threshold: every anchor above it before NMS (face-api's
    // extractBoxes, in row, col, anchor order) and the detections after NMS
    // (face-api's detect, best first). 0.25 (Darknet's default -thresh) gives
    // NMS something to do; at 0.5 it rarely suppresses anything.
    const runs = [];
    for (const threshold of THRESHOLDS) {
      const cands = await net.extractBoxes(out, sqInput.getReshapedInputDimensions(0), threshold);
      const dets = await net.detect(sq, { inputSize: INPUT_SIZE, scoreThreshold: threshold });
      runs.push({
        score_threshold: threshold,
        candidates: cands.map((c) => ({
          row: c.row, col: c.col, anchor: c.anchor, score: r6(c.score),
          box: rect({ x: c.box.x, y: c.box.y, width: c.box.width, height: c.box.height }, INPUT_SIZE, INPUT_SIZE),
        })),
        // Input pixels: face-api's box on the 416 image. Photo pixels: face-api's
        // own mapping (relative to the photo's scaled size, times the photo size).
        detections: dets.map((d) => ({
          candidate: cands.findIndex((c) => c.score === d.score),
          score: r6(d.score),
          box_input: rect(d.box),
          box_image: rect(d.relativeBox, INPUT_SIZE / reshaped.width * W, INPUT_SIZE / reshaped.height * H),
        })),
      });
    }
    out.dispose();

    const base = `sample${n}`;
    const expected = {
      source: `@vladmandic/face-api@${faceapi.version} demo/${photoName} (sha256 ${sha256(photoBytes)}), TensorFlow.js ${tf.version_core} backend ${tf.getBackend()}`,
      photo: { file: photoName, width: W, height: H, scaled_width: reshaped.width, scaled_height: reshaped.height },
      input: {
        file: `${base}.input.png`, width: INPUT_SIZE, height: INPUT_SIZE,
        note: 'photo padded with black at the right/bottom to a square, resized with tf.image.resizeBilinear (alignCorners=false, halfPixelCenters=false), rounded to 8 bits',
      },
      raw: {
        file: `${base}.raw.f32`, shape: [gc, gh, gw],
        layout: 'float32 little-endian, CHW: value[c][row][col]; c = anchor*5 + k with k = 0 tx, 1 ty, 2 tw, 3 th, 4 score logit; conv8 output before sigmoid/exp',
      },
      iou_threshold: net.config.iouThreshold,
      anchors: net.config.anchors.map((a) => [a.x, a.y]),
      runs, // candidates (sigmoid(score) > threshold, before NMS; boxes in input pixels) and detections (after NMS)
      photo_score_threshold: SCORE_THRESHOLD,
      photo_detections: photoDets.map((d) => ({ score: r6(d.score), box_image: rect(d.box) })), // face-api on the JPEG itself (unrounded input)
    };
    emit(`${base}.input.png`, encodePNG(px, INPUT_SIZE, INPUT_SIZE));
    emit(`${base}.raw.f32`, Buffer.from(chw.buffer));
    emit(`${base}.expected.json`, Buffer.from(`${JSON.stringify(expected, null, 1)}\n`));
    console.log(`${photoName} ${W}x${H}: ${runs.map((r) => `thresh ${r.score_threshold}: ${r.candidates.length} candidates, ${r.detections.length} faces`).join('; ')} (photo: ${photoDets.length})`);
    for (const d of runs[0].detections) console.log(`  ${d.score.toFixed(3)} ${JSON.stringify(d.box_image)}`);
    tf.dispose([photoTensor, sq]);
  }
  if (check) {
    if (mismatches) {
      console.log(`${mismatches} files differ`);
      process.exit(1);
    }
    console.log('all files identical');
  }
}

await main();
