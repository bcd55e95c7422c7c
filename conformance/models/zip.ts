/**
 * Reads chosen members of a zip archive (a Keras 3 `.keras` file) under a byte limit each, so a small
 * archive cannot make the reader allocate gigabytes (a "zip bomb": deflate expands up to ~1032:1).
 *
 * Members are found through the central directory, as Python's `zipfile` (hence Keras) finds them, and
 * only the members asked for are inflated. A member's declared uncompressed size is checked against its
 * limit before anything is inflated, and inflation stops as soon as the output passes the declared size:
 * the declared size is the archive's word only (spec: PKWARE APPNOTE.TXT §4.3).
 */
import { inflateRawSync } from "node:zlib";
import { ModelFileError } from "./h5.ts";
import { formatBytes } from "./sizes.ts";

export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflate (the two methods Python's zipfile writes by default). */
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  /** The uncompressed size the central directory declares. */
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const U32_MAX = 0xffffffff;

function u64(view: DataView, at: number): number {
  // Sizes past 2^53 cannot be real here; Number keeps the comparisons against the limits simple.
  return Number(view.getBigUint64(at, true));
}

/** The archive's members as its central directory lists them. */
export function zipMembers(bytes: Uint8Array, label: string): ZipMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): never => {
    throw new ModelFileError(label, `not a readable zip archive (${why})`);
  };
  // The end-of-central-directory record is the last thing in the file, followed by a comment of at most 64 KiB.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) bad("no end-of-central-directory record");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_EOCD_LOCATOR) {
    const at = u64(view, eocd - 20 + 8);
    if (at + 56 > bytes.length || view.getUint32(at, true) !== ZIP64_EOCD) bad("bad zip64 end-of-central-directory record");
    count = u64(view, at + 32);
    cdSize = u64(view, at + 40);
    cdOffset = u64(view, at + 48);
  }
  if (cdOffset + cdSize > bytes.length) bad("central directory runs past the end of the file");
  const members: ZipMember[] = [];
  let at = cdOffset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_HEADER) bad(`central directory entry ${k} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extra field: the 64-bit values of exactly the fields set to 0xFFFFFFFF, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === ZIP64_EXTRA) {
        let f = e + 4;
        const next = (): number => {
          if (f + 8 > e + 4 + length) bad(`zip64 field of ${name} is too short`);
          const v = u64(view, f);
          f += 8;
          return v;
        };
        if (size === U32_MAX) size = next();
        if (compressedSize === U32_MAX) compressedSize = next();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    members.push({ name, method, flags, compressedSize, size, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/**
 * One member's bytes, refused (naming the member, its size and the limit) when it declares more than
 * `limit` bytes or inflates to more than it declares.
 */
export function readZipMember(bytes: Uint8Array, label: string, member: ZipMember, limit: number): Uint8Array {
  const refuse = (why: string): never => {
    throw new ModelFileError(label, `archive member ${member.name} ${why}`);
  };
  if (member.size > limit) refuse(`declares ${formatBytes(member.size)} uncompressed, over the ${formatBytes(limit)} limit for it; not inflated`);
  if (member.flags & 1) refuse("is encrypted");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = member.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL_HEADER) refuse("has no local header where the central directory says");
  // The local header's own name and extra lengths (they may differ from the central directory's).
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  if (start + member.compressedSize > bytes.length) refuse("runs past the end of the file");
  const stored = bytes.subarray(start, start + member.compressedSize);
  if (member.method === 0) {
    if (member.compressedSize !== member.size) refuse(`is stored uncompressed but declares ${formatBytes(member.size)} from ${formatBytes(member.compressedSize)}`);
    return stored;
  }
  if (member.method !== 8) refuse(`uses compression method ${member.method}; only stored (0) and deflate (8) are read`);
  let out: Buffer;
  try {
    // Node stops inflating once the output passes maxOutputLength (ERR_BUFFER_TOO_LARGE): at most the declared
    // size, which is within the limit, is ever held. maxOutputLength must be at least 1.
    out = inflateRawSync(stored, { maxOutputLength: Math.max(1, member.size) });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") refuse(`inflates to more than the ${formatBytes(member.size)} its zip entry declares (limit ${formatBytes(limit)}); stopped there: a damaged or crafted archive`);
    return refuse(`does not inflate (${(e as Error).message})`);
  }
  if (out.length !== member.size) refuse(`inflates to ${formatBytes(out.length)}, its zip entry declares ${formatBytes(member.size)}: a damaged or crafted archive`);
  return out;
}
