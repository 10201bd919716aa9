/**
 * Generic cell rate algorithm on a "theoretical arrival time": the same arithmetic as the
 * Redis script, so both adapters limit alike.
 */
export function gcra(storedTat: number, now: number, ratePerSecond: number): { wait: number; tat: number } {
  const interval = 1000 / ratePerSecond;
  const tolerance = interval * (Math.max(1, Math.floor(ratePerSecond)) - 1);
  const tat = Math.max(storedTat, now);
  if (tat - now > tolerance) return { wait: Math.ceil(tat - now - tolerance), tat: storedTat };
  return { wait: 0, tat: tat + interval };
}
