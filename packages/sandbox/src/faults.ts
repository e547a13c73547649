import type { FaultSpec, Vendor } from './types';

export type ArmedFault = FaultSpec & { count: number };

export function arm(fault: FaultSpec): ArmedFault {
  const count = fault.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new TypeError('fault.count must be a positive integer');
  if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599)) {
    throw new TypeError('fault.status must be an HTTP status code');
  }
  return { ...fault, count };
}

/** Takes one use of the first armed fault matching this request, if any. */
export function takeFault(faults: ArmedFault[], vendor: Vendor, method: string, fullPath: string, relativePath: string): ArmedFault | undefined {
  const index = faults.findIndex(
    (f) =>
      (f.vendor === undefined || f.vendor === vendor) &&
      (f.method === undefined || f.method.toUpperCase() === method) &&
      (f.path === undefined || f.path === relativePath || f.path === fullPath),
  );
  if (index < 0) return undefined;
  const fault = faults[index]!;
  fault.count -= 1;
  if (fault.count <= 0) faults.splice(index, 1);
  return fault;
}
