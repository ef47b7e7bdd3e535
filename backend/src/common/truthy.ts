/** Truthiness of a rendered `when`/condition template: "false", "0", "" and "null" are false. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    return !(s === '' || s === 'false' || s === '0' || s === 'null' || s === 'undefined' || s === 'no');
  }
  return Boolean(value);
}
