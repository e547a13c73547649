// For tests: how many RegExp objects code builds with the RegExp constructor while it runs (regex
// literals are not counted). libphonenumber-js builds one from a metadata pattern on every test.
export function regExpsBuiltDuring(run: () => unknown): number {
  const original = globalThis.RegExp;
  let built = 0;
  globalThis.RegExp = new Proxy(original, {
    construct(target, args, newTarget) {
      built++;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    run();
  } finally {
    globalThis.RegExp = original;
  }
  return built;
}
