/**
 * An array of `length` elements whose element i is `item(i)`, made when read and not kept (rows the
 * models read one at a time). The proxy's target is an empty array and the trap answers `length`:
 * `new Array(length)` as the target held a slot per element, 8 bytes each even empty, which was 30 MB
 * for the 3.7 M session rows of the ~11 GB benchmark stream.
 */
export function lazyArray<T>(length: number, item: (i: number) => T): T[] {
  const isIndex = (key: string | symbol): key is string => {
    if (typeof key !== 'string') return false;
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < length;
  };
  return new Proxy([] as T[], {
    get: (target, key, receiver) => {
      if (key === 'length') return length;
      return isIndex(key) ? item(Number(key)) : Reflect.get(target, key, receiver);
    },
    has: (target, key) => isIndex(key) || Reflect.has(target, key),
  });
}
