/**
 * A generated request model as callers write it: every enum member widened to its string value,
 * recursively (`'SMS'` where the generator declares `OmniChannel.Sms`), so nobody needs the
 * generated enums. `any` and Date are left alone.
 */
export type Lenient<T> = 0 extends 1 & T
  ? T
  : T extends Date
    ? T
    : T extends string
      ? `${T}`
      : T extends ReadonlyArray<infer U>
        ? Lenient<U>[]
        : T extends object
          ? { [K in keyof T]: Lenient<T[K]> }
          : T;
