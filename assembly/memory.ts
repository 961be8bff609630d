// Raw buffers for the JS side: allocated from the runtime's TLSF heap, never
// managed by the GC, so a pointer stays valid until `dealloc`.

/** Allocates `size` bytes in WASM memory and returns the pointer (0 on size <= 0). */
export function alloc(size: i32): usize {
  if (size <= 0) return 0;
  return heap.alloc(<usize>size);
}

/** Frees a pointer returned by `alloc`. Freeing 0 is a no-op. */
export function dealloc(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}
