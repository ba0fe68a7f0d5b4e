// Batches drawing to one pass per animation frame: a rollout or a relist can
// bring hundreds of watch events in a burst, and the page draws once for all
// of them instead of once each. Each pass's duration is kept (the last and the
// longest), so a test or a curious student can read how long drawing took
// (document.body.dataset).

export function frameScheduler(draw: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const start = performance.now();
      draw();
      const ms = performance.now() - start;
      document.body.dataset.lastDrawMs = ms.toFixed(1);
      document.body.dataset.maxDrawMs = Math.max(ms, Number(document.body.dataset.maxDrawMs ?? 0)).toFixed(1);
      document.body.dataset.draws = String(Number(document.body.dataset.draws ?? 0) + 1);
    });
  };
}
