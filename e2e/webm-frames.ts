/**
 * The video frames of a WebM file as stored (for the browser tests, which decode them with WebCodecs'
 * VideoDecoder): the track's codec and size and each SimpleBlock's bytes, key-frame flag and time. Only what a
 * file written by webm-muxer uses is read (no lacing, no BlockGroups).
 */
export interface WebmFrames {
  codec: string;
  width: number;
  height: number;
  frames: { key: boolean; timestampUs: number; data: number[] }[];
}

const MASTERS = new Set([0x18538067, 0x1f43b675, 0x1654ae6b, 0xae, 0xe0]);

function vint(b: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = b[at];
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  let value = keepMarker ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i];
    ones &&= b[at + i] === 0xff;
  }
  return { value, length, unknown: !keepMarker && ones };
}

export function webmFrames(bytes: Uint8Array): WebmFrames {
  const out: WebmFrames = { codec: '', width: 0, height: 0, frames: [] };
  let clusterMs = 0;
  const walk = (start: number, end: number) => {
    let at = start;
    while (at < end) {
      const id = vint(bytes, at, true);
      const size = vint(bytes, at + id.length, false);
      const body = at + id.length + size.length;
      const stop = size.unknown ? end : body + size.value;
      const uint = () => bytes.subarray(body, stop).reduce((v, x) => v * 256 + x, 0);
      if (MASTERS.has(id.value)) walk(body, stop);
      else if (id.value === 0x86) out.codec = new TextDecoder().decode(bytes.subarray(body, stop));
      else if (id.value === 0xb0) out.width = uint();
      else if (id.value === 0xba) out.height = uint();
      else if (id.value === 0xe7) clusterMs = uint();
      else if (id.value === 0xa3) {
        const track = vint(bytes, body, false);
        const p = body + track.length;
        const rel = (((bytes[p] << 8) | bytes[p + 1]) << 16) >> 16;
        out.frames.push({ key: (bytes[p + 2] & 0x80) !== 0, timestampUs: (clusterMs + rel) * 1000, data: Array.from(bytes.subarray(p + 3, stop)) });
      }
      at = stop;
    }
  };
  walk(0, bytes.length);
  return out;
}
