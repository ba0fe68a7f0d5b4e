// `--min-score`: the threshold below which `kubelab grade` exits 1, so a CI job
// fails. `80%` is a share of the points graded; `120` is a number of points.

export interface MinScore {
  value: number;
  percent: boolean;
  /** As the user wrote it, for messages. */
  text: string;
}

export function parseMinScore(text: string): MinScore {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) throw new Error(`--min-score must be points (120) or a percentage (80%), not "${text}"`);
  return { value: Number(match[1]), percent: match[2] === '%', text: text.trim() };
}

/** Undefined when the score reaches the threshold, else the line that says why not. */
export function belowMinScore(min: MinScore, score: number, maxScore: number): string | undefined {
  const needed = min.percent ? (min.value / 100) * maxScore : min.value;
  if (score >= needed) return undefined;
  const percent = maxScore > 0 ? ` (${formatPercent(score, maxScore)})` : '';
  return `score ${score}/${maxScore}${percent} is below --min-score ${min.text}`;
}

export function formatPercent(score: number, maxScore: number): string {
  if (maxScore === 0) return '–';
  return `${Math.floor((score / maxScore) * 1000) / 10}%`;
}
