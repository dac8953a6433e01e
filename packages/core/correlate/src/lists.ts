// The IIS join keeps its working lists from one request to the next (module-level, emptied after each use).

/**
 * Shorten a list to `n` items. Its lists are reused by every request: setting a shorter length gives an array's room
 * back (V8 reallocates it at the next push, so each request made its lists anew), popping keeps it.
 */
export function truncate(list: unknown[], n: number): void {
  while (list.length > n) list.pop();
}
