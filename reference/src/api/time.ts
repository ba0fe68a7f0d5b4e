// Timestamps as Kubernetes writes them in objects: metav1.Time is RFC 3339 in
// UTC to the second ("2026-05-01T12:00:00Z"; MarshalJSON in
// k8s.io/apimachinery/pkg/apis/meta/v1/time.go formats with time.RFC3339).
// A Lease's renewTime and an Event's eventTime are MicroTime instead, with
// microseconds (kubelet/node/lease.ts).

/** A time (now, unless given) as metav1.Time: to the second. */
export function apiTime(at: Date | number | string = new Date()): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
}
