// Types for what the benchmarks import that ships none.

/** lz4js (CommonJS, untyped): its frame API. */
declare module 'lz4js' {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  const lz4js: { compress: typeof compress; decompress: typeof decompress };
  export default lz4js;
}
