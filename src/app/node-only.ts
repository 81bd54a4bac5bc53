/**
 * Stand-in for Node-only modules (pngjs, jpeg-js, node:buffer) in the browser build. The engine
 * imports them lazily on its Node paths only; in the browser it decodes and encodes with
 * createImageBitmap / OffscreenCanvas, so nothing here is ever called there.
 */
function unavailable(): never {
  throw new Error('this module is only available in Node');
}
export const PNG = new Proxy({}, { get: unavailable });
export const Buffer = new Proxy({}, { get: unavailable });
export const decode = unavailable;
export const encode = unavailable;
export default { decode: unavailable, encode: unavailable };
