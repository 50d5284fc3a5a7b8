/** Each `eval --json` line's key and its device's ranked labels, in output order. */
export function rankedLabelsOf(stdout: string): { key: string; labels: string[] }[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const d = JSON.parse(line) as {
        key: string;
        data: Record<string, { classification: { labels: string[] } }>;
      };
      return { key: d.key, labels: d.data[d.key]!.classification.labels };
    });
}
