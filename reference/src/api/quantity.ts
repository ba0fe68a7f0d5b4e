// Resource quantities: the strings in `resources.requests` and in a node's
// `status.allocatable` ("100m", "0.5", "128Mi", "1Gi", "1G", "1e9"), turned
// into numbers the scheduler can add up.
//
// A quantity is a signed decimal number followed by at most one suffix:
//   binary   Ki Mi Gi Ti Pi Ei            (powers of 1024)
//   decimal  n u m "" k M G T P E         (powers of 1000)
//   exponent e3, E-2, ...                 (powers of 10)
// (k8s.io/apimachinery/pkg/api/resource/quantity.go). Kubernetes keeps exact
// integers; here a JavaScript number is enough for a teaching cluster (exact up
// to 2^53 bytes, 8 PiB).

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const NUMBER = /^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;

/** The value of a quantity in its base unit (cores, bytes, pods). Throws on text that is not a quantity. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = NUMBER.exec(quantity.trim());
  if (!match) throw new Error(`invalid quantity "${quantity}"`);
  const [, digits, suffix] = match;
  const value = Number(digits);
  if (suffix in BINARY) return value * BINARY[suffix];
  if (suffix in DECIMAL) return value * DECIMAL[suffix];
  const exponent = EXPONENT.exec(suffix);
  if (exponent) return value * 10 ** Number(exponent[1]);
  throw new Error(`invalid quantity "${quantity}": unknown suffix "${suffix}"`);
}

/** CPU in millicores, rounded up as Kubernetes' MilliValue() does ("1" → 1000, "0.5" → 500, "100m" → 100). */
export function milliCpu(quantity: string | number): number {
  // Rounding first removes float noise such as 0.1 * 1000 = 100.00000000000001.
  return Math.ceil(Number((parseQuantity(quantity) * 1000).toPrecision(12)));
}

/** Memory (or any count) in whole units, rounded up as Value() does ("128Mi" → 134217728, "1G" → 1e9). */
export function wholeUnits(quantity: string | number): number {
  return Math.ceil(Number(parseQuantity(quantity).toPrecision(15)));
}
