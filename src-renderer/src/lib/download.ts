// What a box download will cost before it starts: its size and a time estimate at an assumed line
// speed, in words ("about 550 MB, ~4 min at 20 Mbit/s").

/** The line speed the estimate assumes, in Mbit/s (a modest home connection). */
export const ASSUMED_MBIT_S = 20

/** "about 550 MB" or "about 1.2 GB". */
export function sizeText(mb: number): string {
  if (mb >= 1000) return `about ${(mb / 1000).toFixed(1)} GB`
  return `about ${Math.max(1, Math.round(mb))} MB`
}

/** "under a minute", "~4 min", "~1.5 h" for `mb` megabytes at `mbit` Mbit/s. */
export function durationText(mb: number, mbit = ASSUMED_MBIT_S): string {
  const minutes = (mb * 8) / mbit / 60
  if (minutes < 1) return 'under a minute'
  if (minutes < 90) return `~${Math.round(minutes)} min`
  return `~${(minutes / 60).toFixed(1)} h`
}

/** Size and time in one phrase: "about 550 MB, ~4 min at 20 Mbit/s". */
export function downloadEstimate(mb: number, mbit = ASSUMED_MBIT_S): string {
  return `${sizeText(mb)}, ${durationText(mb, mbit)} at ${mbit} Mbit/s`
}
