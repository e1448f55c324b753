/** `reviews-v3-… ×12, reviews-v1-… ×1`: pods with counts, most first, at most `limit` named. */
export function formatPodCounts(counts: Record<string, number>, limit = Infinity): string {
  const list = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = list.slice(0, limit).map(([pod, n]) => `${pod} ×${n}`).join(', ');
  return list.length > limit ? `${shown} and ${list.length - limit} more` : shown;
}
